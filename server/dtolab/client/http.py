"""A careful asynchronous HTTP client for upstream APIs.

Only URLs below a configured endpoint are requested; the endpoint's token (or the hub user's, see
:mod:`dtolab.client.tokens`) is added here, on the server; idempotent GETs are retried on
connection failures; responses are size-limited while they stream; every failure becomes one of
the ``dtolab.errors`` classes with a readable message.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from ..errors import NotFound, ResponseTooLarge, UpstreamError, UpstreamTimeout, UpstreamUnavailable
from .endpoints import Endpoint
from .tokens import endpoint_auth

log = logging.getLogger(__name__)

#: Statuses worth a second try for an idempotent request: the upstream said it is briefly unwell.
RETRY_STATUSES = frozenset({502, 503, 504})


def join_url(base: str, *segments: str) -> str:
    """``base`` followed by ``segments``, each percent-encoded (so an id cannot add path parts)."""
    return "/".join([base.rstrip("/"), *(quote(s, safe="") for s in segments)])


class UpstreamClient:
    """Sends requests to the configured endpoints; one instance is shared by the server extension.

    ``transport`` is only for tests (an ``httpx.MockTransport``); production uses the network.
    """

    def __init__(
        self,
        *,
        timeout: float = 20.0,
        max_response_bytes: int = 20 * 1024 * 1024,
        retries: int = 2,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self.retries = retries
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,  # a redirect could lead outside the configured endpoint
            transport=transport,
            headers={"Accept": "application/json"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get_json(
        self,
        endpoint: Endpoint,
        service: str,
        *segments: str,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        """GET ``segments`` below the endpoint's ``service`` URL and decode the JSON answer."""
        return await self._get(
            endpoint, service, join_url(endpoint.url(service), *segments), params
        )

    async def follow(self, endpoint: Endpoint, service: str, url: str) -> Any:
        """GET an absolute URL the upstream handed out (a ``next`` link), if it lies below the
        endpoint's base URL; anything else is refused rather than fetched."""
        base = endpoint.url(service)
        if not (url == base or url.startswith(base + "/") or url.startswith(base + "?")):
            raise UpstreamError(endpoint.name, f"refused to follow a link outside {base}: {url}")
        return await self._get(endpoint, service, url, None)

    async def _get(
        self, endpoint: Endpoint, service: str, url: str, params: Mapping[str, Any] | None
    ) -> Any:
        auth = endpoint_auth(endpoint)
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        attempt = 0
        while True:
            try:
                body, status = await self._fetch(endpoint, url, clean, auth)
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as err:
                if attempt < self.retries:
                    attempt += 1
                    await asyncio.sleep(0.2 * attempt)
                    continue
                raise UpstreamUnavailable(
                    endpoint.name, f"cannot reach {endpoint.url(service)} ({type(err).__name__})"
                ) from err
            except httpx.TimeoutException as err:
                raise UpstreamTimeout(
                    endpoint.name,
                    f"{endpoint.url(service)} did not answer within {self.timeout:g} s",
                ) from err
            if status in RETRY_STATUSES and attempt < self.retries:
                attempt += 1
                await asyncio.sleep(0.2 * attempt)
                continue
            log.debug("GET %s -> %s (%d bytes)", url, status, len(body))
            return decode(endpoint, url, status, body)

    async def _fetch(
        self, endpoint: Endpoint, url: str, params: Mapping[str, Any], auth: httpx.Auth | None
    ) -> tuple[bytes, int]:
        kwargs = {"auth": auth} if auth is not None else {}
        async with self._client.stream("GET", url, params=params, **kwargs) as response:
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise ResponseTooLarge(
                        endpoint.name,
                        f"response larger than the {self.max_response_bytes} byte limit",
                    )
                chunks.append(chunk)
            return b"".join(chunks), response.status_code


def decode(endpoint: Endpoint, url: str, status: int, body: bytes) -> Any:
    """Map an upstream answer to its JSON, or to the dtolab error that says what went wrong."""
    if status == 404:
        raise NotFound(f"{endpoint.name}: not found upstream ({url})")
    if status in (401, 403):
        hint = (
            "the token was refused"
            if endpoint.token or endpoint.auth == "user"
            else "it needs a token"
        )
        raise UpstreamError(endpoint.name, f"access denied ({status}): {hint}", status)
    if 300 <= status < 400:
        # Never followed: the target could lie outside the configured endpoint.
        raise UpstreamError(endpoint.name, f"answered a redirect ({status}) from {url}", status)
    if status >= 400:
        raise UpstreamError(endpoint.name, f"answered {status}: {_summary(body)}", status)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as err:
        raise UpstreamError(
            endpoint.name, f"answered something that is not JSON from {url}"
        ) from err


def _summary(body: bytes, limit: int = 200) -> str:
    """A short, printable excerpt of an upstream error body (its 'description' when JSON)."""
    try:
        data = json.loads(body)
    except ValueError:
        return body[:limit].decode("utf-8", "replace")
    if isinstance(data, dict):
        for key in ("description", "detail", "message", "title"):
            if key in data:
                return str(data[key])[:limit]
    return json.dumps(data)[:limit]

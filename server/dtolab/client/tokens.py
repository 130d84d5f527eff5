"""Credentials for upstream requests: a fixed token, or the logged-in hub user's access token.

An endpoint configured with ``"auth": "user"`` is called with the access token the user got when
logging in to the hub (OpenID Connect). Inside a lab spawned by JupyterHub the server extension
and notebook kernels ask the hub for it (``GET /hub/api/users/<name>``, with the server's own
``$JUPYTERHUB_API_TOKEN``, which may read that user's ``auth_state``); asking is also what makes
the hub renew a token close to expiry (``refresh_user``). The answer is cached until the time the
hub would renew it (``refresh_at`` in auth_state). Tokens are never logged or shown.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import AsyncGenerator, Generator

import httpx

from ..errors import UpstreamError
from .endpoints import Endpoint

#: Seconds a token is reused when the hub gives no renewal time.
DEFAULT_REUSE = 30.0


class BearerAuth(httpx.Auth):
    """A fixed bearer token (an endpoint's configured ``token``)."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        request.headers["Authorization"] = self._header
        yield request


class HubUserToken:
    """The hub user's current access token, as the hub keeps it in the user's auth_state."""

    def __init__(
        self,
        api_url: str | None = None,
        api_token: str | None = None,
        user: str | None = None,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.api_url = (api_url or os.environ.get("JUPYTERHUB_API_URL") or "").rstrip("/")
        self._api_token = api_token or os.environ.get("JUPYTERHUB_API_TOKEN") or ""
        self.user = user or os.environ.get("JUPYTERHUB_USER") or ""
        self.timeout = timeout
        self._transport = transport
        self._async_transport = async_transport
        self._lock = threading.Lock()
        self._token: str | None = None
        self._reuse_until = 0.0

    def __repr__(self) -> str:
        return f"<HubUserToken {self.user or '(no hub user)'}>"

    @property
    def available(self) -> bool:
        """Whether this process runs in a hub-spawned server that can ask for the token."""
        return bool(self.api_url and self._api_token and self.user)

    def _request(self) -> tuple[str, dict[str, str]]:
        if not self.available:
            raise UpstreamError(
                "hub",
                "this endpoint needs the hub user's access token, but this server was not "
                "started by JupyterHub (JUPYTERHUB_API_URL, _API_TOKEN and _USER are not set)",
            )
        url = f"{self.api_url}/users/{self.user}"
        return url, {"Authorization": f"token {self._api_token}"}

    def _accept(self, status: int, model: dict | None) -> str:
        if status in (401, 403):
            raise UpstreamError(
                "hub", f"the hub refused to hand out the user's token ({status}): log in again"
            )
        if status != 200 or model is None:
            raise UpstreamError("hub", f"the hub answered {status} when asked for the token")
        state = model.get("auth_state") or {}
        token = state.get("access_token")
        if not token:
            raise UpstreamError(
                "hub", "the hub holds no access token for this user (auth_state is off?)"
            )
        now = time.time()
        renew = state.get("refresh_at")
        if renew is None:  # a hub without dtolab's authenticator: a minute before expiry
            expires = state.get("expires_at")
            renew = float(expires) - 60 if expires else now + DEFAULT_REUSE
        with self._lock:
            self._token = token
            # Past the renewal time the hub may still answer the old token for a moment (it
            # renews at most every auth_refresh_age): ask again a second later.
            self._reuse_until = max(float(renew), now + 1.0)
        return token

    def _cached(self) -> str | None:
        with self._lock:
            if self._token and time.time() < self._reuse_until:
                return self._token
        return None

    def invalidate(self) -> None:
        """Forget the cached token (an upstream refused it)."""
        with self._lock:
            self._token = None
            self._reuse_until = 0.0

    def current(self) -> str:
        """The access token to send now (asks the hub when the cached one is due for renewal)."""
        cached = self._cached()
        if cached:
            return cached
        url, headers = self._request()
        try:
            with httpx.Client(timeout=self.timeout, transport=self._transport) as http:
                answer = http.get(url, headers=headers)
        except httpx.HTTPError as err:
            raise UpstreamError("hub", f"cannot reach the hub ({type(err).__name__})") from err
        return self._accept(answer.status_code, _json(answer))

    async def acurrent(self) -> str:
        """``current`` for asynchronous code (the server extension)."""
        cached = self._cached()
        if cached:
            return cached
        url, headers = self._request()
        try:
            async with httpx.AsyncClient(
                timeout=self.timeout, transport=self._async_transport
            ) as http:
                answer = await http.get(url, headers=headers)
        except httpx.HTTPError as err:
            raise UpstreamError("hub", f"cannot reach the hub ({type(err).__name__})") from err
        return self._accept(answer.status_code, _json(answer))


def _json(answer: httpx.Response) -> dict | None:
    try:
        data = answer.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


class HubTokenAuth(httpx.Auth):
    """Sends the hub user's current token; on a 401 asks the hub once more and retries."""

    def __init__(self, source: HubUserToken) -> None:
        self.source = source

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        request.headers["Authorization"] = f"Bearer {self.source.current()}"
        response = yield request
        if response.status_code == 401:
            self.source.invalidate()
            request.headers["Authorization"] = f"Bearer {self.source.current()}"
            yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        request.headers["Authorization"] = f"Bearer {await self.source.acurrent()}"
        response = yield request
        if response.status_code == 401:
            self.source.invalidate()
            request.headers["Authorization"] = f"Bearer {await self.source.acurrent()}"
            yield request


@functools.cache
def hub_user_token() -> HubUserToken:
    """The process-wide token source (one cache per server or kernel)."""
    return HubUserToken()


def endpoint_auth(endpoint: Endpoint) -> httpx.Auth | None:
    """How requests to ``endpoint`` authenticate: its fixed token, the hub user's, or not."""
    if endpoint.token:
        return BearerAuth(endpoint.token)
    if endpoint.auth == "user":
        return HubTokenAuth(hub_user_token())
    return None

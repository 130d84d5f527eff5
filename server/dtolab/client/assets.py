"""Reading an item's assets on the server without becoming a proxy to anywhere (SSRF).

The server extension reads assets (for previews) only from items it fetched itself from a
configured endpoint, and only where it is safe:

- the scheme is http or https (never ``file://``, ``s3://`` or anything a library might open);
- the host resolves to public addresses only, unless the URL lies below one of the endpoint's
  configured ``assets`` prefixes (the embedded stack's data service on loopback is such a prefix);
  loopback, private, link-local (cloud metadata at 169.254.169.254), multicast and reserved
  addresses are refused;
- redirects are never followed (the target was not checked);
- the address actually connected to is checked again before a byte of the answer is used, so a
  name that resolves differently the second time (DNS rebinding) gains nothing.

``GuardedHTTPStore`` is a read-only Zarr v3 store doing exactly that, so xarray can open a pyramid
through it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import urlsplit

import httpx
from zarr.abc.store import ByteRequest, OffsetByteRequest, RangeByteRequest, Store
from zarr.core.buffer import Buffer, BufferPrototype, default_buffer_prototype

from ..errors import Refused, ResponseTooLarge, UpstreamError, UpstreamUnavailable
from .endpoints import Endpoint

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise UpstreamUnavailable(host, f"cannot resolve {host} ({err.strerror})") from None
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


class AssetGuard:
    """Decides whether an asset URL of ``endpoint``'s items may be read."""

    def __init__(self, endpoint: Endpoint, resolver: Any = _resolve) -> None:
        self.endpoint = endpoint
        self._resolve = resolver

    def trusted(self, url: str) -> bool:
        """Whether ``url`` lies below one of the endpoint's configured asset prefixes."""
        return any(url.startswith(prefix) for prefix in self.endpoint.assets)

    def check(self, url: str) -> str:
        """``url`` if it may be read; otherwise ``Refused`` saying why."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise Refused(
                f"{self.endpoint.name}: asset {url!r} is not an http(s) URL; dtolab reads assets "
                "over http(s) only"
            )
        if not parts.hostname:
            raise Refused(f"{self.endpoint.name}: asset {url!r} has no host")
        if parts.username or parts.password:
            raise Refused(f"{self.endpoint.name}: asset URLs with credentials are not read")
        if self.trusted(url):
            return url
        port = parts.port or (443 if parts.scheme == "https" else 80)
        for address in self._resolve(parts.hostname, port):
            if not _public(address):
                raise Refused(
                    f"{self.endpoint.name}: asset host {parts.hostname} resolves to the "
                    f"non-public address {address}; list its URL prefix in the endpoint's "
                    "'assets' setting if it is meant to be read"
                )
        return url

    def check_peer(self, url: str, peer: str | None) -> None:
        """Refuse an answer from a non-public address for an untrusted URL (DNS rebinding)."""
        if self.trusted(url) or peer is None:
            return
        address = ipaddress.ip_address(peer.split("%")[0])
        if not _public(address):
            raise Refused(
                f"{self.endpoint.name}: {urlsplit(url).hostname} connected to the non-public "
                f"address {address}; refused"
            )


def _peer(response: httpx.Response) -> str | None:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    addr = stream.get_extra_info("server_addr")
    return addr[0] if addr else None


_CLIENTS: dict[int, httpx.AsyncClient] = {}


def _client() -> httpx.AsyncClient:
    """The pooled client of the running event loop (redirects off: their target is unchecked)."""
    loop = id(asyncio.get_running_loop())
    client = _CLIENTS.get(loop)
    if client is None:
        client = httpx.AsyncClient(follow_redirects=False, headers={"Accept-Encoding": "identity"})
        _CLIENTS[loop] = client
    return client


class GuardedHTTPStore(Store):
    """A read-only Zarr store below ``url``, read under ``guard``'s rules.

    Connections are pooled per event loop (Zarr runs store calls on its own loop thread) and
    shared by every store, so that a store dropped from a cache leaves no socket behind.
    """

    supports_writes = False
    supports_deletes = False
    supports_partial_writes = False
    supports_listing = False

    def __init__(
        self,
        url: str,
        guard: AssetGuard,
        *,
        timeout: float = 20.0,
        max_bytes: int = 256 * 1024 * 1024,
    ) -> None:
        super().__init__(read_only=True)
        self.url = guard.check(url.rstrip("/"))
        self.guard = guard
        self.timeout = timeout
        self.max_bytes = max_bytes

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GuardedHTTPStore) and other.url == self.url

    def __hash__(self) -> int:
        return hash(self.url)

    def __repr__(self) -> str:
        return f"GuardedHTTPStore({self.url!r})"

    async def get(
        self, key: str, prototype: BufferPrototype, byte_range: ByteRequest | None = None
    ) -> Buffer | None:
        url = f"{self.url}/{key}"
        headers = {}
        if isinstance(byte_range, RangeByteRequest):
            headers["Range"] = f"bytes={byte_range.start}-{byte_range.end - 1}"
        elif isinstance(byte_range, OffsetByteRequest):
            headers["Range"] = f"bytes={byte_range.offset}-"
        elif byte_range is not None:  # SuffixByteRequest
            headers["Range"] = f"bytes=-{byte_range.suffix}"
        name = self.guard.endpoint.name
        try:
            client = _client()
            async with client.stream("GET", url, headers=headers, timeout=self.timeout) as response:
                self.guard.check_peer(url, _peer(response))
                if response.status_code == 404:
                    return None
                if 300 <= response.status_code < 400:
                    raise Refused(f"{name}: {url} answered a redirect, which is not followed")
                if response.status_code >= 400:
                    raise UpstreamError(name, f"{url} answered {response.status_code}")
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise ResponseTooLarge(name, f"{url} is larger than {self.max_bytes} bytes")
                    chunks.append(chunk)
        except httpx.TimeoutException as err:
            raise UpstreamError(name, f"{url} did not answer within {self.timeout:g} s") from err
        except httpx.TransportError as err:
            raise UpstreamUnavailable(name, f"cannot read {url} ({type(err).__name__})") from err
        return prototype.buffer.from_bytes(b"".join(chunks))

    async def get_partial_values(
        self, prototype: BufferPrototype, key_ranges: Iterable[tuple[str, ByteRequest | None]]
    ) -> list[Buffer | None]:
        return list(await asyncio.gather(*(self.get(k, prototype, r) for k, r in key_ranges)))

    async def exists(self, key: str) -> bool:
        return await self.get(key, default_buffer_prototype()) is not None

    async def set(self, key: str, value: Buffer) -> None:
        raise Refused("asset stores are read-only")

    async def delete(self, key: str) -> None:
        raise Refused("asset stores are read-only")

    async def list(self) -> AsyncIterator[str]:
        raise NotImplementedError("listing is not supported over http; use consolidated metadata")
        yield ""  # pragma: no cover

    async def list_prefix(self, prefix: str) -> AsyncIterator[str]:
        raise NotImplementedError("listing is not supported over http; use consolidated metadata")
        yield ""  # pragma: no cover

    async def list_dir(self, prefix: str) -> AsyncIterator[str]:
        raise NotImplementedError("listing is not supported over http; use consolidated metadata")
        yield ""  # pragma: no cover

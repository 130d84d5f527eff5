"""Named upstream endpoints: where a catalogue (STAC) and a process API (OGC) live.

An endpoint is configuration, never code: the embedded stack and EDITO go through the same path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..errors import InvalidInput, NotFound

#: EDITO's public APIs (see shared/EDITO.md). Processes need a token; the catalogue is public.
EDITO = {
    "title": "EDITO (European Digital Twin of the Ocean)",
    "stac": "https://api.dive.edito.eu/data",
    "processes": "https://api.dive.edito.eu/processes",
    "free_text": False,
}

#: How requests to an endpoint authenticate: no token (or its fixed ``token``), or the hub user's.
AUTH_MODES = ("none", "user")


@dataclass(frozen=True)
class Endpoint:
    """One named upstream: a STAC API, an OGC API - Processes server, or both.

    ``token`` is a bearer token added server-side; it never leaves the server.
    ``auth`` is "none", or "user": send the logged-in hub user's access token (see
    :mod:`dtolab.client.tokens`).
    ``free_text`` says whether the STAC API supports the ``q`` parameter (EDITO's does not).
    """

    name: str
    title: str = ""
    stac: str | None = None
    processes: str | None = None
    token: str | None = field(default=None, repr=False)
    auth: str = "none"
    free_text: bool = True
    #: URL prefixes of assets that may be read although they resolve to a loopback or private
    #: address (the embedded stack's data service); public addresses need no listing.
    assets: tuple[str, ...] = ()

    def public(self) -> dict[str, object]:
        """The fields that may be shown to a browser: never the token."""
        return {
            "name": self.name,
            "title": self.title or self.name,
            "stac": self.stac,
            "processes": self.processes,
            "free_text": self.free_text,
            "authenticated": self.token is not None or self.auth == "user",
        }

    def url(self, service: str) -> str:
        """The base URL of ``service`` ("stac" or "processes"), or NotFound if not configured."""
        base = self.stac if service == "stac" else self.processes
        if not base:
            raise NotFound(f"endpoint {self.name!r} has no {service} API configured")
        return base


def _check_url(name: str, key: str, url: object) -> str | None:
    if url is None:
        return None
    if not isinstance(url, str):
        raise InvalidInput(f"endpoints.{name}.{key}", "must be a URL string")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(f"endpoints.{name}.{key}", f"must be an http(s) URL, got {url!r}")
    return url.rstrip("/")


def _check_prefixes(name: str, value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise InvalidInput(f"endpoints.{name}.assets", "must be a list of URL prefixes")
    prefixes = []
    for i, prefix in enumerate(value):
        url = _check_url(name, f"assets[{i}]", prefix)
        # A prefix ends at a path boundary: "http://h:1/data" must not admit "http://h:1/data2".
        prefixes.append(f"{url}/")
    return tuple(prefixes)


def _check_auth(name: str, value: object) -> str:
    if value not in AUTH_MODES:
        raise InvalidInput(f"endpoints.{name}.auth", f"must be one of {list(AUTH_MODES)}")
    return str(value)


def parse_endpoints(config: Mapping[str, Mapping[str, object]]) -> dict[str, Endpoint]:
    """Validate endpoint configuration (a dict of name -> settings) into Endpoint objects."""
    endpoints: dict[str, Endpoint] = {}
    for name, settings in config.items():
        if not isinstance(settings, Mapping):
            raise InvalidInput(f"endpoints.{name}", "must be a mapping of settings")
        unknown = set(settings) - {
            "title",
            "stac",
            "processes",
            "token",
            "auth",
            "free_text",
            "assets",
        }
        if unknown:
            raise InvalidInput(f"endpoints.{name}", f"unknown settings {sorted(unknown)}")
        endpoint = Endpoint(
            name=name,
            title=str(settings.get("title") or name),
            stac=_check_url(name, "stac", settings.get("stac")),
            processes=_check_url(name, "processes", settings.get("processes")),
            token=settings.get("token") or None,  # type: ignore[arg-type]
            free_text=bool(settings.get("free_text", True)),
            assets=_check_prefixes(name, settings.get("assets")),
            auth=_check_auth(name, settings.get("auth", "none")),
        )
        if endpoint.stac is None and endpoint.processes is None:
            raise InvalidInput(f"endpoints.{name}", "needs a 'stac' or a 'processes' URL")
        endpoints[name] = endpoint
    return endpoints


def lookup(endpoints: Mapping[str, Endpoint], name: str) -> Endpoint:
    """The endpoint called ``name``; NotFound lists the configured names."""
    try:
        return endpoints[name]
    except KeyError:
        raise NotFound(
            f"unknown endpoint {name!r}; configured endpoints: {', '.join(sorted(endpoints))}"
        ) from None

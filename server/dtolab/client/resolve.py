"""Which STAC/processes URLs a name means, for code running in a notebook or a script.

Order: an ``http(s)://`` URL is used as it is; a name is looked up in ``$DTOLAB_ENDPOINTS`` (JSON,
set by the embedded stack and the hub for the kernels they start), then in the presets ("edito"),
and "local" finally asks the running embedded stack (``dtolab status``) where it is.
"""

from __future__ import annotations

import dataclasses
import json
import os

from ..errors import InvalidInput, NotFound
from .endpoints import EDITO, Endpoint, parse_endpoints

ENV = "DTOLAB_ENDPOINTS"


def _from_env() -> dict[str, Endpoint]:
    raw = os.environ.get(ENV)
    if not raw:
        return {}
    try:
        return parse_endpoints(json.loads(raw))
    except ValueError as err:
        raise InvalidInput(ENV, f"is not valid endpoint JSON: {err}") from err


def _local_stack() -> Endpoint | None:
    from ..stack.cli import stack_summary
    from ..stack.state import StateDir, default_state_dir

    summary = stack_summary(StateDir(default_state_dir()))
    if not summary["running"]:
        return None
    return Endpoint("local", "Embedded stack", stac=summary["stac"], processes=summary["processes"])


def resolve(endpoint: str | Endpoint, token: str | None = None) -> Endpoint:
    """The Endpoint meant by ``endpoint`` (a name, a URL or an Endpoint)."""
    if isinstance(endpoint, Endpoint):
        return endpoint
    if endpoint.startswith(("http://", "https://")):
        return Endpoint(endpoint, endpoint, stac=endpoint.rstrip("/"), token=token)
    known = _from_env()
    found = known.get(endpoint)
    if found is None and endpoint == "edito":
        found = parse_endpoints({"edito": EDITO})["edito"]
    if found is None and endpoint == "local":
        found = _local_stack()
    if found is None:
        names = sorted({*known, "edito", "local"})
        raise NotFound(
            f"unknown endpoint {endpoint!r} (known: {', '.join(names)}; 'local' needs a running "
            "`dtolab up`), or give a STAC API URL"
        )
    if token is not None:
        found = dataclasses.replace(found, token=token)
    return found

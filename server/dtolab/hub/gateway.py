"""Dask Gateway's authenticator for dtolab's hub.

dask-gateway-server's JupyterHubAuthenticator asks the hub who a token belongs to
(``GET /hub/api/user``). JupyterHub 5 and later answer 403 for a token they do not know, which
the gateway reports as its own failure (500, "Permission failure verifying ..."). Here such a
token is what it is, unauthorized: 401 with the usual challenge.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from dask_gateway_server.auth import JupyterHubAuthenticator, unauthorized


class HubTokenAuthenticator(JupyterHubAuthenticator):
    """JupyterHubAuthenticator answering 401 (not 500) for a token the hub does not know."""

    async def authenticate(self, request: Any) -> Any:
        try:
            return await super().authenticate(request)
        except web.HTTPInternalServerError as err:
            if err.reason.startswith("Permission failure verifying"):
                raise unauthorized("jupyterhub") from None
            raise

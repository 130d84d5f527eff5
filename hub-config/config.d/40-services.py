# Hub services: Dask Gateway (clusters for logged-in users), the idle culler; and the roles that
# let users (and their servers) use them.
import sys

from dtolab.hub.settings import setting

c = get_config()  # noqa: F821 (JupyterHub defines it)

services = []
roles = [
    {
        # Every user: their own things, their auth_state (tokens for the APIs), the gateway.
        "name": "user",
        "scopes": ["self", "admin:auth_state!user", "access:services!service=dask-gateway"],
    },
]

# Dask Gateway as a managed hub service: the hub starts it, gives it an API token, and routes
# /services/dask-gateway/ to it (its API and the clusters' dashboards, behind the hub login).
gateway_port = setting("DTOLAB_GATEWAY_PORT", "")
if gateway_port:
    services.append(
        {
            "name": "dask-gateway",
            "url": f"http://127.0.0.1:{gateway_port}",
            "command": [
                sys.executable,
                "-m",
                "dask_gateway_server",
                "-f",
                setting("DTOLAB_GATEWAY_CONFIG"),
            ],
            "environment": {"DTOLAB_GATEWAY_PORT": gateway_port},
            "display": True,
            "oauth_no_confirm": True,
        }
    )

# Stop servers idle for longer than $DTOLAB_HUB_CULL_TIMEOUT seconds (default one hour).
cull_timeout = int(setting("DTOLAB_HUB_CULL_TIMEOUT", "3600"))
if cull_timeout > 0:
    services.append(
        {
            "name": "idle-culler",
            "command": [
                sys.executable,
                "-m",
                "jupyterhub_idle_culler",
                f"--timeout={cull_timeout}",
                f"--cull-every={max(10, min(300, cull_timeout // 4))}",
            ],
        }
    )
    roles.append(
        {
            "name": "idle-culler",
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            "services": ["idle-culler"],
        }
    )

c.JupyterHub.services = services
c.JupyterHub.load_roles = roles

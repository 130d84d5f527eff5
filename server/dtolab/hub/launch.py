"""What the embedded hub runs: the local OpenID Connect provider and JupyterHub (which starts
configurable-http-proxy, Dask Gateway and the idle culler), with their settings.

The supervisor (:mod:`dtolab.stack.supervisor`) calls these in hub mode (``dtolab hub``). The
hub's configuration files are ``hub-config/`` (read from the environment built here); the node
programs (provider, proxy) are installed in ``hub-config/node`` by ``make install``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from ..stack.errors import StackError
from ..stack.state import StateDir, write_private
from .users import read_users

#: The hub's OpenID Connect client at the local provider.
CLIENT_ID = "dtolab-hub"
#: The hub's service prefix for Dask Gateway (its API and the dashboards).
GATEWAY_PREFIX = "/services/dask-gateway"


@dataclass
class HubOptions:
    """Settings of ``dtolab hub`` beyond those of the stack."""

    users_file: Path | None = None
    #: Lifetime of access tokens issued by the local provider, in seconds.
    token_lifetime: int = 300
    #: Idle single-user servers are stopped after this many seconds (0: never).
    cull_timeout: int = 3600


def config_dir() -> Path:
    """``hub-config/``: ``$DTOLAB_HUB_CONFIG_DIR``, else the source checkout's (``make install``
    installs dtolab in editable mode)."""
    env = os.environ.get("DTOLAB_HUB_CONFIG_DIR")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[3] / "hub-config")
    for path in candidates:
        if (path / "jupyterhub_config.py").exists():
            return path
    raise StackError(
        "cannot find dtolab's hub-config folder (set $DTOLAB_HUB_CONFIG_DIR to it); "
        f"looked in {', '.join(map(str, candidates))}"
    )


def node_program(config: Path, name: str) -> Path:
    """An installed node program of the hub (``make install`` runs ``npm ci`` there)."""
    path = config / "node" / name
    if not path.exists():
        raise StackError(
            f"{path} is missing: install the hub's node packages with `make install` "
            f"(or `npm ci --prefix {config / 'node'}`)"
        )
    return path


def node_binary() -> str:
    node = shutil.which("node")
    if node is None:
        raise StackError("node is not installed (Node 20 or later); `make install` installs it")
    return node


def default_users_file() -> Path:
    return config_dir() / "local-users.json"


def provider_argv_env(
    state: StateDir,
    options: HubOptions,
    *,
    port: int,
    hub_url: str,
    secrets: dict[str, str],
) -> tuple[list[str], dict[str, str], str]:
    """argv, extra environment and issuer URL of the local OpenID Connect provider."""
    config = config_dir()
    users_file = (options.users_file or config / "local-users.json").resolve()
    read_users(users_file)  # a broken file fails here, with its name, not in the provider's log
    issuer = f"http://127.0.0.1:{port}"
    state.hub.mkdir(parents=True, exist_ok=True)
    settings = {
        "issuer": issuer,
        "port": port,
        "users_file": str(users_file),
        "keys_file": str(state.hub / "oidc-keys.json"),
        "store_file": str(state.hub / "oidc-store.json"),
        "cookie_keys": [secrets["oidc_cookie_key"]],
        "access_token_ttl": options.token_lifetime,
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": secrets["oidc_client_secret"],
                "client_name": "dtolab hub",
                "redirect_uris": [f"{hub_url}/hub/oauth_callback"],
                "post_logout_redirect_uris": [f"{hub_url}/hub/login"],
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
            }
        ],
    }
    path = state.config / "oidc-provider.json"
    write_private(path, settings)
    argv = [node_binary(), str(node_program(config, "oidc-provider.mjs"))]
    return argv, {"DTOLAB_OIDC_CONFIG": str(path)}, issuer


def lab_environment(
    state: StateDir, urls: dict[str, str], gateway_port: int, jupyter_config: Path
) -> dict[str, str]:
    """What every spawned lab gets in its environment (no secrets: the hub adds the server's
    own API token; the user's access token is fetched from the hub when needed)."""
    from ..stack import configs

    gateway = f"127.0.0.1:{gateway_port}"
    return {
        # The server extension reads its endpoints from this Jupyter config folder ...
        "JUPYTER_CONFIG_PATH": str(jupyter_config),
        # ... and kernels (Catalog("local")) from this variable.
        "DTOLAB_ENDPOINTS": configs.endpoints_env(urls, auth="user"),
        # dask-gateway's client: dtolab.cluster() and dask-labextension's "new cluster" button.
        "DASK_GATEWAY__ADDRESS": f"http://{gateway}{GATEWAY_PREFIX}",
        "DASK_GATEWAY__PROXY_ADDRESS": f"gateway://{gateway}",
        "DASK_GATEWAY__PUBLIC_ADDRESS": f"{GATEWAY_PREFIX}/",
        "DASK_GATEWAY__AUTH__TYPE": "jupyterhub",
        "DASK_LABEXTENSION__FACTORY__MODULE": "dask_gateway",
        "DASK_LABEXTENSION__FACTORY__CLASS": "GatewayCluster",
        "DTOLAB_STATE_DIR": str(state.root),
    }


def hub_argv_env(
    state: StateDir,
    options: HubOptions,
    *,
    ports: dict[str, int],
    issuer: str,
    secrets: dict[str, str],
    lab_env: dict[str, str],
) -> tuple[list[str], dict[str, str]]:
    """argv and extra environment of JupyterHub (hub-config/jupyterhub_config.py)."""
    config = config_dir()
    lifetime = options.token_lifetime
    env = {
        "DTOLAB_HUB_DATA_DIR": str(state.hub),
        "DTOLAB_HUB_BIND_URL": f"http://127.0.0.1:{ports['hub']}",
        "DTOLAB_HUB_INTERNAL_URL": f"http://127.0.0.1:{ports['hub-internal']}",
        "DTOLAB_HUB_PROXY_API_URL": f"http://127.0.0.1:{ports['proxy-api']}",
        "DTOLAB_HUB_PROXY_CMD": str(
            node_program(config, "node_modules/configurable-http-proxy/bin/configurable-http-proxy")
        ),
        "DTOLAB_OIDC_ISSUER": issuer,
        "DTOLAB_OIDC_CLIENT_ID": CLIENT_ID,
        "DTOLAB_OIDC_CALLBACK_URL": f"http://127.0.0.1:{ports['hub']}/hub/oauth_callback",
        "DTOLAB_OIDC_NAME": "dtolab local accounts",
        # The hub looks at a user's tokens at most this often (a sixth of their lifetime), so a
        # token due for renewal (after two thirds) is renewed well before it expires.
        "DTOLAB_HUB_AUTH_REFRESH_AGE": str(max(2, lifetime // 6)),
        "DTOLAB_HUB_LAB_ENV": json.dumps(lab_env),
        "DTOLAB_GATEWAY_PORT": str(ports["gateway"]),
        "DTOLAB_GATEWAY_CONFIG": str(config / "dask_gateway_config.py"),
        "DTOLAB_HUB_CULL_TIMEOUT": str(options.cull_timeout),
        # Secrets: environment only (JupyterHub and configurable-http-proxy read them there).
        "DTOLAB_OIDC_CLIENT_SECRET": secrets["oidc_client_secret"],
        "JUPYTERHUB_CRYPT_KEY": secrets["hub_crypt_key"],
        "CONFIGPROXY_AUTH_TOKEN": secrets["proxy_token"],
    }
    argv = [sys.executable, "-m", "jupyterhub", "-f", str(config / "jupyterhub_config.py")]
    return argv, env

# The single-user servers: JupyterLab with dtolab, pointed at the platform's endpoints, with the
# user's token available to the server (never in the browser).
import json
import os
import sys
from pathlib import Path

from dtolab.hub.profiles import parse_profiles, with_extra_profiles
from dtolab.hub.settings import setting

c = get_config()  # noqa: F821 (JupyterHub defines it)

# "local": servers run on this machine as the hub's own system user, one home folder per hub
# user under $DTOLAB_HUB_DATA_DIR/home (the embedded hub). Kubernetes: see hub-config/k8s.
spawner = setting("DTOLAB_HUB_SPAWNER", "local")
if spawner == "local":
    c.JupyterHub.spawner_class = "dtolab.hub.profiles.LocalProfileSpawner"
    home = Path(setting("DTOLAB_HUB_DATA_DIR", "/srv/jupyterhub")) / "home"
    c.SimpleLocalProcessSpawner.home_dir_template = str(home / "{username}")
    # Profiles are Python environments on this machine; the one running the hub has dtolab. A
    # profile whose needs are not met here is not offered, and with one profile left the lab
    # starts without a form. $DTOLAB_HUB_PROFILES adds (or replaces, by slug) profiles.
    profiles = [
        {
            "slug": "cpu",
            "display_name": "CPU",
            "description": "JupyterLab with dtolab, on this machine's processors.",
            "default": True,
            "python": sys.executable,
        },
        {
            "slug": "gpu",
            "display_name": "GPU",
            "description": "JupyterLab where CuPy computes on this machine's NVIDIA GPU.",
            "python": sys.executable,
            "needs": ["gpu"],
        },
        {
            "slug": "rstudio",
            "display_name": "RStudio",
            "description": "JupyterLab whose launcher opens RStudio.",
            "python": sys.executable,
            "needs": ["rstudio"],
        },
    ]
    try:
        profiles = with_extra_profiles(profiles, setting("DTOLAB_HUB_PROFILES", "[]"))
        parse_profiles(profiles)
    except ValueError as err:
        raise SystemExit(f"dtolab hub configuration: $DTOLAB_HUB_PROFILES: {err}") from None
    c.LocalProfileSpawner.profile_list = profiles
    if os.geteuid() == 0:
        c.Spawner.args = ["--allow-root"]
    c.Spawner.start_timeout = 120
    c.Spawner.http_timeout = 120

# What every lab gets: dtolab's endpoints (the server extension reads its Jupyter config, kernels
# read $DTOLAB_ENDPOINTS), lab settings, and the Dask Gateway address. Endpoints that need the
# user's token say "auth": "user"; the token itself is fetched from the hub when needed.
lab_env = json.loads(setting("DTOLAB_HUB_LAB_ENV", "{}"))
c.Spawner.environment.update(lab_env)

# The server's own API token may read its user's auth_state (the access token) and reach the
# Dask Gateway service, besides what a server needs anyway.
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    "read:users:name!user",
    "admin:auth_state!user",
    "access:services!service=dask-gateway",
]

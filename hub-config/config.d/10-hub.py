# Where the hub and its proxy listen, and where the hub keeps its state.
import os
from pathlib import Path

from dtolab.hub.settings import setting

c = get_config()  # noqa: F821 (JupyterHub defines it)

data_dir = Path(setting("DTOLAB_HUB_DATA_DIR", "/srv/jupyterhub"))
data_dir.mkdir(parents=True, exist_ok=True)

# The public URL users open (configurable-http-proxy listens here) and the hub's own address.
c.JupyterHub.bind_url = setting("DTOLAB_HUB_BIND_URL", "http://127.0.0.1:8000")
c.JupyterHub.hub_bind_url = setting("DTOLAB_HUB_INTERNAL_URL", "http://127.0.0.1:8081")

# configurable-http-proxy: started by the hub; its REST API on loopback with a shared secret
# ($CONFIGPROXY_AUTH_TOKEN, read by both from the environment, never written to a file).
c.ConfigurableHTTPProxy.api_url = setting("DTOLAB_HUB_PROXY_API_URL", "http://127.0.0.1:8001")
c.ConfigurableHTTPProxy.command = [setting("DTOLAB_HUB_PROXY_CMD", "configurable-http-proxy")]
c.ConfigurableHTTPProxy.should_start = True

# State: the user database (sqlite here; a postgresql:// URL in production) and cookie secret.
c.JupyterHub.db_url = setting("DTOLAB_HUB_DB_URL", f"sqlite:///{data_dir / 'jupyterhub.sqlite'}")
c.JupyterHub.cookie_secret_file = str(data_dir / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(data_dir / "jupyterhub.pid")

# After login the hub starts the user's default server and opens JupyterLab in it; /hub/home
# lists (and starts) the named servers.
c.Spawner.default_url = "/lab"

# Users may run several named servers next to their default one.
c.JupyterHub.allow_named_servers = True
c.JupyterHub.named_server_limit_per_user = int(setting("DTOLAB_HUB_NAMED_SERVER_LIMIT", "3"))

# Stop single-user servers when the hub stops (the embedded hub stops with `dtolab down`).
c.JupyterHub.cleanup_servers = os.environ.get("DTOLAB_HUB_CLEANUP_SERVERS", "1") == "1"

# Never log tokens: JupyterHub logs request URLs without their query (token=...) already;
# keep the default INFO level.
c.JupyterHub.log_level = setting("DTOLAB_HUB_LOG_LEVEL", "INFO")

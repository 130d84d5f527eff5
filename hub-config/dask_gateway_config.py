# Dask Gateway for dtolab's hub: clusters for logged-in hub users, run on this machine.
#
# Started by JupyterHub as the managed service "dask-gateway" (hub-config/config.d/40-services.py),
# which hands it $JUPYTERHUB_API_TOKEN, $JUPYTERHUB_API_URL and $JUPYTERHUB_SERVICE_NAME: the
# gateway checks every client's token with the hub (and requires the
# access:services!service=dask-gateway scope). On Kubernetes the dask-gateway Helm chart's
# values (hub-config/k8s) replace this file.
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821

port = os.environ["DTOLAB_GATEWAY_PORT"]

# One HTTP port for the API and the clusters' dashboards, below the hub's service prefix, so that
# the hub's proxy can route /services/dask-gateway/ here; schedulers are reached over the same
# port (the gateway proxy tells TLS-wrapped scheduler traffic from HTTP).
c.Proxy.address = f"127.0.0.1:{port}"
c.Proxy.tcp_address = f"127.0.0.1:{port}"
c.Proxy.prefix = "/services/dask-gateway"

# The hub checks every token (dtolab.hub.gateway: an unknown token is a 401, not a 500).
c.DaskGateway.authenticator_class = "dtolab.hub.gateway.HubTokenAuthenticator"

# Schedulers and workers as local processes of the gateway's user, from the gateway's own
# environment (which has dtolab). distributed has no `dask-scheduler` script any more.
c.DaskGateway.backend_class = "dask_gateway_server.backends.local.UnsafeLocalBackend"
dask = str(Path(sys.executable).parent / "dask")
c.ClusterConfig.scheduler_cmd = [dask, "scheduler"]
c.ClusterConfig.worker_cmd = [dask, "worker"]

# Limits per cluster (this machine is shared by every user of the hub).
c.ClusterConfig.worker_cores = 1
c.ClusterConfig.worker_memory = os.environ.get("DTOLAB_GATEWAY_WORKER_MEMORY", "2 G")
c.ClusterConfig.cluster_max_workers = int(os.environ.get("DTOLAB_GATEWAY_MAX_WORKERS", "4"))
# Clusters nobody talks to for 30 minutes are stopped.
c.ClusterConfig.idle_timeout = 1800

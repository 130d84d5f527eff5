"""Dask Gateway behind the hub: a logged-in user's lab gets a cluster from dtolab.cluster()."""

import json
import os
import subprocess
import sys

import httpx
import pytest

from tests.hub.conftest import api_token

pytestmark = pytest.mark.stack

# Runs in a fresh interpreter with the environment a spawned lab has (Dask reads its
# configuration from the environment at import).
CLUSTER_CODE = """
import json, os, dtolab, httpx
cluster = dtolab.cluster(workers=1)
client = cluster.get_client()
total = client.submit(sum, range(101)).result()
page = httpx.get(os.environ["HUB"] + cluster.dashboard_link, follow_redirects=True)
print(json.dumps({"kind": type(cluster).__name__, "total": total,
                  "dashboard": cluster.dashboard_link, "dashboard_status": page.status_code}))
cluster.shutdown()
"""

BOGUS_CODE = """
from aiohttp import ClientResponseError
from dask_gateway import Gateway
from dask_gateway.auth import JupyterHubAuth
gateway = Gateway(auth=JupyterHubAuth(api_token="not-a-hub-token"))
try:
    gateway.list_clusters()
except ClientResponseError as err:
    print(type(err).__name__, err)
else:
    print("ACCEPTED")
"""


def lab_env(dtolab_hub, token: str) -> dict[str, str]:
    """The Dask settings the hub gives a lab (see dtolab.hub.launch), with the lab's token."""
    gateway = f"127.0.0.1:{dtolab_hub['ports']['gateway']}"
    return {
        **os.environ,
        "DASK_GATEWAY__ADDRESS": f"http://{gateway}/services/dask-gateway",
        "DASK_GATEWAY__PROXY_ADDRESS": f"gateway://{gateway}",
        "DASK_GATEWAY__PUBLIC_ADDRESS": "/services/dask-gateway/",
        "DASK_GATEWAY__AUTH__TYPE": "jupyterhub",
        "JUPYTERHUB_API_TOKEN": token,
        "HUB": dtolab_hub["hub"],
        "PYTHONWARNINGS": "ignore",
    }


def test_a_gateway_cluster_runs_for_a_logged_in_user(dtolab_hub, dtolab_hub_sessions):
    hub = dtolab_hub["hub"]
    demo = dtolab_hub_sessions("demo")
    token = api_token(demo, hub, "demo", scopes=["access:services!service=dask-gateway"])
    run = subprocess.run(
        [sys.executable, "-c", CLUSTER_CODE],
        env=lab_env(dtolab_hub, token),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["kind"] == "GatewayCluster"
    assert result["total"] == 5050
    # The dashboard link is a path below the hub: the browser opens it through the hub.
    assert result["dashboard"].startswith("/services/dask-gateway/clusters/")
    assert result["dashboard_status"] == 200


def test_the_gateway_refuses_a_bogus_token(dtolab_hub, dtolab_hub_sessions):
    run = subprocess.run(
        [sys.executable, "-c", BOGUS_CODE],
        env=lab_env(dtolab_hub, "unused"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "ACCEPTED" not in run.stdout
    assert run.stdout.startswith("ClientResponseError 401"), run.stdout + run.stderr[-1000:]
    # On the wire: 401 with a challenge (and no cluster list).
    gateway = f"http://127.0.0.1:{dtolab_hub['ports']['gateway']}/services/dask-gateway"
    answer = httpx.get(
        f"{gateway}/api/v1/clusters/", headers={"Authorization": "jupyterhub not-a-hub-token"}
    )
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "jupyterhub"


def test_the_gateway_is_served_through_the_hub(dtolab_hub, dtolab_hub_sessions):
    # The hub's proxy routes /services/dask-gateway/ to the gateway (API health, no login needed).
    answer = httpx.get(f"{dtolab_hub['hub']}/services/dask-gateway/api/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "pass"

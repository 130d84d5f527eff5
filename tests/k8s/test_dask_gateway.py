"""hub-config/k8s/dask-gateway.yaml, built into scheduler and worker pods by dask-gateway-server.

The values go through the chart's gateway configuration (tests/k8s/dask_gateway_chart.py); the
gateway's Kubernetes backend turns a user's request (with cluster options) into the cluster
record, and the controller's own code makes the scheduler and worker pods from it, as it would in
the cluster. Nothing here talks to a Kubernetes API.
"""

import asyncio
import json

import pytest
from dask_gateway_server.auth import JupyterHubAuthenticator
from dask_gateway_server.backends.base import PublicException
from dask_gateway_server.backends.kubernetes import KubeBackend
from dask_gateway_server.backends.kubernetes.controller import KubeController
from dask_gateway_server.models import User
from dask_gateway_server.utils import FrozenAttrDict
from traitlets.utils.importstring import import_item

from . import dask_gateway_chart as chart
from . import z2jh

GiB = 2**30


async def _cluster_pods(values: dict, options: dict) -> dict[str, dict]:
    backend = KubeBackend(config=chart.gateway_config(values))
    requested, config = await backend.process_cluster_options(User("ana"), options)
    cluster = backend.make_cluster_object("ana", requested, config)
    # The record travels through the Kubernetes API as JSON.
    stored = FrozenAttrDict(json.loads(json.dumps(cluster["spec"]["config"])))
    controller = KubeController(config=chart.controller_config(values))
    name = cluster["metadata"]["name"]
    return {
        "scheduler": controller.make_pod(chart.NAMESPACE, name, stored),
        "worker": controller.make_pod(chart.NAMESPACE, name, stored, is_worker=True),
    }


def cluster_pods(values: dict, options: dict | None = None) -> dict[str, dict]:
    """The scheduler and worker pods of a cluster ana asks for with ``options``."""
    return asyncio.run(_cluster_pods(values, options or {}))


def container(pod: dict) -> dict:
    return pod["spec"]["containers"][0]


def test_scheduler_and_workers_run_the_lab_image(dtolab_gateway_values, dtolab_version):
    # When ana asks for a cluster with the default options
    pods = cluster_pods(dtolab_gateway_values)

    # Then the scheduler and the workers run dtolab's base image, the one the CPU lab runs
    for pod in pods.values():
        assert container(pod)["image"] == f"ghcr.io/dtolab/base:{dtolab_version}"

    # And they are started with the dask command (distributed has no dask-scheduler script)
    assert container(pods["scheduler"])["args"][:2] == ["dask", "scheduler"]
    assert container(pods["worker"])["args"][:2] == ["dask", "worker"]


def test_default_sizes(dtolab_gateway_values):
    # When ana asks for a cluster with the default options
    pods = cluster_pods(dtolab_gateway_values)

    # Then the scheduler gets half a core (up to one) and 1 GiB (up to 2)
    scheduler = container(pods["scheduler"])["resources"]
    assert scheduler["requests"] == {"cpu": "0.500", "memory": str(1 * GiB)}
    assert scheduler["limits"] == {"cpu": "1.000", "memory": str(2 * GiB)}

    # And each worker one core and 4 GiB, its request being its limit
    worker = container(pods["worker"])
    expected = {"cpu": "1.000", "memory": str(4 * GiB)}
    assert worker["resources"]["requests"] == worker["resources"]["limits"] == expected
    args = worker["args"]
    assert args[args.index("--nthreads") + 1] == "1"


def test_users_choose_worker_sizes(dtolab_gateway_values):
    # When ana asks for workers with 3 cores and 8 GiB
    pods = cluster_pods(dtolab_gateway_values, {"worker_cores": 3, "worker_memory": 8})

    # Then each worker gets (and is limited to) that, with one thread per core
    worker = container(pods["worker"])
    expected = {"cpu": "3.000", "memory": str(8 * GiB)}
    assert worker["resources"]["requests"] == worker["resources"]["limits"] == expected
    args = worker["args"]
    assert args[args.index("--nthreads") + 1] == "3"
    assert args[args.index("--memory-limit") + 1] == str(8 * GiB)


@pytest.mark.parametrize(
    ("options", "message"),
    [({"worker_cores": 64}, "worker_cores must be <= 4"), ({"worker_memory": 0.5}, ">= 1")],
)
def test_sizes_beyond_the_limits_are_refused(dtolab_gateway_values, options, message):
    # When ana asks for workers larger (or smaller) than allowed
    # Then the gateway refuses with a message she can read
    with pytest.raises(PublicException, match=message):
        cluster_pods(dtolab_gateway_values, options)


def test_gateway_authenticates_with_the_hub(dtolab_gateway_values, dtolab_hub_values, monkeypatch):
    # Given the gateway's configuration
    config = chart.gateway_config(dtolab_gateway_values)

    # Then it checks tokens with the hub's API, at the jupyterhub chart's hub Service
    authenticator_class = import_item(config.DaskGateway.authenticator_class)
    assert issubclass(authenticator_class, JupyterHubAuthenticator)
    api_url = f"http://{z2jh.HUB}:{z2jh.HUB_PORT}/hub/api"

    # And as the hub's service "dask-gateway", so that only users granted it get in
    service = config.JupyterHubAuthenticator.jupyterhub_service_name
    assert service in dtolab_hub_values["hub"]["services"]

    # When the gateway starts with the token from the Secret in its environment (the chart
    # mounts it as $JUPYTERHUB_API_TOKEN)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "from-the-secret")
    authenticator = authenticator_class(config=config)

    # Then the authenticator uses them
    assert authenticator.jupyterhub_api_url == api_url
    assert authenticator.jupyterhub_api_token == "from-the-secret"
    assert authenticator.jupyterhub_service_name == "dask-gateway"


def test_labs_and_hub_reach_the_gateway(dtolab_gateway_values, dtolab_hub_values):
    # Given where the labs and the hub's proxy send gateway traffic
    env = dtolab_hub_values["singleuser"]["extraEnv"]
    service = dtolab_hub_values["hub"]["services"]["dask-gateway"]
    prefix = dtolab_gateway_values["gateway"]["prefix"]

    # Then it is the gateway chart's traefik Service, below the prefix the gateway serves
    assert env["DASK_GATEWAY__ADDRESS"] == f"http://{chart.TRAEFIK_NAME}{prefix}"
    assert env["DASK_GATEWAY__PROXY_ADDRESS"] == f"gateway://{chart.TRAEFIK_NAME}:80"
    assert service["url"] == f"http://{chart.TRAEFIK_NAME}"

    # And dashboard links in the browser go through the hub's proxy, which routes the hub
    # service's own prefix, /services/<name>/, to traefik
    assert env["DASK_GATEWAY__PUBLIC_ADDRESS"] == "/services/dask-gateway/"
    assert prefix == "/services/dask-gateway"

    # And traefik is reached inside the cluster only
    assert dtolab_gateway_values["traefik"]["service"]["type"] == "ClusterIP"

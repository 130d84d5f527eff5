"""Fixtures for the Kubernetes values: the values files, and KubeSpawner without a cluster.

KubeSpawner loads a Kubernetes client configuration when it is created (in-cluster, else the
kubeconfig file). No cluster runs here, so the client is pointed at a kubeconfig naming an address
nobody listens on: building a pod manifest never calls the API server.
"""

import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "hub-config" / "k8s"


@pytest.fixture(scope="session")
def dtolab_version() -> str:
    return json.loads((ROOT / "package.json").read_text())["version"]


@pytest.fixture(scope="session")
def dtolab_hub_values() -> dict:
    return yaml.safe_load((K8S / "jupyterhub.yaml").read_text())


@pytest.fixture(scope="session")
def dtolab_gateway_values() -> dict:
    return yaml.safe_load((K8S / "dask-gateway.yaml").read_text())


@pytest.fixture(scope="session")
def dtolab_kubeconfig(tmp_path_factory):
    """A kubeconfig for a cluster that is not there, used by every KubeSpawner in the session."""
    import kubernetes_asyncio.config.kube_config as kube_config

    path = tmp_path_factory.mktemp("kube") / "config"
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "none", "cluster": {"server": "https://127.0.0.1:9"}}],
        "users": [{"name": "none", "user": {"token": "unused"}}],
        "contexts": [{"name": "none", "context": {"cluster": "none", "user": "none"}}],
        "current-context": "none",
    }
    path.write_text(yaml.safe_dump(config))
    with pytest.MonkeyPatch.context() as patch:
        # The default location is read when kubernetes_asyncio is imported; $KUBECONFIG would
        # come too late for it.
        patch.setattr(kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(path))
        yield path

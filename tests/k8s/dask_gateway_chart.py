"""The dask-gateway Helm chart's gateway configuration, mirrored for dtolab's values.

The chart renders ``dask_gateway_config.py`` from its values in
resources/helm/dask-gateway/templates/gateway/configmap.yaml (chart 2026.3.0): fixed settings, the
backend's image and resources, the authenticator, then each ``gateway.extraConfig`` block in key
order, run with the file's ``get_property``. This module builds the same traitlets configuration,
for release ``RELEASE`` in namespace ``NAMESPACE``; the controller's few settings come from
templates/controller/configmap.yaml. The chart's own defaults are not merged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from traitlets.config import Config

from tests.k8s.z2jh import get

RELEASE = "dask-gateway"
NAMESPACE = "dtolab"
#: The chart's fullname for a release whose name contains the chart's name.
FULLNAME = RELEASE
API_NAME = f"api-{FULLNAME}"
TRAEFIK_NAME = f"traefik-{FULLNAME}"
#: Labels on the chart's pods (templates/*/deployment.yaml: its common labels plus a component).
API_POD_LABELS = {
    "app.kubernetes.io/name": "dask-gateway",
    "app.kubernetes.io/component": "gateway",
}
TRAEFIK_POD_LABELS = {
    "app.kubernetes.io/name": "dask-gateway",
    "app.kubernetes.io/component": "traefik",
}
#: traefik's container port for HTTP, and for TCP too while traefik.service.ports.tcp is "web".
TRAEFIK_PORT = 8000

#: KubeClusterConfig traits set from ``gateway.backend.<key>`` when the value is not null.
CLUSTER_FIELDS = {
    "scheduler_cores": "scheduler.cores.request",
    "scheduler_cores_limit": "scheduler.cores.limit",
    "scheduler_memory": "scheduler.memory.request",
    "scheduler_memory_limit": "scheduler.memory.limit",
    "scheduler_extra_container_config": "scheduler.extraContainerConfig",
    "scheduler_extra_pod_config": "scheduler.extraPodConfig",
    "worker_cores": "worker.cores.request",
    "worker_cores_limit": "worker.cores.limit",
    "worker_memory": "worker.memory.request",
    "worker_memory_limit": "worker.memory.limit",
    "worker_threads": "worker.threads",
    "worker_extra_container_config": "worker.extraContainerConfig",
    "worker_extra_pod_config": "worker.extraPodConfig",
    "image_pull_policy": "image.pullPolicy",
    "environment": "environment",
    "namespace": "namespace",
}

AUTHENTICATORS = {
    "simple": "dask_gateway_server.auth.SimpleAuthenticator",
    "kerberos": "dask_gateway_server.auth.KerberosAuthenticator",
    "jupyterhub": "dask_gateway_server.auth.JupyterHubAuthenticator",
}


def gateway_config(values: Mapping[str, Any]) -> Config:
    """The gateway's configuration as the chart's config file builds it from ``values``."""
    # The chart hands its config file the values as JSON, without extraConfig and the token.
    properties = json.loads(json.dumps({"gateway": dict(values.get("gateway") or {})}))
    extra_config = properties["gateway"].pop("extraConfig", None) or {}
    properties["gateway"].get("auth", {}).get("jupyterhub", {}).pop("apiToken", None)

    def get_property(key: str, default: Any = None) -> Any:
        return get(properties, key, default)

    c = Config()
    c.DaskGateway.address = ":8000"
    c.KubeBackend.api_url = f"http://{API_NAME}.{NAMESPACE}:8000/api"
    c.DaskGateway.backend_class = "dask_gateway_server.backends.kubernetes.KubeBackend"
    c.KubeBackend.gateway_instance = FULLNAME

    image_name = get_property("gateway.backend.image.name")
    if image_name:
        image_tag = get_property("gateway.backend.image.tag")
        c.KubeClusterConfig.image = f"{image_name}:{image_tag}" if image_tag else image_name
        c.KubeClusterConfig.image_pull_secrets = get_property("gateway.backend.imagePullSecrets")

    for field, key in CLUSTER_FIELDS.items():
        value = get_property(f"gateway.backend.{key}")
        if value is not None:
            setattr(c.KubeClusterConfig, field, value)

    auth_type = get_property("gateway.auth.type")
    if auth_type not in AUTHENTICATORS:
        raise ValueError(f"gateway.auth.type {auth_type!r} is not mapped here")
    c.DaskGateway.authenticator_class = AUTHENTICATORS[auth_type]
    if auth_type == "jupyterhub":
        api_url = get_property("gateway.auth.jupyterhub.apiUrl")
        if api_url is None:
            raise ValueError("gateway.auth.jupyterhub.apiUrl: the chart would infer it")
        c.JupyterHubAuthenticator.jupyterhub_api_url = api_url
        service_name = get_property("gateway.auth.jupyterhub.jupyterhubServiceName")
        if service_name is not None:
            c.JupyterHubAuthenticator.jupyterhub_service_name = service_name

    blocks = (
        [extra_config]
        if isinstance(extra_config, str)
        else [extra_config[key] for key in sorted(extra_config)]
    )
    for block in blocks:
        exec(block, {"c": c, "get_property": get_property})  # noqa: S102 (as the chart does)
    return c


def controller_config(values: Mapping[str, Any]) -> Config:
    """The controller's configuration (it creates the scheduler and worker pods)."""
    c = Config()
    c.KubeController.api_url = f"http://{API_NAME}.{NAMESPACE}:8000/api"
    c.KubeController.gateway_instance = FULLNAME
    c.KubeController.proxy_prefix = (values.get("gateway") or {}).get("prefix", "/")
    return c

"""Every profile of hub-config/k8s/jupyterhub.yaml, built into a pod by KubeSpawner's own code.

The values go through the chart's hub configuration (tests/k8s/z2jh.py), the profile is chosen
through user_options as the hub does after the options form, and the pod KubeSpawner would send
to the cluster is checked: image, resources, GPU, environment, home volume, security context.
"""

import json

import pytest
from kubespawner import KubeSpawner

from dtolab.client.endpoints import parse_endpoints

from . import z2jh
from .spawn import API_TOKEN, spawn

GiB = 2**30

#: slug -> (image folder, cpu request, cpu limit, memory request, memory limit)
PROFILES = {
    "cpu": ("base", 0.5, 2.0, 2 * GiB, 4 * GiB),
    "gpu": ("gpu", 2.0, 8.0, 16 * GiB, 32 * GiB),
    "rstudio": ("r", 0.5, 2.0, 4 * GiB, 8 * GiB),
}


@pytest.fixture(scope="module")
def dtolab_hub_config(dtolab_hub_values, dtolab_kubeconfig):
    return z2jh.hub_config(dtolab_hub_values, {"hub.services.dask-gateway.apiToken": "t0ken"})


@pytest.fixture(scope="module")
def dtolab_pods(dtolab_hub_config):
    """slug -> the pod of user ana's default server with that profile."""
    return {slug: spawn(dtolab_hub_config, {"profile": slug}) for slug in PROFILES}


def test_the_profiles_are_cpu_gpu_and_rstudio(dtolab_hub_values):
    # Given the values' profile list
    profiles = dtolab_hub_values["singleuser"]["profileList"]

    # Then it offers the three profiles, CPU first and by default
    assert [p["slug"] for p in profiles] == list(PROFILES)
    assert [p["slug"] for p in profiles if p.get("default")] == ["cpu"]


@pytest.mark.parametrize("slug", PROFILES)
def test_profile_overrides_are_kubespawner_settings(dtolab_hub_values, slug):
    # Given a profile's overrides
    profile = next(p for p in dtolab_hub_values["singleuser"]["profileList"] if p["slug"] == slug)

    # Then each names a configurable KubeSpawner trait (a misspelt one would be set on the
    # spawner object and ignored)
    traits = set(KubeSpawner.class_trait_names(config=True))
    assert set(profile["kubespawner_override"]) <= traits


@pytest.mark.parametrize("slug", PROFILES)
def test_profile_image_and_resources(dtolab_pods, dtolab_version, slug):
    # Given the pod built for the profile
    container = dtolab_pods[slug].container
    folder, cpu_request, cpu_limit, memory_request, memory_limit = PROFILES[slug]

    # Then it runs the profile's image at dtolab's version, under the image's entrypoint
    assert container["image"] == f"ghcr.io/dtolab/{folder}:{dtolab_version}"
    assert container["args"] == ["jupyterhub-singleuser"]
    assert "command" not in container

    # And it asks for the profile's CPU and memory, and may use up to its limits
    resources = container["resources"]
    assert resources["requests"]["cpu"] == cpu_request
    assert resources["limits"]["cpu"] == cpu_limit
    assert resources["requests"]["memory"] == memory_request
    assert resources["limits"]["memory"] == memory_limit


def test_gpu_profile_gets_one_gpu_on_a_gpu_node(dtolab_pods):
    # Given the GPU profile's pod
    pod = dtolab_pods["gpu"]

    # Then it asks for one NVIDIA GPU (extended resources: the request equals the limit)
    assert pod.container["resources"]["limits"]["nvidia.com/gpu"] == "1"

    # And it tolerates the GPU nodes' taint, and keeps the chart's user-pod tolerations
    tolerations = pod.pod["spec"]["tolerations"]
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in tolerations
    assert {t["key"] for t in tolerations} >= {"hub.jupyter.org/dedicated"}

    # And it is placed on a node that has a GPU
    assert pod.pod["spec"]["nodeSelector"] == {"nvidia.com/gpu.present": "true"}


@pytest.mark.parametrize("slug", ["cpu", "rstudio"])
def test_other_profiles_ask_for_no_gpu(dtolab_pods, slug):
    # Given a profile without a GPU
    pod = dtolab_pods[slug]

    # Then its pod neither asks for a GPU nor may land on (or is steered to) a GPU node
    resources = pod.container["resources"]
    assert not any("gpu" in name for part in resources.values() for name in part)
    assert not any("gpu" in t["key"] for t in pod.pod["spec"].get("tolerations", []))
    assert "nodeSelector" not in pod.pod["spec"]


@pytest.mark.parametrize("slug", PROFILES)
def test_lab_environment(dtolab_pods, dtolab_hub_values, slug):
    # Given a profile's pod
    env = dtolab_pods[slug].env

    # Then the kernels' endpoints are EDITO's catalogue and processes, sending the user's token
    endpoints = parse_endpoints(json.loads(env["DTOLAB_ENDPOINTS"]))
    assert endpoints["edito"].stac == "https://api.dive.edito.eu/data"
    assert endpoints["edito"].processes == "https://api.dive.edito.eu/processes"
    assert endpoints["edito"].auth == "user"

    # And the server extension is configured with the same endpoints (the mounted config file)
    files = dtolab_hub_values["singleuser"]["extraFiles"]
    server_config = files["dtolab-endpoints"]["data"]["DtolabExtension"]
    assert server_config["endpoints"] == json.loads(env["DTOLAB_ENDPOINTS"])
    assert server_config["default_endpoint"] in endpoints

    # And Dask Gateway's client authenticates with the hub
    assert env["DASK_GATEWAY__AUTH__TYPE"] == "jupyterhub"
    assert env["DASK_LABEXTENSION__FACTORY__CLASS"] == "GatewayCluster"

    # And the spawner set what jupyterhub-singleuser needs to reach the hub
    assert env["JUPYTERHUB_API_URL"] == f"http://{z2jh.HUB}:{z2jh.HUB_PORT}/hub/api"
    assert env["JUPYTERHUB_API_TOKEN"] == API_TOKEN
    assert env["JUPYTERHUB_USER"] == "ana"
    assert env["JUPYTERHUB_SERVICE_PREFIX"] == "/user/ana/"


def test_server_config_file_is_mounted_where_jupyter_reads_it(dtolab_pods):
    # Given the CPU profile's pod
    pod = dtolab_pods["cpu"]

    # Then the endpoints file comes from the chart's singleuser Secret, mounted into the Jupyter
    # server's system config folder under a .json name (the chart writes `data` as JSON)
    volumes = {v["name"]: v for v in pod.pod["spec"]["volumes"]}
    assert volumes["files"]["secret"]["secretName"] == z2jh.SINGLEUSER_SECRET
    mount = next(m for m in pod.container["volumeMounts"] if m["name"] == "files")
    assert mount["mountPath"].startswith("/etc/jupyter/jupyter_server_config.d/")
    assert mount["mountPath"].endswith(".json")
    assert mount["subPath"] == "dtolab-endpoints"


@pytest.mark.parametrize("slug", PROFILES)
def test_home_volume(dtolab_pods, slug):
    # Given a profile's pod and the claim KubeSpawner would create for it
    pod = dtolab_pods[slug]

    # Then the user's own volume claim is mounted as jovyan's home
    volumes = {v["name"]: v for v in pod.pod["spec"]["volumes"]}
    assert volumes["volume-ana"]["persistentVolumeClaim"] == {"claimName": "claim-ana"}
    mount = next(m for m in pod.container["volumeMounts"] if m["name"] == "volume-ana")
    assert mount["mountPath"] == "/home/jovyan"

    # And the claim asks for 10 GiB, writable by one node
    assert pod.pvc["metadata"]["name"] == "claim-ana"
    assert pod.pvc["spec"]["resources"]["requests"]["storage"] == "10Gi"
    assert pod.pvc["spec"]["accessModes"] == ["ReadWriteOnce"]


def test_named_server_has_its_own_home(dtolab_hub_config):
    # When ana starts a named server "gpu-run" with the GPU profile
    pod = spawn(dtolab_hub_config, {"profile": "gpu"}, server_name="gpu-run")

    # Then it gets its own claim, next to the default server's
    assert pod.pvc["metadata"]["name"] == "claim-ana--gpu-run"
    assert pod.env["JUPYTERHUB_SERVICE_PREFIX"] == "/user/ana/gpu-run/"


@pytest.mark.parametrize("slug", PROFILES)
def test_security_context(dtolab_pods, slug):
    # Given a profile's pod
    pod = dtolab_pods[slug]

    # Then the lab runs as jovyan (uid 1000) without privilege escalation, and the home volume
    # belongs to group 100
    assert pod.container["securityContext"]["runAsUser"] == 1000
    assert pod.container["securityContext"]["allowPrivilegeEscalation"] is False
    assert pod.pod["spec"]["securityContext"]["fsGroup"] == 100


def test_rstudio_opens_jupyterlab_and_reaches_the_catalogue(dtolab_pods):
    # Given the RStudio profile's pod
    env = dtolab_pods["rstudio"].env

    # Then the server opens JupyterLab (whose launcher has RStudio), not RStudio alone
    assert env["JUPYTERHUB_DEFAULT_URL"] == "/lab"

    # And R gets the catalogue's endpoints, and RStudio Server time to start
    assert "DTOLAB_ENDPOINTS" in env
    assert float(env["RSERVER_TIMEOUT"]) >= 60


def test_no_profile_chosen_gives_the_default(dtolab_hub_config, dtolab_version):
    # When a server starts without options (the REST API with an empty body)
    pod = spawn(dtolab_hub_config, {})

    # Then it is the CPU profile's
    assert pod.container["image"] == f"ghcr.io/dtolab/base:{dtolab_version}"
    assert pod.container["resources"]["limits"]["cpu"] == 2.0


def test_unknown_profile_is_refused(dtolab_hub_config):
    # When a server is asked for with a profile the list does not have
    # Then KubeSpawner refuses it, naming the profiles there are
    with pytest.raises(
        ValueError, match=r"No such profile: tpu\. Options include: cpu, gpu, rstudio"
    ):
        spawn(dtolab_hub_config, {"profile": "tpu"})

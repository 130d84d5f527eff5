"""The Kubernetes values files as a whole: images, secrets, hub settings, network policies.

The charts' JSON schemas ship inside the packaged charts, which cannot be fetched here (nor in CI),
so the values are not validated against them; instead the settings each file passes to a Python
class are checked against that class's traits, and tests/k8s/z2jh.py refuses singleuser keys it
does not map.
"""

import re
from collections.abc import Iterator
from importlib.metadata import entry_points

import pytest
from jupyterhub.app import JupyterHub
from jupyterhub.spawner import Spawner
from traitlets.config import Config

from . import dask_gateway_chart, z2jh
from .conftest import ROOT

IMAGE_REF = re.compile(r"^ghcr\.io/dtolab/(?P<folder>[a-z0-9-]+):(?P<tag>\S+)$")


def image_refs(tree: object) -> Iterator[str]:
    """Every dtolab image named in a values tree: "name:tag" strings and {name, tag} maps."""
    if isinstance(tree, dict):
        name, tag = tree.get("name"), tree.get("tag")
        if isinstance(name, str) and name.startswith("ghcr.io/dtolab/"):
            yield f"{name}:{tag}"
            return
        for value in tree.values():
            yield from image_refs(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from image_refs(value)
    elif isinstance(tree, str) and tree.startswith("ghcr.io/dtolab/"):
        yield tree


def test_every_image_named_exists_at_this_version(
    dtolab_hub_values, dtolab_gateway_values, dtolab_version
):
    # Given every dtolab image either values file names
    refs = {*image_refs(dtolab_hub_values), *image_refs(dtolab_gateway_values)}

    # Then each is an images/ folder with a Dockerfile, tagged with package.json's version
    folders = set()
    for ref in refs:
        match = IMAGE_REF.match(ref)
        assert match, f"{ref}: not ghcr.io/dtolab/<folder>:<tag>"
        assert match["tag"] == dtolab_version, ref
        assert (ROOT / "images" / match["folder"] / "Dockerfile").is_file(), ref
        folders.add(match["folder"])
    assert folders == {"base", "gpu", "r"}


def test_no_secret_is_written_in_the_values(dtolab_hub_values, dtolab_gateway_values):
    # Given the hub's values
    hub = dtolab_hub_values["hub"]

    # Then the OpenID Connect client secret comes from an existing Secret, through the
    # environment variable GenericOAuthenticator reads it from
    assert "client_secret" not in hub["config"]["GenericOAuthenticator"]
    secret_ref = hub["extraEnv"]["OAUTH_CLIENT_SECRET"]["valueFrom"]["secretKeyRef"]
    assert set(secret_ref) == {"name", "key"}

    # And Dask Gateway's API token is the one the jupyterhub chart generates into its Secret,
    # read there by both charts
    service = hub["services"]["dask-gateway"]
    assert "apiToken" not in service and "api_token" not in service
    auth = dtolab_gateway_values["gateway"]["auth"]["jupyterhub"]
    assert "apiToken" not in auth
    assert auth["apiTokenFromSecretName"] == z2jh.HUB
    assert auth["apiTokenFromSecretKey"] == "hub.services.dask-gateway.apiToken"


def test_hub_settings_are_traits_of_their_classes(dtolab_hub_values, monkeypatch):
    # Given the authenticator the hub loads, configured from the values
    config = Config(dtolab_hub_values["hub"]["config"])
    name = config.JupyterHub.authenticator_class
    (entry,) = entry_points(group="jupyterhub.authenticators", name=name)
    authenticator_class = entry.load()

    # Then every pass-through setting is a configurable trait of its class
    classes = {c.__name__: c for c in (JupyterHub, Spawner, authenticator_class)}
    for section, settings in dtolab_hub_values["hub"]["config"].items():
        assert set(settings) <= set(classes[section].class_trait_names(config=True)), section

    # When the authenticator starts with the Secret's value in its environment
    monkeypatch.setenv("OAUTH_CLIENT_SECRET", "from-the-secret")
    authenticator = authenticator_class(config=config)

    # Then it uses that secret, keeps tokens in auth_state and takes roles from the groups
    assert authenticator.client_secret == "from-the-secret"
    assert authenticator.enable_auth_state and authenticator.refresh_pre_spawn
    assert authenticator.manage_groups
    assert authenticator.allowed_groups == {"dtolab-users"}
    assert authenticator.admin_groups == {"dtolab-admins"}


def test_labs_may_use_the_gateway_and_read_their_tokens(dtolab_hub_values):
    # Given the hub's configuration built from the values
    config = z2jh.hub_config(dtolab_hub_values, {"hub.services.dask-gateway.apiToken": "t0ken"})

    # Then the gateway is a hub service with the token from the Secret
    (service,) = config.JupyterHub.services
    assert service["name"] == "dask-gateway"
    assert service["api_token"] == "t0ken"

    # And users, and their labs' tokens, may reach it and read their own auth_state
    (role,) = config.JupyterHub.load_roles
    wanted = {"access:services!service=dask-gateway", "admin:auth_state!user"}
    assert role["name"] == "user"
    assert wanted <= set(role["scopes"])
    assert wanted <= set(config.Spawner.server_token_scopes)


def test_network_policies_connect_labs_hub_and_gateway(dtolab_hub_values):
    # Given the extra network policy rules of the hub and of the labs
    hub_ingress = dtolab_hub_values["hub"]["networkPolicy"]["ingress"]
    lab_egress = dtolab_hub_values["singleuser"]["networkPolicy"]["egress"]

    # Then the gateway's API pod may ask the hub about tokens
    (rule,) = hub_ingress
    assert rule["from"] == [{"podSelector": {"matchLabels": dask_gateway_chart.API_POD_LABELS}}]
    assert rule["ports"] == [{"port": z2jh.HUB_PORT}]

    # And labs may reach the gateway's traefik, on the port its API and schedulers share
    (rule,) = lab_egress
    assert rule["to"] == [{"podSelector": {"matchLabels": dask_gateway_chart.TRAEFIK_POD_LABELS}}]
    assert rule["ports"] == [{"port": dask_gateway_chart.TRAEFIK_PORT}]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("extraTolerations", [{"key": "x", "operator": "Exists"}]),
        ("storage.static", {"pvcName": "home"}),
        ("profileLists", []),
    ],
)
def test_unmapped_singleuser_keys_are_refused(dtolab_hub_values, key, value):
    # Given the values with a singleuser key the test helper does not map
    values = {**dtolab_hub_values, "singleuser": dict(dtolab_hub_values["singleuser"])}
    head, _, rest = key.partition(".")
    values["singleuser"][head] = {rest: value} if rest else value

    # When the hub configuration is built from them
    # Then the helper refuses, naming the key
    with pytest.raises(ValueError, match=re.escape(key)):
        z2jh.hub_config(values, {"hub.services.dask-gateway.apiToken": "t0ken"})

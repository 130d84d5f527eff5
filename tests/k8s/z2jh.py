"""Zero-to-JupyterHub's hub configuration, mirrored for the keys dtolab's values use.

The chart turns its values into JupyterHub configuration in its hub config file
(jupyterhub/files/hub/jupyterhub_config.py, unchanged from 4.4.0 to the chart's main branch). This
module does the same, in the same order, for the ``singleuser`` keys in ``SINGLEUSER_KEYS`` and
refuses every other ``singleuser`` key, so that the values cannot hold a setting the tests would
silently ignore. The chart's own defaults are not merged (its values.yaml is not vendored): the
values file states every default the pods depend on.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from traitlets.config import Config

#: The names of the chart's resources with its default naming (``fullnameOverride: ""``).
HUB = "hub"
SINGLEUSER_SECRET = "singleuser"
HUB_PORT = 8081

#: KubeSpawner traits the chart sets from ``singleuser.<key>`` when the value is not null.
SPAWNER_TRAITS = {
    "start_timeout": "startTimeout",
    "uid": "uid",
    "fs_gid": "fsGid",
    "node_selector": "nodeSelector",
    "mem_limit": "memory.limit",
    "mem_guarantee": "memory.guarantee",
    "cpu_limit": "cpu.limit",
    "cpu_guarantee": "cpu.guarantee",
    "extra_resource_limits": "extraResource.limits",
    "extra_resource_guarantees": "extraResource.guarantees",
    "environment": "extraEnv",
    "profile_list": "profileList",
}

#: ``singleuser`` keys used by the chart's templates only (not by the hub's configuration).
TEMPLATE_ONLY = {"networkPolicy"}

#: Every ``singleuser`` key this module maps; a key here holds its whole subtree.
SINGLEUSER_KEYS = {
    *SPAWNER_TRAITS.values(),
    *TEMPLATE_ONLY,
    "image.name",
    "image.tag",
    "cmd",
    "defaultUrl",
    "storage.type",
    "storage.capacity",
    "storage.homeMountPath",
    "storage.dynamic.storageClass",
    "storage.dynamic.pvcNameTemplate",
    "storage.dynamic.volumeNameTemplate",
    "storage.dynamic.storageAccessModes",
    "storage.dynamic.subPath",
    "extraFiles",
}


#: Pass-through settings the chart drops because it sets them from its Secret.
_SECRET_TRAITS = {
    "JupyterHub": ("proxy_auth_token", "cookie_secret", "services"),
    "ConfigurableHTTPProxy": ("auth_token",),
    "CryptKeeper": ("keys",),
}


def load_values(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def _paths(tree: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if path in SINGLEUSER_KEYS or not isinstance(value, Mapping):
            yield path
        else:
            yield from _paths(value, f"{path}.")


def unmapped_singleuser_keys(values: Mapping[str, Any]) -> list[str]:
    """The ``singleuser`` keys of ``values`` that :func:`hub_config` does not map."""
    return sorted(p for p in _paths(values.get("singleuser") or {}) if p not in SINGLEUSER_KEYS)


def get(values: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """The chart's ``get_config``: ``values`` at a dotted key, or ``default``."""
    value: Any = values
    for level in key.split("."):
        if not isinstance(value, Mapping) or level not in value:
            return default
        value = value[level]
    return value


def camel_case(name: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)


def hub_config(
    values: Mapping[str, Any], secrets: Mapping[str, str], namespace: str = "dtolab"
) -> Config:
    """The JupyterHub configuration the chart's hub builds from ``values``.

    ``secrets`` stands for the hub's mounted Secrets (key -> content), from which the chart reads
    the services' API tokens. A ``singleuser`` key not in ``SINGLEUSER_KEYS`` is refused.
    """
    unmapped = unmapped_singleuser_keys(values)
    if unmapped:
        raise ValueError(f"singleuser keys not mapped by tests/k8s/z2jh.py: {unmapped}")
    values = copy.deepcopy(dict(values))
    c = Config()

    def set_if_not_none(section: Any, trait: str, key: str) -> None:
        value = get(values, key)
        if value is not None:
            setattr(section, trait, value)

    c.JupyterHub.spawner_class = "kubespawner.KubeSpawner"
    for trait in ("allow_named_servers", "named_server_limit_per_user"):
        set_if_not_none(c.JupyterHub, trait, f"hub.{camel_case(trait)}")
    c.JupyterHub.hub_connect_url = f"http://{HUB}:{HUB_PORT}"
    c.KubeSpawner.namespace = namespace

    for trait, key in SPAWNER_TRAITS.items():
        set_if_not_none(c.KubeSpawner, trait, f"singleuser.{key}")

    image = get(values, "singleuser.image.name")
    if image:
        tag = get(values, "singleuser.image.tag")
        c.KubeSpawner.image = f"{image}:{tag}" if tag else image

    volumes: dict[str, Any] = {}
    volume_mounts: dict[str, Any] = {}
    storage_type = get(values, "singleuser.storage.type")
    if storage_type == "dynamic":
        pvc_name_template = get(values, "singleuser.storage.dynamic.pvcNameTemplate")
        if pvc_name_template:
            c.KubeSpawner.pvc_name_template = pvc_name_template
        volume_name = get(values, "singleuser.storage.dynamic.volumeNameTemplate")
        c.KubeSpawner.storage_pvc_ensure = True
        set_if_not_none(c.KubeSpawner, "storage_class", "singleuser.storage.dynamic.storageClass")
        set_if_not_none(
            c.KubeSpawner,
            "storage_access_modes",
            "singleuser.storage.dynamic.storageAccessModes",
        )
        set_if_not_none(c.KubeSpawner, "storage_capacity", "singleuser.storage.capacity")
        volumes = {
            volume_name: {"name": volume_name, "persistentVolumeClaim": {"claimName": "{pvc_name}"}}
        }
        volume_mounts = {
            volume_name: {
                "mountPath": get(values, "singleuser.storage.homeMountPath"),
                "name": volume_name,
                "subPath": get(values, "singleuser.storage.dynamic.subPath"),
            }
        }
    elif storage_type is not None:
        raise ValueError(f"singleuser.storage.type {storage_type!r} is not mapped here")

    extra_files = get(values, "singleuser.extraFiles", {})
    if extra_files:
        items = []
        for file_key, details in extra_files.items():
            item = {"key": file_key, "path": file_key}
            if "mode" in details:
                item["mode"] = details["mode"]
            items.append(item)
        volumes["files"] = {
            "name": "files",
            "secret": {"secretName": SINGLEUSER_SECRET, "items": items},
        }
        for index, (file_key, details) in enumerate(extra_files.items()):
            volume_mounts[f"{index}-files"] = {
                "mountPath": details["mountPath"],
                "subPath": file_key,
                "name": "files",
            }

    c.KubeSpawner.volumes = volumes
    c.KubeSpawner.volume_mounts = volume_mounts

    c.JupyterHub.services = []
    c.JupyterHub.load_roles = []
    for key, service in get(values, "hub.services", {}).items():
        service.setdefault("name", key)
        # The chart reads the token from its Secrets, whatever the values say.
        service.pop("apiToken", None)
        service["api_token"] = secrets[f"hub.services.{key}.apiToken"]
        c.JupyterHub.services.append(service)
    for key, role in get(values, "hub.loadRoles", {}).items():
        role.setdefault("name", key)
        c.JupyterHub.load_roles.append(role)

    if "cmd" in (values.get("singleuser") or {}):
        c.Spawner.cmd = values["singleuser"]["cmd"]
    set_if_not_none(c.Spawner, "default_url", "singleuser.defaultUrl")

    for section, settings in get(values, "hub.config", {}).items():
        # Secrets come from the chart's Secret, never from the values' pass-through config.
        for name in _SECRET_TRAITS.get(section, ()):
            settings.pop(name, None)
        if not section[:1].isupper():
            raise ValueError(f"hub.config.{section} is not a Configurable class name")
        c[section].update(settings)
    return c

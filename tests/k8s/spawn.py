"""A KubeSpawner as the hub makes one for a user's server, without a cluster or a database.

The hub passes its user, its own address and the server's ORM record; here they are plain
objects holding the same fields (as kubespawner's own tests do with ``_mock=True``). The user's
choice on the options form arrives as ``user_options``, which ``load_user_options`` applies before
the pod manifest is built, as ``KubeSpawner.start`` does.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from jupyterhub import orm
from jupyterhub.objects import Hub
from kubespawner import KubeSpawner
from traitlets.config import Config

from .z2jh import HUB, HUB_PORT

API_TOKEN = "server-api-token"


class LabUser:
    """The fields of a hub user that a spawner reads."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.escaped_name = name
        self.id = 7
        self.url = f"/user/{name}/"


@dataclass
class Spawned:
    """What KubeSpawner would send to the Kubernetes API: the pod and the home volume's claim."""

    spawner: KubeSpawner
    pod: dict[str, Any]
    pvc: dict[str, Any]

    @property
    def container(self) -> dict[str, Any]:
        return self.pod["spec"]["containers"][0]

    @property
    def env(self) -> dict[str, Any]:
        """The container's environment, name -> value (or valueFrom)."""
        return {e["name"]: e.get("value", e.get("valueFrom")) for e in self.container["env"]}


async def _spawn(config: Config, user_options: dict, user: str, server_name: str) -> Spawned:
    hub = Hub(
        base_url="/hub/",
        bind_url=f"http://:{HUB_PORT}/hub/",
        connect_url=f"http://{HUB}:{HUB_PORT}/hub/",
    )
    prefix = f"/user/{user}/{server_name + '/' if server_name else ''}"
    # The columns the database would fill with their defaults.
    server = orm.Server(proto="http", ip="", port=0, base_url=prefix, cookie_name="")
    record = orm.Spawner(name=server_name, server=server)
    spawner = KubeSpawner(
        config=config,
        user=LabUser(user),
        hub=hub,
        orm_spawner=record,
        _mock=True,
    )
    spawner.api_token = API_TOKEN
    spawner.user_options = user_options
    await spawner.load_user_options()
    pod = await spawner.get_pod_manifest()
    # The JSON body of the API request (camelCase keys, nulls left out).
    as_sent = spawner.api.api_client.sanitize_for_serialization
    return Spawned(spawner, as_sent(pod), as_sent(spawner.get_pvc_manifest()))


def spawn(config: Config, user_options: dict, user: str = "ana", server_name: str = "") -> Spawned:
    """The pod (and home volume claim) KubeSpawner would create for ``user_options``."""
    return asyncio.run(_spawn(config, user_options, user, server_name))

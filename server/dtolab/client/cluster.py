"""``dtolab.cluster()``: the Dask cluster this lab should use.

In a lab spawned by the dtolab hub, Dask Gateway is configured (``gateway.address`` in Dask's
configuration, set by the hub as ``$DASK_GATEWAY__ADDRESS``): the cluster is a Gateway cluster of
the logged-in user (authenticated with the lab's hub token), whose dashboard is served through
the hub. Elsewhere it is a LocalCluster on this machine.

Example::

    import dtolab
    cluster = dtolab.cluster(workers=2)
    client = cluster.get_client()
    cluster.dashboard_link
"""

from __future__ import annotations

from typing import Any

import dask


def gateway_configured() -> bool:
    """Whether Dask's configuration names a Dask Gateway."""
    return bool(dask.config.get("gateway.address", None))


def cluster(workers: int = 2, **options: Any) -> Any:
    """A running Dask cluster with ``workers`` workers: Gateway where configured, else local.

    ``options`` go to ``dask_gateway.GatewayCluster`` or ``distributed.LocalCluster``.
    """
    if workers < 0:
        raise ValueError(f"workers: must be 0 or more, got {workers}")
    if gateway_configured():
        from dask_gateway import GatewayCluster

        gateway_cluster = GatewayCluster(**options)
        gateway_cluster.scale(workers)
        return gateway_cluster
    from distributed import LocalCluster

    options.setdefault("threads_per_worker", 1)
    options.setdefault("dashboard_address", "127.0.0.1:0")
    return LocalCluster(n_workers=workers, **options)

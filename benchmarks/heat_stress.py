"""Coral heat stress over a 1000 x 1000-cell region at 1/12 degree for one year of daily SST, on
the Dask LocalCluster the processes service uses: wall time and peak memory.

The same code as the ``coral-heat-stress`` process (``CoralHeatStressProcessor.prepare`` +
``run``): the COADS monthly climatology of the catalogue regridded bilinearly to 1/12 degree over
[70, -60, 153.33, 23.33] (1000 x 1000 cells), 365 daily SST maps per case (baseline and a
+1 degC scenario with a 60-day, 1 degC heatwave), HotSpots, 84-day DHW and alert levels, tiled
100 x 100 (100 Dask tasks). Peak memory: the largest resident set of each worker process
(``ru_maxrss``) and of the driver, against the 1.46 GB one year of daily SST at 1000 x 1000
would take as one float32 array (twice that for the two cases).
"""

from __future__ import annotations

import resource
import time
from typing import Any

from distributed import Client, LocalCluster

from dtolab.processes.base import Context
from dtolab.processes.heat_stress import CoralHeatStressProcessor

INPUTS = {"bbox": [70, -60, 153.3333, 23.3333], "resolution": 0.083333333, "year": 2030}
WORKERS = 2


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(stac_url: str) -> dict[str, Any]:
    processor = CoralHeatStressProcessor({"name": "CoralHeatStressProcessor", "stac_url": stac_url})
    plan = processor.prepare(INPUTS)
    cells = plan.lat.size * plan.lon.size
    with (
        LocalCluster(
            n_workers=WORKERS, threads_per_worker=1, dashboard_address="127.0.0.1:0"
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(lambda: None)  # workers up before the clock starts
        started = time.perf_counter()
        outcome = processor.run(plan, Context(job_id="bench", client=client))
        seconds = time.perf_counter() - started
        workers = client.run(_peak_mb)
    cube_gb = 365 * cells * 4 / 1e9
    return {
        "cells": cells,
        "shape": [int(plan.lat.size), int(plan.lon.size)],
        "seconds": seconds,
        "worker_peak_mb": max(workers.values()),
        "driver_peak_mb": _peak_mb(),
        "cube_gb": cube_gb,
        "max_dhw": outcome.summary["scenario"]["max_dhw"],
        "workers": WORKERS,
    }


def markdown(result: dict[str, Any]) -> list[str]:
    ny, nx = result["shape"]
    return [
        "\n## Coral heat stress, 1/12 degree, one year of daily SST (issue 5)\n",
        "| region | cells | days x cases | LocalCluster | wall time (s) | peak RSS per worker "
        "(MB) | driver peak RSS (MB) | one year as one float32 array (GB) |",
        "|---|---|---|---|---|---|---|---|",
        f"| [70, -60, 153.33, 23.33] | {ny} x {nx} | 365 x 2 | {result['workers']} workers x "
        f"1 thread | {result['seconds']:.1f} | {result['worker_peak_mb']:.0f} | "
        f"{result['driver_peak_mb']:.0f} | {result['cube_gb']:.2f} |",
    ]


if __name__ == "__main__":
    import shutil

    from tests.stack_helpers import dtolab, new_state_dir, up

    state_dir = new_state_dir("dtolab-bench-")
    try:
        stack = up(state_dir)
        print("\n".join(markdown(run(stack["stac"]))))
    finally:
        dtolab(state_dir, "down")
        shutil.rmtree(state_dir, ignore_errors=True)

"""Particle-steps per second of dtolab's drift kernel, against OpenDrift's OceanDrift, in one run.

Forcing: the catalogue's HYCOM surface currents (``hycom-biscay``, top layer, 13 x 11 cells,
50 times 12 h apart), read once through the notebook client and held in memory.

The same problem for both: particles on a 0.05-degree disc in the middle of the box at
2021-03-05T00:00, currents only (no wind, diffusion, Stokes drift or vertical motion), RK4,
900 s steps, 96 steps (24 h), positions kept every hour. Timed, on the CPU, one process:

- dtolab: ``dtolab.science.drift.advect`` with NumPy arrays, the whole call (median of 7 runs
  after a warm-up run), on its default CPU path: the kernel compiled by Numba, on as many
  threads as cores (``drift._threads``). Numba's compilation is not in the timing: it is timed
  apart, in a fresh Python with an empty Numba cache (``compile_s``), and loading the compiled
  kernel from that cache in another fresh Python (``cache_load_s``);
- dtolab's plain NumPy path (what runs without Numba: the same kernel functions on arrays), at
  10,000 particles;
- OpenDrift 1.14: ``OceanDrift.run`` alone (median of 2 runs), set up as in the validation test
  (tests/validation: linearNDFast, i.e. bilinear, interpolation; no landmask). Left out of the
  timing: opening the NetCDF reader, building the model, its configuration and seeding; inside
  it: OpenDrift's per-run preparation and its reading of the small forcing file (about 60 KB,
  which dtolab holds in memory), negligible against the interpolation;
- dtolab at 1,000,000 particles, 12 steps (3 h), positions kept at the start and the end only.

Every particle must still be active at the end in each model, so both do the same work.
Targets (issue 5): dtolab at least 50x OpenDrift at 10,000 particles, and at least 2,000,000
particle-steps per second at 1,000,000 particles on the CPU.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from dtolab.client.catalog import Catalog
from dtolab.science import drift as kernel
from dtolab.science.drift import ACTIVE, Forcing, advect, forcing_from_dataset
from tests.validation.test_drift_validation import opendrift_model, write_cf_currents

DT = 900.0
STEPS = 96
START = datetime(2021, 3, 5)
CENTRE, RADIUS = (-2.76, 44.95), 0.05  # degrees: well inside the box for 24 h of drift


def forcing(catalog: Catalog) -> Forcing:
    """HYCOM's top layer of both current components, in memory."""
    ds = catalog.open_dataset("hycom-biscay-uo", variables=["uo", "vo"], depth=1)
    return forcing_from_dataset(ds.load())


def _disc(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    radius = RADIUS * np.sqrt(rng.uniform(0, 1, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    lon = CENTRE[0] + radius * np.cos(angle) / np.cos(np.deg2rad(CENTRE[1]))
    return lon, CENTRE[1] + radius * np.sin(angle)


def _opendrift_seconds(path: Path, lon: np.ndarray, lat: np.ndarray) -> tuple[float, object]:
    """Seconds of one ``OceanDrift.run`` (setup untimed) and its last positions."""
    model = opendrift_model(path, lon, lat, START)
    started = time.perf_counter()
    model.run(duration=timedelta(seconds=STEPS * DT), time_step=DT, time_step_output=3600)
    seconds = time.perf_counter() - started
    return seconds, model.result.isel(time=-1)


def _dtolab(f: Forcing, lon: np.ndarray, lat: np.ndarray, steps: int, every: int) -> dict:
    return advect(
        f,
        lon,
        lat,
        start=(START - datetime(1970, 1, 1)).total_seconds(),
        steps=steps,
        dt=DT,
        record_every=every,
    )


def _timed_dtolab(f: Forcing, n: int, steps: int, every: int, runs: int) -> tuple[float, dict]:
    lon, lat = _disc(n)
    out = _dtolab(f, lon, lat, steps, every)  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        out = _dtolab(f, lon, lat, steps, every)
        times.append(time.perf_counter() - started)
    assert int((out["status"] == ACTIVE).sum()) == n, "dtolab particles left the forcing"
    return statistics.median(times), out


def _compile_seconds() -> tuple[float, float]:
    """Seconds to get the compiled kernel in a fresh Python: with an empty Numba cache
    (compilation), then again from the cache that run left (NaN without Numba)."""
    if not kernel._kernel(np)[1]:
        return float("nan"), float("nan")
    code = (
        "import time, numpy; from dtolab.science import drift; t = time.perf_counter(); "
        "drift._kernel(numpy); print(time.perf_counter() - t)"
    )
    seconds = []
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for _ in range(2):
            done = subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            )
            seconds.append(float(done.stdout.strip()))
    return seconds[0], seconds[1]


def _timed_plain_numpy(f: Forcing, n: int) -> float:
    """Median seconds of the plain NumPy path (no Numba) on the 10,000-particle problem."""
    compiled = kernel._kernel(np)
    kernel._kernels["numpy"] = (kernel._advance, False)
    try:
        return _timed_dtolab(f, n, STEPS, 4, runs=3)[0]
    finally:
        kernel._kernels["numpy"] = compiled


def run(f: Forcing, particles: int = 10_000, large: int = 1_000_000, large_steps: int = 12) -> dict:
    compile_s, cache_load_s = _compile_seconds()
    lon, lat = _disc(particles)
    dtolab_s, ours = _timed_dtolab(f, particles, STEPS, 4, runs=7)
    plain_s = _timed_plain_numpy(f, particles)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hycom_surface.nc"
        write_cf_currents(f, path)
        runs = [_opendrift_seconds(path, lon, lat) for _ in range(2)]
    opendrift_s = statistics.median(s for s, _ in runs)
    theirs = runs[-1][1]
    assert int((theirs["status"].values == 0).sum()) == particles, "OpenDrift deactivated some"
    large_s, _ = _timed_dtolab(f, large, large_steps, large_steps, runs=3)

    from dtolab.science.skill import great_circle_km

    separation = great_circle_km(ours["lon"], ours["lat"], theirs["lon"], theirs["lat"])
    dtolab_rate = particles * STEPS / dtolab_s
    opendrift_rate = particles * STEPS / opendrift_s
    compiled = kernel._kernel(np)[1]
    return {
        "particles": particles,
        "steps": STEPS,
        "path": "Numba" if compiled else "NumPy",
        "threads": kernel._threads(particles) if compiled else 1,
        "compile_s": round(compile_s, 2),
        "cache_load_s": round(cache_load_s, 2),
        "dtolab_s": round(dtolab_s, 3),
        "numpy_s": round(plain_s, 3),
        "numpy_particle_steps_per_s": particles * STEPS / plain_s,
        "opendrift_s": round(opendrift_s, 3),
        "dtolab_particle_steps_per_s": dtolab_rate,
        "opendrift_particle_steps_per_s": opendrift_rate,
        "speedup": dtolab_rate / opendrift_rate,
        "median_separation_m": float(np.median(separation) * 1000),
        "large_particles": large,
        "large_steps": large_steps,
        "large_threads": kernel._threads(large) if compiled else 1,
        "large_s": round(large_s, 3),
        "large_particle_steps_per_s": large * large_steps / large_s,
    }


def markdown(r: dict) -> list[str]:
    """Lines for BENCHMARKS.md."""
    return [
        f"\n## Drift kernel (HYCOM surface currents, RK4, {r['steps']} steps of {DT:.0f} s)\n",
        "| model | particles | steps | time (s) | particle-steps/s |",
        "|---|---|---|---|---|",
        f"| dtolab advect ({r['path']}, {r['threads']} thread(s)) | {r['particles']:,} | "
        f"{r['steps']} | {r['dtolab_s']} | {r['dtolab_particle_steps_per_s']:,.0f} |",
        f"| dtolab advect (plain NumPy, no Numba) | {r['particles']:,} | {r['steps']} | "
        f"{r['numpy_s']} | {r['numpy_particle_steps_per_s']:,.0f} |",
        f"| OpenDrift OceanDrift.run | {r['particles']:,} | {r['steps']} | {r['opendrift_s']} | "
        f"{r['opendrift_particle_steps_per_s']:,.0f} |",
        f"| dtolab advect ({r['path']}, {r['large_threads']} thread(s)) | "
        f"{r['large_particles']:,} | {r['large_steps']} | {r['large_s']} | "
        f"{r['large_particle_steps_per_s']:,.0f} |",
        f"\ndtolab vs OpenDrift at {r['particles']:,} particles: {r['speedup']:.0f}x; median "
        f"end-point separation between the two: {r['median_separation_m']:.0f} m. Numba "
        f"compilation, not timed above: {r['compile_s']} s in a fresh Python with an empty "
        f"cache, {r['cache_load_s']} s from the cache.",
    ]


if __name__ == "__main__":
    import shutil

    from tests.stack_helpers import dtolab, new_state_dir, up

    state_dir = new_state_dir("dtolab-bench-drift-")
    try:
        catalog = Catalog(up(state_dir)["stac"])
        currents = forcing(catalog)
        catalog.close()
    finally:
        dtolab(state_dir, "down")
        shutil.rmtree(state_dir, ignore_errors=True)
    result = run(currents)
    print(json.dumps(result, indent=2))
    print("\n".join(markdown(result)))

"""The functions what-if processes run as Dask tasks, in a module that does not import pygeoapi:
Dask workers (a LocalCluster, or dask-gateway's pods running the base image without the
embedded stack) unpickle them by module name, so this module must import with dtolab's main
dependencies only."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..science import drift as kernel
from ..science import heat_stress as crw
from ..science import sea_level


def _cell_edges(centres: np.ndarray) -> np.ndarray:
    step = centres[1] - centres[0]
    return np.concatenate([centres - step / 2, [centres[-1] + step / 2]])


def array_module(backend: str) -> Any:
    """CuPy if asked for (or, with "auto", if a GPU is usable), else NumPy."""
    if backend == "numpy":
        return np
    try:
        import cupy

        cupy.cuda.runtime.getDeviceCount()
        return cupy
    except (ImportError, RuntimeError) as err:  # no CuPy, or no usable device
        if backend == "cupy":
            raise RuntimeError(f"backend 'cupy' asked for, but it is not usable: {err}") from err
        return np


def drift_task(
    forcing: kernel.Forcing,
    lon: np.ndarray,
    lat: np.ndarray,
    params: dict[str, Any],
) -> dict[str, Any]:
    """One chunk of particles of one case (a Dask task): end state, hourly tracks of the first
    ``params['tracks']`` particles, particle counts per forcing cell at the density steps."""
    xp = array_module(params["backend"])
    if xp is not np:
        forcing = kernel.Forcing(*(xp.asarray(a) for a in vars(forcing).values()))
    edges = (
        _cell_edges(np.asarray(forcing.lat.tolist())),
        _cell_edges(np.asarray(forcing.lon.tolist())),
    )
    keep = params["tracks"]
    every = params["record_every"]
    tracks_lon: list[np.ndarray] = []
    tracks_lat: list[np.ndarray] = []
    density: dict[int, np.ndarray] = {}

    def to_numpy(a: Any) -> np.ndarray:
        return a.get() if hasattr(a, "get") else np.asarray(a)

    def on_step(step: int, t: float, x: Any, y: Any, status: Any) -> None:
        if keep and step % every == 0:
            tracks_lon.append(to_numpy(x[:keep]).astype("float32"))
            tracks_lat.append(to_numpy(y[:keep]).astype("float32"))
        if step in params["density_steps"]:
            counted = to_numpy(status != kernel.OUTSIDE)
            hist, _, _ = np.histogram2d(to_numpy(y)[counted], to_numpy(x)[counted], bins=edges)
            density[step] = hist.astype("float32")

    on_step(0, params["start"], xp.asarray(lon), xp.asarray(lat), xp.zeros(lon.shape, "int8"))
    out = kernel.advect(
        forcing,
        lon,
        lat,
        start=params["start"],
        steps=params["steps"],
        dt=params["dt"],
        wind=params["wind"],
        windage=params["windage"],
        diffusivity=params["diffusivity"],
        seed=params["seed"],
        record_every=0,
        callback=on_step,
        xp=xp,
    )
    return {
        "lon": to_numpy(out["lon"]).astype("float32"),
        "lat": to_numpy(out["lat"]).astype("float32"),
        "status": to_numpy(out["status"]),
        "track_lon": np.stack(tracks_lon) if tracks_lon else None,
        "track_lat": np.stack(tracks_lat) if tracks_lat else None,
        "density": density,
        "backend": xp.__name__,
    }


def tile_stress(
    monthly: np.ndarray, weights: np.ndarray, warming: float, anomaly: np.ndarray
) -> np.ndarray:
    """One tile (a Dask task): (5, lat, lon) float32 = MMM, then max DHW and max alert level
    of the baseline and of the scenario. Only this tile's year of daily SST is in memory."""
    mmm = crw.mmm(monthly)
    # In float64, then rounded: a day between two months must not exceed the MMM by a float32
    # rounding error (that would be a spurious HotSpot, a "Watch" where the climatology is flat).
    daily = np.tensordot(weights, monthly.astype("float64"), axes=1).astype("float32")
    out = np.full((5, *mmm.shape), np.nan, dtype="float32")
    out[0] = mmm
    ocean = np.isfinite(mmm)
    for k, extra in enumerate((np.zeros_like(anomaly), anomaly + np.float32(warming))):
        sst = daily + extra[:, None, None]
        hs = crw.hotspots(sst, mmm)
        dhw = crw.degree_heating_weeks(np.nan_to_num(hs))
        level = crw.alert_level(np.nan_to_num(hs), dhw)
        out[1 + 2 * k] = np.where(ocean, dhw.max(axis=0), np.nan)
        out[2 + 2 * k] = np.where(ocean, level.max(axis=0), np.nan)
    return out


def flood(elevation: np.ndarray, rises: list[float], connectivity: int) -> list[np.ndarray]:
    """Per rise, a (2, lat, lon) uint8 stack: connected, bathtub (one Dask task)."""
    out = []
    for rise in rises:
        connected, bathtub = sea_level.flooded(elevation, rise, connectivity)
        out.append(np.stack([connected, bathtub]).astype("uint8"))
    return out

"""Lagrangian drift of particles (a spill, a lost object) in gridded currents.

Method: classical fourth-order Runge-Kutta advection (as in OpenDrift, Dagestad et al. 2018,
Geosci. Model Dev. 11, 1405-1420, doi:10.5194/gmd-11-1405-2018, and OceanParcels, Lange & van
Sebille 2017, doi:10.5194/gmd-10-4175-2017) with velocities interpolated bilinearly in space and
linearly in time; a windage term (a fraction of a scenario wind added to the current); horizontal
diffusion as a random walk of standard deviation sqrt(2 K dt) per step and axis (Visser 1997,
Mar. Ecol. Prog. Ser. 158, 275-281, for a uniform diffusivity K); particles stranded where they
would step onto land (a cell without current) and flagged when they leave the forcing domain.

One code path for NumPy and CuPy: every function takes the array module ``xp``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

EARTH_RADIUS_M = 6371008.8
ACTIVE, STRANDED, OUTSIDE = 0, 1, 2


@dataclass
class Forcing:
    """Currents on a regular grid: ``u``, ``v`` (m/s) shaped (time, lat, lon), NaN on land;
    ``time`` in seconds, ``lat``/``lon`` ascending cell centres in degrees."""

    time: Any
    lat: Any
    lon: Any
    u: Any
    v: Any


def _locate(coord: Any, x: Any, xp: Any) -> tuple[Any, Any]:
    """Index of the cell edge left of ``x`` and the fraction towards the next (clipped)."""
    step = coord[1] - coord[0]
    pos = (x - coord[0]) / step
    i = xp.clip(xp.floor(pos).astype(xp.int64), 0, coord.shape[0] - 2)
    return i, xp.clip(pos - i, 0.0, 1.0)


def _bilinear(field: Any, j: Any, fy: Any, i: Any, fx: Any) -> Any:
    f00, f01 = field[..., j, i], field[..., j, i + 1]
    f10, f11 = field[..., j + 1, i], field[..., j + 1, i + 1]
    return (f00 * (1 - fx) + f01 * fx) * (1 - fy) + (f10 * (1 - fx) + f11 * fx) * fy


def velocity(forcing: Forcing, t: float, lon: Any, lat: Any, xp: Any = np) -> tuple[Any, Any]:
    """(u, v) at time ``t`` (s) and positions, bilinear in space, linear in time; land counts as
    zero velocity for the interpolation (stranding is decided separately)."""
    times = forcing.time
    k = int(np.clip(np.searchsorted(np.asarray(times), t, side="right") - 1, 0, len(times) - 2))
    w = float(np.clip((t - float(times[k])) / float(times[k + 1] - times[k]), 0.0, 1.0))
    j, fy = _locate(forcing.lat, lat, xp)
    i, fx = _locate(forcing.lon, lon, xp)
    out = []
    for field in (forcing.u, forcing.v):
        a = xp.nan_to_num(_bilinear(xp.nan_to_num(field[k]), j, fy, i, fx))
        b = xp.nan_to_num(_bilinear(xp.nan_to_num(field[k + 1]), j, fy, i, fx))
        out.append(a * (1 - w) + b * w)
    return out[0], out[1]


def _to_degrees(u: Any, v: Any, lat: Any, dt: float, xp: Any) -> tuple[Any, Any]:
    dlat = v * dt / EARTH_RADIUS_M
    dlon = u * dt / (EARTH_RADIUS_M * xp.cos(xp.deg2rad(lat)))
    return xp.rad2deg(dlon), xp.rad2deg(dlat)


def _on_land(forcing: Forcing, t_index: int, lon: Any, lat: Any, xp: Any) -> Any:
    """Whether the nearest grid cell has no current (land)."""
    step_x = forcing.lon[1] - forcing.lon[0]
    step_y = forcing.lat[1] - forcing.lat[0]
    i = xp.clip(
        xp.rint((lon - forcing.lon[0]) / step_x).astype(xp.int64), 0, forcing.lon.shape[0] - 1
    )
    j = xp.clip(
        xp.rint((lat - forcing.lat[0]) / step_y).astype(xp.int64), 0, forcing.lat.shape[0] - 1
    )
    return xp.isnan(forcing.u[t_index][j, i])


def advect(
    forcing: Forcing,
    lon: Any,
    lat: Any,
    *,
    start: float,
    steps: int,
    dt: float,
    wind: tuple[float, float] = (0.0, 0.0),
    windage: float = 0.0,
    diffusivity: float = 0.0,
    seed: int = 0,
    record_every: int = 1,
    callback: Any = None,
    xp: Any = np,
) -> dict[str, Any]:
    """Move particles ``steps`` times by ``dt`` seconds from time ``start``.

    ``wind`` is (eastward, northward) m/s and ``windage`` the fraction of it added to the current
    (0.03 is usual for oil); ``diffusivity`` K in m2/s. Returns the final positions and status
    (ACTIVE, STRANDED, OUTSIDE) and trajectories recorded every ``record_every`` steps (0: none,
    only the start). ``callback(step, time, lon, lat, status)``, if given, sees every step.
    """
    lon = xp.asarray(lon, dtype=xp.float64).copy()
    lat = xp.asarray(lat, dtype=xp.float64).copy()
    status = xp.zeros(lon.shape, dtype=xp.int8)
    rng = xp.random.default_rng(seed)
    extra_u, extra_v = windage * wind[0], windage * wind[1]
    lon_min, lon_max = float(forcing.lon[0]), float(forcing.lon[-1])
    lat_min, lat_max = float(forcing.lat[0]), float(forcing.lat[-1])
    track_lon, track_lat = [lon.copy()], [lat.copy()]

    def rate(t: float, x: Any, y: Any) -> tuple[Any, Any]:
        u, v = velocity(forcing, t, x, y, xp)
        return _to_degrees(u + extra_u, v + extra_v, y, 1.0, xp)

    t = start
    for n in range(steps):
        k1 = rate(t, lon, lat)
        k2 = rate(t + dt / 2, lon + k1[0] * dt / 2, lat + k1[1] * dt / 2)
        k3 = rate(t + dt / 2, lon + k2[0] * dt / 2, lat + k2[1] * dt / 2)
        k4 = rate(t + dt, lon + k3[0] * dt, lat + k3[1] * dt)
        new_lon = lon + dt / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        new_lat = lat + dt / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
        if diffusivity > 0:
            sigma = (2 * diffusivity * dt) ** 0.5
            d_lon, d_lat = _to_degrees(
                sigma * rng.standard_normal(lon.shape),
                sigma * rng.standard_normal(lon.shape),
                new_lat,
                1.0,
                xp,
            )
            new_lon, new_lat = new_lon + d_lon, new_lat + d_lat
        t += dt
        active = status == ACTIVE
        outside = active & (
            (new_lon < lon_min) | (new_lon > lon_max) | (new_lat < lat_min) | (new_lat > lat_max)
        )
        k_now = int(np.clip(np.searchsorted(np.asarray(forcing.time), t), 0, len(forcing.time) - 1))
        land = active & ~outside & _on_land(forcing, k_now, new_lon, new_lat, xp)
        moving = active & ~outside & ~land
        lon = xp.where(moving | outside, new_lon, lon)
        lat = xp.where(moving | outside, new_lat, lat)
        status = xp.where(outside, OUTSIDE, xp.where(land, STRANDED, status)).astype(xp.int8)
        if record_every and (n + 1) % record_every == 0:
            track_lon.append(lon.copy())
            track_lat.append(lat.copy())
        if callback is not None:
            callback(n + 1, t, lon, lat, status)
    return {
        "lon": lon,
        "lat": lat,
        "status": status,
        "track_lon": xp.stack(track_lon),
        "track_lat": xp.stack(track_lat),
        "time": t,
    }


def forcing_from_dataset(ds: Any, u: str = "uo", v: str = "vo", level: int = 0) -> Forcing:
    """A ``Forcing`` (NumPy) from an xarray Dataset with ``time``/``lat``/``lon`` coordinates
    (and optionally a vertical dimension, of which index ``level`` is taken: 0 is the surface
    layer of the catalogue's HYCOM item). Time becomes seconds since 1970-01-01."""
    fields = []
    for name in (u, v):
        da = ds[name]
        extra = [d for d in da.dims if d not in ("time", "lat", "lon")]
        if extra:
            da = da.isel({extra[0]: level})
        fields.append(da.transpose("time", "lat", "lon").sortby("lat").sortby("lon"))
    first = fields[0]
    seconds = first["time"].values.astype("datetime64[ns]").astype("int64") / 1e9
    return Forcing(
        time=seconds.astype("float64"),
        lat=first["lat"].values.astype("float64"),
        lon=first["lon"].values.astype("float64"),
        u=np.asarray(first.values, dtype="float64"),
        v=np.asarray(fields[1].values, dtype="float64"),
    )

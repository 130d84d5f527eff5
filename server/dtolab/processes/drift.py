"""OGC process ``drift``: a spill or a lost object drifting in the catalogue's currents, without
wind (baseline) and with a scenario wind acting through windage (scenario)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..client.catalog import Item
from ..science import drift as kernel
from .base import (
    CASES,
    ITEM_OUTPUT,
    JOB_CONTROL,
    TRANSMISSION,
    Context,
    Outcome,
    Rejected,
    ScenarioProcessor,
    TooLarge,
    about,
    case_coord,
    check_inside,
    validate_inputs,
)
from .tasks import drift_task

MAX_PARTICLES = 2_000_000
#: Particle-steps one job may compute (both cases together).
MAX_PARTICLE_STEPS = 4_000_000_000
#: Particles per Dask task.
CHUNK = 250_000
#: Trajectories kept in the outputs (the first ones; every particle counts in the density).
MAX_TRACKS = 2_000
EASTWARD = "eastward_sea_water_velocity"
NORTHWARD = "northward_sea_water_velocity"

METADATA: dict[str, Any] = {
    "version": "1.0.0",
    "id": "drift",
    "title": "Drift of a spill or an object",
    "description": (
        "Lagrangian drift of particles released on a disc, in the surface currents of a "
        "catalogue item (HYCOM around drifter 6203641 by default): fourth-order Runge-Kutta "
        "advection, bilinear in space and linear in time, random-walk horizontal diffusion, "
        "stranding on land, particles leaving the forcing domain flagged. The baseline drifts "
        "with the currents only; the scenario adds a wind through windage. Runs on CuPy when a "
        "GPU is present, NumPy otherwise (one code path)."
    ),
    "jobControlOptions": JOB_CONTROL,
    "outputTransmission": TRANSMISSION,
    "keywords": ["drift", "oil spill", "search and rescue", "Lagrangian", "currents"],
    "links": [
        about(
            "OpenDrift, Dagestad et al. (2018), doi:10.5194/gmd-11-1405-2018",
            "https://doi.org/10.5194/gmd-11-1405-2018",
        )
    ],
    "method": (
        "RK4 advection as in OpenDrift (Dagestad et al. 2018, Geosci. Model Dev. 11, 1405) with "
        "velocities bilinear in space and linear in time; windage: a fraction of the wind added "
        "to the current (3 % is usual for oil); diffusion: a random walk of standard deviation "
        "sqrt(2 K dt) per step and axis (Visser 1997, Mar. Ecol. Prog. Ser. 158, 275); a "
        "particle stepping onto a cell without current strands there; one leaving the forcing "
        "domain is flagged 'outside' and stops. Checked against the real track of drifter "
        "6203641 and against OpenDrift's OceanDrift (docs/validation.md)."
    ),
    "inputs": {
        "start": {
            "title": "Release point",
            "description": "Centre of the release, degrees. Default: drifter 6203641's "
            "position at 2021-03-04 04:00 UTC.",
            "schema": {
                "type": "object",
                "properties": {
                    "lon": {"type": "number", "minimum": -180, "maximum": 180},
                    "lat": {"type": "number", "minimum": -90, "maximum": 90},
                },
                "required": ["lon", "lat"],
                "additionalProperties": False,
                "default": {"lon": -2.5826, "lat": 44.714},
            },
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "start_time": {
            "title": "Release time",
            "description": "ISO 8601 (UTC), within the forcing's time span.",
            "schema": {"type": "string", "format": "date-time", "default": "2021-03-04T04:00:00Z"},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "duration_hours": {
            "title": "Duration",
            "description": "How long to drift, in hours (h).",
            "schema": {"type": "number", "exclusiveMinimum": 0, "maximum": 8760, "default": 48},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "particles": {
            "title": "Particles",
            "description": f"Number of particles (at most {MAX_PARTICLES:,}).",
            "schema": {"type": "integer", "minimum": 1, "default": 1000},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "radius_m": {
            "title": "Release radius",
            "description": "Particles start uniformly on a disc of this radius, in metres (m).",
            "schema": {"type": "number", "minimum": 0, "maximum": 100000, "default": 1000},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "diffusivity": {
            "title": "Horizontal diffusivity",
            "description": "Random-walk diffusivity K, in m2/s (m2 s-1).",
            "schema": {"type": "number", "minimum": 0, "maximum": 1000, "default": 1.0},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "wind": {
            "title": "Scenario wind",
            "description": "Speed (m/s) and the direction it blows from (degrees clockwise from "
            "north; 270 = a westerly).",
            "schema": {
                "type": "object",
                "properties": {
                    "speed": {"type": "number", "minimum": 0, "maximum": 60},
                    "from_direction": {"type": "number", "minimum": 0, "maximum": 360},
                },
                "required": ["speed", "from_direction"],
                "additionalProperties": False,
                "default": {"speed": 5.0, "from_direction": 270.0},
            },
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "windage": {
            "title": "Windage",
            "description": "Percentage of the wind speed added to the drift in the scenario (%).",
            "schema": {"type": "number", "minimum": 0, "maximum": 10, "default": 3.0},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "time_step_s": {
            "title": "Time step",
            "description": "Seconds (s).",
            "schema": {"type": "number", "minimum": 60, "maximum": 3600, "default": 900},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "density_hours": {
            "title": "Density map times",
            "description": "Hours after the release at which particle density maps are made.",
            "schema": {
                "type": "array",
                "items": {"type": "number", "minimum": 0},
                "maxItems": 48,
                "default": [12, 24, 48],
            },
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "seed": {
            "title": "Random seed",
            "description": "Seed of the release positions and of the diffusion.",
            "schema": {"type": "integer", "minimum": 0, "default": 0},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "backend": {
            "title": "Array backend",
            "description": "auto: CuPy when a GPU is usable, NumPy otherwise.",
            "schema": {"type": "string", "enum": ["auto", "numpy", "cupy"], "default": "auto"},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "item": {
            "title": "Currents item",
            "description": "STAC item with eastward and northward sea water velocity (m/s) on a "
            "regular grid; the first vertical level is used.",
            "schema": {"type": "string", "default": "hycom-biscay-uo"},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
    },
    "outputs": {
        "summary": {
            "title": "Summary",
            "description": "Per case: stranded, outside and afloat fractions, centre of mass "
            "at the end, mean displacement (km).",
            "schema": {"type": "object", "contentMediaType": "application/json"},
        },
        "result": {
            "title": "Trajectories and density",
            "description": f"Zarr: hourly track_lon/track_lat of the first {MAX_TRACKS} "
            "particles, end positions and status of all, density maps (fraction of particles "
            "per forcing cell) at density_hours; each with a 'case' dimension.",
            "schema": {"type": "string", "contentMediaType": "application/vnd+zarr"},
        },
        "item": ITEM_OUTPUT,
    },
    "example": {"inputs": {"particles": 1000, "duration_hours": 48, "windage": 3}},
}


@dataclass
class Plan:
    inputs: dict[str, Any]
    item: Item
    forcing: kernel.Forcing
    start: float  # seconds since 1970
    steps: int
    dt: float
    density_steps: list[int]


def release(lon: float, lat: float, radius_m: float, n: int, seed: int) -> tuple[Any, Any]:
    """``n`` positions uniform on a disc (radius in metres) around (lon, lat)."""
    rng = np.random.default_rng(seed)
    r = radius_m * np.sqrt(rng.random(n))
    theta = 2 * np.pi * rng.random(n)
    dlat = np.rad2deg(r * np.sin(theta) / kernel.EARTH_RADIUS_M)
    dlon = np.rad2deg(r * np.cos(theta) / (kernel.EARTH_RADIUS_M * math.cos(math.radians(lat))))
    return lon + dlon, lat + dlat


def _velocity_variables(ds: xr.Dataset) -> tuple[str, str]:
    names = {ds[v].attrs.get("standard_name"): v for v in ds.data_vars}
    if EASTWARD not in names or NORTHWARD not in names:
        raise Rejected("item", f"needs {EASTWARD} and {NORTHWARD} in one store")
    return names[EASTWARD], names[NORTHWARD]


class DriftProcessor(ScenarioProcessor):
    METADATA = METADATA

    def prepare(self, data: dict[str, Any]) -> Plan:
        inputs = validate_inputs(self.metadata, data)
        item = self.item("item", inputs["item"])
        store = xr.open_dataset(
            self.open("item", item).attrs["dtolab:href"], engine="zarr", chunks=None
        )
        u, v = _velocity_variables(store)
        ds = self.open("item", item, [u, v])
        forcing = kernel.forcing_from_dataset(ds[[u, v]].load(), u, v)
        lon0, lat0 = float(inputs["start"]["lon"]), float(inputs["start"]["lat"])
        extent = (
            float(forcing.lon[0]),
            float(forcing.lat[0]),
            float(forcing.lon[-1]),
            float(forcing.lat[-1]),
        )
        check_inside("start", (lon0, lat0, lon0, lat0), extent, item.id)
        try:
            start = pd.Timestamp(inputs["start_time"])
        except ValueError:
            raise Rejected(
                "start_time", f"{inputs['start_time']!r} is not an ISO 8601 time"
            ) from None
        start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
        t0 = start.timestamp()
        first, last = float(forcing.time[0]), float(forcing.time[-1])
        span = f"{_iso(first)} to {_iso(last)}"
        if not first <= t0 <= last:
            raise Rejected("start_time", f"outside the forcing of {item.id}, which spans {span}")
        dt = float(inputs["time_step_s"])
        steps = math.ceil(float(inputs["duration_hours"]) * 3600 / dt)
        if t0 + steps * dt > last:
            raise Rejected(
                "duration_hours",
                f"the drift would end after the forcing of {item.id}, which spans {span}",
            )
        particles = int(inputs["particles"])
        if particles > MAX_PARTICLES:
            raise TooLarge("particles", f"{particles:,} asked for; the limit is {MAX_PARTICLES:,}")
        if 2 * particles * steps > MAX_PARTICLE_STEPS:
            raise TooLarge(
                "particles",
                f"{2 * particles * steps:,} particle-steps (2 cases); the limit is "
                f"{MAX_PARTICLE_STEPS:,}: fewer particles, a shorter drift or a longer step",
            )
        density_steps = sorted({min(steps, round(h * 3600 / dt)) for h in inputs["density_hours"]})
        return Plan(inputs, item, forcing, t0, steps, dt, density_steps)

    def run(self, plan: Plan, ctx: Context) -> Outcome:
        inputs = plan.inputs
        n = int(inputs["particles"])
        lon, lat = release(
            inputs["start"]["lon"], inputs["start"]["lat"], inputs["radius_m"], n, inputs["seed"]
        )
        speed = float(inputs["wind"]["speed"])
        towards = math.radians(float(inputs["wind"]["from_direction"]) + 180.0)
        wind = (speed * math.sin(towards), speed * math.cos(towards))
        forcing = ctx.client.scatter(plan.forcing, broadcast=True)
        record_every = max(1, round(3600 / plan.dt))
        futures, keys = [], []
        for k, case in enumerate(CASES):
            for c, first in enumerate(range(0, n, CHUNK)):
                params = {
                    "start": plan.start,
                    "steps": plan.steps,
                    "dt": plan.dt,
                    "wind": wind if case == "scenario" else (0.0, 0.0),
                    "windage": float(inputs["windage"]) / 100 if case == "scenario" else 0.0,
                    "diffusivity": float(inputs["diffusivity"]),
                    "seed": int(inputs["seed"]) + 1000 * c + k,
                    "record_every": record_every,
                    "density_steps": plan.density_steps,
                    "tracks": MAX_TRACKS if c == 0 else 0,
                    "backend": inputs["backend"],
                }
                chunk = slice(first, first + CHUNK)
                futures.append(
                    ctx.client.submit(drift_task, forcing, lon[chunk], lat[chunk], params)
                )
                keys.append(k)
        ctx.progress(5, f"{len(futures)} particle chunk(s) on Dask")
        parts = ctx.gather(futures, 5, 85, "drifting")
        return self._outcome(plan, lon, lat, parts, keys, record_every)

    def _outcome(
        self,
        plan: Plan,
        lon0: np.ndarray,
        lat0: np.ndarray,
        parts: list[dict[str, Any]],
        keys: list[int],
        record_every: int,
    ) -> Outcome:
        f = plan.forcing
        n = lon0.size
        by_case = [[p for p, k in zip(parts, keys, strict=True) if k == case] for case in (0, 1)]
        end_lon = np.stack([np.concatenate([p["lon"] for p in ps]) for ps in by_case])
        end_lat = np.stack([np.concatenate([p["lat"] for p in ps]) for ps in by_case])
        status = np.stack([np.concatenate([p["status"] for p in ps]) for ps in by_case])
        tracks_lon = np.stack([ps[0]["track_lon"] for ps in by_case])
        tracks_lat = np.stack([ps[0]["track_lat"] for ps in by_case])
        density = np.stack(
            [
                np.stack([sum(p["density"][s] for p in ps) / n for s in plan.density_steps])
                for ps in by_case
            ]
        )
        t0 = pd.Timestamp(plan.start, unit="s")
        track_time = t0 + pd.to_timedelta(
            np.arange(tracks_lon.shape[1]) * record_every * plan.dt, unit="s"
        )
        density_time = t0 + pd.to_timedelta(np.array(plan.density_steps) * plan.dt, unit="s")
        ds = xr.Dataset(
            {
                "track_lon": (("case", "time", "particle"), tracks_lon, _deg("Longitude", "east")),
                "track_lat": (("case", "time", "particle"), tracks_lat, _deg("Latitude", "north")),
                "end_lon": (("case", "id"), end_lon, _deg("Longitude at the end", "east")),
                "end_lat": (("case", "id"), end_lat, _deg("Latitude at the end", "north")),
                "status": (
                    ("case", "id"),
                    status,
                    {
                        "long_name": "State at the end",
                        "flag_values": [kernel.ACTIVE, kernel.STRANDED, kernel.OUTSIDE],
                        "flag_meanings": "afloat stranded outside_domain",
                        "units": "1",
                    },
                ),
                "density": (
                    ("case", "density_time", "lat", "lon"),
                    density.astype("float32"),
                    {"units": "1", "long_name": "Fraction of the particles in the cell"},
                ),
            },
            coords={
                "case": case_coord(),
                "time": track_time.values,
                "density_time": density_time.values,
                "lat": f.lat,
                "lon": f.lon,
            },
            attrs={"title": "Drift of a spill or an object", "source_item": plan.item.id},
        )
        summary: dict[str, Any] = {
            "process": METADATA["id"],
            "particles": n,
            "steps": plan.steps,
            "particle_steps": 2 * n * plan.steps,
            "backend": parts[0]["backend"],
            "units": {"displacement": "km", "fractions": "1"},
        }
        for k, case in enumerate(CASES):
            s = status[k]
            afloat = s != kernel.OUTSIDE
            summary[case] = {
                "stranded_fraction": round(float(np.mean(s == kernel.STRANDED)), 4),
                "outside_fraction": round(float(np.mean(s == kernel.OUTSIDE)), 4),
                "afloat_fraction": round(float(np.mean(s == kernel.ACTIVE)), 4),
                "centre_end": [
                    round(float(end_lon[k][afloat].mean()), 4) if afloat.any() else None,
                    round(float(end_lat[k][afloat].mean()), 4) if afloat.any() else None,
                ],
                "mean_displacement_km": round(
                    float(np.mean(_distance_km(lon0, lat0, end_lon[k], end_lat[k]))), 3
                ),
            }
        lon_all = np.concatenate([tracks_lon.ravel(), end_lon.ravel()])
        lat_all = np.concatenate([tracks_lat.ravel(), end_lat.ravel()])
        bbox = [
            float(np.nanmin(lon_all)),
            float(np.nanmin(lat_all)),
            float(np.nanmax(lon_all)),
            float(np.nanmax(lat_all)),
        ]
        end = plan.start + plan.steps * plan.dt
        return Outcome(ds, summary, bbox, (_iso(plan.start), _iso(end)), [plan.item])


def _deg(name: str, direction: str) -> dict[str, str]:
    return {"long_name": name, "units": f"degrees_{direction}"}


def _distance_km(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> np.ndarray:
    """Great-circle distance (haversine), km."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * kernel.EARTH_RADIUS_M / 1000 * np.arcsin(np.sqrt(a))


def _iso(seconds: float) -> str:
    return pd.Timestamp(seconds, unit="s").strftime("%Y-%m-%dT%H:%M:%SZ")

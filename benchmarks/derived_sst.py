"""A large derived daily SST store for benchmarks (labelled derived/synthetic in its metadata).

Recipe: the COADS monthly SST climatology (real, shared/DATA.md) is interpolated linearly in time
between mid-month values to daily steps from 2021-01-01, then bilinearly in space to the ETOPO5
5-arc-minute grid (1/12 degree, 2161 x 4320); land is where ETOPO5 is at or above 0 m. A
documented anomaly is added: ``0.6 * sin(2 pi (lon / 3 + day / 20)) * cos(2 pi lat / 4)`` (a
westward-propagating mesoscale-like pattern, degC) plus Gaussian noise of 0.05 degC (seed 2026).
Both Zarr layouts are written with dtolab's own writer conventions (Zarr v3, zstd level 1).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import xarray as xr
import zarr

from dtolab.catalog import bathymetry, sources
from dtolab.catalog.arco import layout_chunks

RECIPE = __doc__
DAYS = 96


def _daily_climatology(day_of_year: np.ndarray) -> xr.DataArray:
    sst = sources.coads_monthly()["sst"]
    mid_month = (np.arange(12) + 0.5) * 365.25 / 12
    # Wrap December -> January so that interpolation is periodic.
    x = np.concatenate([[mid_month[-1] - 365.25], mid_month, [mid_month[0] + 365.25]])
    values = np.concatenate([sst.values[-1:], sst.values, sst.values[:1]])
    lo = np.searchsorted(x, day_of_year) - 1
    w = ((day_of_year - x[lo]) / (x[lo + 1] - x[lo]))[:, None, None]
    daily = values[lo] * (1 - w) + values[lo + 1] * w
    return xr.DataArray(
        daily, dims=("time", "lat", "lon"), coords={"lat": sst["lat"], "lon": sst["lon"]}
    )


def build(target: Path) -> Path:
    """Write ``target/{timeChunked,geoChunked}.zarr`` unless already there; returns target."""
    stamp = target / "recipe.json"
    if stamp.exists() and json.loads(stamp.read_text()).get("days") == DAYS:
        return target
    target.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    grid = bathymetry.load_etopo5()
    lat, lon = grid["lat"].values, grid["lon"].values
    land = grid["elevation"].values >= 0
    days = np.arange(DAYS)
    climatology = _daily_climatology(days + 0.5)
    rng = np.random.default_rng(2026)
    data = np.empty((DAYS, lat.size, lon.size), dtype="float32")
    lon2, lat2 = np.meshgrid(lon, lat)
    spatial = np.cos(2 * np.pi * lat2 / 4)
    for t in days:
        # Bilinear in space; the 2-degree climatology is filled from the nearest ocean first so
        # that coastal fine cells are not NaN where the coarse cell is land.
        coarse = climatology[t].interpolate_na("lon", method="nearest", fill_value="extrapolate")
        fine = coarse.interp(lat=lat, lon=lon, method="linear", kwargs={"fill_value": None}).values
        anomaly = 0.6 * np.sin(2 * np.pi * (lon2 / 3 + t / 20)) * spatial
        field = fine + anomaly + rng.normal(0, 0.05, fine.shape)
        field[land] = np.nan
        data[t] = field
    times = np.datetime64("2021-01-01", "ns") + days.astype("timedelta64[D]")
    ds = xr.Dataset(
        {"sst": (("time", "lat", "lon"), data)},
        coords={"time": times, "lat": lat, "lon": lon},
        attrs={
            "title": "Derived daily SST at 1/12 degree (benchmark data, not observations)",
            "dtolab:derived": True,
            "dtolab:recipe": RECIPE,
        },
    )
    ds["sst"].attrs = {"standard_name": "sea_surface_temperature", "units": "degC"}
    for layout in ("timeChunked", "geoChunked"):
        chunks = layout_chunks(ds, layout)
        encoding = {
            "sst": {
                "chunks": tuple(chunks[d] for d in ("time", "lat", "lon")),
                "compressors": [zarr.codecs.ZstdCodec(level=1)],
            }
        }
        ds.to_zarr(
            target / f"{layout}.zarr", mode="w", zarr_format=3, consolidated=True, encoding=encoding
        )
    stamp.write_text(json.dumps({"days": DAYS, "seconds": round(time.perf_counter() - started)}))
    return target


def item(target: Path) -> dict:
    """An EDITO-shaped STAC item for the store (hrefs are local paths)."""
    ds = xr.open_zarr(target / "timeChunked.zarr")
    return {
        "id": "derived-sst-1-12deg-daily",
        "collection": "climate_forecast-sea_surface_temperature",
        "properties": {
            "cube:variables": {"sst": {"unit": "degC"}},
            "dtolab:derived": True,
            "dtolab:recipe": RECIPE,
        },
        "assets": {
            layout_key: {
                "href": str(target / f"{layout}.zarr"),
                "type": "application/vnd+zarr",
                "roles": ["data"],
                "dtolab:layout": layout,
                "dtolab:chunks": layout_chunks(ds, layout),
            }
            for layout_key, layout in (
                ("arco-geo-series", "timeChunked"),
                ("arco-time-series", "geoChunked"),
            )
        },
    }

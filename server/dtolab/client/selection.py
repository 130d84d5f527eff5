"""Turning a request (bbox, time, depth) into the positions it selects along each dimension.

Errors say what was asked and what the data holds: a box or a time outside the data names the
data's extent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import InvalidInput

TIME_DIMS = ("time", "month")
Z_DIMS = ("depth", "lev")


def _nearest_or_range(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Positions of ``values`` within [lo, hi]; a range between two cells takes the nearest."""
    inside = np.nonzero((values >= lo) & (values <= hi))[0]
    if inside.size:
        return inside
    return np.array([int(np.argmin(np.abs(values - (lo + hi) / 2)))])


def _half_step(values: np.ndarray) -> float:
    return float(np.abs(np.diff(values)).max()) / 2 if values.size > 1 else 0.0


def _lon_positions(lon: np.ndarray, west: float, east: float, extent: str) -> np.ndarray:
    pad = _half_step(lon)
    if west <= east:
        if east < lon.min() - pad or west > lon.max() + pad:
            raise InvalidInput("bbox", f"longitudes {west}..{east} lie outside the data: {extent}")
        return _nearest_or_range(lon, west, east)
    # Across the antimeridian: two ranges.
    found = np.nonzero((lon >= west) | (lon <= east))[0]
    if not found.size:
        raise InvalidInput("bbox", f"longitudes {west}..{east} lie outside the data: {extent}")
    return found


def _to_datetime(value: Any) -> np.datetime64:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return np.datetime64(stamp.to_datetime64(), "ns")


def _time_positions(ds: xr.Dataset, dim: str, time: Any) -> np.ndarray:
    values = ds[dim].values
    if isinstance(time, slice):
        time = (time.start, time.stop)
    if isinstance(time, (list, tuple)):
        if len(time) != 2:
            raise InvalidInput("time", "give one instant or a (start, end) pair")
        lo, hi = time
    else:
        lo = hi = time
    if dim == "month":

        def month(v: Any, default: int) -> int:
            if v is None:
                return default
            return int(v) if isinstance(v, (int, np.integer)) else pd.Timestamp(v).month

        a, b = month(lo, 1), month(hi, 12)
        return np.nonzero((values >= a) & (values <= b))[0]
    start = _to_datetime(lo) if lo is not None else values.min()
    end = _to_datetime(hi) if hi is not None else values.max()
    extent = f"{pd.Timestamp(values.min())} to {pd.Timestamp(values.max())}"
    if start > end:
        raise InvalidInput("time", f"start {start} is after end {end}")
    if end < values.min() or start > values.max():
        raise InvalidInput("time", f"{lo}..{hi} lies outside the data: {extent}")
    return _nearest_or_range(
        values.astype("datetime64[ns]").astype("int64"), start.astype("int64"), end.astype("int64")
    )


def _depth_positions(ds: xr.Dataset, dim: str, depth: Any) -> np.ndarray:
    values = ds[dim].values.astype("float64")
    if isinstance(depth, (list, tuple)):
        lo, hi = (float(d) for d in depth)
    else:
        lo = hi = float(depth)
    if hi < values.min() - _half_step(values) or lo > values.max() + _half_step(values):
        raise InvalidInput(
            "depth", f"{lo}..{hi} lies outside the data: {values.min():g} to {values.max():g}"
        )
    return _nearest_or_range(values, lo, hi)


def positions(
    ds: xr.Dataset,
    variables: Sequence[str],
    bbox: Sequence[float] | None = None,
    time: Any = None,
    depth: Any = None,
) -> dict[str, np.ndarray]:
    """Positions selected along every dimension of ``variables`` (all of them if not asked)."""
    dims: list[str] = []
    for var in variables:
        dims.extend(d for d in ds[var].dims if d not in dims)
    selected: dict[str, np.ndarray] = {}
    extent = ""
    if "lon" in ds.coords and "lat" in ds.coords:
        lon, lat = ds["lon"].values, ds["lat"].values
        extent = (
            f"lon {np.nanmin(lon):g} to {np.nanmax(lon):g}, "
            f"lat {np.nanmin(lat):g} to {np.nanmax(lat):g}"
        )
    if bbox is not None and len(bbox) != 4:
        raise InvalidInput("bbox", "must be [west, south, east, north]")
    if time is not None and not any(d in dims for d in TIME_DIMS):
        raise InvalidInput("time", "this dataset has no time axis")
    if depth is not None and not any(d in dims for d in Z_DIMS):
        raise InvalidInput("depth", "this dataset has no vertical axis")
    for dim in dims:
        every = np.arange(ds.sizes[dim])
        if dim == "lon" and bbox is not None:
            selected[dim] = _lon_positions(ds["lon"].values, bbox[0], bbox[2], extent)
        elif dim == "lat" and bbox is not None:
            lat = ds["lat"].values
            south, north = bbox[1], bbox[3]
            pad = _half_step(lat)
            if north < lat.min() - pad or south > lat.max() + pad:
                raise InvalidInput(
                    "bbox", f"latitudes {south}..{north} lie outside the data: {extent}"
                )
            selected[dim] = _nearest_or_range(lat, south, north)
        elif dim in TIME_DIMS and time is not None:
            selected[dim] = _time_positions(ds, dim, time)
        elif dim in Z_DIMS and depth is not None:
            selected[dim] = _depth_positions(ds, dim, depth)
        else:
            selected[dim] = every
    return selected


def subset_indexers(selected: dict[str, np.ndarray]) -> dict[str, Any]:
    """isel indexers: a slice where positions are contiguous (lazy and cheap), else the array."""
    indexers: dict[str, Any] = {}
    for dim, idx in selected.items():
        if idx.size and np.all(np.diff(idx) == 1):
            indexers[dim] = slice(int(idx[0]), int(idx[-1]) + 1)
        else:
            indexers[dim] = idx
    return indexers

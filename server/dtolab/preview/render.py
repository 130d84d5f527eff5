"""Rendering one map: a 2-D slice of a gridded variable to an indexed-colour PNG.

The path is chosen for speed, because a preview must feel instant:

1. read the coarsest pyramid level that still has at least one cell per output pixel (a 800 px
   wide preview of a 1/24-degree global field reads a 1080-column level, not the 8640-column one);
2. resample it onto the output pixels with datashader's ``Canvas.raster`` (mean when shrinking,
   nearest when enlarging; NaN stays NaN);
3. map values to 255 palette indices of the variable's cmocean map plus one transparent index
   for missing data (land), and write a palette PNG at zlib level 1: an 8-bit image is a quarter
   of RGBA, so it compresses and encodes ~4x faster (encoding RGBA cost more than rendering).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..client.selection import TIME_DIMS, Z_DIMS, positions, subset_indexers
from ..errors import InvalidInput, RequestTooLarge
from . import colormaps

#: Largest slab (cells) read for one preview: a store without a pyramid must stay this small.
MAX_CELLS = 16_000_000
MAX_SIDE = 2048
MIN_SIDE = 16
TRANSPARENT = 255


@dataclass(frozen=True)
class Level:
    """One pyramid level: its group path and its (lat, lon) shape."""

    path: str | None
    shape: tuple[int, int]


@dataclass
class Request:
    """What a preview shows; ``None`` means the default (first time step, top level, item box)."""

    variable: str
    bbox: Sequence[float]
    width: int = 800
    height: int | None = None
    time: Any = None
    depth: float | None = None
    vmin: float | None = None
    vmax: float | None = None

    def output_shape(self) -> tuple[int, int]:
        """(height, width) in pixels; height follows the box's aspect unless given."""
        if self.height is not None:
            return self.height, self.width
        west, south, east, north = self.bbox
        span = (east - west) % 360 or 360
        return max(MIN_SIDE, min(MAX_SIDE, round(self.width * (north - south) / span))), self.width


@dataclass
class Rendered:
    png: bytes
    meta: dict[str, Any] = field(default_factory=dict)


def choose_level(levels: Sequence[Level], data_bbox: Sequence[float], req: Request) -> Level:
    """The coarsest level with at least one cell per output pixel across the box, else the
    finest (levels are ordered finest first)."""
    height, width = req.output_shape()
    dw = (data_bbox[2] - data_bbox[0]) or 360
    dh = (data_bbox[3] - data_bbox[1]) or 180
    west, south, east, north = req.bbox
    fx = min(1.0, ((east - west) % 360 or 360) / dw)
    fy = min(1.0, (north - south) / dh)
    chosen = levels[0]
    for level in levels:
        if level.shape[1] * fx >= width and level.shape[0] * fy >= height:
            chosen = level
    return chosen


def _pick(ds: xr.Dataset, dims: tuple[str, ...], value: Any) -> tuple[str | None, Any]:
    return next(((d, value) for d in dims if d in ds.dims), (None, None))


def _coordinate_label(values: np.ndarray) -> Any:
    value = values.item() if values.size == 1 else values[0]
    if isinstance(value, (np.datetime64, pd.Timestamp)) or np.issubdtype(values.dtype, "M"):
        return pd.Timestamp(values.ravel()[0]).isoformat()
    return float(value) if isinstance(value, (float, np.floating)) else value


def select(ds: xr.Dataset, req: Request) -> tuple[xr.DataArray, dict[str, Any]]:
    """The 2-D (lat, lon) slice the request asks for, and the coordinates actually chosen."""
    if req.variable not in ds.data_vars:
        raise InvalidInput(
            "variable",
            f"unknown variable {req.variable!r}; valid: {', '.join(map(str, ds.data_vars))}",
        )
    var = ds[req.variable]
    if "lat" not in var.dims or "lon" not in var.dims:
        raise InvalidInput(
            "variable", f"{req.variable} is not gridded on lat/lon (dims: {', '.join(var.dims)})"
        )
    where = positions(ds, [req.variable], bbox=req.bbox, time=req.time, depth=req.depth)
    chosen: dict[str, Any] = {}
    for dim in var.dims:
        if dim in ("lat", "lon"):
            continue
        # One step of every other axis: the first position selected (the nearest, when asked).
        where[dim] = where[dim][:1]
        label = "time" if dim in TIME_DIMS else "depth" if dim in Z_DIMS else dim
        chosen[label] = _coordinate_label(ds[dim].values[where[dim]])
        if label == "depth" and "units" in ds[dim].attrs:
            chosen["depth_units"] = ds[dim].attrs["units"]
    cells = where["lat"].size * where["lon"].size
    if cells > MAX_CELLS:
        raise RequestTooLarge(
            f"the preview would read {cells} cells, more than the {MAX_CELLS} cell limit; "
            "draw a smaller box (this item has no coarser pyramid level)"
        )
    da = var.isel(subset_indexers(where)).squeeze([d for d in var.dims if d not in ("lat", "lon")])
    return da.transpose("lat", "lon"), chosen


def _regular(da: xr.DataArray, west: float, east: float) -> tuple[xr.DataArray, float, float]:
    """Ascending lat and lon; a box across the antimeridian gets longitudes past 180."""
    if da.sizes["lat"] > 1 and da["lat"].values[0] > da["lat"].values[-1]:
        da = da.isel(lat=slice(None, None, -1))
    if west > east:
        lon = da["lon"].values
        da = da.assign_coords(lon=np.where(lon < west, lon + 360, lon)).sortby("lon")
        east += 360
    return da, west, east


def _range(values: np.ndarray, diverging: bool, req: Request) -> tuple[float, float]:
    """The colour range: the request's, else the 2nd-98th percentile of what is shown (a
    sample of it: percentiles of 320,000 pixels cost more than the whole render)."""
    finite = values[np.isfinite(values)]
    if finite.size > 65_536:
        finite = finite[:: finite.size // 65_536]
    if finite.size == 0:
        lo, hi = 0.0, 1.0
    else:
        lo, hi = (float(v) for v in np.percentile(finite, [2, 98]))
    if diverging:
        edge = max(abs(lo), abs(hi)) or 1.0
        lo, hi = -edge, edge
    lo = req.vmin if req.vmin is not None else lo
    hi = req.vmax if req.vmax is not None else hi
    if not hi > lo:
        hi = lo + (abs(lo) * 1e-6 or 1e-6)
    return lo, hi


def encode(values: np.ndarray, palette: np.ndarray, lo: float, hi: float) -> bytes:
    """A palette PNG of ``values`` (north-up rows): 255 colours and a transparent index."""
    from PIL import Image

    scaled = (values - lo) * (254.0 / (hi - lo))
    np.clip(scaled, 0, 254, out=scaled)
    index = np.where(np.isfinite(values), scaled + 0.5, TRANSPARENT).astype(np.uint8)
    image = Image.fromarray(index, mode="P")
    image.putpalette(palette.tobytes() + b"\0\0\0")
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1, transparency=TRANSPARENT)
    return out.getvalue()


def render(
    ds: xr.Dataset, req: Request, standard_name: str | None = None, units: str | None = None
) -> Rendered:
    """Render ``req`` from ``ds`` (one pyramid level, or a plain store)."""
    import datashader

    da, chosen = select(ds, req)
    west, south, east, north = req.bbox
    da, west, east = _regular(da.astype("float32"), west, east)
    height, width = req.output_shape()
    canvas = datashader.Canvas(
        plot_width=width, plot_height=height, x_range=(west, east), y_range=(south, north)
    )
    # Loaded once here: datashader would otherwise read the lazy array in its own pieces.
    agg = canvas.raster(da.load(), agg="mean", interpolate="nearest")
    values = np.ascontiguousarray(agg.values[::-1])  # datashader rows run south to north
    cmap = colormaps.for_variable(standard_name or da.attrs.get("standard_name"), req.variable)
    lo, hi = _range(values, cmap.diverging, req)
    png = encode(values, colormaps.palette(cmap.name), lo, hi)
    finite = int(np.isfinite(values).sum())
    return Rendered(
        png,
        {
            "variable": req.variable,
            "long_name": da.attrs.get("long_name") or req.variable,
            "standard_name": standard_name or da.attrs.get("standard_name"),
            "units": units or da.attrs.get("units") or "",
            "colormap": cmap.name,
            "colors": colormaps.stops(cmap.name),
            "vmin": lo,
            "vmax": hi,
            "bbox": [west, south, east if east <= 180 else east - 360, north],
            "width": width,
            "height": height,
            "coverage": round(finite / values.size, 4) if values.size else 0.0,
            **chosen,
        },
    )


def warm_up() -> None:
    """Import datashader and compile its kernels (numba) once, before the first user waits."""
    lat = np.linspace(-1, 1, 8)
    da = xr.DataArray(
        np.ones((1, 8, 8), "float32"),
        dims=("time", "lat", "lon"),
        coords={"time": [0], "lat": lat, "lon": lat},
        name="v",
    )
    render(da.to_dataset(), Request("v", [-1, -1, 1, 1], width=MIN_SIDE, height=MIN_SIDE))

"""Analysis-ready, cloud-optimised (ARCO) Zarr layouts of a gridded dataset.

Each gridded product is written twice, as EDITO/CMEMS do:

- ``timeChunked.zarr``: a chunk holds one time step (and one level) of a large tile: reading a map
  touches few chunks;
- ``geoChunked.zarr``: a chunk holds the whole time axis of a small tile: reading a point time
  series touches one chunk per variable and level;

plus ``pyramid.zarr``, a multiscale pyramid (levels "0", "1", ... each coarsened 2x in lat/lon)
for previews. All are Zarr v3 with consolidated metadata and zstd compression.
"""

from __future__ import annotations

import math
import shutil
import warnings
from pathlib import Path

import numpy as np
import xarray as xr
import zarr

TIME_DIMS = ("time", "month")
Z_DIMS = ("depth", "lev")
#: Largest map tile in a timeChunked chunk (cells per side).
MAP_TILE = (720, 1440)
#: Values per geoChunked chunk (~1 MB of float32): a point series decodes one small chunk.
SERIES_VALUES = 2**18
PYRAMID_MIN_CELLS = 64


def time_dim(ds: xr.Dataset) -> str | None:
    return next((d for d in TIME_DIMS if d in ds.dims), None)


def z_dim(ds: xr.Dataset) -> str | None:
    return next((d for d in Z_DIMS if d in ds.dims), None)


def canonical(ds: xr.Dataset) -> xr.Dataset:
    """Dimensions ordered (time, vertical, lat, lon), whichever are present."""
    order = [d for d in (time_dim(ds), z_dim(ds), "lat", "lon") if d is not None]
    return ds.transpose(*order)


def layout_chunks(ds: xr.Dataset, layout: str) -> dict[str, int]:
    """The chunk length of every dimension for ``layout`` ("timeChunked" or "geoChunked")."""
    t, z = time_dim(ds), z_dim(ds)
    sizes = ds.sizes
    if layout == "timeChunked":
        chunks = {"lat": min(sizes["lat"], MAP_TILE[0]), "lon": min(sizes["lon"], MAP_TILE[1])}
        if t:
            chunks[t] = 1
        if z:
            chunks[z] = 1
        return chunks
    if layout != "geoChunked":
        raise ValueError(f"unknown layout {layout!r}")
    # The series axis is time, or the vertical for a product without time.
    series = t or z
    length = sizes[series] if series else 1
    tile = max(4, int(math.sqrt(SERIES_VALUES / length)))
    chunks = {"lat": min(sizes["lat"], tile), "lon": min(sizes["lon"], tile)}
    if t:
        chunks[t] = sizes[t]
    if z:
        chunks[z] = sizes[z] if series == z else 1
    return chunks


def _encoding(ds: xr.Dataset, chunks: dict[str, int]) -> dict[str, dict]:
    compressor = zarr.codecs.ZstdCodec(level=3)
    return {
        name: {"chunks": tuple(chunks[d] for d in var.dims), "compressors": [compressor]}
        for name, var in ds.data_vars.items()
    }


def write(ds: xr.Dataset, path: Path, chunks: dict[str, int], **kwargs: object) -> None:
    """Write ``ds`` as Zarr v3 with consolidated metadata and the given chunks."""
    with warnings.catch_warnings():
        # Consolidated metadata is zarr-python's convention for v3: what readers here expect.
        warnings.filterwarnings("ignore", message="Consolidated metadata", category=UserWarning)
        ds.chunk(chunks).to_zarr(
            path,
            mode="w",
            zarr_format=3,
            consolidated=True,
            encoding=_encoding(ds, chunks),
            **kwargs,
        )


def coarsen(ds: xr.Dataset) -> xr.Dataset:
    """One pyramid step: 2x2 cells averaged (NaN-aware), coordinates averaged too."""
    return ds.coarsen(lat=2, lon=2, boundary="trim").mean(keep_attrs=True)


def write_pyramid(ds: xr.Dataset, path: Path) -> list[dict[str, object]]:
    """Write the multiscale pyramid; returns its levels (path, shape) as recorded in STAC."""
    levels = []
    level = ds
    index = 0
    # Start clean: levels of an earlier build would be "appended" to and clash with this one.
    shutil.rmtree(path, ignore_errors=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Consolidated metadata", category=UserWarning)
        while True:
            chunks = layout_chunks(level, "timeChunked")
            level.chunk(chunks).to_zarr(
                path,
                group=str(index),
                mode="w" if index == 0 else "a",
                zarr_format=3,
                consolidated=False,
                encoding=_encoding(level, chunks),
            )
            levels.append({"path": str(index), "shape": [level.sizes["lat"], level.sizes["lon"]]})
            if min(level.sizes["lat"], level.sizes["lon"]) < 2 * PYRAMID_MIN_CELLS:
                break
            level = coarsen(level)
            index += 1
        root = zarr.open_group(path, mode="a", zarr_format=3)
        root.attrs["multiscales"] = [{"name": "pyramid", "datasets": levels, "type": "mean"}]
        zarr.consolidate_metadata(path)
    return levels


def pyramid_asset(href: str, levels: list[dict[str, object]]) -> dict[str, object]:
    """The STAC asset describing a pyramid written by ``write_pyramid`` (previews read it)."""
    return {
        "href": href,
        "type": "application/vnd+zarr",
        "roles": ["overview"],
        "title": "Multiscale pyramid (levels coarsened 2x) for previews",
        "dtolab:levels": levels,
    }


def write_all(ds: xr.Dataset, folder: Path) -> dict[str, dict[str, object]]:
    """Both layouts and the pyramid of ``ds`` under ``folder``; returns what STAC records."""
    ds = canonical(ds).load()
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, dict[str, object]] = {}
    for layout in ("timeChunked", "geoChunked"):
        chunks = layout_chunks(ds, layout)
        write(ds, folder / f"{layout}.zarr", chunks)
        written[layout] = {"path": f"{layout}.zarr", "chunks": chunks}
    written["pyramid"] = {
        "path": "pyramid.zarr",
        "levels": write_pyramid(ds, folder / "pyramid.zarr"),
    }
    return written


def write_insitu(ds: xr.Dataset, folder: Path) -> dict[str, object]:
    """An in-situ product (profiles, trajectory, time series) as one Zarr store."""
    folder.mkdir(parents=True, exist_ok=True)
    chunks = {d: min(n, 100_000) for d, n in ds.sizes.items()}
    write(ds, folder / "data.zarr", chunks)
    return {"path": "data.zarr", "chunks": chunks}


def data_extent(values: np.ndarray) -> list[float]:
    """The finite min and max of an array, as plain floats."""
    finite = values[np.isfinite(values)]
    return [float(finite.min()), float(finite.max())] if finite.size else [math.nan, math.nan]

"""Zarr layout choice: the smart choice against each layout forced, on three requests.

Requests on the derived 1/12-degree daily SST store (benchmarks/derived_sst.py): one full map
(one day), a point time series over all days, and a 5 x 5 degree box over 90 days. Each is read
(``.load()``, dask's threaded scheduler, warm page cache) through ``open_item`` with both layouts
offered (the smart choice) and with one layout only. The limit is the single-thread zstd decode
rate of the very chunks the smart choice reads, measured in the same run.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numcodecs
import numpy as np

from dtolab.client.catalog import Item, open_item

REQUESTS = {
    "full map (1 day)": {"time": "2021-02-01"},
    "point series (96 days)": {"bbox": [-30.0, 35.0, -30.0, 35.0]},
    "5x5 deg box, 90 days": {
        "bbox": [-35.0, 30.0, -30.0, 35.0],
        "time": ("2021-01-01", "2021-03-31"),
    },
}


def _only(item: dict, key: str) -> Item:
    return Item({**item, "assets": {key: item["assets"][key]}})


def _timed_load(item: Item, request: dict, repeats: int) -> tuple[float, object]:
    times = []
    ds = None
    for _ in range(repeats):
        start = time.perf_counter()
        ds = open_item(item, **request)
        ds.load()
        times.append(time.perf_counter() - start)
    return statistics.median(times), ds


def _chunk_files(store: Path, chunks: dict, ds_attrs: dict, selection: dict) -> list[Path]:
    """The chunk files the request reads (zarr v3 default key encoding: c/<t>/<y>/<x>)."""
    index_sets = [np.unique(selection[d] // chunks[d]) for d in ("time", "lat", "lon")]
    grid = np.array(np.meshgrid(*index_sets, indexing="ij")).reshape(3, -1).T
    paths = [store / "sst" / "c" / "/".join(str(i) for i in ix) for ix in grid]
    return [p for p in paths if p.exists()]


def decode_limit(files: list[Path]) -> tuple[float, int]:
    """Single-thread zstd decode rate (decoded bytes/s) of ``files``, and the bytes decoded."""
    codec = numcodecs.Zstd()
    blobs = [p.read_bytes() for p in files]
    decoded = 0
    start = time.perf_counter()
    for blob in blobs:
        decoded += len(codec.decode(blob))
    return decoded / (time.perf_counter() - start), decoded


def run(item: dict, repeats: int = 3) -> list[dict]:
    import xarray as xr

    from dtolab.client.selection import positions

    results = []
    geo = Path(item["assets"]["arco-geo-series"]["href"])
    series = Path(item["assets"]["arco-time-series"]["href"])
    meta = xr.open_zarr(geo)
    for name, request in REQUESTS.items():
        smart_s, smart_ds = _timed_load(Item(item), request, repeats)
        time_s, _ = _timed_load(_only(item, "arco-geo-series"), request, repeats)
        geo_s, _ = _timed_load(_only(item, "arco-time-series"), request, repeats)
        layout = smart_ds.attrs["dtolab:layout"]
        store = geo if layout == "timeChunked" else series
        key = "arco-geo-series" if layout == "timeChunked" else "arco-time-series"
        selection = positions(meta, ["sst"], **request)
        files = _chunk_files(store, item["assets"][key]["dtolab:chunks"], {}, selection)
        rate, decoded = decode_limit(files)
        results.append(
            {
                "request": name,
                "smart_layout": layout,
                "smart_s": smart_s,
                "timeChunked_s": time_s,
                "geoChunked_s": geo_s,
                "chunks_read": smart_ds.attrs["dtolab:chunks_read"],
                "decoded_mb": decoded / 1e6,
                "decode_limit_mb_s": rate / 1e6,
                "smart_mb_s": decoded / 1e6 / smart_s,
            }
        )
    return results

"""Preview of a 1/24-degree global field: dtolab's renderer against matplotlib, in one run.

The store (derived, labelled so in its attributes): day 1 of the derived 1/12-degree SST
(``derived_sst``) interpolated bilinearly to a 1/24-degree global grid (4320 x 8640 cell centres)
plus a documented fine-scale pattern ``0.1 * sin(2 pi lon / 0.25) * cos(2 pi lat / 0.25)`` degC,
so that the finest level holds detail the coarser ones average away; written as dtolab's
multiscale pyramid (``dtolab.catalog.arco.write_pyramid``: Zarr v3, zstd, levels coarsened 2x).

Timed, warm (stores opened and renderer compiled first), each run rendering anew (no image cache):

- dtolab, file store: ``dtolab.preview.render`` of an 800 x 400 image of the whole globe from the
  level ``choose_level`` picks, including the PNG encoding;
- dtolab, over HTTP: the same, read through ``GuardedHTTPStore`` from a local HTTP server, as the
  server extension reads the embedded stack's data service;
- matplotlib: ``imshow`` of the full 4320 x 8640 array (already in memory, which favours it) on an
  800 x 400 Agg canvas with the same cmocean map, saved as PNG - the usual notebook way.

Target (issue 4): dtolab median at or below 50 ms, and at least 50x faster than matplotlib.
"""

from __future__ import annotations

import io
import json
import statistics
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import xarray as xr

from dtolab.catalog.arco import write_pyramid
from dtolab.client.assets import AssetGuard, GuardedHTTPStore
from dtolab.client.endpoints import Endpoint
from dtolab.preview import colormaps
from dtolab.preview.render import Level, Request, choose_level, render, warm_up

RECIPE = __doc__
WORLD = [-180.0, -90.0, 180.0, 90.0]


def build(target: Path, sst_store: Path) -> Path:
    """Write ``target/pyramid.zarr`` unless already there; returns target."""
    stamp = target / "recipe.json"
    if stamp.exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    day = xr.open_zarr(sst_store / "timeChunked.zarr")["sst"].isel(time=slice(0, 1)).load()
    lat = -90 + (np.arange(4320) + 0.5) / 24
    lon = -180 + (np.arange(8640) + 0.5) / 24
    fine = day.interp(lat=lat, lon=lon, method="linear")
    pattern = (
        0.1 * np.sin(2 * np.pi * lon / 0.25)[None, :] * np.cos(2 * np.pi * lat / 0.25)[:, None]
    )
    fine = (fine + pattern[None]).astype("float32")
    fine.attrs = {"standard_name": "sea_surface_temperature", "units": "degC"}
    ds = fine.to_dataset(name="sst")
    ds.attrs = {
        "title": "Derived SST at 1/24 degree (benchmark data, not observations)",
        "dtolab:derived": True,
        "dtolab:recipe": RECIPE,
    }
    levels = write_pyramid(ds, target / "pyramid.zarr")
    stamp.write_text(
        json.dumps({"levels": levels, "seconds": round(time.perf_counter() - started)})
    )
    return target


def _timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _summary(times: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(times), 1),
        "p90_ms": round(statistics.quantiles(times, n=10)[-1], 1),
        "runs": len(times),
    }


def _matplotlib_png(values: np.ndarray) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    thermal = colormaps.cmap("thermal")
    ax.imshow(values, origin="lower", cmap=thermal, extent=(-180, 180, -90, 90))
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def run(target: Path, runs: int = 30, baseline_runs: int = 5) -> dict:
    levels_doc = json.loads((target / "recipe.json").read_text())["levels"]
    levels = [Level(lv["path"], tuple(lv["shape"])) for lv in levels_doc]
    req = Request("sst", WORLD, width=800, height=400)
    level = choose_level(levels, WORLD, req)
    warm_up()

    local = xr.open_zarr(target / "pyramid.zarr", group=level.path, chunks=None)
    httpd, url = _serve(target)
    try:
        endpoint = Endpoint("bench", stac="http://unused", assets=(f"{url}/",))
        remote = xr.open_zarr(
            GuardedHTTPStore(f"{url}/pyramid.zarr", AssetGuard(endpoint)),
            group=level.path,
            consolidated=True,
            chunks=None,
        )
        for ds in (local, remote):
            render(ds, req)  # warm: metadata, page cache, connections
        file_times = _timed(lambda: render(local, req), runs)
        http_times = _timed(lambda: render(remote, req), runs)
        png = render(remote, req).png
    finally:
        httpd.shutdown()
        httpd.server_close()

    full = xr.open_zarr(target / "pyramid.zarr", group="0", chunks=None)["sst"][0].values
    _matplotlib_png(full[::8, ::8])  # warm matplotlib's imports and font cache
    mpl_times = _timed(lambda: _matplotlib_png(full), baseline_runs)

    paths = {
        f"dtolab, file store (level {level.path}, {level.shape[0]} x {level.shape[1]})": _summary(
            file_times
        ),
        "dtolab, over HTTP (GuardedHTTPStore), as the server extension reads": _summary(http_times),
        f"matplotlib imshow of the full {full.shape[0]} x {full.shape[1]} array": _summary(
            mpl_times
        ),
    }
    return {
        "shape": f"{full.shape[0]} x {full.shape[1]}",
        "level": f"{level.path} ({level.shape[0]} x {level.shape[1]})",
        "paths": paths,
        "speedup": statistics.median(mpl_times) / statistics.median(http_times),
        "png_kb": len(png) / 1024,
    }


if __name__ == "__main__":
    import os
    import tempfile

    from benchmarks import derived_sst

    bench = Path(os.environ.get("DTOLAB_BENCH_DIR", Path(tempfile.gettempdir()) / "dtolab-bench"))
    store = derived_sst.build(bench / "derived-sst")
    print(json.dumps(run(build(bench / "sst-24th", store)), indent=2))

"""Run every benchmark in one run and print Markdown for BENCHMARKS.md.

Usage: ``make bench`` (or ``.venv/bin/python benchmarks/run.py``). It starts a fresh embedded
stack, builds (once; reused later) the derived benchmark store under ``$DTOLAB_BENCH_DIR``
(default /tmp/dtolab-bench), runs each benchmark against them, and stops the stack.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import (
    derived_sst,
    drift,
    extension_overhead,
    heat_stress,
    hub_logins,
    item_listing,
    layout_choice,
    preview,
)
from dtolab.client.catalog import Catalog
from tests.stack_helpers import dtolab, new_state_dir, up


def _store_size_gb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e9


def main() -> int:
    default = Path(tempfile.gettempdir()) / "dtolab-bench"
    bench_dir = Path(os.environ.get("DTOLAB_BENCH_DIR", default))
    store = derived_sst.build(bench_dir / "derived-sst")
    state_dir = new_state_dir("dtolab-bench-")
    try:
        stack = up(state_dir)
        overhead = extension_overhead.run(stack)
        template = dict(Catalog(stack["stac"]).item("levitus-annual-so"))
        currents = drift.forcing(Catalog(stack["stac"]))
        heat = heat_stress.run(stack["stac"])
    finally:
        dtolab(state_dir, "down")
        shutil.rmtree(state_dir, ignore_errors=True)
    layouts = layout_choice.run(derived_sst.item(store))
    previews = preview.run(preview.build(bench_dir / "sst-24th", store))
    listing = item_listing.run(template)
    drifts = drift.run(currents)
    logins = hub_logins.run()  # its own hub, after the stack above has stopped

    out = print
    out(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    out(
        "\n## Zarr layout choice (derived 1/12-degree daily SST, "
        f"{_store_size_gb(store / 'timeChunked.zarr'):.2f} GB timeChunked + "
        f"{_store_size_gb(store / 'geoChunked.zarr'):.2f} GB geoChunked on disk)\n"
    )
    out(
        "| request | smart choice | smart (s) | timeChunked only (s) | geoChunked only (s) | "
        "smart vs faster | wrong vs smart | chunks read | decoded MB | decode limit (MB/s, "
        "1 thread) | smart decoded MB/s |"
    )
    out("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in layouts:
        faster = min(r["timeChunked_s"], r["geoChunked_s"])
        slower = max(r["timeChunked_s"], r["geoChunked_s"])
        out(
            f"| {r['request']} | {r['smart_layout']} | {r['smart_s']:.3f} | "
            f"{r['timeChunked_s']:.3f} | {r['geoChunked_s']:.3f} | {r['smart_s'] / faster:.2f}x | "
            f"{slower / r['smart_s']:.0f}x | {r['chunks_read']} | {r['decoded_mb']:.1f} | "
            f"{r['decode_limit_mb_s']:.0f} | {r['smart_mb_s']:.0f} |"
        )
    out("\n## Listing 10,000 items\n")
    out("| path | items/s |\n|---|---|")
    out(f"| dtolab client (dict-backed items) | {listing['client_items_per_s']:,.0f} |")
    out(f"| pystac ItemCollection.from_dict | {listing['pystac_items_per_s']:,.0f} |")
    out("\n## Server extension overhead on STAC requests\n")
    out(
        "| request | direct median (ms) | direct p90 | via extension median (ms) | via p90 | "
        "added, median (ms) | rounds |\n|---|---|---|---|---|---|---|"
    )
    for name, o in overhead.items():
        out(
            f"| {name} | {o['direct_median_ms']} | {o['direct_p90_ms']} | "
            f"{o['extension_median_ms']} | {o['extension_p90_ms']} | {o['added_median_ms']} | "
            f"{o['rounds']} |"
        )
    out(f"\n## Preview of a 1/24-degree global field ({previews['shape']}, derived)\n")
    out("| path | median (ms) | p90 (ms) | runs |\n|---|---|---|---|")
    for name, p in previews["paths"].items():
        out(f"| {name} | {p['median_ms']} | {p['p90_ms']} | {p['runs']} |")
    out(
        f"\ndtolab preview (over HTTP, no image cache) vs matplotlib on the full array: "
        f"{previews['speedup']:.0f}x faster; level read: {previews['level']}; "
        f"PNG {previews['png_kb']:.0f} KB."
    )
    out("\n".join(drift.markdown(drifts)))
    out("\n".join(heat_stress.markdown(heat)))
    out(f"\n## Hub: {logins['users']} users log in at once\n")
    out(hub_logins.markdown(logins))
    return 0


if __name__ == "__main__":
    sys.exit(main())

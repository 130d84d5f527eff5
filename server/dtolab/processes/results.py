"""A finished job's outputs on disk and as a STAC item in ``dtolab-scenario-results``.

Each job gets a folder ``<output_dir>/<job id>/`` with ``result.zarr`` (every output variable
with a ``case`` dimension, baseline then scenario, so ``ds.sel(case="scenario") -
ds.sel(case="baseline")`` is the change) and ``summary.json``. The item names the process and its
version, the inputs, the job, the baseline/scenario pair, and links to the items read.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from psycopg.types.json import Jsonb

from ..catalog import arco
from ..catalog.stac import ZARR, cube_dimensions
from .base import CASES, Outcome, ScenarioProcessor

COLLECTION = "dtolab-scenario-results"


def write(folder: Path, outcome: Outcome) -> dict[str, Any]:
    """Write ``result.zarr`` and ``summary.json`` into ``folder``; returns the summary."""
    folder.mkdir(parents=True, exist_ok=True)
    ds = outcome.dataset
    arco.write(ds, folder / "result.zarr", {dim: min(size, 512) for dim, size in ds.sizes.items()})
    (folder / "summary.json").write_text(json.dumps(outcome.summary, indent=2, default=_plain))
    return json.loads(json.dumps(outcome.summary, default=_plain))


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def collection() -> dict[str, Any]:
    return {
        "type": "Collection",
        "stac_version": "1.1.0",
        "stac_extensions": [],
        "id": COLLECTION,
        "title": "What-if scenario results",
        "description": "Outputs of dtolab's what-if processes (coral heat stress, drift, sea-level "
        "rise), each with its baseline and scenario, the process, its inputs and the job.",
        "keywords": ["what-if", "scenario", "digital twin", "dtolab"],
        "license": "other",
        "providers": [{"name": "dtolab", "roles": ["processor", "host"]}],
        "extent": {
            "spatial": {"bbox": [[-180.0, -90.0, 180.0, 90.0]]},
            "temporal": {"interval": [[None, None]]},
        },
        "links": [],
    }


def item(
    *,
    job_id: str,
    processor: ScenarioProcessor,
    inputs: dict[str, Any],
    outcome: Outcome,
    data_url: str,
    stac_url: str,
) -> dict[str, Any]:
    """The STAC item of a finished job (hrefs below ``data_url``, the job's served folder)."""
    meta = processor.metadata
    west, south, east, north = outcome.bbox
    start, end = outcome.interval
    ds = outcome.dataset
    variables = {
        name: {
            "type": "data",
            "dimensions": list(var.dims),
            "unit": var.attrs.get("units", ""),
            "description": var.attrs.get("long_name", name),
        }
        for name, var in ds.data_vars.items()
    }
    dims = cube_dimensions(ds)
    dims["case"] = {"type": "other", "values": list(CASES)}
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    links = [
        {
            "rel": "derived_from",
            "href": f"{stac_url}/collections/{src.collection}/items/{src.id}",
            "type": "application/geo+json",
            "title": src.properties.get("title", src.id),
        }
        for src in outcome.sources
    ]
    return {
        "type": "Feature",
        "stac_version": "1.1.0",
        "stac_extensions": ["https://stac-extensions.github.io/datacube/v2.2.0/schema.json"],
        "id": f"{meta['id']}-{job_id}",
        "collection": COLLECTION,
        "bbox": [west, south, east, north],
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[west, south], [east, south], [east, north], [west, north], [west, south]]
            ],
        },
        "properties": {
            "title": f"{meta['title']}: baseline and scenario (job {job_id[:8]})",
            "description": meta["description"],
            "datetime": start,
            "start_datetime": start,
            "end_datetime": end,
            "created": now,
            "license": "other",
            "keywords": [*meta.get("keywords", []), "what-if", "scenario"],
            "cube:dimensions": dims,
            "cube:variables": variables,
            "dtolab:process": {"id": meta["id"], "version": meta["version"]},
            "dtolab:inputs": inputs,
            "dtolab:job_id": job_id,
            "dtolab:cases": list(CASES),
            "dtolab:summary": json.loads(json.dumps(outcome.summary, default=_plain)),
        },
        "assets": {
            "zarr": {
                "href": f"{data_url}/result.zarr",
                "type": ZARR,
                "roles": ["data"],
                "title": "Outputs, baseline and scenario along the 'case' dimension",
            },
            "summary": {
                "href": f"{data_url}/summary.json",
                "type": "application/json",
                "roles": ["metadata"],
                "title": "Summary (areas, fractions, maxima) of baseline and scenario",
            },
        },
        "links": links,
    }


def outputs_document(doc: dict[str, Any], summary: dict[str, Any], stac_url: str) -> dict:
    """The job's results: the summary by value, the Zarr and the item by reference."""
    return {
        "summary": summary,
        "result": {"href": doc["assets"]["zarr"]["href"], "type": ZARR},
        "item": {
            "href": f"{stac_url}/collections/{COLLECTION}/items/{doc['id']}",
            "type": "application/geo+json",
            "id": doc["id"],
        },
    }


def register(conn: psycopg.Connection, doc: dict[str, Any]) -> None:
    """Upsert the results collection (first time) and ``doc`` with pgstac's functions."""
    conn.execute("SET search_path TO pgstac, public")  # pgstac's functions expect it
    exists = conn.execute("SELECT 1 FROM pgstac.collections WHERE id = %s", [COLLECTION]).fetchone()
    if not exists:
        conn.execute("SELECT pgstac.upsert_collection(%s)", [Jsonb(collection())])
    conn.execute("SELECT pgstac.upsert_item(%s)", [Jsonb(doc)])


def unregister(conn: psycopg.Connection, item_id: str) -> None:
    conn.execute("SET search_path TO pgstac, public")
    conn.execute("SELECT pgstac.delete_item(%s, %s)", [item_id, COLLECTION])

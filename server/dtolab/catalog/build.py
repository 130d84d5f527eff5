"""Builds the demo catalogue into a folder and loads it into pgstac.

The folder holds the Zarr stores (served by the stack's data service) and ``catalog.json``, the
STAC documents with asset hrefs relative to the data service. Loading turns them into absolute
URLs, so the catalogue survives a change of port; items are upserted, so loading twice is harmless.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from .. import __version__
from . import bathymetry

log = logging.getLogger(__name__)

INDEX = "catalog.json"


def build(target: Path, force: bool = False) -> Path:
    """Write every product under ``target`` (skipped when built by this version already)."""
    target.mkdir(parents=True, exist_ok=True)
    index_path = target / INDEX
    if index_path.exists() and not force:
        index = json.loads(index_path.read_text())
        if index.get("dtolab_version") == __version__:
            log.info("catalogue in %s is up to date", target)
            return index_path
    ds = bathymetry.load_etopo5()
    bathymetry.write_store(ds, target / bathymetry.STORE)
    collection, item = bathymetry.stac_documents(ds, bathymetry.STORE)
    index = {"dtolab_version": __version__, "collections": [collection], "items": [item]}
    tmp = index_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(index))
    tmp.replace(index_path)  # atomic: a half-built catalogue is never taken as done
    log.info("catalogue built in %s", target)
    return index_path


def resolved(index_path: Path, data_url: str) -> dict[str, list[dict[str, Any]]]:
    """The catalogue's documents with asset hrefs made absolute below ``data_url``."""
    index = json.loads(index_path.read_text())
    for item in index["items"]:
        for asset in item["assets"].values():
            if "://" not in asset["href"]:
                asset["href"] = f"{data_url.rstrip('/')}/{asset['href']}"
    return {"collections": index["collections"], "items": index["items"]}


def load(index_path: Path, dsn: str, data_url: str) -> int:
    """Upsert the catalogue into the pgstac database at ``dsn``; returns the number of items."""
    from pypgstac.db import PgstacDB
    from pypgstac.load import Loader, Methods

    docs = resolved(index_path, data_url)
    with PgstacDB(dsn=dsn) as db:
        loader = Loader(db=db)
        loader.load_collections(iter(docs["collections"]), insert_mode=Methods.upsert)
        loader.load_items(iter(docs["items"]), insert_mode=Methods.upsert)
    return len(docs["items"])

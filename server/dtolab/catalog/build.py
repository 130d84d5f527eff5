"""Builds the demo catalogue into a folder and loads it into pgstac.

The folder holds the Zarr stores and NetCDF files (served by the stack's data service) and
``catalog.json``, the STAC documents with asset hrefs relative to the data service. Loading turns
them into absolute URLs, so the catalogue survives a change of port; items are upserted, so
loading twice is harmless.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any

from .. import __version__
from . import arco, bathymetry, netcdf, stac, thumbnail
from .products import PRODUCTS, Product

log = logging.getLogger(__name__)

INDEX = "catalog.json"


def builder_fingerprint() -> str:
    """A hash of the catalogue builder's code: a catalogue built by other code is rebuilt, so a
    state directory never serves documents an older dtolab wrote."""
    digest = hashlib.sha256(__version__.encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def netcdf_attrs(product: Product) -> dict[str, str]:
    """Global attributes of a product's NetCDF files (CF 2.6.2 and ACDD names)."""
    return {
        "title": product.title,
        "summary": product.description,
        "source": product.provenance["original"],
        "references": f"{product.provenance['package']}: {product.provenance['file']}",
        "license": product.licence,
    }


def build_product(product: Product, target: Path) -> list[dict[str, Any]]:
    """Write one product's stores (thumbnails and NetCDF files too, when gridded) under
    ``target``; return its STAC items."""
    ds = product.reader()
    folder = target / product.id
    if product.kind == "gridded":
        ds = arco.canonical(ds).load()  # read once: stores, thumbnails and NetCDF use it
        written = arco.write_all(ds, folder)
        written["netcdf"] = {}
    else:
        written = {"insitu": arco.write_insitu(ds, folder)}
    items = []
    for variable in ds.data_vars:
        if product.kind == "gridded":
            var = ds[variable]
            first = var.isel({d: 0 for d in var.dims if d not in ("lat", "lon")})
            thumbnail.write(first.values, folder / f"{variable}.png")
            path = netcdf.write(ds, str(variable), folder / f"{variable}.nc", netcdf_attrs(product))
            written["netcdf"][variable] = {"path": path.name}
        items.append(stac.item(product, ds, str(variable), written))
    return items


def build(target: Path, force: bool = False) -> Path:
    """Write every product under ``target`` (skipped when this builder's code built it already)."""
    target.mkdir(parents=True, exist_ok=True)
    index_path = target / INDEX
    if index_path.exists() and not force:
        index = json.loads(index_path.read_text())
        if index.get("builder") == builder_fingerprint():
            log.info("catalogue in %s is up to date", target)
            return index_path
    started = time.perf_counter()
    ds = bathymetry.load_etopo5()
    bathymetry.write_store(ds, target / bathymetry.STORE)
    levels = arco.write_pyramid(ds, target / bathymetry.PYRAMID)
    netcdf.write(ds, "elevation", target / bathymetry.NETCDF, bathymetry.netcdf_attrs())
    bathy_collection, bathy_item = bathymetry.stac_documents(
        ds, bathymetry.STORE, (bathymetry.PYRAMID, levels), bathymetry.NETCDF
    )
    items = [bathy_item]
    for product in PRODUCTS:
        items.extend(build_product(product, target))
    collections = [bathy_collection, *stac.collections_for(items[1:])]
    index = {
        "dtolab_version": __version__,
        "builder": builder_fingerprint(),
        "collections": collections,
        "items": items,
    }
    tmp = index_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(index))
    tmp.replace(index_path)  # atomic: a half-built catalogue is never taken as done
    log.info(
        "catalogue built in %s: %d collections, %d items (%.1f s)",
        target,
        len(collections),
        len(items),
        time.perf_counter() - started,
    )
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

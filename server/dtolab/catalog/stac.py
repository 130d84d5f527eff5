"""STAC documents for the demo catalogue, following EDITO's conventions (shared/EDITO.md).

Collections are one per CF standard name (``climate_forecast-<standard_name>``); items one per
product and variable; gridded items carry ``arco-geo-series`` (-> timeChunked.zarr, for maps),
``arco-time-series`` (-> geoChunked.zarr, for time series), ``pyramid``, ``thumbnail`` and
``netcdf`` (the variable as one NetCDF-4 file, for readers without Zarr v3) assets, each Zarr
asset with its chunk shape (``dtolab:chunks``) so clients can pick a layout without opening the
store. Hrefs are relative to the data service; ``build.resolved`` makes them absolute.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from . import netcdf
from .arco import data_extent, pyramid_asset
from .products import Product

ZARR = "application/vnd+zarr"
#: EDITO's asset keys for the two layouts (note the crossing: geo-series -> timeChunked).
LAYOUT_ASSETS = (
    ("arco-geo-series", "timeChunked", "Time-chunked Zarr: one time step per chunk (maps)"),
    ("arco-time-series", "geoChunked", "Geo-chunked Zarr: whole time series of small tiles"),
)
EXTENSIONS = [
    "https://stac-extensions.github.io/datacube/v2.2.0/schema.json",
    "https://stac-extensions.github.io/cf/v0.2.0/schema.json",
]


def _iso(value: Any) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def _step(values: np.ndarray) -> float | None:
    diffs = np.unique(np.round(np.diff(values), 6))
    return float(diffs[0]) if diffs.size == 1 else None


def cube_dimensions(ds: xr.Dataset) -> dict[str, dict[str, Any]]:
    """datacube ``cube:dimensions`` of a gridded or in-situ dataset."""
    dims: dict[str, dict[str, Any]] = {}
    for name in ds.dims:
        if name in ("lon", "lat") and name in ds.coords and ds[name].ndim == 1:
            values = ds[name].values
            dims[name] = {
                "type": "spatial",
                "axis": "x" if name == "lon" else "y",
                "extent": data_extent(values),
                "step": _step(values),
                "reference_system": 4326,
            }
        elif name == "time" and name in ds.coords:
            values = ds[name].values
            dims[name] = {"type": "temporal", "extent": [_iso(values.min()), _iso(values.max())]}
        elif name == "month":
            dims[name] = {
                "type": "temporal",
                "values": [int(v) for v in ds[name].values],
                "description": "climatological month (1-12)",
            }
        elif name == "depth":
            dims[name] = {
                "type": "spatial",
                "axis": "z",
                "unit": "m",
                "values": [float(v) for v in ds[name].values],
            }
        elif name == "lev":
            dims[name] = {
                "type": "other",
                "values": [int(v) for v in ds[name].values],
                "description": ds[name].attrs.get("long_name", "model level"),
            }
        else:
            dims[str(name)] = {
                "type": "other",
                "extent": [0, int(ds.sizes[name]) - 1],
                "description": f"{name} index",
            }
    return dims


def bbox_of(ds: xr.Dataset) -> list[float]:
    lon, lat = ds["lon"].values, ds["lat"].values
    if ds["lon"].ndim == 1 and "lon" in ds.dims and lon.size > 1:
        half_x, half_y = abs(_step(lon) or 0) / 2, abs(_step(lat) or 0) / 2
    else:
        half_x = half_y = 0.0
    west, east = data_extent(np.atleast_1d(lon))
    south, north = data_extent(np.atleast_1d(lat))
    return [
        max(-180.0, round(west - half_x, 6)),
        max(-90.0, round(south - half_y, 6)),
        min(180.0, round(east + half_x, 6)),
        min(90.0, round(north + half_y, 6)),
    ]


def _interval(product: Product, ds: xr.Dataset) -> tuple[str, str]:
    if product.interval is not None:
        return product.interval
    times = ds["time"].values
    return _iso(times.min()), _iso(times.max())


def item(product: Product, ds: xr.Dataset, variable: str, written: dict[str, Any]) -> dict:
    """The STAC item of ``variable`` of ``product``; ``written`` says where its stores are."""
    var = ds[variable]
    standard_name = var.attrs["standard_name"]
    west, south, east, north = bbox_of(ds)
    start, end = _interval(product, ds)
    folder = product.id
    assets: dict[str, dict[str, Any]] = {}
    if product.kind == "gridded":
        for key, layout, title in LAYOUT_ASSETS:
            assets[key] = {
                "href": f"{folder}/{written[layout]['path']}",
                "type": ZARR,
                "roles": ["data"],
                "title": title,
                "dtolab:layout": layout,
                "dtolab:chunks": written[layout]["chunks"],
            }
        assets["pyramid"] = pyramid_asset(
            f"{folder}/{written['pyramid']['path']}", written["pyramid"]["levels"]
        )
        assets["thumbnail"] = {
            "href": f"{folder}/{variable}.png",
            "type": "image/png",
            "roles": ["thumbnail"],
            "title": f"{var.attrs['long_name']}: first time step, surface",
        }
        assets["netcdf"] = netcdf.asset(f"{folder}/{written['netcdf'][variable]['path']}")
    else:
        assets["zarr"] = {
            "href": f"{folder}/{written['insitu']['path']}",
            "type": ZARR,
            "roles": ["data"],
            "title": "Zarr store",
            "dtolab:chunks": written["insitu"]["chunks"],
        }
    dims = cube_dimensions(ds)
    properties: dict[str, Any] = {
        "title": f"{product.title}: {var.attrs['long_name'].lower()}",
        "description": product.description,
        # STAC Item spec (datetime field): `datetime` may be null when start_datetime and
        # end_datetime are given, but both may be given too; we give the nominal instant,
        # start_datetime, because pgstac drops a null `datetime` from the Items it serves
        # (stac-utils/pgstac#158) and the Item schema then rejects them. Searches still match
        # the whole range: pgstac indexes start_datetime/end_datetime when both are present.
        "datetime": start,
        "start_datetime": start,
        "end_datetime": end,
        "license": "other",
        "keywords": [*product.keywords, standard_name.replace("_", " ")],
        "cube:dimensions": dims,
        "cube:variables": {
            variable: {
                "type": "data",
                "dimensions": list(var.dims),
                "unit": var.attrs["units"],
                "description": var.attrs["long_name"],
                "standard_name": standard_name,
            }
        },
        "cf:parameter": [{"name": standard_name, "unit": var.attrs["units"]}],
        "dtolab:product": product.id,
        "dtolab:variable": variable,
        "dtolab:provenance": {**product.provenance, "licence": product.licence},
    }
    if any(d in ds.dims for d in ("month",)):
        properties["dtolab:climatology"] = "monthly"
    return {
        "type": "Feature",
        "stac_version": "1.1.0",
        "stac_extensions": EXTENSIONS,
        "id": f"{product.id}-{variable}",
        "collection": f"climate_forecast-{standard_name}",
        "bbox": [west, south, east, north],
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[west, south], [east, south], [east, north], [west, north], [west, south]]
            ],
        },
        "properties": properties,
        "assets": assets,
        "links": [dict(link) for link in product.links],
    }


def collections_for(items: list[dict]) -> list[dict]:
    """One collection per CF standard name, with the union of its items' extents."""
    grouped: dict[str, list[dict]] = {}
    for doc in items:
        grouped.setdefault(doc["collection"], []).append(doc)
    collections = []
    for cid, members in sorted(grouped.items()):
        standard_name = cid.removeprefix("climate_forecast-")
        boxes = np.array([m["bbox"] for m in members])
        starts = sorted(m["properties"]["start_datetime"] for m in members)
        ends = sorted(m["properties"]["end_datetime"] for m in members)
        human = standard_name.replace("_", " ")
        collections.append(
            {
                "type": "Collection",
                "stac_version": "1.1.0",
                "stac_extensions": [],
                "id": cid,
                "title": human.capitalize(),
                "description": f"Every product of the catalogue whose variable has the CF standard "
                f"name '{standard_name}' ({human}).",
                "keywords": [human, "climate and forecast"],
                "license": "other",
                "providers": [{"name": "dtolab", "roles": ["processor", "host"]}],
                "extent": {
                    "spatial": {
                        "bbox": [
                            [
                                float(boxes[:, 0].min()),
                                float(boxes[:, 1].min()),
                                float(boxes[:, 2].max()),
                                float(boxes[:, 3].max()),
                            ]
                        ]
                    },
                    "temporal": {"interval": [[starts[0], ends[-1]]]},
                },
                "summaries": {
                    "dtolab:product": sorted(m["properties"]["dtolab:product"] for m in members)
                },
                "links": [],
            }
        )
    return collections

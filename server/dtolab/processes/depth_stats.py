"""Depth statistics of a bounding box on a bathymetry grid.

Method: area-weighted statistics on a regular latitude-longitude grid, each cell weighted by its
spherical area ``R^2 * dlon * (sin(lat_n) - sin(lat_s))`` (R = 6371.0088 km, the IUGG mean Earth
radius). Ocean cells are those with elevation below 0 m. The bathymetry is read from a STAC item
of the configured catalogue (by default ETOPO5 in ``emodnet-bathymetry``).
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import xarray as xr
from pygeoapi.process.base import BaseProcessor, ProcessorExecuteError

from ..client.catalog import Catalog, open_item
from ..errors import DtolabError, InvalidInput, NotFound

log = logging.getLogger(__name__)

EARTH_RADIUS_KM = 6371.0088
#: Largest box accepted, in cells, so that a request cannot pull the whole globe at full resolution.
MAX_CELLS = 4_000_000

PROCESS_METADATA: dict[str, Any] = {
    "version": "1.0.0",
    "id": "depth-statistics",
    "title": "Depth statistics of a region",
    "description": (
        "Area-weighted depth statistics (minimum, maximum, mean, ocean area and fraction) of a "
        "bounding box, computed on the bathymetry item of the catalogue (ETOPO5 by default). "
        "Cells are weighted by their spherical area; ocean cells are those below 0 m."
    ),
    "jobControlOptions": ["sync-execute", "async-execute"],
    "keywords": ["bathymetry", "depth", "statistics", "ETOPO5"],
    "links": [
        {
            "type": "text/html",
            "rel": "about",
            "title": "ETOPO5 (NOAA NCEI)",
            "href": "https://www.ngdc.noaa.gov/mgg/global/etopo5.HTML",
            "hreflang": "en-US",
        }
    ],
    "inputs": {
        "bbox": {
            "title": "Bounding box",
            "description": "west, south, east, north in degrees (WGS 84). Default: the Bay of "
            "Biscay [-10, 43, -1, 48].",
            "schema": {
                "type": "array",
                "items": {"type": "number"},
                "minItems": 4,
                "maxItems": 4,
                "default": [-10, 43, -1, 48],
            },
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "item": {
            "title": "Bathymetry item",
            "description": "STAC item id in the collection 'emodnet-bathymetry'. Default: etopo5.",
            "schema": {"type": "string", "default": "etopo5"},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
    },
    "outputs": {
        "statistics": {
            "title": "Depth statistics",
            "description": "min/max/mean depth (m, positive down, ocean cells only), ocean area "
            "(km2), ocean fraction (0-1), cell count and source item.",
            "schema": {"type": "object", "contentMediaType": "application/json"},
        }
    },
    "example": {"inputs": {"bbox": [-10, 43, -1, 48]}},
}


def check_box(value: object) -> tuple[float, float, float, float]:
    """A west,south,east,north box (west < east: boxes crossing 180 degrees are not supported)."""
    if not isinstance(value, (list, tuple)) or len(value) != 4:
        raise InvalidInput("bbox", "must be a list of 4 numbers: west, south, east, north")
    try:
        west, south, east, north = (float(v) for v in value)
    except (TypeError, ValueError):
        raise InvalidInput("bbox", "must hold numbers only") from None
    if not (-180 <= west < east <= 180):
        raise InvalidInput("bbox", "needs -180 <= west < east <= 180")
    if not (-90 <= south < north <= 90):
        raise InvalidInput("bbox", "needs -90 <= south < north <= 90")
    return west, south, east, north


def cell_areas_km2(lat: np.ndarray, dlon: float, dlat: float) -> np.ndarray:
    """Spherical area of grid cells centred on ``lat`` (degrees), ``dlon`` x ``dlat`` degrees."""
    north = np.radians(np.clip(lat + dlat / 2, -90, 90))
    south = np.radians(np.clip(lat - dlat / 2, -90, 90))
    return EARTH_RADIUS_KM**2 * math.radians(dlon) * (np.sin(north) - np.sin(south))


def depth_statistics(elevation: xr.DataArray, bbox: tuple[float, float, float, float]) -> dict:
    """Area-weighted statistics of ``elevation`` (m, ocean negative, dims lat/lon) in ``bbox``."""
    west, south, east, north = bbox
    box = elevation.sel(lon=slice(west, east), lat=slice(south, north))
    if box.size == 0:
        raise InvalidInput("bbox", "contains no grid cell")
    if box.size > MAX_CELLS:
        raise InvalidInput("bbox", f"covers {box.size} cells; the limit is {MAX_CELLS}")
    values = box.values.astype("float64")
    lat = box["lat"].values
    dlon = float(abs(elevation["lon"][1] - elevation["lon"][0]))
    dlat = float(abs(elevation["lat"][1] - elevation["lat"][0]))
    area = np.broadcast_to(cell_areas_km2(lat, dlon, dlat)[:, None], values.shape)
    ocean = np.isfinite(values) & (values < 0)
    ocean_area = float(area[ocean].sum())
    total_area = float(area[np.isfinite(values)].sum())
    depth = -values[ocean]
    result = {
        "bbox": [west, south, east, north],
        "cells": int(values.size),
        "ocean_cells": int(ocean.sum()),
        "ocean_area_km2": round(ocean_area, 1),
        "ocean_fraction": round(ocean_area / total_area, 4) if total_area else 0.0,
        "min_depth_m": None,
        "max_depth_m": None,
        "mean_depth_m": None,
    }
    if ocean.any():
        result["min_depth_m"] = float(depth.min())
        result["max_depth_m"] = float(depth.max())
        result["mean_depth_m"] = round(float((depth * area[ocean]).sum() / ocean_area), 1)
    return result


class DepthStatisticsProcessor(BaseProcessor):
    """pygeoapi plugin: ``processor: {name: dtolab.processes.depth_stats.DepthStatisticsProcessor,
    stac_url: http://...}``; ``stac_url`` is the catalogue the bathymetry item is read from."""

    def __init__(self, processor_def: dict) -> None:
        super().__init__(processor_def, PROCESS_METADATA)
        self.stac_url = processor_def["stac_url"]

    def open_elevation(self, item_id: str) -> tuple[xr.DataArray, str]:
        """The item's elevation grid (lazy), read with dtolab's own catalogue client."""
        catalog = Catalog(self.stac_url)
        try:
            item = catalog.item(item_id, collection="emodnet-bathymetry")
        except NotFound as err:
            raise NotFound(f"item: no bathymetry item {item_id!r}") from err
        finally:
            catalog.close()
        ds = open_item(item, variables=["elevation"])
        return ds["elevation"], ds.attrs["dtolab:href"]

    def execute(self, data: dict, outputs: dict | None = None) -> tuple[str, dict]:
        try:
            bbox = check_box(data.get("bbox", [-10, 43, -1, 48]))
            item_id = data.get("item") or "etopo5"
            if not isinstance(item_id, str):
                raise InvalidInput("item", "must be a string")
            elevation, href = self.open_elevation(item_id)
            result = depth_statistics(elevation, bbox)
        except DtolabError as err:
            raise ProcessorExecuteError(err.message) from err
        result["source"] = {"item": item_id, "href": href}
        return "application/json", {"id": "statistics", "value": result}

    def __repr__(self) -> str:
        return f"<DepthStatisticsProcessor> {self.stac_url}"

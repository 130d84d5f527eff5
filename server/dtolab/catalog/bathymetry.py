"""ETOPO5 bathymetry (Debian's ferret-datasets) as a Zarr store, a NetCDF file and a STAC
collection + item."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from . import arco, netcdf

ETOPO5 = Path("/usr/share/ferret-vis/data/etopo5.cdf")
COLLECTION = "emodnet-bathymetry"
ITEM = "etopo5"
STORE = "etopo5.zarr"
PYRAMID = "etopo5-pyramid.zarr"
NETCDF = "etopo5.nc"
#: Square tiles of 540 cells (45 degrees): 20 chunks cover the globe, each ~0.6 MB compressed.
TILE = 540

PROVENANCE = {
    "package": "ferret-datasets (Debian)",
    "file": str(ETOPO5),
    "original": "NOAA NGDC ETOPO5 5-minute gridded elevation (1988), via IRI/LDEO worldbath.nc",
    "licence": "public domain (US Government work)",
}


def load_etopo5(path: Path = ETOPO5) -> xr.Dataset:
    """ETOPO5 as a CF dataset: ``elevation`` (m, ocean negative) on lat/lon, lon -180..180."""
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: install Debian's ferret-datasets (apt-get install ferret-datasets)"
        )
    raw = xr.open_dataset(path, decode_times=False)
    ds = raw.rename({"ETOPO05_X": "lon", "ETOPO05_Y": "lat", "ROSE": "elevation"})
    ds = ds.assign_coords(lon=((ds["lon"] + 180) % 360) - 180).sortby("lon")
    ds["elevation"] = ds["elevation"].astype("float32")
    ds["elevation"].attrs = {
        "standard_name": "height_above_mean_sea_level",
        "long_name": "Relief of the surface of the Earth (ocean negative)",
        "units": "m",
    }
    ds["lon"].attrs = {"standard_name": "longitude", "units": "degrees_east", "axis": "X"}
    ds["lat"].attrs = {"standard_name": "latitude", "units": "degrees_north", "axis": "Y"}
    ds.attrs = {
        "title": "ETOPO5 global relief, 5 arc-minute",
        "source": PROVENANCE["original"],
        "history": raw.attrs.get("history", ""),
        "Conventions": "CF-1.8",
    }
    return ds


def netcdf_attrs() -> dict[str, str]:
    """Global attributes of the NetCDF copy (``title``, ``source`` come with the dataset)."""
    return {
        "references": f"{PROVENANCE['package']}: {PROVENANCE['file']}",
        "license": PROVENANCE["licence"],
    }


def write_store(ds: xr.Dataset, target: Path) -> Path:
    """Write ``ds`` as Zarr v3 (consolidated, zstd) in square tiles of TILE cells."""
    arco.write(ds, target, {"lat": TILE, "lon": TILE})
    return target


def stac_documents(
    ds: xr.Dataset,
    href: str,
    pyramid: tuple[str, list[dict[str, object]]] | None = None,
    netcdf_href: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The STAC collection and item describing the store at ``href`` (and its pyramid and
    NetCDF copy)."""
    lon = ds["lon"].values
    lat = ds["lat"].values
    step = float(np.round(lon[1] - lon[0], 6))
    bbox = [-180.0, -90.0, 180.0, 90.0]
    elev = ds["elevation"]
    cube_dimensions = {
        "lon": {
            "type": "spatial",
            "axis": "x",
            "extent": [float(lon[0]), float(lon[-1])],
            "step": step,
            "reference_system": 4326,
        },
        "lat": {
            "type": "spatial",
            "axis": "y",
            "extent": [float(lat[0]), float(lat[-1])],
            "step": step,
            "reference_system": 4326,
        },
    }
    cube_variables = {
        "elevation": {
            "type": "data",
            "dimensions": ["lat", "lon"],
            "unit": "m",
            "description": elev.attrs["long_name"],
            "standard_name": elev.attrs["standard_name"],
        }
    }
    extensions = [
        "https://stac-extensions.github.io/datacube/v2.2.0/schema.json",
        "https://stac-extensions.github.io/projection/v2.0.0/schema.json",
    ]
    providers = [
        {
            "name": "NOAA National Geophysical Data Center",
            "roles": ["producer", "licensor"],
            "url": "https://www.ngdc.noaa.gov/mgg/global/etopo5.HTML",
        },
        {"name": "dtolab", "roles": ["processor", "host"]},
    ]
    collection = {
        "type": "Collection",
        "stac_version": "1.1.0",
        "stac_extensions": extensions[:1],
        "id": COLLECTION,
        "title": "Bathymetry and topography",
        "description": "Global relief of the Earth's surface, ocean depths negative. ETOPO5 "
        "(NOAA NGDC, 5 arc-minute), shipped by Debian's ferret-datasets.",
        "keywords": ["bathymetry", "topography", "elevation", "depth", "ETOPO5"],
        "license": "other",
        "providers": providers,
        "extent": {
            "spatial": {"bbox": [bbox]},
            "temporal": {"interval": [["1988-01-01T00:00:00Z", "1988-12-31T23:59:59Z"]]},
        },
        "cube:dimensions": cube_dimensions,
        "cube:variables": cube_variables,
        "summaries": {"dtolab:provenance": [PROVENANCE]},
        "links": [
            {
                "rel": "license",
                "href": "https://www.ngdc.noaa.gov/mgg/global/etopo5.HTML",
                "type": "text/html",
                "title": "Public domain (US Government work)",
            },
        ],
    }
    item = {
        "type": "Feature",
        "stac_version": "1.1.0",
        "stac_extensions": extensions,
        "id": ITEM,
        "collection": COLLECTION,
        "bbox": bbox,
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]]],
        },
        "properties": {
            "title": "ETOPO5 global relief (5 arc-minute)",
            "description": "Elevation of land and depth of the ocean floor, m (ocean negative).",
            # Nominal instant = start_datetime, alongside the range (STAC Item spec allows both;
            # a null `datetime` is dropped by pgstac, see catalog.stac.item).
            "datetime": "1988-01-01T00:00:00Z",
            "start_datetime": "1988-01-01T00:00:00Z",
            "end_datetime": "1988-12-31T23:59:59Z",
            "license": "other",
            "proj:code": "EPSG:4326",
            "proj:shape": [int(lat.size), int(lon.size)],
            "cube:dimensions": cube_dimensions,
            "cube:variables": cube_variables,
            "dtolab:provenance": PROVENANCE,
            "dtolab:chunks": {"elevation": [TILE, TILE]},
        },
        "assets": {
            "zarr": {
                "href": href,
                "type": "application/vnd+zarr",
                "title": "ETOPO5 relief as Zarr v3 (45-degree tiles)",
                "roles": ["data"],
            }
        },
        "links": [],
    }
    if pyramid is not None:
        item["assets"]["pyramid"] = arco.pyramid_asset(*pyramid)
    if netcdf_href is not None:
        item["assets"]["netcdf"] = netcdf.asset(netcdf_href)
    return collection, item

"""NetCDF-4 copies of the gridded items, for readers without Zarr v3.

R's ncdf4 and RNetCDF, GDAL as Debian 12 ships it (3.6), Panoply and Ferret read NetCDF but
not the Zarr v3 stores of :mod:`dtolab.catalog.arco`. Each variable of a gridded
product gets one file, ``<variable>.nc``: the variable and its coordinates with their CF
attributes, deflate-compressed in chunks of one map per time step and level (the timeChunked tile),
so a reader asking for one map decompresses only that map.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xarray as xr

from .. import __version__
from .arco import layout_chunks

MEDIA_TYPE = "application/x-netcdf"
#: R's ncdf4 returns times as stored: days since 1950 (the reference of CMEMS and Argo) become
#: dates with ``as.Date(t, origin = "1950-01-01")``.
TIME_ENCODING = {"units": "days since 1950-01-01", "calendar": "standard", "dtype": "f8"}
#: Deflate level 1 with the shuffle filter: on the demo catalogue levels 4-6 save 2-5 % of
#: the bytes for 20-80 % more writing time.
COMPRESSION = {"zlib": True, "complevel": 1, "shuffle": True}


def write(ds: xr.Dataset, variable: str, path: Path, attrs: dict[str, str]) -> Path:
    """Write ``variable`` of ``ds`` (with its coordinates) to ``path`` as NetCDF-4.

    ``attrs`` are global attributes (title, source, license...) on top of those of ``ds``;
    ``Conventions`` is set and a line added to ``history`` here.
    """
    one = ds[[variable]]
    chunks = layout_chunks(one, "timeChunked")
    encoding: dict[str, dict[str, Any]] = {
        variable: {**COMPRESSION, "chunksizes": tuple(chunks[d] for d in one[variable].dims)}
    }
    # CF 2.5.1: coordinate variables hold no missing values, so they get no _FillValue.
    encoding.update({name: {"_FillValue": None} for name in one.coords})
    if "time" in one.coords:
        encoding["time"].update(TIME_ENCODING)
    history = f"written by dtolab {__version__} (demo catalogue)"
    if one.attrs.get("history"):  # newest line first, as NCO writes it
        history = f"{history}\n{one.attrs['history']}"
    one = one.assign_attrs({**attrs, "Conventions": "CF-1.8", "history": history})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".nc.tmp")
    one.to_netcdf(tmp, engine="netcdf4", format="NETCDF4", encoding=encoding)
    tmp.replace(path)  # a reader never meets a half-written file
    return path


def asset(href: str) -> dict[str, Any]:
    """The STAC asset of a file written by :func:`write`."""
    return {
        "href": href,
        "type": MEDIA_TYPE,
        "roles": ["data"],
        "title": "NetCDF-4 file (CF-1.8), the whole variable",
        "description": "The variable and its coordinates in one deflate-compressed NetCDF-4 "
        "file with CF attributes, chunked one map per time step and level: for tools that "
        "do not read Zarr v3 (R's ncdf4 or RNetCDF, older GDAL, Panoply).",
    }

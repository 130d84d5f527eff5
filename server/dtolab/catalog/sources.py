"""Readers of the real data that installs offline (shared/DATA.md), each returning a CF dataset.

Gridded products come out with dimensions among ``time``/``month``, ``depth``/``lev``, ``lat``,
``lon`` (longitudes -180..180, ascending), land and missing values as NaN, and CF attributes.
In-situ products come out on an ``obs`` (or ``profile`` x ``level``) dimension.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

FERRET = Path("/usr/share/ferret-vis/data")
FERRET_HINT = "install Debian's ferret-datasets (apt-get install ferret-datasets)"


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise FileNotFoundError(f"the Python package {package!r} is missing: pip install {package}")
    return Path(spec.origin).parent


def _ferret(name: str) -> xr.Dataset:
    path = FERRET / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: {FERRET_HINT}")
    return xr.open_dataset(path, decode_times=False)


def _lonlat(ds: xr.Dataset, x: str, y: str) -> xr.Dataset:
    """Rename to lon/lat, wrap longitudes to -180..180 and sort (Ferret uses 0-360 or 20-380)."""
    ds = ds.rename({x: "lon", y: "lat"})
    ds = ds.assign_coords(lon=((ds["lon"] + 180) % 360) - 180).sortby("lon").sortby("lat")
    ds["lon"].attrs = {"standard_name": "longitude", "units": "degrees_east", "axis": "X"}
    ds["lat"].attrs = {"standard_name": "latitude", "units": "degrees_north", "axis": "Y"}
    return ds


def _months(ds: xr.Dataset, t: str) -> xr.Dataset:
    """A 12-step climatology axis ("hour since 0000-01-01") as ``month`` = 1..12."""
    ds = ds.rename({t: "month"}).assign_coords(month=np.arange(1, 13, dtype="int32"))
    ds["month"].attrs = {"long_name": "climatological month", "units": "1", "axis": "T"}
    return ds


def _depth(ds: xr.Dataset, z: str) -> xr.Dataset:
    ds = ds.rename({z: "depth"})
    ds["depth"].attrs = {"standard_name": "depth", "units": "m", "positive": "down", "axis": "Z"}
    return ds


def _var(da: xr.DataArray, standard_name: str, units: str, long_name: str) -> xr.DataArray:
    da = da.astype("float32")
    da.attrs = {"standard_name": standard_name, "units": units, "long_name": long_name}
    return da


def woa_monthly_temperature() -> xr.Dataset:
    raw = _ferret("ocean_atlas_subset.nc")
    ds = _depth(_months(_lonlat(raw, "XAX_SUBSET", "YAX_SUBSET"), "TIME"), "ZAXLEVIT19")
    out = xr.Dataset(
        {"thetao": _var(ds["TEMP"], "sea_water_temperature", "degC", "Sea water temperature")}
    )
    return out.assign_attrs(title="World Ocean Atlas 1994 monthly temperature climatology")


def levitus_annual() -> xr.Dataset:
    raw = _ferret("levitus_climatology.cdf").drop_vars("ZAXLEVITRedges", errors="ignore")
    ds = _depth(_lonlat(raw, "XAXLEVITR", "YAXLEVITR"), "ZAXLEVITR")
    out = xr.Dataset(
        {
            "thetao": _var(ds["TEMP"], "sea_water_temperature", "degC", "Sea water temperature"),
            "so": _var(ds["SALT"], "sea_water_salinity", "1e-3", "Sea water salinity (PSU)"),
        }
    )
    return out.assign_attrs(title="Levitus annual temperature and salinity climatology")


COADS_VARIABLES = {
    # COADS name: (our name, CF standard name, units, long name)
    "SST": ("sst", "sea_surface_temperature", "degC", "Sea surface temperature"),
    "AIRT": ("tas", "air_temperature", "degC", "Air temperature"),
    "UWND": ("uas", "eastward_wind", "m s-1", "Eastward (zonal) wind"),
    "VWND": ("vas", "northward_wind", "m s-1", "Northward (meridional) wind"),
    "SLP": ("psl", "air_pressure_at_mean_sea_level", "hPa", "Sea level pressure"),
}


def coads_monthly() -> xr.Dataset:
    raw = _ferret("coads_climatology.cdf")
    ds = _months(_lonlat(raw, "COADSX", "COADSY"), "TIME")
    out = xr.Dataset({new: _var(ds[old], *meta) for old, (new, *meta) in COADS_VARIABLES.items()})
    return out.assign_attrs(title="COADS monthly surface marine climatology (1946-1989)")


def fnoc_monthly_winds() -> xr.Dataset:
    raw = xr.open_dataset(FERRET / "monthly_navy_winds.cdf", decode_times=False)
    times = pd.Timestamp("1980-01-14 14:00") + pd.to_timedelta(raw["TIME"].values, unit="h")
    ds = _lonlat(raw, "FNOCX", "FNOCY").rename({"TIME": "time"}).assign_coords(time=times)
    ds["time"].attrs = {"standard_name": "time", "axis": "T"}
    # FNOC repeats longitude 380 = 20: drop the duplicate left by wrapping.
    ds = ds.isel(lon=np.unique(ds["lon"].values, return_index=True)[1])
    out = xr.Dataset(
        {
            "uas": _var(ds["UWND"], "eastward_wind", "m s-1", "Eastward wind"),
            "vas": _var(ds["VWND"], "northward_wind", "m s-1", "Northward wind"),
        }
    )
    return out.assign_attrs(title="US Navy FNOC monthly surface winds 1982-1992")


def hycom_currents() -> xr.Dataset:
    root = _package_dir("xoa") / "data_samples"
    parts = [xr.open_dataset(root / f"hycom.gdp.{v}.nc") for v in ("u", "v", "h")]
    lon = parts[0]["lon"].values[0, :].astype("float64")
    lat = parts[0]["lat"].values[:, 0].astype("float64")
    merged = xr.Dataset(
        {
            "uo": _var(parts[0]["u"], "eastward_sea_water_velocity", "m s-1", "Eastward current"),
            "vo": _var(parts[1]["v"], "northward_sea_water_velocity", "m s-1", "Northward current"),
            "thkcello": _var(parts[2]["h"], "cell_thickness", "m", "Model layer thickness"),
        }
    ).drop_vars(["lon", "lat"], errors="ignore")
    ds = merged.rename({"X": "lon", "Y": "lat"}).assign_coords(lon=lon, lat=lat)
    ds["lon"].attrs = {"standard_name": "longitude", "units": "degrees_east", "axis": "X"}
    ds["lat"].attrs = {"standard_name": "latitude", "units": "degrees_north", "axis": "Y"}
    ds["lev"].attrs = {"long_name": "HYCOM hybrid layer (1 = surface)", "axis": "Z"}
    ds["time"].attrs = {"standard_name": "time", "axis": "T"}
    return ds.assign_attrs(title="HYCOM currents around drifter 6203641 (Bay of Biscay)")


def argo_profiles() -> xr.Dataset:
    raw = xr.open_dataset(_package_dir("xoa") / "data_samples" / "argo-7900573.nc")
    ds = xr.Dataset(
        {
            "thetao": _var(raw["TEMP"], "sea_water_temperature", "degC", "Sea water temperature"),
            "so": _var(raw["PSAL"], "sea_water_salinity", "1e-3", "Practical salinity"),
            "pres": _var(raw["PRES"], "sea_water_pressure", "dbar", "Sea water pressure"),
        },
        coords={
            "time": ("profile", raw["TIME"].values),
            "lat": ("profile", raw["LATITUDE"].values),
            "lon": ("profile", raw["LONGITUDE"].values),
        },
    ).rename({"N_PROF": "profile", "N_LEVELS": "level"})
    ds = ds.drop_vars(["profile", "level"], errors="ignore")
    return ds.assign_attrs(title="Argo float 7900573 profiles", featureType="profile")


def drifter_track() -> xr.Dataset:
    path = _package_dir("xoa") / "data_samples" / "gdp-6203641.csv"
    df = pd.read_csv(path, skiprows=[1])  # the second row holds units
    ds = xr.Dataset(
        {
            "sst": ("obs", df["sst"].to_numpy("float32")),
            "psl": ("obs", df["slp"].to_numpy("float32")),
        },
        coords={
            "time": ("obs", pd.to_datetime(df["time"]).dt.tz_localize(None).to_numpy()),
            "lat": ("obs", df["latitude"].to_numpy("float64")),
            "lon": ("obs", df["longitude"].to_numpy("float64")),
        },
    )
    ds["sst"].attrs = {
        "standard_name": "sea_surface_temperature",
        "units": "degC",
        "long_name": "Sea surface temperature",
    }
    ds["psl"].attrs = {
        "standard_name": "air_pressure_at_mean_sea_level",
        "units": "hPa",
        "long_name": "Sea level pressure",
    }
    return ds.assign_attrs(title="Global Drifter Program drifter 6203641", featureType="trajectory")


#: NERACOOS buoy B01 (Western Maine Shelf): its published position.
B01_LON, B01_LAT = -70.4277, 43.1811


def buoy_b01_sst() -> xr.Dataset:
    path = _package_dir("bokeh_sampledata") / "_data" / "sea_surface_temperature.csv.gz"
    df = pd.read_csv(path)
    times = pd.to_datetime(df["time (UTC)"]).dt.tz_localize(None).to_numpy()
    ds = xr.Dataset(
        {"sst": ("time", df["temperature (celsius)"].to_numpy("float32"))},
        coords={"time": times, "lat": B01_LAT, "lon": B01_LON},
    )
    ds["sst"].attrs = {
        "standard_name": "sea_surface_temperature",
        "units": "degC",
        "long_name": "Sea surface temperature",
    }
    return ds.assign_attrs(
        title="NERACOOS buoy B01 sea surface temperature", featureType="timeSeries"
    )

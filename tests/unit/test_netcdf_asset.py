"""The NetCDF copy of a gridded variable: CF attributes, compression, chunks, its STAC asset."""

import netCDF4
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from dtolab.catalog import netcdf
from dtolab.client.layouts import data_assets


@pytest.fixture
def dtolab_currents() -> xr.Dataset:
    time = pd.date_range("2021-03-01", periods=4, freq="12h")
    values = np.arange(4 * 2 * 3 * 5, dtype="float32").reshape(4, 2, 3, 5)
    values[0, 0, 0, 0] = np.nan  # land
    ds = xr.Dataset(
        {"uo": (("time", "depth", "lat", "lon"), values)},
        coords={
            "time": time,
            "depth": [0.0, 10.0],
            "lat": [44.0, 44.5, 45.0],
            "lon": np.linspace(-5.0, -3.0, 5),
        },
        attrs={"history": "made by the test"},
    )
    ds["uo"].attrs = {"standard_name": "eastward_sea_water_velocity", "units": "m s-1"}
    ds["time"].attrs = {"standard_name": "time", "axis": "T"}
    return ds


def test_a_variable_round_trips_with_cf_metadata(dtolab_currents, tmp_path):
    # Given a gridded variable with time, depth and land
    path = tmp_path / "uo.nc"
    # When it is written as the catalogue writes its NetCDF assets
    netcdf.write(dtolab_currents, "uo", path, {"title": "Test currents", "license": "CC0"})
    # Then xarray reads back the same values, coordinates and attributes
    back = xr.open_dataset(path)
    xr.testing.assert_identical(back["uo"], dtolab_currents["uo"])
    assert back.attrs["Conventions"] == "CF-1.8" and back.attrs["title"] == "Test currents"
    assert back.attrs["history"].splitlines()[1] == "made by the test"
    # and the file is compressed NetCDF-4, one map per chunk, times in days since 1950
    with netCDF4.Dataset(path) as raw:
        assert raw.data_model == "NETCDF4"
        uo = raw["uo"]
        assert uo.filters()["zlib"] and uo.filters()["shuffle"]
        assert uo.chunking() == [1, 1, 3, 5]
        assert raw["time"].units == "days since 1950-01-01"
        assert raw["time"][1] - raw["time"][0] == 0.5
        assert "_FillValue" not in raw["lat"].ncattrs()
    assert not list(tmp_path.glob("*.tmp"))


def test_the_asset_is_no_zarr_layout():
    # Given an item with Zarr layouts and a NetCDF asset
    item = {
        "assets": {
            "arco-geo-series": {"href": "p/timeChunked.zarr", "type": "application/vnd+zarr"},
            "netcdf": netcdf.asset("p/uo.nc"),
        }
    }
    # Then the asset is typed and described, and the client's layout choice ignores it
    asset = item["assets"]["netcdf"]
    assert asset["type"] == "application/x-netcdf" and asset["roles"] == ["data"]
    assert asset["title"] and asset["description"]
    assert set(data_assets(item)) == {"timeChunked"}

"""Each gridded item's NetCDF asset, served by the data service, holds what its Zarr store holds."""

import httpx
import pytest
import xarray as xr

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def dtolab_gridded_items(dtolab_stack):
    with httpx.Client(timeout=60) as client:
        page = client.get(f"{dtolab_stack['stac']}/search", params={"limit": 100}).json()
    return [f for f in page["features"] if "pyramid" in f["assets"]]


def test_every_gridded_item_has_a_netcdf_asset(dtolab_gridded_items):
    # Given the catalogue's gridded items (those with a preview pyramid)
    ids = {f["id"] for f in dtolab_gridded_items}
    assert {"etopo5", "levitus-annual-so", "hycom-biscay-uo"} <= ids
    # Then each has a NetCDF asset
    for feature in dtolab_gridded_items:
        asset = feature["assets"].get("netcdf")
        assert asset is not None, feature["id"]
        assert asset["type"] == "application/x-netcdf" and asset["roles"] == ["data"]


@pytest.mark.parametrize("item_id", ["levitus-annual-so", "fnoc-winds-uas", "hycom-biscay-uo"])
def test_netcdf_asset_matches_the_zarr_store(dtolab_gridded_items, item_id, tmp_path):
    # Given an item's NetCDF asset, downloaded from the data service
    feature = next(f for f in dtolab_gridded_items if f["id"] == item_id)
    variable = feature["properties"]["dtolab:variable"]
    response = httpx.get(feature["assets"]["netcdf"]["href"], timeout=60)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-netcdf"
    path = tmp_path / "asset.nc"
    path.write_bytes(response.content)
    # When xarray opens it and the item's map-layout Zarr store
    nc = xr.open_dataset(path)[variable]
    zarr = xr.open_zarr(feature["assets"]["arco-geo-series"]["href"], zarr_format=3)[variable]
    # Then values, coordinates (times included) and CF attributes are the same
    xr.testing.assert_identical(nc.load(), zarr.load())
    assert (
        nc.attrs["standard_name"]
        == feature["properties"]["cube:variables"][variable]["standard_name"]
    )

"""The notebook client against the running stack's STAC API and data service."""

import numpy as np
import pytest

from dtolab import Catalog
from dtolab.errors import InvalidInput, UpstreamUnavailable

pytestmark = pytest.mark.stack


@pytest.fixture
def catalog(dtolab_stack):
    cat = Catalog(dtolab_stack["stac"])
    yield cat
    cat.close()


def test_free_text_finds_the_temperature_products(catalog):
    found = {item.properties["dtolab:product"] for item in catalog.search(q="temperature")}
    assert {"woa94-monthly", "levitus-annual", "coads-monthly"} <= found


def test_collections_follow_edito_naming(catalog):
    ids = [c.id for c in catalog.collections()]
    assert "emodnet-bathymetry" in ids
    assert "climate_forecast-sea_water_temperature" in ids
    assert "climate_forecast-eastward_sea_water_velocity" in ids
    salinity = catalog.collections(q="salinity")
    assert [c.id for c in salinity] == ["climate_forecast-sea_water_salinity"]


def test_open_hycom_currents_near_the_drifter(catalog):
    # Given the HYCOM item found by searching its collection near the drifter
    items = catalog.search(
        collections=["climate_forecast-eastward_sea_water_velocity"], bbox=[-3, 44.8, -2.5, 45]
    )
    assert items.ids() == ["hycom-biscay-uo"]
    # When a week of surface currents is opened
    ds = catalog.open_dataset(items[0], time=("2021-03-05", "2021-03-12"), depth=1)
    # Then it holds eastward currents in m/s, read from the time-series layout
    assert ds["uo"].attrs["units"] == "m s-1"
    assert ds.sizes["time"] == 15 and ds.sizes["lev"] == 1
    assert ds.attrs["dtolab:layout"] == "geoChunked"
    assert abs(float(ds["uo"].mean())) < 1.0


def test_map_and_point_requests_pick_different_layouts(catalog):
    surface_map = catalog.open_dataset("levitus-annual-thetao", depth=0)
    assert surface_map.attrs["dtolab:layout"] == "timeChunked"
    profile = catalog.open_dataset("levitus-annual-thetao", bbox=[-30, 30, -30, 30])
    assert profile.attrs["dtolab:layout"] == "geoChunked"
    assert profile.sizes["depth"] == 20
    # The subtropical North Atlantic is warm at the surface and cold near the sea floor (the
    # levels below it are land: NaN).
    values = profile["thetao"].squeeze().values
    deepest = values[~np.isnan(values)][-1]
    assert values[0] > 18 and deepest < 4


def test_subset_downloads_to_netcdf(catalog, tmp_path):
    path = tmp_path / "sst.nc"
    catalog.subset("coads-monthly-sst", bbox=[-20, 30, 0, 50], time=7).to_netcdf(path)
    import xarray as xr

    with xr.open_dataset(path) as saved:
        assert saved["sst"].sizes == {"month": 1, "lat": 10, "lon": 10}


def test_clear_errors(catalog):
    with pytest.raises(InvalidInput, match=r"valid: .*climate_forecast-sea_water_temperature"):
        catalog.search(collections=["no-such-collection"])
    with pytest.raises(InvalidInput, match="valid: thkcello, uo, vo"):
        catalog.open_dataset("hycom-biscay-uo", variables=["temp"])
    with pytest.raises(InvalidInput, match="outside the data"):
        catalog.open_dataset("hycom-biscay-uo", bbox=[100, 0, 110, 10])
    with pytest.raises(UpstreamUnavailable, match=r"cannot reach http://127\.0\.0\.1:9"):
        Catalog("http://127.0.0.1:9").search(q="x")

"""Layout choice on EDITO-shaped items: asset keys, hrefs, media types, chunk counting."""

import numpy as np
import pytest
import xarray as xr

from dtolab.client import layouts
from dtolab.client.catalog import Item, open_item
from dtolab.errors import InvalidInput

PRODUCT = "GLOBAL_ANALYSISFORECAST_PHY_001_024"
DATASET = "cmems_mod_glo_phy-cur_anfc_0.083deg_P1D-m_202406"


def edito_item(geo_href: str, time_href: str, media: str | None = "application/vnd+zarr") -> Item:
    """An item shaped like EDITO's CMEMS items (shared/EDITO.md), hrefs pointing at test stores."""
    typed = {"type": media} if media else {}
    return Item(
        {
            "id": f"{PRODUCT}-{DATASET}-default-arco-geo-series-northward_sea_water_velocity-vo",
            "collection": "climate_forecast-northward_sea_water_velocity",
            "properties": {"cube:variables": {"vo": {"unit": "m s-1"}}},
            "assets": {
                # EDITO's naming trap: the time-series asset is the geo-chunked store.
                "arco-time-series": {"href": time_href, "roles": ["data"], **typed},
                "arco-geo-series": {"href": geo_href, "roles": ["data"], **typed},
                "wmts": {"href": "https://wmts.example/wmts", "type": "application/xml"},
                "arco-geo-series-datalab-data-explorer": {"href": "https://datalab.example/x"},
            },
        }
    )


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """A small daily velocity cube in both layouts, as CMEMS names them."""
    root = tmp_path_factory.mktemp("cmems")
    time = np.arange("2024-01-01", "2024-04-01", dtype="datetime64[D]").astype("datetime64[ns]")
    lat = np.arange(40, 50, 0.25)
    lon = np.arange(-10, 0, 0.25)
    data = np.random.default_rng(1).normal(0, 0.1, (time.size, lat.size, lon.size))
    ds = xr.Dataset({"vo": (("time", "lat", "lon"), data.astype("float32"))},
                    coords={"time": time, "lat": lat, "lon": lon})  # fmt: skip
    ds["vo"].attrs["units"] = "m s-1"
    geo = root / f"{PRODUCT}/{DATASET}/timeChunked.zarr"
    series = root / f"{PRODUCT}/{DATASET}/geoChunked.zarr"
    ds.chunk({"time": 1, "lat": 40, "lon": 40}).to_zarr(geo, zarr_format=2, consolidated=True)
    ds.chunk({"time": -1, "lat": 8, "lon": 8}).to_zarr(series, zarr_format=2, consolidated=True)
    return str(geo), str(series)


def test_asset_keys_hrefs_and_media_types_map_to_layouts():
    item = edito_item(
        "https://s3.waw3-1.cloudferro.com/mdl-arco-geo-012/arco/P/D/timeChunked.zarr",
        "https://s3.waw3-1.cloudferro.com/mdl-arco-time-012/arco/P/D/geoChunked.zarr",
    )
    found = layouts.data_assets(item)
    assert found["timeChunked"][0] == "arco-geo-series"
    assert found["geoChunked"][0] == "arco-time-series"
    assert set(found) == {"timeChunked", "geoChunked"}  # wmts and explorer links are not data


@pytest.mark.parametrize("media", ["application/vnd+zarr", "application/zarr", None])
def test_media_type_variants_are_all_zarr(media):
    item = edito_item("s3://b/timeChunked.zarr", "s3://b/geoChunked.zarr", media)
    assert set(layouts.data_assets(item)) == {"timeChunked", "geoChunked"}


def test_keys_alone_decide_when_hrefs_say_nothing():
    item = edito_item("https://h/a.zarr", "https://h/b.zarr")
    found = layouts.data_assets(item)
    assert found["timeChunked"][1]["href"] == "https://h/a.zarr"
    assert found["geoChunked"][1]["href"] == "https://h/b.zarr"


def test_chunk_counting_by_hand():
    # positions 3..12 with chunks of 5 touch chunks 0, 1, 2
    assert layouts.chunks_touched(np.arange(3, 13), 5) == 3
    assert layouts.chunks_touched(np.array([7]), 1) == 1
    assert layouts.chunks_touched(np.array([], dtype=int), 4) == 0


def test_ties_go_to_the_geo_series():
    candidates = {
        "geoChunked": ("arco-time-series", {"href": "g"}, {"t": 10}),
        "timeChunked": ("arco-geo-series", {"href": "t"}, {"t": 1}),
    }
    choice = layouts.choose(candidates, {"t": np.array([0])}, n_variables=1)
    assert choice.layout == "timeChunked" and choice.counts == {"geoChunked": 1, "timeChunked": 1}


def test_point_series_reads_the_time_series_store(stores):
    geo, series = stores
    ds = open_item(edito_item(geo, series), bbox=[-5, 45, -5, 45])
    # 91 time chunks in timeChunked against 1 tile in geoChunked
    assert ds.attrs["dtolab:layout"] == "geoChunked"
    assert "geoChunked 1, timeChunked 91" in ds.attrs["dtolab:layout_reason"]
    assert ds["vo"].sizes == {"time": 91, "lat": 1, "lon": 1}


def test_map_reads_the_map_store(stores):
    geo, series = stores
    ds = open_item(edito_item(geo, series), time="2024-02-01")
    assert ds.attrs["dtolab:layout"] == "timeChunked"
    assert ds.attrs["dtolab:chunks_read"] == 1
    assert ds.attrs["dtolab:href"] == geo


def test_box_over_days_counts_both(stores):
    geo, series = stores
    ds = open_item(
        edito_item(geo, series), bbox=[-6, 44, -4, 46], time=("2024-01-01", "2024-01-03")
    )
    # 3 days x 1 map tile = 3 chunks, against 2x2 (or more) whole-series tiles: 4+ chunks
    assert ds.attrs["dtolab:layout"] == "timeChunked"


def test_errors_name_the_valid_values(stores):
    geo, series = stores
    item = edito_item(geo, series)
    with pytest.raises(InvalidInput, match="valid: vo"):
        open_item(item, variables=["thetao"])
    with pytest.raises(InvalidInput, match=r"outside the data: 2024-01-01 00:00:00 to 2024-03-31"):
        open_item(item, time=("2030-01-01", "2030-02-01"))
    with pytest.raises(InvalidInput, match=r"lon -10 to -0\.25"):
        open_item(item, bbox=[20, 44, 30, 46])
    with pytest.raises(InvalidInput, match="no vertical axis"):
        open_item(item, depth=10)


def test_an_item_without_zarr_says_so():
    with pytest.raises(InvalidInput, match=r"no Zarr data asset .*wms"):
        open_item(Item({"id": "x", "assets": {"wms": {"href": "https://h/wms"}}}))

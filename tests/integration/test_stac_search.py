"""The embedded STAC API answers every kind of search users and clients rely on."""

import httpx
import pytest

pytestmark = pytest.mark.stack


@pytest.fixture
def stac(dtolab_stack):
    with httpx.Client(base_url=dtolab_stack["stac"], timeout=30) as client:
        yield client


def ids(response):
    assert response.status_code == 200, response.text
    return sorted(f["id"] for f in response.json()["features"])


def test_bbox_and_collections(stac):
    found = ids(
        stac.get(
            "/search",
            params={
                "bbox": "-3,44.8,-2.5,45",
                "collections": "climate_forecast-sea_surface_temperature",
            },
        )
    )
    assert found == ["coads-monthly-sst", "gdp-6203641-sst"]


def test_datetime_interval(stac):
    found = ids(
        stac.get("/search", params={"datetime": "2016-06-01T00:00:00Z/2016-07-01T00:00:00Z"})
    )
    assert found == ["neracoos-b01-sst-sst"]


def test_ids(stac):
    assert ids(stac.get("/search", params={"ids": "etopo5,fnoc-winds-uas"})) == [
        "etopo5",
        "fnoc-winds-uas",
    ]


def test_cql2_filter(stac):
    body = {
        "filter-lang": "cql2-json",
        "filter": {"op": "=", "args": [{"property": "dtolab:product"}, "levitus-annual"]},
    }
    assert ids(stac.post("/search", json=body)) == ["levitus-annual-so", "levitus-annual-thetao"]
    text = stac.get(
        "/search",
        params={"filter": "\"dtolab:product\" = 'fnoc-winds'", "filter-lang": "cql2-text"},
    )
    assert ids(text) == ["fnoc-winds-uas", "fnoc-winds-vas"]


def test_sortby(stac):
    response = stac.post(
        "/search",
        json={
            "collections": ["climate_forecast-sea_water_temperature"],
            "sortby": [{"field": "id", "direction": "desc"}],
        },
    )
    order = [f["id"] for f in response.json()["features"]]
    assert order == sorted(order, reverse=True) and len(order) == 3


def test_fields(stac):
    response = stac.post(
        "/search", json={"ids": ["etopo5"], "fields": {"include": ["id"], "exclude": ["assets"]}}
    )
    feature = response.json()["features"][0]
    assert feature["id"] == "etopo5" and "assets" not in feature


def test_paging(stac):
    first = stac.get("/search", params={"limit": 7})
    assert len(first.json()["features"]) == 7
    seen = set(ids(first))
    next_link = next(link for link in first.json()["links"] if link["rel"] == "next")
    second = stac.get(next_link["href"])
    assert seen.isdisjoint(ids(second))


def test_free_text_on_items_and_collections(stac):
    items = ids(stac.get("/search", params={"q": "salinity"}))
    assert "levitus-annual-so" in items and "argo-7900573-so" in items
    collections = stac.get("/collections", params={"q": "velocity"}).json()["collections"]
    assert sorted(c["id"] for c in collections) == [
        "climate_forecast-eastward_sea_water_velocity",
        "climate_forecast-northward_sea_water_velocity",
    ]

"""The Catalog client's search and paging against an EDITO-shaped mock STAC API."""

import json

import httpx
import pytest

from dtolab.client.catalog import Catalog
from dtolab.client.endpoints import Endpoint
from dtolab.errors import InvalidInput

EDITO_LIKE = Endpoint("edito-test", stac="https://api.test/data", free_text=False)


def items(start, count):
    return [{"type": "Feature", "id": f"item-{i}", "collection": "c", "properties": {},
             "assets": {}} for i in range(start, start + count)]  # fmt: skip


def mock_api(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/data/search":
        body = json.loads(request.content or b"{}")
        token = body.get("token", 0)
        features = items(token, 3) if token < 6 else items(token, 1)
        links = []
        if token < 6:
            links.append({"rel": "next", "href": "https://api.test/data/search", "method": "POST",
                          "body": {**body, "token": token + 3}})  # fmt: skip
        return httpx.Response(200, json={"features": features, "links": links,
                                         "numberMatched": 7})  # fmt: skip
    if request.url.path == "/data/collections":
        page = int(request.url.params.get("page", 1))
        collections = [
            {"id": f"climate_forecast-sea_water_temperature-{page}", "title": "Temperature"},
            {"id": f"emodnet-bathymetry-{page}", "title": "Bathymetry"},
        ]
        links = [{"rel": "next", "href": f"https://api.test/data/collections?page={page + 1}"}]
        return httpx.Response(200, json={"collections": collections,
                                         "links": links if page < 3 else []})  # fmt: skip
    return httpx.Response(404, json={"description": "nope"})


@pytest.fixture
def catalog():
    cat = Catalog(EDITO_LIKE, transport=httpx.MockTransport(mock_api))
    yield cat
    cat.close()


def test_search_follows_post_next_links(catalog):
    found = catalog.search(collections=["c"])
    assert found.ids() == [f"item-{i}" for i in range(7)]
    assert found.matched == 7
    assert catalog.search(collections=["c"], max_items=4).ids()[-1] == "item-3"


def test_collections_text_match_on_the_client_over_pages(catalog):
    # EDITO has no free-text search: ids and titles are matched here, across every page.
    found = [c.id for c in catalog.collections(q="temperature")]
    assert found == [f"climate_forecast-sea_water_temperature-{p}" for p in (1, 2, 3)]


def test_results_convert_to_pystac(catalog):
    item = catalog.search(collections=["c"], max_items=1)[0]
    item["stac_version"] = "1.1.0"
    item["geometry"] = None
    item["links"] = []
    item["properties"]["datetime"] = "2020-01-01T00:00:00Z"
    assert item.to_pystac().id == "item-0"


def test_bad_bbox_is_refused_before_any_request(catalog):
    with pytest.raises(InvalidInput, match="bbox"):
        catalog.search(bbox=[0, 10, 1])


def test_sortby_and_fields_are_sent_as_the_extensions_define():
    seen = []

    def api(request):
        seen.append(json.loads(request.content))
        return httpx.Response(200, json={"features": [], "links": []})

    cat = Catalog(EDITO_LIKE, transport=httpx.MockTransport(api))
    cat.search(sortby=["-properties.datetime", "id"], fields=["id", "-assets"])
    assert seen[0]["sortby"] == [
        {"field": "properties.datetime", "direction": "desc"},
        {"field": "id", "direction": "asc"},
    ]
    assert seen[0]["fields"] == {"include": ["id"], "exclude": ["assets"]}
    cat.search(fields=["-assets"])
    assert seen[1]["fields"] == {"exclude": ["assets"]}
    cat.close()

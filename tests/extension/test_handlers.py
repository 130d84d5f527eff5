"""The server extension's REST API: results, validation and error mapping."""

import pytest

from dtolab import __version__


async def test_version_handshake(dtolab_get):
    assert await dtolab_get("version") == (200, {"version": __version__})


async def test_endpoints_list_names_and_urls_never_tokens(dtolab_get):
    # Given endpoints configured with a token / When the browser lists them
    status, body = await dtolab_get("endpoints")
    # Then it sees names and URLs, the preset EDITO endpoint, and no secret
    assert status == 200 and body["default"] == "local"
    names = [e["name"] for e in body["endpoints"]]
    assert names == ["local", "down", "slow", "edito"]
    local = body["endpoints"][0]
    assert local["stac"] == "http://stac.test" and local["authenticated"] is True
    assert "server-side-secret" not in str(body)
    edito = body["endpoints"][-1]
    assert edito["stac"] == "https://api.dive.edito.eu/data" and edito["free_text"] is False


async def test_collections(dtolab_get):
    status, body = await dtolab_get("endpoints", "local", "collections")
    assert status == 200
    assert [c["id"] for c in body["collections"]] == [
        "climate_forecast-sea_water_temperature",
        "emodnet-bathymetry",
    ]
    assert body["collections"][0]["interval"] == ["1994-01-01T00:00:00Z", None]


async def test_search_passes_validated_parameters(dtolab_get):
    status, body = await dtolab_get(
        "endpoints",
        "local",
        "search",
        bbox="-10,40,0,50",
        collections="emodnet-bathymetry",
        datetime="2020-01-01T00:00:00Z/..",
        limit="5",
    )
    assert status == 200 and body["items"][0]["id"] == "item-1"
    assert body["items"][0]["assets"] == ["zarr"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "0,95,1,96"}, "bbox"),
        ({"datetime": "yesterday"}, "datetime"),
        ({"limit": "100000"}, "limit"),
        ({"collections": "../../admin"}, "collections"),
    ],
)
async def test_bad_input_is_400_naming_the_field(dtolab_get, params, field):
    status, body = await dtolab_get("endpoints", "local", "search", **params)
    assert status == 400
    assert body["field"] == field and body["message"].startswith(field)


async def test_unknown_endpoint_is_404_listing_the_known_ones(dtolab_get):
    status, body = await dtolab_get("endpoints", "nowhere", "collections")
    assert status == 404
    assert "configured endpoints: down, edito, local, slow" in body["message"]


async def test_upstream_down_is_502_with_a_readable_message(dtolab_get):
    status, body = await dtolab_get("endpoints", "down", "collections")
    assert status == 502
    assert body["message"] == "down: cannot reach http://down.test (ConnectError)"


async def test_upstream_slow_is_504(dtolab_get):
    status, body = await dtolab_get("endpoints", "slow", "collections")
    assert status == 504 and "did not answer within" in body["message"]


async def test_service_not_configured_is_404(dtolab_get):
    status, body = await dtolab_get("endpoints", "slow", "processes")
    assert status == 404 and "has no processes API" in body["message"]


async def test_processes(dtolab_get):
    status, body = await dtolab_get("endpoints", "local", "processes")
    assert status == 200
    assert body["processes"][0]["id"] == "depth-statistics"
    assert body["processes"][0]["version"] == "1.0.0"

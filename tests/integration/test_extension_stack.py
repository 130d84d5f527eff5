"""The server extension against the real embedded stack: search, item view and previews."""

import io
import json

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.stack

SALINITY = ("collections", "climate_forecast-sea_water_salinity", "items", "levitus-annual-so")


@pytest.fixture
def jp_server_config(dtolab_stack):
    return {
        "ServerApp": {"jpserver_extensions": {"dtolab": True}},
        "DtolabExtension": {
            "endpoints": {
                "local": {
                    "stac": dtolab_stack["stac"],
                    "processes": dtolab_stack["processes"],
                    "assets": [dtolab_stack["data"]],
                },
                # The same catalogue as an EDITO-like endpoint: no free text, and the data
                # service not listed (its assets are on loopback).
                "unlisted": {"stac": dtolab_stack["stac"], "free_text": False},
            },
            "default_endpoint": "local",
            "include_edito": False,
        },
    }


@pytest.fixture
def api(jp_fetch):
    async def get(*path, **params):
        response = await jp_fetch(
            "dtolab", "api", "endpoints", *path, params=params, raise_error=False
        )
        return response

    return get


def body(response):
    return json.loads(response.body)


async def test_search_temperature_finds_real_items(api):
    response = await api("local", "search", q="temperature", limit="50")
    assert response.code == 200
    found = {i["id"] for i in body(response)["items"]}
    assert {"levitus-annual-thetao", "woa94-monthly-thetao", "coads-monthly-sst"} <= found


async def test_paging_with_tokens(api):
    seen = []
    token = None
    for _ in range(10):
        params = {"limit": "6", **({"cursor": token} if token else {})}
        page = body(await api("local", "search", **params))
        seen.extend(i["id"] for i in page["items"])
        token = page["next"]
        if token is None:
            break
    assert len(seen) == len(set(seen)) == 20


async def test_text_search_without_free_text_matches_collections(api):
    page = body(await api("unlisted", "search", q="salinity"))
    assert page["text_search"] == "client"
    assert {i["collection"] for i in page["items"]} == {"climate_forecast-sea_water_salinity"}
    assert {i["id"] for i in page["items"]} >= {"levitus-annual-so", "argo-7900573-so"}


async def test_item_view(api):
    response = await api("local", *SALINITY)
    assert response.code == 200
    item = body(response)
    assert item["variables"][0]["name"] == "so"
    assert item["variables"][0]["standard_name"] == "sea_water_salinity"
    depth = next(d for d in item["dimensions"] if d["name"] == "depth")
    assert depth["unit"] == "m" and 500 > depth["values"][10] > 300
    assert item["resolution"] == {"lon": 1.0, "lat": 1.0}
    assert "public domain" in json.dumps(item["provenance"])
    layouts = {a["key"]: a["layout"] for a in item["assets"]}
    assert layouts["arco-geo-series"] == "timeChunked"
    assert layouts["arco-time-series"] == "geoChunked"
    assert item["stac_url"].endswith(
        "/collections/climate_forecast-sea_water_salinity/items/levitus-annual-so"
    )
    assert item["previewable"]


async def test_salinity_preview_at_500_m(api):
    response = await api("local", *SALINITY, "preview", depth="500", width="800")
    assert response.code == 200, response.body
    assert response.headers["Content-Type"] == "image/png"
    meta = json.loads(response.headers["X-Dtolab-Preview"])
    assert meta["depth"] in (400.0, 600.0)  # the nearest levels of Levitus to 500 m
    assert meta["colormap"] == "haline" and meta["variable"] == "so"
    assert 33 < meta["vmin"] < meta["vmax"] < 38  # salinity, not a fill value
    image = Image.open(io.BytesIO(response.body))
    assert image.size == (800, 400)
    index = np.asarray(image)
    ocean = (index != 255).mean()
    assert 0.5 < ocean < 0.8  # the ocean, not a blank image and not a filled one
    assert len(np.unique(index)) > 50
    again = await api("local", *SALINITY, "preview", depth="500", width="800")
    assert again.body == response.body


async def test_bathymetry_preview_of_a_box(api):
    item = ("collections", "emodnet-bathymetry", "items", "etopo5")
    response = await api("local", *item, "preview", bbox="-20,30,20,60", width="400")
    assert response.code == 200, response.body
    meta = json.loads(response.headers["X-Dtolab-Preview"])
    assert meta["colormap"] == "topo" and meta["vmin"] == -meta["vmax"]
    assert Image.open(io.BytesIO(response.body)).size == (400, 300)


async def test_unlisted_loopback_assets_are_refused(api):
    response = await api("unlisted", *SALINITY, "preview")
    assert response.code == 403
    assert "non-public address" in body(response)["message"]


@pytest.mark.parametrize(
    ("path", "params", "status", "field"),
    [
        (("local", "search"), {"bbox": "10,20,30"}, 400, "bbox"),
        (("local", "search"), {"datetime": "not-a-date"}, 400, "datetime"),
        (("local", "search"), {"limit": "1000000"}, 400, "limit"),
        (("local", *SALINITY, "preview"), {"depth": "9000"}, 400, "depth"),
        (("local", *SALINITY, "preview"), {"variable": "chlorophyll"}, 400, "variable"),
        (("nowhere", "search"), {}, 404, None),
        (("local", "collections", "emodnet-bathymetry", "items", "nope", "preview"), {}, 404, None),
    ],
)
async def test_bad_input_against_the_real_stack(api, path, params, status, field):
    response = await api(*path, **params)
    assert response.code == status, response.body
    if field:
        assert body(response)["field"] == field

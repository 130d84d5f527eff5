"""The preview and item handlers: bad input names its field, hostile assets are never read."""

import pytest

from tests.extension.conftest import HOSTILE_ASSETS

ITEM = ("endpoints", "local", "collections", "assets", "items")


@pytest.mark.parametrize("item_id", sorted(HOSTILE_ASSETS))
async def test_hostile_asset_is_refused(dtolab_get, item_id):
    status, body = await dtolab_get(*ITEM, item_id, "preview")
    assert status == 403, body
    assert body["error"] == "Refused"
    assert "asset" in body["message"] or "connected" in body["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"width": "0"}, "width"),
        ({"width": "99999"}, "width"),
        ({"height": "tall"}, "height"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "0,80,10,70"}, "bbox"),
        ({"depth": "deep"}, "depth"),
        ({"time": "yesterday"}, "time"),
        ({"time": "2020-01-01T00:00:00Z/2020-02-01T00:00:00Z"}, "time"),
        ({"vmin": "5", "vmax": "1"}, "vmin"),
    ],
)
async def test_bad_preview_input_names_the_field(dtolab_get, params, field):
    status, body = await dtolab_get(*ITEM, "file", "preview", **params)
    assert status == 400, body
    assert body["field"] == field


async def test_unknown_endpoint(dtolab_get):
    status, body = await dtolab_get("endpoints", "nowhere", "collections", "c", "items", "i")
    assert status == 404
    assert "local" in body["message"]


async def test_item_view_describes_assets(dtolab_get):
    status, body = await dtolab_get(*ITEM, "private")
    assert status == 200, body
    assert body["stac_url"] == "http://stac.test/collections/assets/items/private"
    assert body["previewable"] is True
    assert [v["name"] for v in body["variables"]] == ["v"]

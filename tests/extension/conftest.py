"""Server-extension tests: a real Jupyter server with dtolab, and a fake upstream (unit level).

The fake upstream is an UpstreamClient on httpx's MockTransport, swapped in through the
``upstream_client_class`` trait: no patching. Tests against the real STAC API and pygeoapi are
in tests/integration.
"""

import json

import httpx
import pytest

from dtolab.client.http import UpstreamClient

COLLECTIONS = [
    {
        "id": "climate_forecast-sea_water_temperature",
        "title": "Sea water temperature",
        "description": "Temperature of sea water",
        "keywords": ["ocean", "temperature"],
        "extent": {
            "spatial": {"bbox": [[-180, -90, 180, 90]]},
            "temporal": {"interval": [["1994-01-01T00:00:00Z", None]]},
        },
    },
    {"id": "emodnet-bathymetry", "title": "Bathymetry", "description": "Depth of the sea floor"},
]


def fake_upstream(request: httpx.Request) -> httpx.Response:
    host, path = request.url.host, request.url.path
    if host == "down.test":
        raise httpx.ConnectError("connection refused", request=request)
    if host == "slow.test":
        raise httpx.ReadTimeout("timed out", request=request)
    if host == "stac.test" and path == "/collections":
        assert request.headers.get("Authorization") == "Bearer server-side-secret"
        return httpx.Response(200, json={"collections": COLLECTIONS, "links": []})
    if host == "stac.test" and path == "/search":
        params = dict(request.url.params)
        feature = {
            "type": "Feature",
            "id": "item-1",
            "collection": "emodnet-bathymetry",
            "bbox": [-10, 40, 0, 50],
            "properties": {"datetime": "2020-01-01T00:00:00Z"},
            "assets": {"zarr": {"href": "http://data.test/x.zarr"}},
        }
        return httpx.Response(
            200, json={"features": [feature], "numberMatched": 1, "links": [], "echo": params}
        )
    if host == "stac.test" and path.startswith("/collections/assets/items/"):
        # Items whose assets point where a server must never read from (SSRF).
        return httpx.Response(200, json=item_with_asset(path.rsplit("/", 1)[1]))
    if host == "proc.test" and path == "/processes":
        return httpx.Response(
            200,
            json={
                "processes": [
                    {
                        "id": "depth-statistics",
                        "title": "Depth statistics",
                        "version": "1.0.0",
                        "description": "Stats",
                        "jobControlOptions": ["sync-execute"],
                    }
                ]
            },
        )
    return httpx.Response(404, json={"description": "no such path"})


#: Item id -> asset href, for the preview's SSRF tests.
HOSTILE_ASSETS = {
    "file": "file:///etc/passwd",
    "metadata": "http://169.254.169.254/latest/meta-data",
    "private": "http://10.1.2.3/store.zarr",
    "loopback": "http://127.0.0.1:9/store.zarr",
    "localhost": "http://localhost:9/store.zarr",
    "ipv6-loopback": "http://[::1]:9/store.zarr",
    "mapped": "http://[::ffff:169.254.169.254]/store.zarr",
    "credentials": "http://user:pw@example.org/store.zarr",
    "s3": "s3://bucket/store.zarr",
}


def item_with_asset(item_id: str) -> dict:
    href = HOSTILE_ASSETS.get(item_id, "http://127.0.0.1:9/unused.zarr")
    return {
        "type": "Feature",
        "id": item_id,
        "collection": "assets",
        "bbox": [-10, 40, 0, 50],
        "properties": {
            "datetime": "2020-01-01T00:00:00Z",
            "cube:variables": {"v": {"type": "data", "dimensions": ["lat", "lon"]}},
        },
        "assets": {
            "pyramid": {
                "href": href,
                "type": "application/vnd+zarr",
                "roles": ["overview"],
                "dtolab:levels": [{"path": "0", "shape": [10, 10]}],
            }
        },
        "links": [],
    }


class FakeUpstreamClient(UpstreamClient):
    def __init__(self, **kwargs):
        super().__init__(transport=httpx.MockTransport(fake_upstream), retries=0, **kwargs)


@pytest.fixture
def jp_server_config():
    return {
        "ServerApp": {
            "jpserver_extensions": {"dtolab": True},
            "allow_unauthenticated_access": False,
        },
        "DtolabExtension": {
            "endpoints": {
                "local": {
                    "title": "Test stack",
                    "stac": "http://stac.test",
                    "processes": "http://proc.test",
                    "token": "server-side-secret",
                },
                "down": {"stac": "http://down.test", "processes": "http://down.test"},
                "slow": {"stac": "http://slow.test"},
            },
            "default_endpoint": "local",
            "upstream_client_class": FakeUpstreamClient,
        },
    }


@pytest.fixture
def dtolab_get(jp_fetch):
    """GET a dtolab API path; returns (status, decoded JSON) without raising on HTTP errors."""

    async def get(*path, **params):
        response = await jp_fetch("dtolab", "api", *path, params=params, raise_error=False)
        return response.code, json.loads(response.body or b"null")

    return get

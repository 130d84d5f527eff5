"""The running embedded stack: catalogue, data service, process API and the lab's dtolab API."""

import time

import httpx
import pytest
import xarray as xr

pytestmark = pytest.mark.stack


def lab_get(stack, *path, **params):
    base, token = stack["lab"].split("/lab?token=")
    return httpx.get(
        "/".join([base, "dtolab", "api", *path]),
        params=params,
        headers={"Authorization": f"token {token}"},
        timeout=60,
    )


def test_status_names_every_service(dtolab_stack):
    assert dtolab_stack["running"] is True
    for key in ("lab", "stac", "processes", "data"):
        assert dtolab_stack[key].startswith("http://127.0.0.1:")
    assert "token=" in dtolab_stack["lab"]


def test_stac_api_serves_the_bathymetry(dtolab_stack):
    stac = dtolab_stack["stac"]
    collections = httpx.get(f"{stac}/collections").json()["collections"]
    assert "emodnet-bathymetry" in [c["id"] for c in collections]
    item = httpx.get(f"{stac}/collections/emodnet-bathymetry/items/etopo5").json()
    asset = item["assets"]["zarr"]
    assert asset["type"] == "application/vnd+zarr"
    assert asset["href"].startswith(dtolab_stack["data"])
    assert item["properties"]["cube:variables"]["elevation"]["unit"] == "m"


def test_zarr_asset_opens_over_http(dtolab_stack):
    stac = dtolab_stack["stac"]
    item = httpx.get(f"{stac}/collections/emodnet-bathymetry/items/etopo5").json()
    ds = xr.open_zarr(item["assets"]["zarr"]["href"], consolidated=True)
    assert ds["elevation"].shape == (2161, 4320)
    # The Mariana Trench is deeper than 10 km; the 5' cells average the Everest massif to ~6.7 km.
    trench = ds["elevation"].sel(lat=slice(10, 13), lon=slice(141, 144)).min().compute()
    assert float(trench) < -10000
    assert float(ds["elevation"].sel(lat=slice(27, 29), lon=slice(86, 88)).max().compute()) > 6000


def test_depth_statistics_sync(dtolab_stack):
    response = httpx.post(
        f"{dtolab_stack['processes']}/processes/depth-statistics/execution",
        json={"inputs": {"bbox": [-10, 43, -1, 48]}},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    stats = response.json()["value"]
    # The Bay of Biscay: mostly ocean, abyssal plain near 5 km.
    assert 0.75 < stats["ocean_fraction"] < 0.95
    assert 4500 < stats["max_depth_m"] < 5500
    assert stats["source"]["item"] == "etopo5"


def test_depth_statistics_async(dtolab_stack):
    base = dtolab_stack["processes"]
    response = httpx.post(
        f"{base}/processes/depth-statistics/execution",
        json={"inputs": {"bbox": [0, 40, 10, 45]}},
        headers={"Prefer": "respond-async"},
        timeout=60,
    )
    assert response.status_code == 201, response.text
    location = response.headers["Location"]
    for _ in range(300):
        job = httpx.get(location, params={"f": "json"}, timeout=30).json()
        if job["status"] in ("successful", "failed"):
            break
        time.sleep(0.2)
    assert job["status"] == "successful", job
    results = httpx.get(f"{location}/results", params={"f": "json"}, timeout=30).json()
    assert results["value"]["ocean_cells"] > 0


def test_bad_input_is_reported(dtolab_stack):
    response = httpx.post(
        f"{dtolab_stack['processes']}/processes/depth-statistics/execution",
        json={"inputs": {"bbox": [10, 0, -10, 5]}},
        timeout=60,
    )
    assert response.status_code == 400
    assert "bbox" in response.json()["description"]


def test_lab_lists_embedded_collections_and_processes(dtolab_stack):
    endpoints = lab_get(dtolab_stack, "endpoints").json()
    assert endpoints["default"] == "local"
    collections = lab_get(dtolab_stack, "endpoints", "local", "collections").json()
    assert "emodnet-bathymetry" in [c["id"] for c in collections["collections"]]
    found = lab_get(dtolab_stack, "endpoints", "local", "collections", q="bathymetry").json()
    assert [c["id"] for c in found["collections"]] == ["emodnet-bathymetry"]
    processes = lab_get(dtolab_stack, "endpoints", "local", "processes").json()
    assert "depth-statistics" in [p["id"] for p in processes["processes"]]


def test_lab_search_through_the_extension(dtolab_stack):
    response = lab_get(
        dtolab_stack,
        "endpoints",
        "local",
        "search",
        collections="emodnet-bathymetry",
        bbox="-10,40,0,50",
    )
    assert response.status_code == 200
    assert [i["id"] for i in response.json()["items"]] == ["etopo5"]
    assert lab_get(dtolab_stack, "endpoints", "local", "search", bbox="1,2").status_code == 400

"""OGC API - Processes Part 1 on the running stack, walked requirement by requirement, for the
what-if processes (coral-heat-stress, drift, sea-level-rise); results found in the catalogue;
OWSLib as a real client; bad input and oversized requests refused with the field named.

Requirement ids are those of OGC 18-062r2 (http://www.opengis.net/spec/ogcapi-processes-1/1.0).
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
import xarray as xr

from dtolab.client.catalog import Catalog, open_item

pytestmark = pytest.mark.timeout(300)

WHAT_IF = ("coral-heat-stress", "drift", "sea-level-rise")
CORE = "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core"
#: A heat-stress run of ~35 s on 2 workers: long enough to be caught running.
LONG_RUN = {"bbox": [70, -60, 153.3333, 23.3333], "resolution": 0.083333333}


@pytest.fixture(scope="module")
def api(dtolab_stack):
    headers = {"Accept": "application/json"}
    with httpx.Client(base_url=dtolab_stack["processes"], timeout=120, headers=headers) as client:
        yield client


def execute(api: httpx.Client, process: str, inputs: dict, *, async_: bool = False):
    headers = {"Prefer": "respond-async"} if async_ else {}
    return api.post(f"/processes/{process}/execution", json={"inputs": inputs}, headers=headers)


def wait_for(api: httpx.Client, job_url: str, *, until=("successful", "failed"), timeout=240):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        doc = api.get(job_url).json()
        seen.append((doc["status"], doc["progress"]))
        if doc["status"] in until:
            return doc, seen
        time.sleep(0.5)
    raise AssertionError(f"job {job_url} still {seen[-1]} after {timeout} s")


# -- /req/core ---------------------------------------------------------------------------------
def test_conformance_declares_part1_classes(api):
    """pygeoapi 0.21 declares these; job-list and dismiss are implemented (tested below)
    but not declared by it."""
    conforms = set(api.get("/conformance").json()["conformsTo"])
    base = "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/"
    for cls in ("core", "ogc-process-description", "json", "oas30"):
        assert base + cls in conforms, cls


def test_process_list_and_descriptions(api):
    listed = api.get("/processes").json()
    ids = {p["id"] for p in listed["processes"]}
    assert set(WHAT_IF) <= ids
    for summary in listed["processes"]:
        assert {"id", "version", "jobControlOptions", "links"} <= set(summary)
    for pid in WHAT_IF:
        doc = api.get(f"/processes/{pid}").json()
        assert doc["id"] == pid and doc["version"] == "1.0.0"
        assert {"sync-execute", "async-execute"} <= set(doc["jobControlOptions"])
        assert "doi.org" in str(doc["links"]) or "coralreefwatch" in str(doc["links"])
        # Every input has a JSON Schema with a default: {"inputs": {}} is a complete request.
        for name, spec in doc["inputs"].items():
            assert "default" in spec["schema"], f"{pid}.{name} has no default"
            assert spec["description"], f"{pid}.{name} is undocumented"
        assert {"summary", "result", "item"} <= set(doc["outputs"])
    assert api.get("/processes/no-such-process").status_code == 404


# -- execution, results, the catalogue ---------------------------------------------------------
@pytest.mark.parametrize("process", WHAT_IF)
def test_sync_execute_with_defaults_registers_a_result_item(api, dtolab_stack, process):
    response = execute(api, process, {})
    assert response.status_code == 200, response.text
    outputs = response.json()
    summary = outputs["summary"]
    assert summary["process"] == process
    assert {"baseline", "scenario"} <= set(summary)
    # The result is an item of the catalogue, found like any other data.
    catalog = Catalog(dtolab_stack["stac"])
    found = catalog.search(collections=["dtolab-scenario-results"], ids=[outputs["item"]["id"]])
    assert len(found) == 1
    item = found[0]
    props = item.properties
    assert props["dtolab:process"] == {"id": process, "version": "1.0.0"}
    assert props["dtolab:cases"] == ["baseline", "scenario"]
    assert props["dtolab:job_id"] in outputs["item"]["id"]
    assert any(link["rel"] == "derived_from" for link in item.to_pystac().to_dict()["links"])
    ds = open_item(item)
    assert list(ds["case"].values) == ["baseline", "scenario"]
    catalog.close()


def test_sync_results_are_the_science(api):
    """Spot checks of what each default run means (the worked cases are in tests/unit)."""
    slr = execute(api, "sea-level-rise", {"rise": 2.0}).json()["summary"]
    assert slr["baseline"]["flooded_connected_km2"] == 0.0
    scen = slr["scenario"]
    assert 0 < scen["flooded_connected_km2"] < scen["flooded_bathtub_km2"]
    heat = execute(api, "coral-heat-stress", {"heatwave": None, "warming": 0.0}).json()["summary"]
    # No warming, no heatwave: the daily series never exceeds the MMM -> no stress anywhere.
    assert heat["scenario"]["max_dhw"] == 0.0 == heat["baseline"]["max_dhw"]
    hot = execute(api, "coral-heat-stress", {"warming": 3.0, "heatwave": None}).json()["summary"]
    assert hot["scenario"]["max_dhw"] > 4  # months above MMM + 1 degC: at least Alert Level 1
    drift = execute(api, "drift", {"particles": 200, "windage": 0}).json()["summary"]
    # Without windage the scenario is the baseline with other random draws: alike, not equal.
    assert drift["baseline"]["mean_displacement_km"] > 1
    assert drift["scenario"]["mean_displacement_km"] == pytest.approx(
        drift["baseline"]["mean_displacement_km"], rel=0.1
    )


def test_async_execute_status_results_and_dismiss(api, dtolab_stack):
    response = execute(api, "sea-level-rise", {"rise": 1.0}, async_=True)
    assert response.status_code == 201, response.text
    assert response.headers["Preference-Applied"] == "respond-async"
    location = response.headers["Location"]
    job_id = location.rsplit("/", 1)[1]
    doc, _ = wait_for(api, location)
    assert doc["status"] == "successful", doc
    # /req/job-list/job-status: the status document's fields.
    for key in ("jobID", "status", "type", "processID", "created", "updated", "progress"):
        assert key in doc, key
    assert doc["jobID"] == job_id and doc["processID"] == "sea-level-rise"
    assert doc["type"] == "process" and doc["progress"] == 100
    results_links = [lk for lk in doc["links"] if lk["rel"].endswith("/results")]
    assert results_links
    results = api.get(f"/jobs/{job_id}/results").json()
    assert results["summary"]["scenario"]["rise_m"] == 1.0
    zarr_url = results["result"]["href"]
    assert httpx.get(f"{zarr_url}/zarr.json").status_code == 200
    item_url = results["item"]["href"]
    assert httpx.get(item_url).status_code == 200

    # /req/dismiss: a finished job is dismissed with its outputs and its catalogue item.
    dismissed = api.delete(f"/jobs/{job_id}")
    assert dismissed.status_code == 200
    assert dismissed.json()["status"] == "dismissed"
    assert api.get(f"/jobs/{job_id}").status_code == 404
    assert api.get(f"/jobs/{job_id}/results").status_code == 404
    assert httpx.get(item_url).status_code == 404
    assert httpx.get(f"{zarr_url}/zarr.json").status_code == 404


def test_unknown_job_is_404(api):
    assert api.get("/jobs/00000000-0000-0000-0000-000000000000").status_code == 404
    assert api.get("/jobs/00000000-0000-0000-0000-000000000000/results").status_code == 404
    assert api.delete("/jobs/00000000-0000-0000-0000-000000000000").status_code == 404


def test_job_list_pages(api):
    for rise in (0.5, 1.5, 2.5):
        assert execute(api, "sea-level-rise", {"rise": rise}).status_code == 200
    first = api.get("/jobs", params={"limit": 2}).json()
    assert len(first["jobs"]) == 2
    nxt = [lk["href"] for lk in first["links"] if lk["rel"] == "next"]
    assert nxt, first["links"]
    second = api.get(nxt[0]).json()
    assert second["jobs"]
    assert not {j["jobID"] for j in first["jobs"]} & {j["jobID"] for j in second["jobs"]}


def test_delete_cancels_a_running_job(api, dtolab_stack):
    response = execute(api, "coral-heat-stress", LONG_RUN, async_=True)
    assert response.status_code == 201
    location = response.headers["Location"]
    job_id = location.rsplit("/", 1)[1]
    doc, _ = wait_for(api, location, until=("running",))
    deadline = time.monotonic() + 60
    while doc["progress"] < 5 and time.monotonic() < deadline:  # its tiles are on Dask
        time.sleep(0.3)
        doc = api.get(location).json()
    assert doc["status"] == "running", doc
    response = api.delete(location)
    assert response.status_code == 200 and response.json()["status"] == "dismissed"
    assert api.get(location).status_code == 404
    # It stays cancelled: no result item appears, no outputs are left behind.
    time.sleep(4)
    catalog = Catalog(dtolab_stack["stac"])
    ids = [it.id for it in catalog.search(collections=["dtolab-scenario-results"])]
    catalog.close()
    assert f"coral-heat-stress-{job_id}" not in ids
    results = Path(dtolab_stack["state_dir"]) / "jobs" / "results" / job_id
    assert not results.exists()
    # The service is healthy and the next job runs.
    assert execute(api, "sea-level-rise", {"rise": 0.5}).status_code == 200


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("process", "inputs", "field"),
    [
        ("sea-level-rise", {"rise": "high"}, "inputs.rise"),
        ("sea-level-rise", {"rise": -1}, "inputs.rise"),
        ("sea-level-rise", {"bbox": [1, 2, 3]}, "inputs.bbox"),
        ("sea-level-rise", {"bbox": [8, 51, 3, 54]}, "inputs.bbox"),
        ("sea-level-rise", {"connectivity": 6}, "inputs.connectivity"),
        ("sea-level-rise", {"flood": 1}, "inputs.flood"),
        ("sea-level-rise", {"item": "no-such-item"}, "inputs.item"),
        ("coral-heat-stress", {"heatwave": {"amplitude": 2}}, "inputs.heatwave"),
        ("coral-heat-stress", {"year": 1800}, "inputs.year"),
        ("coral-heat-stress", {"item": "etopo5"}, "inputs.item"),
        ("drift", {"start": {"lon": "west", "lat": 45}}, "inputs.start.lon"),
        ("drift", {"start_time": "yesterday"}, "inputs.start_time"),
        ("drift", {"start_time": "2030-01-01T00:00:00Z"}, "inputs.start_time"),
        ("drift", {"duration_hours": 2000}, "inputs.duration_hours"),
        ("drift", {"backend": "fortran"}, "inputs.backend"),
    ],
)
def test_bad_input_is_400_naming_the_field(api, process, inputs, field):
    before = api.get("/jobs", params={"limit": 1000}).json()["jobs"]
    response = execute(api, process, inputs)
    assert response.status_code == 400, response.text
    assert field in response.json()["description"]
    after = api.get("/jobs", params={"limit": 1000}).json()["jobs"]
    assert len(after) == len(before)  # refused before a job exists


def test_region_outside_the_data_is_400_with_the_extent(api):
    response = execute(api, "drift", {"start": {"lon": 10.0, "lat": 50.0}})
    assert response.status_code == 400
    text = response.json()["description"]
    assert "inputs.start" in text and "extent is [-3.2125, 44.6853, -2.3125, 45.2161]" in text


@pytest.mark.parametrize(
    ("process", "inputs", "limit"),
    [
        ("drift", {"particles": 3_000_000}, "2,000,000"),
        ("drift", {"particles": 2_000_000, "duration_hours": 400}, "4,000,000,000"),
        ("coral-heat-stress", {"bbox": [-180, -80, 180, 80], "resolution": 0.0834}, "4,000,000"),
        ("sea-level-rise", {"bbox": [-180, -90, 180, 90]}, "4,000,000"),
    ],
)
def test_oversized_requests_are_413_with_the_limit(api, process, inputs, limit):
    response = execute(api, process, inputs)
    assert response.status_code == 413, response.text
    assert limit in response.json()["description"]


# -- OWSLib, a real client -----------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_owslib_lists_describes_and_executes(dtolab_stack):
    from owslib.ogcapi.processes import Processes

    client = Processes(dtolab_stack["processes"])
    ids = {p["id"] for p in client.processes()}
    assert set(WHAT_IF) <= ids
    described = client.process("sea-level-rise")
    assert described["inputs"]["rise"]["schema"]["default"] == 2.0
    result = client.execute("sea-level-rise", {"rise": 3.0, "bbox": [3, 51, 8, 54]})
    assert result["summary"]["scenario"]["rise_m"] == 3.0
    assert result["summary"]["scenario"]["flooded_connected_km2"] > 0
    ds = xr.open_dataset(result["result"]["href"], engine="zarr", consolidated=True)
    assert int(ds["flooded_connected"].sel(case="scenario").sum()) > 0

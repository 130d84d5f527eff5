"""Profiles on the embedded hub: a named server started with a profile through the REST API.

The shared hub offers one profile on this machine (CPU; GPU and RStudio need what it lacks), so
logins spawn labs without a form; a profile is still chosen by name through the REST API.
"""

import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.hub.conftest import admin_token, api_token

USER = "reader"


@pytest.fixture
def dtolab_start_server(dtolab_hub, dtolab_hub_sessions):
    """Starts a named server of USER's through the REST API (with a token of USER's), and
    removes the servers it started after the test."""
    token = api_token(dtolab_hub_sessions(USER), dtolab_hub["hub"], USER)
    client = httpx.Client(
        base_url=f"{dtolab_hub['hub']}/hub/api/users/{USER}/servers",
        headers={"Authorization": f"token {token}"},
        timeout=60,
    )
    started: list[str] = []

    def start(name: str, body: dict) -> httpx.Response:
        started.append(name)
        return client.post(name, json=body)

    yield start
    for name in started:
        client.request("DELETE", name, json={"remove": True})
    client.close()


def server_model(dtolab_hub, dtolab_hub_sessions, name: str) -> dict:
    """USER's server ``name`` as an administrator sees it (with its state: the process id)."""
    token = admin_token(dtolab_hub, dtolab_hub_sessions)
    answer = httpx.get(
        f"{dtolab_hub['hub']}/hub/api/users/{USER}", headers={"Authorization": f"token {token}"}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["servers"].get(name, {})


def test_named_server_starts_in_the_chosen_profile(
    dtolab_hub, dtolab_hub_sessions, dtolab_start_server
):
    # When reader starts a named server with the CPU profile through the REST API
    answer = dtolab_start_server("profiled", {"profile": "cpu"})
    assert answer.status_code in (201, 202), answer.text

    # Then it becomes ready, remembering the choice
    deadline = time.monotonic() + 180
    model = server_model(dtolab_hub, dtolab_hub_sessions, "profiled")
    while not model.get("ready") and time.monotonic() < deadline:
        time.sleep(1)
        model = server_model(dtolab_hub, dtolab_hub_sessions, "profiled")
    assert model.get("ready"), model
    assert model["user_options"] == {"profile": "cpu"}

    # And its process is jupyterhub.singleuser run by the profile's Python (the hub's own),
    # in that Python's virtual environment
    pid = model["state"]["pid"]
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    assert argv[:3] == [sys.executable, "-m", "jupyterhub.singleuser"]
    environ = Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
    env = dict(entry.split("=", 1) for entry in environ if "=" in entry)
    assert env["VIRTUAL_ENV"] == sys.prefix
    assert env["PATH"].startswith(f"{Path(sys.executable).parent}:")


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ("gpu", "profile 'gpu' is not available on this machine: no CUDA device"),
        ("tpu", "unknown profile 'tpu'; profiles offered here: cpu"),
    ],
)
def test_unavailable_and_unknown_profiles_are_refused(dtolab_start_server, profile, message):
    # When reader asks for a server with a profile this machine does not offer
    answer = dtolab_start_server(f"try-{profile}", {"profile": profile})

    # Then the hub refuses it as bad input, saying why
    assert answer.status_code == 400, answer.text
    assert message in answer.json()["message"]

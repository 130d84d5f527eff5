"""The user's access token reaches the APIs from the lab, is renewed before it expires, and is
never shown to the browser or written to a log."""

import time
from pathlib import Path

import httpx
import pytest

from tests.hub.conftest import auth_state

pytestmark = pytest.mark.stack


def search(client: httpx.Client, hub: str) -> httpx.Response:
    """A catalogue search through the user's lab (its server extension calls the STAC API)."""
    return client.get(f"{hub}/user/demo/dtolab/api/endpoints/local/search", params={"limit": 3})


def test_a_token_about_to_expire_is_renewed_and_the_next_catalogue_call_succeeds(
    dtolab_hub, dtolab_hub_sessions
):
    hub, stac = dtolab_hub["hub"], dtolab_hub["stac"]
    demo = dtolab_hub_sessions("demo")
    # Given a catalogue call through the lab that works with the current token A
    first = search(demo, hub)
    assert first.status_code == 200, first.text
    assert first.json()["items"]
    before = auth_state(dtolab_hub, dtolab_hub_sessions, "demo")
    token_a = before["access_token"]
    assert before["refresh_at"] < before["expires_at"]

    # When A reaches its renewal time (two thirds of its 30 s life) and the lab calls again
    time.sleep(max(0.0, before["refresh_at"] - time.time()) + 1)
    second = search(demo, hub)

    # Then the call succeeds and the hub holds a new token B, valid for longer
    assert second.status_code == 200, second.text
    after = auth_state(dtolab_hub, dtolab_hub_sessions, "demo")
    assert after["access_token"] != token_a
    assert after["expires_at"] > before["expires_at"]
    assert after["refresh_token"]

    # And once A has expired the API refuses it, while the lab's calls go on working (with B).
    time.sleep(max(0.0, before["expires_at"] - time.time()) + 6)
    stale = httpx.get(f"{stac}/collections", headers={"Authorization": f"Bearer {token_a}"})
    assert stale.status_code == 401
    assert search(demo, hub).status_code == 200

    # Tokens never reach the browser's answers, nor any service log.
    for answer in (first, second, demo.get(f"{hub}/user/demo/dtolab/api/endpoints")):
        assert token_a not in answer.text and after["access_token"] not in answer.text
    logs = Path(dtolab_hub["state_dir"]) / "logs"
    for log in logs.glob("*.log"):
        text = log.read_text(errors="replace")
        for secret in (token_a, after["access_token"], after["refresh_token"]):
            assert secret not in text, f"a token is written in {log.name}"


def test_the_lab_says_its_endpoint_is_authenticated_without_the_token(
    dtolab_hub, dtolab_hub_sessions
):
    demo = dtolab_hub_sessions("demo")
    listing = demo.get(f"{dtolab_hub['hub']}/user/demo/dtolab/api/endpoints").json()
    local = next(e for e in listing["endpoints"] if e["name"] == "local")
    assert local["authenticated"] is True
    assert set(local) == {"name", "title", "stac", "processes", "free_text", "authenticated"}

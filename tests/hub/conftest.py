"""Hub fixtures: users logged in over HTTP (their labs running), tokens, the stack's keys."""

import json
from pathlib import Path

import httpx
import pytest

from tests.support.hub_login import login


@pytest.fixture(scope="session")
def dtolab_hub_sessions(dtolab_hub):
    """A logged-in HTTP client per user name, made on first use and kept for the session."""
    clients: dict[str, httpx.Client] = {}

    def session(user: str) -> httpx.Client:
        if user not in clients:
            password = dtolab_hub["users"][user][0]
            clients[user] = login(dtolab_hub["hub"], user, password)
        return clients[user]

    yield session
    for client in clients.values():
        client.close()


def api_token(client: httpx.Client, hub: str, user: str, scopes: list[str] | None = None) -> str:
    """A new hub API token of ``user`` (made through their browser session)."""
    xsrf = client.cookies.get("_xsrf", path="/hub/") or ""
    body: dict = {"note": "dtolab test", "expires_in": 900}
    if scopes is not None:
        body["scopes"] = scopes
    answer = client.post(
        f"{hub}/hub/api/users/{user}/tokens", headers={"X-XSRFToken": xsrf}, json=body
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["token"]


def auth_state(dtolab_hub, dtolab_hub_sessions, user: str) -> dict:
    """``user``'s auth_state, read with an administrator's token."""
    token = admin_token(dtolab_hub, dtolab_hub_sessions)
    answer = httpx.get(
        f"{dtolab_hub['hub']}/hub/api/users/{user}", headers={"Authorization": f"token {token}"}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["auth_state"]


_admin_tokens: dict[str, str] = {}


def admin_token(dtolab_hub, dtolab_hub_sessions) -> str:
    if "admin" not in _admin_tokens:
        _admin_tokens["admin"] = api_token(dtolab_hub_sessions("admin"), dtolab_hub["hub"], "admin")
    return _admin_tokens["admin"]


def provider_key(dtolab_hub) -> dict:
    """The provider's private signing key (to make a validly signed but expired token)."""
    keys = json.loads((Path(dtolab_hub["state_dir"]) / "hub" / "oidc-keys.json").read_text())
    return keys["keys"][0]

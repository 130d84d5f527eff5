"""Logging in to the embedded hub (OpenID Connect), roles from groups, who may open what."""

import time
from urllib.parse import urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.hub.conftest import admin_token, api_token, auth_state, provider_key
from tests.support.hub_login import open_login_form, submit_login

pytestmark = pytest.mark.stack


def test_status_reports_the_hub(dtolab_hub):
    # Given a hub started with `dtolab hub --detach`, `dtolab status --json` names its URL.
    assert dtolab_hub["running"] is True
    assert dtolab_hub["hub"].startswith("http://127.0.0.1:")
    assert httpx.get(f"{dtolab_hub['hub']}/hub/health").status_code == 200


def test_a_wrong_password_stays_at_the_provider(dtolab_hub):
    with httpx.Client(timeout=30) as client:
        form = open_login_form(client, dtolab_hub["hub"])
        answer = submit_login(client, form, "demo", "not-the-password")
        # The provider answers its own form again, with an alert; no hub session exists.
        assert answer.status_code == 401
        assert urlsplit(str(answer.url)).netloc != urlsplit(dtolab_hub["hub"]).netloc
        assert "Wrong username or password." in answer.text
        assert 'name="password"' in answer.text
        assert not any(c.name.startswith("jupyterhub") for c in client.cookies.jar)


def test_a_user_in_no_dtolab_group_is_refused(dtolab_hub):
    with httpx.Client(timeout=30) as client:
        form = open_login_form(client, dtolab_hub["hub"])
        password = dtolab_hub["users"]["outsider"][0]
        answer = submit_login(client, form, "outsider", password)
        assert answer.status_code == 403
        assert urlsplit(str(answer.url)).path == "/hub/oauth_callback"


def test_roles_come_from_the_groups_claim(dtolab_hub, dtolab_hub_sessions):
    token = admin_token(dtolab_hub, dtolab_hub_sessions)
    dtolab_hub_sessions("demo")
    users = httpx.get(
        f"{dtolab_hub['hub']}/hub/api/users", headers={"Authorization": f"token {token}"}
    ).json()
    admin_flag = {u["name"]: u["admin"] for u in users}
    assert admin_flag["admin"] is True
    assert admin_flag["demo"] is False
    groups = {u["name"]: sorted(u["groups"]) for u in users}
    assert groups["demo"] == ["dtolab-users"]


def test_a_non_admin_cannot_use_admin_endpoints(dtolab_hub, dtolab_hub_sessions):
    hub = dtolab_hub["hub"]
    token = api_token(dtolab_hub_sessions("demo"), hub, "demo")
    headers = {"Authorization": f"token {token}"}
    # Listing users, reading another user, stopping another's server, shutting the hub down.
    assert httpx.get(f"{hub}/hub/api/users", headers=headers).status_code == 403
    # (JupyterHub answers 404 for users a token may not see, so as not to reveal them.)
    assert httpx.get(f"{hub}/hub/api/users/admin", headers=headers).status_code in (403, 404)
    stop = httpx.delete(f"{hub}/hub/api/users/admin/server", headers=headers)
    assert stop.status_code in (403, 404)
    assert httpx.post(f"{hub}/hub/api/shutdown", headers=headers).status_code == 403
    # The same token reads its own user.
    me = httpx.get(f"{hub}/hub/api/user", headers=headers)
    assert me.status_code == 200 and me.json()["name"] == "demo"


def test_a_user_cannot_open_another_users_server(dtolab_hub, dtolab_hub_sessions):
    hub = dtolab_hub["hub"]
    dtolab_hub_sessions("admin")  # admin's server runs
    demo = dtolab_hub_sessions("demo")
    answer = demo.get(f"{hub}/user/admin/api/status")
    for _ in range(10):  # the single-user server's OAuth hop goes through the hub
        if answer.status_code not in (301, 302, 303):
            break
        answer = demo.get(httpx.URL(str(answer.url)).join(answer.headers["location"]))
    assert answer.status_code == 403
    # ... while the owner may.
    admin = dtolab_hub_sessions("admin")
    assert admin.get(f"{hub}/user/admin/api/status").status_code == 200


def test_forged_and_expired_tokens_are_refused(dtolab_hub, dtolab_hub_sessions):
    hub, stac = dtolab_hub["hub"], dtolab_hub["stac"]
    # The hub: a token it never issued.
    forged_hub = {"Authorization": "token 0123456789abcdef0123456789abcdef"}
    assert httpx.get(f"{hub}/hub/api/user", headers=forged_hub).status_code == 403

    # The APIs: the user's real access token works ...
    dtolab_hub_sessions("demo")
    state = auth_state(dtolab_hub, dtolab_hub_sessions, "demo")
    real = jwt.decode(state["access_token"], options={"verify_signature": False})
    ok = httpx.get(f"{stac}/collections", headers=bearer(state["access_token"]))
    assert ok.status_code == 200

    # ... the same claims signed with another key do not ...
    key = provider_key(dtolab_hub)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(real, other, algorithm="RS256", headers={"kid": key["kid"]})
    refused = httpx.get(f"{stac}/collections", headers=bearer(forged))
    assert refused.status_code == 401
    assert "not valid" in refused.json()["description"]

    # ... nor a token signed with the provider's own key that has expired ...
    now = int(time.time())
    signer = jwt.PyJWK(key).key
    expired = jwt.encode(
        {**real, "iat": now - 600, "exp": now - 300}, signer, "RS256", {"kid": key["kid"]}
    )
    refused = httpx.get(f"{stac}/collections", headers=bearer(expired))
    assert refused.status_code == 401
    assert refused.json()["description"] == "the access token has expired"
    assert "invalid_token" in refused.headers["www-authenticate"]

    # ... nor one for another audience, nor none at all; the processes API is guarded alike.
    other_aud = jwt.encode({**real, "aud": "someone-else"}, signer, "RS256", {"kid": key["kid"]})
    assert httpx.get(f"{stac}/collections", headers=bearer(other_aud)).status_code == 401
    assert httpx.get(f"{stac}/collections").status_code == 401
    processes = f"{dtolab_hub['processes']}/processes"
    assert httpx.get(processes, params={"f": "json"}).status_code == 401
    assert httpx.get(processes, params={"f": "json"}, headers=bearer(expired)).status_code == 401
    ok = httpx.get(processes, params={"f": "json"}, headers=bearer(state["access_token"]))
    assert ok.status_code == 200


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}

"""The hub user's token in the lab (cache until the hub's renewal time, retry after a 401) and
the authenticator's renewal ahead of expiry (the provider is faked at its token call only)."""

import asyncio
import time

import httpx
import pytest

from dtolab.client.endpoints import parse_endpoints
from dtolab.client.tokens import BearerAuth, HubTokenAuth, HubUserToken, endpoint_auth
from dtolab.errors import InvalidInput, UpstreamError
from dtolab.hub.auth import DtolabOAuthenticator


class FakeHub:
    """The hub's users API: hands out tokens in turn, counting requests."""

    def __init__(self, *tokens: str, renew_in: float = 60.0, status: int = 200) -> None:
        self.tokens = list(tokens)
        self.renew_in = renew_in
        self.status = status
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        assert request.url.path == "/hub/api/users/ana"
        assert request.headers["Authorization"] == "token server-token"
        if self.status != 200:
            return httpx.Response(self.status, json={"message": "no"})
        token = self.tokens[min(self.calls, len(self.tokens)) - 1]
        now = time.time()
        state = {"access_token": token, "refresh_at": now + self.renew_in, "expires_at": now + 90}
        return httpx.Response(200, json={"name": "ana", "auth_state": state})


def source(hub: FakeHub) -> HubUserToken:
    return HubUserToken(
        "http://hub/hub/api",
        "server-token",
        "ana",
        transport=httpx.MockTransport(hub),
        async_transport=httpx.MockTransport(hub),
    )


def test_the_token_is_reused_until_the_hubs_renewal_time():
    hub = FakeHub("A", "B", renew_in=60)
    tokens = source(hub)
    assert tokens.current() == "A"
    assert tokens.current() == "A"
    assert hub.calls == 1  # cached
    tokens.invalidate()
    assert tokens.current() == "B"


def test_past_the_renewal_time_the_hub_is_asked_again():
    hub = FakeHub("A", "B", renew_in=-5)  # the hub has not renewed yet: reuse for a second only
    tokens = source(hub)
    assert tokens.current() == "A"
    time.sleep(1.1)
    assert tokens.current() == "B"
    assert hub.calls == 2


def test_async_and_sync_share_the_cache():
    hub = FakeHub("A")
    tokens = source(hub)
    assert asyncio.run(tokens.acurrent()) == "A"
    assert tokens.current() == "A"
    assert hub.calls == 1


def test_a_refusing_hub_says_to_log_in_again():
    with pytest.raises(UpstreamError, match="log in again"):
        source(FakeHub(status=403)).current()


def test_outside_a_hub_the_error_says_so():
    with pytest.raises(UpstreamError, match="not started by JupyterHub"):
        HubUserToken("", "", "").current()


def test_a_401_from_the_api_fetches_a_fresh_token_and_retries_once():
    hub = FakeHub("old", "new", renew_in=60)
    seen = []

    def api(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(401 if len(seen) == 1 else 200, json={})

    with httpx.Client(transport=httpx.MockTransport(api), auth=HubTokenAuth(source(hub))) as c:
        assert c.get("http://api/collections").status_code == 200
    assert seen == ["Bearer old", "Bearer new"]


def test_endpoints_choose_their_credentials():
    endpoints = parse_endpoints(
        {
            "open": {"stac": "http://a"},
            "fixed": {"stac": "http://b", "token": "t"},
            "user": {"stac": "http://c", "auth": "user"},
        }
    )
    assert endpoint_auth(endpoints["open"]) is None
    assert isinstance(endpoint_auth(endpoints["fixed"]), BearerAuth)
    assert isinstance(endpoint_auth(endpoints["user"]), HubTokenAuth)
    assert endpoints["user"].public()["authenticated"] is True
    assert "token" not in endpoints["fixed"].public()
    with pytest.raises(InvalidInput, match=r"endpoints.x.auth"):
        parse_endpoints({"x": {"stac": "http://d", "auth": "password"}})


class FakeUser:
    name = "ana"

    def __init__(self, state: dict | None) -> None:
        self.state = state

    async def get_auth_state(self):
        return self.state


def authenticator(monkeypatch, answer: dict | Exception) -> DtolabOAuthenticator:
    auth = DtolabOAuthenticator(
        client_id="hub",
        client_secret="secret",
        token_url="http://provider/token",
        userdata_from_id_token=True,
        enable_auth_state=True,
        username_claim="preferred_username",
    )
    requests = []

    async def get_token_info(handler, params):
        requests.append(params)
        if isinstance(answer, Exception):
            raise answer
        return dict(answer)

    async def to_model(token_info):
        return {"name": "ana", "auth_state": auth.build_auth_state_dict(token_info, {})}

    monkeypatch.setattr(auth, "get_token_info", get_token_info)
    monkeypatch.setattr(auth, "_token_to_auth_model", to_model)
    auth.requests = requests
    return auth


def test_auth_state_records_expiry_and_renewal_time(monkeypatch):
    auth = authenticator(monkeypatch, {})
    before = time.time()
    state = auth.build_auth_state_dict({"access_token": "A", "expires_in": 300}, {})
    assert state["expires_at"] == pytest.approx(before + 300, abs=2)
    assert state["refresh_at"] == pytest.approx(before + 200, abs=2)


def test_a_fresh_token_is_left_alone(monkeypatch):
    auth = authenticator(monkeypatch, {"access_token": "B", "expires_in": 300})
    user = FakeUser({"access_token": "A", "refresh_token": "R", "refresh_at": time.time() + 60})
    assert asyncio.run(auth.refresh_user(user)) is True
    assert auth.requests == []


def test_a_token_past_its_renewal_time_is_renewed_with_the_refresh_token(monkeypatch):
    auth = authenticator(monkeypatch, {"access_token": "B", "expires_in": 300})
    user = FakeUser({"access_token": "A", "refresh_token": "R", "refresh_at": time.time() - 1})
    model = asyncio.run(auth.refresh_user(user))
    assert auth.requests[0]["grant_type"] == "refresh_token"
    assert auth.requests[0]["refresh_token"] == "R"
    state = model["auth_state"]
    assert state["access_token"] == "B"
    assert state["refresh_token"] == "R"  # kept when the provider does not send a new one
    assert state["refresh_at"] > time.time() + 100


def test_a_refused_refresh_token_means_logging_in_again(monkeypatch):
    from tornado.httpclient import HTTPClientError

    auth = authenticator(monkeypatch, HTTPClientError(400))
    user = FakeUser({"access_token": "A", "refresh_token": "R", "refresh_at": time.time() - 1})
    assert asyncio.run(auth.refresh_user(user)) is False
    assert asyncio.run(auth.refresh_user(FakeUser(None))) is False

"""The upstream client's failure handling, against httpx's MockTransport (no network)."""

import httpx
import pytest

from dtolab.client.endpoints import Endpoint
from dtolab.client.http import UpstreamClient
from dtolab.errors import (
    NotFound,
    ResponseTooLarge,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)

ENDPOINT = Endpoint("demo", stac="http://stac.test/api", token="tok-123")


def client_for(handler, **kwargs) -> UpstreamClient:
    return UpstreamClient(transport=httpx.MockTransport(handler), **kwargs)


async def test_token_is_added_and_ids_are_encoded():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    client = client_for(handler)
    assert await client.get_json(ENDPOINT, "stac", "collections", "a/b") == {"ok": True}
    assert seen[0].headers["Authorization"] == "Bearer tok-123"
    assert seen[0].url.raw_path == b"/api/collections/a%2Fb"
    await client.aclose()


async def test_connection_errors_are_retried_then_reported():
    calls = []

    def handler(request):
        calls.append(1)
        raise httpx.ConnectError("refused", request=request)

    client = client_for(handler, retries=2)
    with pytest.raises(UpstreamUnavailable, match=r"cannot reach http://stac\.test/api") as info:
        await client.get_json(ENDPOINT, "stac", "collections")
    assert len(calls) == 3 and info.value.status == 502
    await client.aclose()


async def test_a_503_is_retried_once_recovered():
    answers = iter([httpx.Response(503), httpx.Response(200, json={"n": 1})])
    client = client_for(lambda request: next(answers), retries=2)
    assert await client.get_json(ENDPOINT, "stac", "x") == {"n": 1}
    await client.aclose()


async def test_timeout_is_504():
    def handler(request):
        raise httpx.ReadTimeout("slow", request=request)

    client = client_for(handler, timeout=1.5)
    with pytest.raises(UpstreamTimeout, match=r"within 1\.5 s") as info:
        await client.get_json(ENDPOINT, "stac", "x")
    assert info.value.status == 504
    await client.aclose()


@pytest.mark.parametrize(
    ("status", "error", "match"),
    [
        (404, NotFound, "not found upstream"),
        (401, UpstreamError, "token was refused"),
        (500, UpstreamError, "answered 500: boom"),
    ],
)
async def test_upstream_statuses_are_mapped(status, error, match):
    client = client_for(lambda request: httpx.Response(status, json={"description": "boom"}))
    with pytest.raises(error, match=match):
        await client.get_json(ENDPOINT, "stac", "x")
    await client.aclose()


async def test_responses_over_the_limit_are_cut_off():
    client = client_for(
        lambda request: httpx.Response(200, content=b"x" * 5000), max_response_bytes=1000
    )
    with pytest.raises(ResponseTooLarge, match="1000 byte limit"):
        await client.get_json(ENDPOINT, "stac", "x")
    await client.aclose()


async def test_non_json_is_an_upstream_error():
    client = client_for(lambda request: httpx.Response(200, content=b"<html>"))
    with pytest.raises(UpstreamError, match="not JSON"):
        await client.get_json(ENDPOINT, "stac", "x")
    await client.aclose()


async def test_links_outside_the_endpoint_are_not_followed():
    client = client_for(lambda request: httpx.Response(200, json={}))
    with pytest.raises(UpstreamError, match="refused to follow"):
        await client.follow(ENDPOINT, "stac", "http://stac.test/api-evil/collections")
    with pytest.raises(UpstreamError, match="refused to follow"):
        await client.follow(ENDPOINT, "stac", "http://169.254.169.254/latest")
    assert await client.follow(ENDPOINT, "stac", "http://stac.test/api/collections?token=2") == {}
    await client.aclose()


async def test_redirects_are_not_followed():
    def handler(request):
        return httpx.Response(302, headers={"Location": "http://127.0.0.1:9/secret"})

    client = client_for(handler)
    with pytest.raises(UpstreamError, match=r"redirect \(302\)"):
        await client.get_json(ENDPOINT, "stac", "x")
    await client.aclose()

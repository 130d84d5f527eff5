"""The STAC API fixes (dtolab.stack.stac_fixes) around a tiny stand-in for stac-fastapi.

The stand-in answers every search with one Item, a next link, and what it was asked (query string
and JSON body), so each test sees both what the middleware handed on and what it answered.
"""

import asyncio
import json

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dtolab.stack.stac_fixes import (
    DEFAULT_FIELDS,
    WORLD,
    BadRequest,
    StacFixes,
    empty_item_collection,
    normalise_bbox,
    resolve_fields,
    rewrite_query,
    rewrite_search_body,
)

WITHOUT_GEOMETRY = [f for f in DEFAULT_FIELDS if f != "geometry"]
GEOM = ["geometry"]


async def search(request: Request) -> JSONResponse:
    body = await request.body()
    return JSONResponse(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "id": "a"}],
            "links": [
                {"rel": "self", "href": str(request.url)},
                {"rel": "next", "href": f"{request.url}&token=next:a"},
            ],
            "numberReturned": 1,
            "numberMatched": 5,
            "asked": {
                "query": request.url.query,
                "params": dict(request.query_params),
                "body": json.loads(body) if body else None,
            },
        }
    )


async def missing(request: Request) -> JSONResponse:
    return JSONResponse({"code": "NotFoundError", "description": "no such collection"}, 404)


ROUTES = [
    Route("/search", search, methods=["GET", "POST"]),
    Route("/collections/missing/items", missing),
    Route("/collections/{cid}/items", search),
    Route("/collections", search),  # not an item search: passes through untouched
]


class Client:
    """Synchronous requests to an ASGI app through httpx (starlette's TestClient wants httpx2)."""

    def __init__(self, app, root_path: str = "") -> None:
        self.transport = httpx.ASGITransport(app=app, root_path=root_path)

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        async def go() -> httpx.Response:
            async with httpx.AsyncClient(transport=self.transport, base_url="http://t") as c:
                return await c.request(method, url, **kwargs)

        return asyncio.run(go())

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs) -> httpx.Response:
        return self.request("POST", url, **kwargs)


@pytest.fixture
def client():
    return Client(StacFixes(Starlette(routes=ROUTES)))


def asked(response):
    return response.json()["asked"]


# --- bbox ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bbox", "expected"),
    [
        # 3D over 2D geometries, taken at elevation 0 (Item Search, "bbox")
        ([100, 0, 0, 105, 1, 1], [100, 0, 105, 1]),
        ([100, 0, -50, 105, 1, 0], [100, 0, 105, 1]),
        ([100, 0, 1, 105, 1, 2], None),
        # cut to the WGS 84 domain; wholly outside it, nothing
        ([-200, -100, 200, 100], list(WORLD)),
        ([10, 80, 20, 95], [10, 80, 20, 90]),
        ([181, 91, 182, 92], None),
        ([-10, 91, 10, 92], None),
        ([181, 0, 182, 1], None),
        # degenerate boxes are boxes (a point, a line)
        ([5, 5, 5, 5], [5, 5, 5, 5]),
        ([180, 0, 180, 10], [180, 0, 180, 10]),
        # across the antimeridian, or latitudes upside down: left for stac-fastapi to judge
        ([170, 0, -170, 10], [170, 0, -170, 10]),
        ([100, 1, 105, 0], [100, 1, 105, 0]),
    ],
)
def test_normalise_bbox(bbox, expected):
    # Given a bbox / When it is normalised / Then it is the 2D box it means, or None for nothing
    assert normalise_bbox([float(v) for v in bbox]) == expected


def test_a_3d_bbox_upside_down_is_a_bad_request():
    # Given a 3D bbox whose minimum elevation is above its maximum
    # When it is normalised / Then it is rejected
    with pytest.raises(BadRequest, match="elevation"):
        normalise_bbox([100.0, 0.0, 5.0, 105.0, 1.0, 1.0])


def test_get_search_with_a_3d_bbox_searches_its_2d_footprint(client):
    # Given a GET search with a 3D bbox whose height range holds 0
    response = client.get("/search", params={"bbox": "100.0,0.0,0.0,105.0,1.0,1.0"})
    # Then stac-fastapi is asked for the 2D bbox, and the Items it finds are returned
    assert response.status_code == 200
    assert asked(response)["params"]["bbox"] == "100,0,105,1"
    assert [f["id"] for f in response.json()["features"]] == ["a"]


def test_post_search_with_a_3d_bbox_searches_its_2d_footprint(client):
    response = client.post("/search", json={"bbox": [100.0, 0.0, 0.0, 105.0, 1.0, 1.0]})
    assert response.status_code == 200
    assert asked(response)["body"]["bbox"] == [100, 0, 105, 1]


@pytest.mark.parametrize("path", ["/search", "/collections/c/items"])
def test_get_a_bbox_outside_the_world_answers_an_empty_item_collection(client, path):
    # Given a bbox wholly outside the WGS 84 domain, with ids (a search is their intersection)
    response = client.get(path, params={"ids": "a", "bbox": "181,91,182,92", "limit": 1})
    # Then the answer is a valid, empty ItemCollection: no Item, no next page
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    assert body["features"] == []
    assert body["numberReturned"] == body["numberMatched"] == 0
    assert [link["rel"] for link in body["links"]] == ["self"]
    assert int(response.headers["content-length"]) == len(response.content)
    # and the request was still run, whole, with a bbox that stac-fastapi accepts in its place
    assert asked(response)["params"] == {"ids": "a", "bbox": "-180,-90,180,90", "limit": "1"}


def test_post_a_3d_bbox_above_the_ground_answers_an_empty_item_collection(client):
    response = client.post("/search", json={"bbox": [100, 0, 10, 105, 1, 20], "ids": ["a"]})
    assert response.status_code == 200
    assert response.json()["features"] == []


def test_an_empty_answer_keeps_errors_as_they_are(client):
    # Given a search that matches nothing, in a collection that does not exist
    response = client.get("/collections/missing/items", params={"bbox": "181,91,182,92"})
    # Then stac-fastapi's 404 comes through
    assert response.status_code == 404
    assert response.json()["code"] == "NotFoundError"
    assert response.headers["content-type"] == "application/json"


def test_get_a_3d_bbox_upside_down_answers_400(client):
    response = client.get("/search", params={"bbox": "100,0,5,105,1,1"})
    assert response.status_code == 400
    assert response.json()["code"] == "BadRequest"
    assert "elevation" in response.json()["description"]


@pytest.mark.parametrize(
    "query",
    [
        "bbox=%5B100.0%2C+0.0%2C+105.0%2C+1.0%5D",  # brackets and spaces: not the GET form
        "bbox=100.0,1.0,105.0,0.0",  # latitudes upside down
        "bbox=0,0,0,1,1",  # five numbers
        "bbox=a,b,c,d",
        "bbox=181,91,182,92&intersects=%7B%7D",  # bbox and intersects: stac-fastapi says 400
        "bbox=1,2,3,4&bbox=181,91,182,92",  # repeated
    ],
)
def test_get_bboxes_that_are_not_ours_to_mend_pass_through_unchanged(client, query):
    response = client.get(f"/search?{query}")
    assert asked(response)["query"] == query
    assert response.json()["features"]  # not emptied


@pytest.mark.parametrize(
    "body",
    [
        {"bbox": "100.0, 0.0, 105.0, 1.0"},  # a string, not an array
        {"bbox": [100, 1, 105, 0]},
        {"bbox": [0, 0, 0, 1, 1]},
        {"bbox": [0, 0, True, 1]},
        {"bbox": [181, 91, 182, 92], "intersects": {"type": "Point", "coordinates": [0, 0]}},
    ],
)
def test_post_bboxes_that_are_not_ours_to_mend_pass_through_unchanged(client, body):
    response = client.post("/search", json=body)
    assert asked(response)["body"] == body


def test_other_endpoints_pass_through_unchanged(client):
    # Given a request that is no item search (collection search here)
    response = client.get("/collections?bbox=181,91,182,92&fields=")
    # Then neither the request nor the answer is touched
    assert asked(response)["query"] == "bbox=181,91,182,92&fields="
    assert response.json()["features"]
    assert response.headers["content-type"] == "application/json"


# --- collections and ids ------------------------------------------------------------------------


def test_post_collections_and_ids_as_one_string_are_sets_of_one(client):
    response = client.post("/search", json={"collections": "c", "ids": "a", "limit": 3})
    assert asked(response)["body"] == {"collections": ["c"], "ids": ["a"], "limit": 3}


def test_a_post_body_that_needs_no_fix_is_handed_on_as_sent(client):
    raw = b'{"collections": ["c"],   "limit": 3}'
    response = client.post("/search", content=raw, headers={"content-type": "application/json"})
    assert asked(response)["body"] == {"collections": ["c"], "limit": 3}


def test_a_post_body_that_is_not_json_is_left_to_stac_fastapi():
    seen = {}

    async def raw(request: Request) -> JSONResponse:
        seen["body"] = await request.body()
        return JSONResponse({"detail": "bad"}, 400)

    client = Client(StacFixes(Starlette(routes=[Route("/search", raw, methods=["POST"])])))
    response = client.post("/search", content=b"{not json")
    assert response.status_code == 400
    assert seen["body"] == b"{not json"


# --- fields -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("include", "exclude", "include_missing", "expected"),
    [
        # DEFAULT: nothing asked for
        (None, None, True, (list(DEFAULT_FIELDS), [])),
        (None, None, False, (list(DEFAULT_FIELDS), [])),
        ([], [], False, (list(DEFAULT_FIELDS), [])),
        # ALL but the excluded ones: include missing (POST), stac-fastapi's own behaviour
        (None, ["geometry"], True, None),
        # DEFAULT but the excluded ones: include null or empty
        (None, ["geometry"], False, (WITHOUT_GEOMETRY, ["geometry"])),
        ([], ["geometry"], False, (WITHOUT_GEOMETRY, ["geometry"])),
        (
            [],
            ["properties"],
            False,
            ([f for f in DEFAULT_FIELDS if not f.startswith("properties.")], ["properties"]),
        ),
        (None, list(DEFAULT_FIELDS), False, (["id"], list(DEFAULT_FIELDS))),
        # include given: those, and type
        (["geometry"], None, False, (["geometry", "type"], [])),
        (["type"], None, False, (["type"], [])),
        (
            ["properties.title"],
            ["properties"],
            False,
            (["properties.title", "type"], ["properties"]),
        ),
        (["geometry"], ["geometry"], False, (["geometry", "type"], ["geometry"])),
        (["id"], ["type"], False, (["id"], ["type"])),
    ],
)
def test_resolve_fields(include, exclude, include_missing, expected):
    assert resolve_fields(include, exclude, include_missing) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("", ",".join(DEFAULT_FIELDS)),
        ("-geometry", ",".join([*WITHOUT_GEOMETRY, "-geometry"])),
        ("+geometry,-geometry", "geometry,type,-geometry"),
        ("-properties,+properties.title", "properties.title,type,-properties"),
        ("id,type", "id,type"),
    ],
)
def test_get_fields(client, fields, expected):
    # Given a GET search with `fields` / Then stac-fastapi is asked for the fields meant
    response = client.get("/search", params={"fields": fields, "limit": 1})
    assert asked(response)["params"] == {"fields": expected, "limit": "1"}
    # and the answer is an ItemCollection as ever
    assert response.headers["content-type"] == "application/geo+json"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, {"include": list(DEFAULT_FIELDS), "exclude": []}),
        ({"include": None, "exclude": None}, {"include": list(DEFAULT_FIELDS), "exclude": []}),
        ({"include": [], "exclude": ["geometry"]}, {"include": WITHOUT_GEOMETRY, "exclude": GEOM}),
        ({"exclude": ["geometry"]}, {"exclude": ["geometry"]}),
        ({"include": ["bbox"]}, {"include": ["bbox", "type"], "exclude": []}),
        ({"include": "bbox"}, {"include": "bbox"}),  # not a list: stac-fastapi judges it
    ],
)  # fmt: skip
def test_post_fields(client, fields, expected):
    response = client.post("/search", json={"fields": fields, "limit": 1})
    assert asked(response)["body"] == {"fields": expected, "limit": 1}


def test_post_fields_null_answers_400(client):
    response = client.post("/search", json={"fields": None})
    assert response.status_code == 400
    assert response.json()["code"] == "BadRequest"
    assert "fields" in response.json()["description"]


# --- media type ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/search"), ("POST", "/search"), ("GET", "/collections/c/items")]
)
def test_item_searches_answer_geojson(client, method, path):
    # Given a search answered as application/json (stac-fastapi does so when `fields` is given)
    response = client.request(method, path, json={} if method == "POST" else None)
    # Then it reaches the client as GeoJSON, unchanged otherwise
    assert response.headers["content-type"] == "application/geo+json"
    assert response.json()["features"] == [{"type": "Feature", "id": "a"}]


# --- pure helpers and wiring --------------------------------------------------------------------


def test_rewrite_query_leaves_a_query_alone_when_nothing_changes():
    query = "collections=a,b&filter=eo%3Acloud_cover+%3C+10&bbox=1,2,3,4"
    assert rewrite_query(query) == (query, False)


def test_rewrite_search_body_does_not_change_its_argument():
    body = {"bbox": [181, 91, 182, 92], "fields": {}}
    fixed, nothing = rewrite_search_body(body)
    assert nothing
    assert fixed["bbox"] == list(WORLD)
    assert body == {"bbox": [181, 91, 182, 92], "fields": {}}


def test_empty_item_collection_keeps_other_links_and_context():
    body = {
        "type": "FeatureCollection",
        "features": [{"id": "a"}],
        "links": [{"rel": "root"}, {"rel": "prev"}, {"rel": "next"}],
        "context": {"returned": 1, "matched": 9, "limit": 1},
    }
    assert empty_item_collection(body) == {
        "type": "FeatureCollection",
        "features": [],
        "links": [{"rel": "root"}],
        "numberReturned": 0,
        "context": {"returned": 0, "matched": 0, "limit": 1},
    }


def test_a_router_prefix_and_root_path_are_honoured():
    app = StacFixes(Starlette(routes=[Route("/api/search", search)]), prefix="/api/")
    response = Client(app, root_path="/stac").get("/stac/api/search?bbox=181,91,182,92")
    assert response.json()["features"] == []


def test_create_app_installs_the_fixes_inside_compression():
    # Given the app factory the stack runs (no database is needed to build it)
    from dtolab.stack.stac_app import create_app

    app = create_app()
    # Then the fixes are the innermost middleware: they read bodies before compression
    names = [m.cls.__name__ for m in app.user_middleware]
    assert names[-1] == "StacFixes"
    assert "BrotliMiddleware" in names[:-1]

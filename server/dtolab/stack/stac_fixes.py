"""ASGI middleware that brings stac-fastapi-pgstac 7.2 (on pgstac 0.10) in line with STAC API 1.0.

Each fix is a rewrite of a request to ``/search`` or ``/collections/{collectionId}/items`` before
stac-fastapi sees it, or of its response afterwards; nothing else passes through here changed.
The spec each one follows is cited where it is made. In short:

- ``bbox`` (GET and POST): a 3D bbox is turned into the 2D one it means for our Items, whose
  geometries are all 2D (stac-fastapi hands it to pgstac as a 3D box, which fails with a 500,
  stac-utils/stac-fastapi#292); a bbox reaching beyond the WGS 84 domain is cut to it, and one
  wholly outside it (or a 3D bbox whose height range excludes 0) matches no Item: the answer is an
  empty ItemCollection, where stac-fastapi answers 400.
- ``collections`` and ``ids`` given in a POST body as one string rather than an array are taken
  as the array of that one string (what the GET form ``collections=a`` means), not rejected.
- ``fields`` (Fields extension): ``{"fields": null}`` is rejected with 400; an empty request
  (``fields=``, ``{}``, ``include``/``exclude`` null or empty) and an ``exclude`` with a null,
  empty or (GET) absent ``include`` get the default field set rather than every field; an
  ``include`` list also gets ``type``.
- Content type: a 200 answer from those endpoints is ``application/geo+json``, also when ``fields``
  was given (stac-fastapi then answers ``application/json``).

The middleware must sit inside stac-fastapi's compression middleware (it reads response bodies),
which :func:`install` takes care of.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI
from starlette.middleware import Middleware

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

GEOJSON = "application/geo+json"

# WGS 84 longitude/latitude (OGC CRS84), the CRS of every STAC bbox.
WORLD = (-180.0, -90.0, 180.0, 90.0)

# Fields extension v1.0.0, "Include/Exclude Semantics" 1: the default fields, which make a valid
# STAC Item. The extension recommends start_datetime and end_datetime too when datetime is null;
# we always ask for them (a field an Item lacks is simply left out), which it allows ("may choose
# to include other properties").
DEFAULT_FIELDS = (
    "type",
    "stac_version",
    "id",
    "geometry",
    "bbox",
    "links",
    "assets",
    "properties.datetime",
    "properties.start_datetime",
    "properties.end_datetime",
)

# A request whose bbox matches nothing is still run, with this bbox in its place, so that its
# other parameters are checked as usual (an unknown collection still answers 404, a bad datetime
# 400); its answer is then emptied (:func:`empty_item_collection`).
STAND_IN = WORLD


class BadRequest(Exception):
    """A request the STAC API must answer with 400 and this message."""


def normalise_bbox(values: Sequence[float]) -> list[float] | None:
    """The 2D bbox to search with for ``values`` (4 or 6 finite numbers), None if none matches.

    STAC API - Item Search v1.0.0, "bbox": a 3D bbox is [minx, miny, minz, maxx, maxy, maxz]
    (minimum then maximum elevation), and "when filtering with a 3D bbox over Items with 2D
    geometries, it is assumed that the 2D geometries are at elevation 0". Every geometry in this
    catalogue is 2D, so a 3D bbox whose height range holds 0 selects what its 2D footprint
    selects, and one whose range does not hold 0 selects nothing; a height range upside down is
    no bbox at all (400).

    The values are WGS 84 longitude/latitude (same clause), whose domain is [-180, 180] x
    [-90, 90]; no geometry lies outside it, so a bbox is cut to the domain without changing what
    it selects, and a bbox wholly outside it selects nothing: OGC API - Features - Part 1,
    /req/core/fc-bbox-response, "only features that have a spatial geometry that intersects the
    bounding box SHALL be part of the result set", and an empty result set is a valid answer
    (the parameter's schema puts no range on the numbers, so they are not an invalid value).
    Boxes across the antimeridian (minx > maxx) and boxes with miny > maxy are returned as they
    are, for stac-fastapi to judge.
    """
    if len(values) == 6:
        minx, miny, minz, maxx, maxy, maxz = values
        if minz > maxz:
            raise BadRequest(f"bbox: minimum elevation {minz} is above maximum elevation {maxz}")
        if not minz <= 0 <= maxz:
            return None
    else:
        minx, miny, maxx, maxy = values
    if minx > maxx or miny > maxy:
        return [minx, miny, maxx, maxy]
    west, south = max(minx, WORLD[0]), max(miny, WORLD[1])
    east, north = min(maxx, WORLD[2]), min(maxy, WORLD[3])
    if west > east or south > north:
        return None
    return [west, south, east, north]


def _numbers(value: Any) -> list[float] | None:
    """A JSON ``bbox`` as 4 or 6 finite numbers, or None when it is anything else."""
    if not isinstance(value, list) or len(value) not in (4, 6):
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return None
    if not all(math.isfinite(v) for v in value):
        return None
    return [float(v) for v in value]


def _query_numbers(value: str) -> list[float] | None:
    """A GET ``bbox`` (comma-separated numbers, no brackets or spaces) like :func:`_numbers`."""
    if not re.fullmatch(r"[0-9eE+.,-]+", value):
        return None
    try:
        return _numbers([float(part) for part in value.split(",")])
    except ValueError:
        return None


def _excluded(field: str, exclude: Sequence[str]) -> bool:
    return any(field == e or field.startswith(f"{e}.") for e in exclude)


def resolve_fields(
    include: Sequence[str] | None, exclude: Sequence[str] | None, include_missing: bool
) -> tuple[list[str], list[str]] | None:
    """The include and exclude lists to hand stac-fastapi, or None to leave the request as it is.

    STAC API - Fields Extension v1.0.0, "Include/Exclude Semantics" and its table "null vs. empty
    vs. missing":

    - include missing, null or empty and exclude missing, null or empty: the default fields (1);
    - include missing, exclude given (POST only): every field but the excluded ones (3), which is
      what stac-fastapi does already;
    - include null or empty, exclude given: the default fields but the excluded ones (4); "this
      also applies to GET requests when only exclude fields are specified", as GET cannot tell
      a missing include from an empty one;
    - include given: those fields (2); a field both included and excluded is included (6), and
      an excluded parent with an included child keeps just that child (5), both of which
      stac-fastapi does. We add ``type`` unless it is excluded: "implementations may choose to
      always include simple string fields like id and type" (Overview), and stac-fastapi always
      adds ``id``, ``collection`` and ``links`` anyway.
    """
    include = [f for f in include or [] if f]
    exclude = [f for f in exclude or [] if f]
    if include:
        if "type" not in include and not _excluded("type", exclude):
            include.append("type")
        return include, exclude
    if include_missing and exclude:
        return None
    default = [f for f in DEFAULT_FIELDS if not _excluded(f, exclude)]
    # Nothing of the default set left: stac-fastapi would take an empty include as "every
    # field", so ask for the id, which it returns in any case.
    return default or ["id"], exclude


def _fields_from_query(value: str) -> tuple[list[str], list[str]]:
    """GET ``fields``: comma-separated names, ``-`` for exclude, ``+`` or nothing for include."""
    include, exclude = [], []
    for part in value.split(","):
        part = part.strip()
        if part.startswith("-"):
            exclude.append(part[1:])
        elif part:
            include.append(part.removeprefix("+"))
    return include, exclude


def rewrite_query(query: str) -> tuple[str, bool]:
    """The query string of a GET search with our fixes, and whether it matches nothing."""
    pairs = parse_qsl(query, keep_blank_values=True)
    names = [name for name, _ in pairs]
    nothing = changed = False
    for index, (name, value) in enumerate(pairs):
        if names.count(name) > 1:
            continue  # repeated parameters are left for stac-fastapi to judge
        if name == "bbox" and "intersects" in names:
            continue  # both: stac-fastapi answers 400, as Item Search requires
        if name == "bbox" and (numbers := _query_numbers(value)) is not None:
            bbox = normalise_bbox(numbers)
            if bbox is None:
                nothing, bbox = True, list(STAND_IN)
            if bbox != numbers:
                pairs[index] = (name, ",".join(_number_text(v) for v in bbox))
                changed = True
        elif name == "fields":
            include, exclude = _fields_from_query(value)
            resolved = resolve_fields(include, exclude, include_missing=False)
            if resolved is not None:
                text = ",".join([*resolved[0], *(f"-{f}" for f in resolved[1])])
                changed = changed or text != value
                pairs[index] = (name, text)
    return (urlencode(pairs) if changed else query), nothing


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def rewrite_search_body(body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """A POST /search body with our fixes, and whether it matches nothing (raises BadRequest)."""
    body = dict(body)
    nothing = False
    for name in ("collections", "ids"):
        # STAC API - Item Search v1.0.0, "Query Parameters and Fields": sets of values are JSON
        # arrays in a POST body. A bare string can mean only the set of that one value (the
        # meaning of the GET form `collections=a`), and pgstac itself reads it so; we accept it
        # as that rather than reject the request.
        if isinstance(body.get(name), str):
            body[name] = [body[name]]
    both = "intersects" in body  # stac-fastapi answers 400, as Item Search requires
    if "bbox" in body and not both and (numbers := _numbers(body["bbox"])) is not None:
        bbox = normalise_bbox(numbers)
        if bbox is None:
            nothing, bbox = True, list(STAND_IN)
        body["bbox"] = bbox
    if "fields" in body:
        fields = body["fields"]
        if fields is None:
            # Fields extension v1.0.0, openapi.yaml: the `fields` member of the search body is
            # `type: object` (not nullable). Its README's "null vs. empty vs. missing" examples
            # also show `{"fields": null}`; we follow the schema, as stac-server does
            # (stac-utils/stac-server#406), and an empty request is `{"fields": {}}`.
            raise BadRequest("fields: must be an object with include and/or exclude, not null")
        if isinstance(fields, dict) and _string_lists(fields.get("include"), fields.get("exclude")):
            resolved = resolve_fields(
                fields.get("include"), fields.get("exclude"), "include" not in fields
            )
            if resolved is not None:
                body["fields"] = {**fields, "include": resolved[0], "exclude": resolved[1]}
    return body, nothing


def _string_lists(*values: Any) -> bool:
    return all(
        v is None or (isinstance(v, list) and all(isinstance(f, str) for f in v)) for v in values
    )


def empty_item_collection(body: dict[str, Any]) -> dict[str, Any]:
    """``body``, an ItemCollection, with no Item in it (and no pages after or before it)."""
    body = dict(body)
    body["features"] = []
    body["numberReturned"] = 0
    if "numberMatched" in body:
        body["numberMatched"] = 0
    if isinstance(body.get("context"), dict):
        body["context"] = {**body["context"], "returned": 0, "matched": 0}
    if isinstance(body.get("links"), list):
        body["links"] = [
            link
            for link in body["links"]
            if not (isinstance(link, dict) and link.get("rel") in ("next", "prev", "previous"))
        ]
    return body


class StacFixes:
    """The middleware; ``prefix`` is the STAC API's router prefix (stac-fastapi ``prefix_path``)."""

    def __init__(self, app: ASGIApp, prefix: str = "") -> None:
        self.app = app
        prefix = re.escape(prefix.rstrip("/"))
        self.search = re.compile(rf"^{prefix}/search/?$")
        self.items = re.compile(rf"^{prefix}/collections/[^/]+/items/?$")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        root = scope.get("root_path") or ""
        if root and path.startswith(root):
            path = path[len(root) :]
        method = scope["method"]
        get = method == "GET" and (self.search.match(path) or self.items.match(path))
        post = method == "POST" and self.search.match(path)
        if not (get or post):
            await self.app(scope, receive, send)
            return
        try:
            if get:
                query, nothing = rewrite_query(scope.get("query_string", b"").decode("latin-1"))
                scope = {**scope, "query_string": query.encode("latin-1")}
            else:
                scope, receive, nothing = await self._rewrite_post(scope, receive)
        except BadRequest as error:
            # STAC API - Core v1.0.0, commons.yaml: errors are an `exception` object, with a
            # required `code` and a `description`.
            await _send_json(send, 400, {"code": "BadRequest", "description": str(error)})
            return
        await self.app(scope, receive, _ItemCollectionSender(send, nothing))

    async def _rewrite_post(self, scope: Scope, receive: Receive) -> tuple[Scope, Receive, bool]:
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        raw = b"".join(chunks)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None  # not JSON: stac-fastapi answers that
        fixed, nothing = rewrite_search_body(body) if isinstance(body, dict) else (body, False)
        if fixed != body:
            raw = json.dumps(fixed).encode()
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(raw)).encode()))
            scope = {**scope, "headers": headers}
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        return scope, replay, nothing


class _ItemCollectionSender:
    """Wraps ``send`` for a search answer: geo+json content type; emptied when it matches nothing.

    STAC API - Item Search v1.0.0, "Endpoints": ``/search`` returns an ItemCollection as
    ``application/geo+json``, and "Response": the answer "must always be an ItemCollection";
    STAC API - Features v1.0.0, "Endpoints": likewise ``/collections/{collectionId}/items``. The
    Fields extension allows the Items in it to lack fields, not the answer to change media type.
    """

    def __init__(self, send: Send, nothing: bool) -> None:
        self.send = send
        self.nothing = nothing
        self.start: Message | None = None
        self.chunks: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            ok = message["status"] == 200 and _is_json(message.get("headers", []))
            if ok:
                message = {**message, "headers": _with_type(message["headers"], GEOJSON)}
            if ok and self.nothing:
                self.start = message  # held until the whole body is there
                return
            self.nothing = False
            await self.send(message)
        elif message["type"] == "http.response.body" and self.start is not None:
            self.chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            raw = b"".join(self.chunks)
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            if isinstance(body, dict) and isinstance(body.get("features"), list):
                raw = json.dumps(empty_item_collection(body)).encode()
            headers = [(k, v) for k, v in self.start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(raw)).encode()))
            await self.send({**self.start, "headers": headers})
            await self.send({"type": "http.response.body", "body": raw, "more_body": False})
        else:
            await self.send(message)


def _is_json(headers: Sequence[tuple[bytes, bytes]]) -> bool:
    for key, value in headers:
        if key.lower() == b"content-type":
            return value.split(b";")[0].strip().lower() in (b"application/json", GEOJSON.encode())
    return False


def _with_type(headers: Sequence[tuple[bytes, bytes]], media_type: str) -> list:
    kept = [(k, v) for k, v in headers if k.lower() != b"content-type"]
    return [*kept, (b"content-type", media_type.encode())]


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    raw = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": raw})


def install(app: FastAPI, prefix: str = "") -> None:
    """Add :class:`StacFixes` to ``app`` as its innermost middleware.

    Innermost, so that it sees requests after stac-fastapi's proxy-header handling and answers
    before its compression: it parses and rewrites JSON bodies.
    """
    if app.middleware_stack is not None:
        raise RuntimeError("the STAC API has started already: too late to add middleware")
    app.user_middleware.append(Middleware(StacFixes, prefix=prefix))

"""STAC requests shared by the server extension and notebooks: collections and item search.

Results are light dicts (the fields a list needs), not pystac objects: building thousands of
pystac objects is slow, and the panels only show a summary.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..errors import InvalidInput
from .endpoints import Endpoint
from .http import UpstreamClient, join_url

MAX_LIMIT = 1000
#: How many pages of collections to scan when matching text on the client (EDITO has thousands).
MAX_SCAN_PAGES = 20


def check_limit(value: object, default: int = 50) -> int:
    """A page size between 1 and MAX_LIMIT."""
    if value is None or value == "":
        return default
    try:
        limit = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInput("limit", f"must be an integer, got {value!r}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput("limit", f"must be between 1 and {MAX_LIMIT}, got {limit}")
    return limit


def check_bbox(value: object) -> list[float] | None:
    """A ``west,south,east,north`` box in degrees; west > east crosses the antimeridian."""
    if value is None or value == "":
        return None
    parts = value.split(",") if isinstance(value, str) else value
    try:
        box = [float(p) for p in parts]  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise InvalidInput(
            "bbox", f"must be four numbers west,south,east,north; got {value!r}"
        ) from None
    if len(box) != 4:
        raise InvalidInput("bbox", f"must have 4 numbers (west,south,east,north), got {len(box)}")
    west, south, east, north = box
    if not all(-180 <= x <= 180 for x in (west, east)):
        raise InvalidInput("bbox", "longitudes must lie within -180..180")
    if not all(-90 <= y <= 90 for y in (south, north)):
        raise InvalidInput("bbox", "latitudes must lie within -90..90")
    if south > north:
        raise InvalidInput("bbox", f"south ({south}) is north of north ({north})")
    return box


_OPEN = ("", "..")


def check_datetime(value: object, field: str = "datetime") -> str | None:
    """An RFC 3339 instant or a ``start/end`` interval (either end may be open: ``..``)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidInput(field, "must be an RFC 3339 string or interval")
    ends = value.split("/")
    if len(ends) > 2 or all(e in _OPEN for e in ends):
        raise InvalidInput(field, f"must be an instant or a start/end interval, got {value!r}")
    parsed = []
    for end in ends:
        if end in _OPEN and len(ends) == 2:
            parsed.append(None)
            continue
        try:
            parsed.append(datetime.fromisoformat(end.replace("Z", "+00:00").replace("z", "+00:00")))
        except ValueError:
            raise InvalidInput(field, f"{end!r} is not an RFC 3339 date-time") from None
    if len(parsed) == 2 and None not in parsed:
        start, stop = parsed
        if (start.tzinfo is None) != (stop.tzinfo is None):
            raise InvalidInput(field, "both ends need a time zone, or neither")
        if start > stop:
            raise InvalidInput(field, f"start {ends[0]} is after end {ends[1]}")
    return value


_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,256}$")


def check_ids(field: str, value: object) -> list[str] | None:
    """A comma-separated list (or list) of STAC ids."""
    if value is None or value == "":
        return None
    ids = value.split(",") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    for i in ids:
        if not isinstance(i, str) or not _ID.match(i):
            raise InvalidInput(field, f"{i!r} is not a valid identifier")
    return ids


def summarize_collection(c: dict[str, Any]) -> dict[str, Any]:
    """The fields a catalogue list shows, taken from a STAC collection document."""
    extent = c.get("extent") or {}
    bbox = ((extent.get("spatial") or {}).get("bbox") or [None])[0]
    interval = ((extent.get("temporal") or {}).get("interval") or [None])[0]
    return {
        "id": c.get("id"),
        "title": c.get("title") or c.get("id"),
        "description": c.get("description", ""),
        "license": c.get("license"),
        "keywords": c.get("keywords", []),
        "bbox": bbox,
        "interval": interval,
    }


def summarize_item(i: dict[str, Any]) -> dict[str, Any]:
    """The fields a result list shows, taken from a STAC item."""
    props = i.get("properties") or {}
    return {
        "id": i.get("id"),
        "collection": i.get("collection"),
        "title": props.get("title") or i.get("id"),
        "datetime": props.get("datetime"),
        "start_datetime": props.get("start_datetime"),
        "end_datetime": props.get("end_datetime"),
        "bbox": i.get("bbox"),
        "assets": sorted((i.get("assets") or {}).keys()),
    }


def _next_link(page: dict[str, Any]) -> str | None:
    for link in page.get("links") or []:
        if link.get("rel") == "next" and link.get("method", "GET") == "GET":
            return link.get("href")
    return None


def _matches(c: dict[str, Any], words: list[str]) -> bool:
    text = " ".join(
        [str(c.get("id", "")), str(c.get("title", "")), str(c.get("description", ""))]
        + [str(k) for k in c.get("keywords", [])]
    ).lower()
    return all(w in text for w in words)


async def list_collections(
    client: UpstreamClient, endpoint: Endpoint, q: str | None = None, limit: int = 100
) -> dict[str, Any]:
    """Collections of ``endpoint``, optionally matching free text ``q``.

    Where the STAC API has no free-text search (EDITO), ids, titles, descriptions and keywords are
    matched on this side, page after page, up to MAX_SCAN_PAGES pages.
    """
    q = (q or "").strip() or None
    if q is not None and len(q) > 200:
        raise InvalidInput("q", "must be at most 200 characters")
    server_side = q is not None and endpoint.free_text
    page = await client.get_json(
        endpoint, "stac", "collections", params={"limit": limit, "q": q if server_side else None}
    )
    found: list[dict[str, Any]] = []
    pages = 1
    words = q.lower().split() if q and not server_side else []
    while True:
        for c in page.get("collections") or []:
            if not words or _matches(c, words):
                found.append(summarize_collection(c))
        nxt = _next_link(page)
        if not words or len(found) >= limit or nxt is None or pages >= MAX_SCAN_PAGES:
            break
        page = await client.follow(endpoint, "stac", nxt)
        pages += 1
    return {
        "endpoint": endpoint.name,
        "collections": found[:limit],
        "matched": page.get("numberMatched") if not words else None,
        "text_search": "server" if server_side else ("client" if words else None),
    }


def _token(link: str | None) -> str | None:
    """The paging token of a STAC ``next`` link (``?token=...``), which the next call sends."""
    if not link:
        return None
    values = parse_qs(urlsplit(link).query).get("token")
    return values[0] if values else None


async def search_items(
    client: UpstreamClient,
    endpoint: Endpoint,
    *,
    collections: list[str] | None = None,
    ids: list[str] | None = None,
    bbox: list[float] | None = None,
    datetime: str | None = None,
    q: str | None = None,
    limit: int = 50,
    token: str | None = None,
) -> dict[str, Any]:
    """One page of an item search (GET /search) with already-validated parameters.

    Where the endpoint has no free-text search (EDITO), ``q`` selects the collections whose id,
    title, description or keywords match it, and items are searched in those.
    """
    q = (q or "").strip() or None
    text_search = None
    if q is not None and not endpoint.free_text:
        matched = await list_collections(client, endpoint, q=q, limit=MAX_LIMIT)
        names = [c["id"] for c in matched["collections"]]
        collections = [c for c in collections if c in names] if collections else names
        text_search = "client"
        if not collections:
            return {
                "endpoint": endpoint.name,
                "items": [],
                "matched": 0,
                "next": None,
                "text_search": text_search,
            }
    elif q is not None:
        text_search = "server"
    params = {
        "collections": ",".join(collections) if collections else None,
        "ids": ",".join(ids) if ids else None,
        "bbox": ",".join(f"{v:g}" for v in bbox) if bbox else None,
        "datetime": datetime,
        "q": q if text_search == "server" else None,
        "limit": limit,
        "token": token,
    }
    page = await client.get_json(endpoint, "stac", "search", params=params)
    return {
        "endpoint": endpoint.name,
        "items": [summarize_item(i) for i in page.get("features") or []],
        "matched": page.get("numberMatched"),
        "next": _token(_next_link(page)),
        "text_search": text_search,
    }


_LAYOUT_NOTES = {
    "timeChunked": "one time step per chunk: fast maps",
    "geoChunked": "whole time series of small tiles: fast point series",
    "zarr": "one Zarr store",
}


def _axis_range(dim: dict[str, Any]) -> list[Any] | None:
    if dim.get("extent"):
        return list(dim["extent"])
    values = dim.get("values")
    if values:
        return [values[0], values[-1]]
    return None


def describe_item(item: dict[str, Any], endpoint: Endpoint) -> dict[str, Any]:
    """What the item view shows: variables, dimensions, ranges, resolution, licence, provenance,
    assets (which layout is which) and the item's STAC URL."""
    from .layouts import is_zarr, layout_of

    props = item.get("properties") or {}
    dims = props.get("cube:dimensions") or {}
    variables = [
        {
            "name": name,
            "unit": v.get("unit"),
            "standard_name": v.get("standard_name"),
            "description": v.get("description"),
            "dimensions": v.get("dimensions", []),
        }
        for name, v in (props.get("cube:variables") or {}).items()
        if v.get("type", "data") == "data"
    ]
    dimensions = [
        {
            "name": name,
            "type": d.get("type"),
            "axis": d.get("axis"),
            "unit": d.get("unit"),
            "range": _axis_range(d),
            "step": d.get("step"),
            "values": d.get("values"),
        }
        for name, d in dims.items()
    ]
    steps = {d.get("axis"): d.get("step") for d in dims.values() if d.get("type") == "spatial"}
    assets = []
    for key, asset in (item.get("assets") or {}).items():
        layout = layout_of(key, asset) if is_zarr(key, asset) else None
        assets.append(
            {
                "key": key,
                "title": asset.get("title") or key,
                "type": asset.get("type"),
                "roles": asset.get("roles", []),
                "href": asset.get("href"),
                "layout": layout,
                "note": _LAYOUT_NOTES.get(layout or ""),
            }
        )
    stac_url = (
        join_url(endpoint.stac, "collections", str(item.get("collection")), "items", item["id"])
        if endpoint.stac
        else None
    )
    return {
        **summarize_item(item),
        "description": props.get("description", ""),
        "license": props.get("license") or props.get("dtolab:provenance", {}).get("licence"),
        "keywords": props.get("keywords", []),
        "provenance": props.get("dtolab:provenance")
        or {k: props[k] for k in ("providers",) if k in props}
        or None,
        "variable": props.get("dtolab:variable"),
        "variables": variables,
        "dimensions": dimensions,
        "resolution": {"lon": steps.get("x"), "lat": steps.get("y")} if steps else None,
        "assets": assets,
        "stac_url": stac_url,
        "previewable": any(a["layout"] is not None or "overview" in a["roles"] for a in assets),
    }

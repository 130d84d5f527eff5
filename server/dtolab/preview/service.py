"""Previews of catalogue items for the server extension: item -> pyramid -> PNG, with caches.

Only items fetched from a configured endpoint are previewed, and their assets are read through
``GuardedHTTPStore`` (see ``dtolab.client.assets``): the browser never names a URL to read.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urljoin

import xarray as xr

from ..client import stac
from ..client.assets import AssetGuard, GuardedHTTPStore
from ..client.endpoints import Endpoint
from ..client.http import UpstreamClient
from ..client.layouts import data_assets
from ..errors import InvalidInput
from .render import MAX_SIDE, MIN_SIDE, Level, Rendered, Request, choose_level, render


class LRU:
    """A small thread-safe LRU mapping with an optional time to live."""

    def __init__(self, size: int, ttl: float | None = None) -> None:
        self.size, self.ttl = size, ttl
        self._data: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            found = self._data.get(key)
            if found is None:
                return None
            if self.ttl is not None and time.monotonic() - found[0] > self.ttl:
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return found[1]

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._data[key] = (time.monotonic(), value)
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


def _number(field: str, value: str | None) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise InvalidInput(field, f"must be a number, got {value!r}") from None


def _side(field: str, value: str | None, default: int | None) -> int | None:
    if value is None or value == "":
        return default
    try:
        side = int(value)
    except ValueError:
        raise InvalidInput(field, f"must be an integer, got {value!r}") from None
    if not MIN_SIDE <= side <= MAX_SIDE:
        raise InvalidInput(field, f"must be between {MIN_SIDE} and {MAX_SIDE} pixels, got {side}")
    return side


def parse_request(item: dict[str, Any], args: dict[str, str | None]) -> Request:
    """A render request from query arguments, with the item's defaults; each error names its
    field."""
    props = item.get("properties") or {}
    variable = args.get("variable") or props.get("dtolab:variable")
    if not variable:
        variables = [
            k for k, v in (props.get("cube:variables") or {}).items() if v.get("type") == "data"
        ]
        if not variables:
            raise InvalidInput("variable", "this item lists no variables; name one")
        variable = variables[0]
    bbox = stac.check_bbox(args.get("bbox")) or item.get("bbox")
    if not bbox or len(bbox) != 4:
        raise InvalidInput("bbox", "the item has no bbox; give one")
    time_arg = args.get("time") or None
    if time_arg is not None and not time_arg.isdigit():
        stac.check_datetime(time_arg, "time")  # an instant; a bare integer is a climatology month
        if "/" in time_arg:
            raise InvalidInput("time", "a preview shows one instant, not an interval")
    req = Request(
        variable=variable,
        bbox=[float(v) for v in bbox],
        width=_side("width", args.get("width"), 800) or 800,
        height=_side("height", args.get("height"), None),
        time=int(time_arg) if time_arg is not None and time_arg.isdigit() else time_arg,
        depth=_number("depth", args.get("depth")),
        vmin=_number("vmin", args.get("vmin")),
        vmax=_number("vmax", args.get("vmax")),
    )
    if req.vmin is not None and req.vmax is not None and req.vmin >= req.vmax:
        raise InvalidInput("vmin", f"must be below vmax ({req.vmin} >= {req.vmax})")
    return req


def _self_href(item: dict[str, Any]) -> str | None:
    for link in item.get("links") or []:
        if link.get("rel") == "self":
            return link.get("href")
    return None


def preview_source(item: dict[str, Any]) -> tuple[str, list[Level]]:
    """The asset to render from and its levels: the pyramid if the item has one, else the
    time-chunked (map) layout, else any Zarr data asset, as one level."""
    assets = item.get("assets") or {}
    base = _self_href(item) or ""
    for asset in assets.values():
        if "overview" in (asset.get("roles") or []) and asset.get("dtolab:levels"):
            levels = [
                Level(str(lv["path"]), (int(lv["shape"][0]), int(lv["shape"][1])))
                for lv in asset["dtolab:levels"]
            ]
            return urljoin(base, asset["href"]), levels
    found = data_assets(item)
    for layout in ("timeChunked", *found):
        if layout in found:
            return urljoin(base, str(found[layout][1]["href"])), [Level(None, (0, 0))]
    raise InvalidInput("item", f"{item.get('id')} has no Zarr asset to preview")


class PreviewService:
    """Renders previews in a thread pool, caching opened stores, items and images."""

    def __init__(self, client: UpstreamClient, *, timeout: float = 20.0, workers: int = 2) -> None:
        self.client = client
        self.timeout = timeout
        self.items = LRU(256, ttl=60)
        self.images = LRU(128)
        self.stores = LRU(32)
        self.executor = ThreadPoolExecutor(workers, thread_name_prefix="dtolab-preview")

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)

    async def item(self, endpoint: Endpoint, collection: str, item_id: str) -> dict[str, Any]:
        """The item document, fetched from the endpoint (cached for a minute)."""
        key = (endpoint.name, collection, item_id)
        found = self.items.get(key)
        if found is None:
            found = await self.client.get_json(
                endpoint, "stac", "collections", collection, "items", item_id
            )
            self.items.put(key, found)
        return found

    def _open(self, endpoint: Endpoint, href: str, group: str | None) -> xr.Dataset:
        key = (endpoint.name, href, group)
        ds = self.stores.get(key)
        if ds is None:
            store = GuardedHTTPStore(href, AssetGuard(endpoint), timeout=self.timeout)
            ds = xr.open_zarr(store, group=group, consolidated=True, chunks=None)
            self.stores.put(key, ds)
        return ds

    def _render(self, endpoint: Endpoint, item: dict[str, Any], req: Request) -> Rendered:
        href, levels = preview_source(item)
        level = choose_level(levels, item.get("bbox") or [-180, -90, 180, 90], req)
        ds = self._open(endpoint, href, level.path)
        cube = ((item.get("properties") or {}).get("cube:variables") or {}).get(req.variable) or {}
        rendered = render(ds, req, cube.get("standard_name"), cube.get("unit"))
        rendered.meta["level"] = level.path
        rendered.meta["item"] = item.get("id")
        return rendered

    async def preview(
        self, endpoint: Endpoint, collection: str, item_id: str, args: dict[str, str | None]
    ) -> Rendered:
        item = await self.item(endpoint, collection, item_id)
        req = parse_request(item, args)
        key = hashlib.sha256(
            json.dumps(
                [
                    endpoint.name,
                    collection,
                    item_id,
                    item.get("properties", {}).get("updated"),
                    req.__dict__,
                ],
                sort_keys=True,
                default=str,
            ).encode()
        ).hexdigest()
        cached = self.images.get(key)
        if cached is not None:
            return cached
        loop = asyncio.get_running_loop()
        rendered = await loop.run_in_executor(self.executor, self._render, endpoint, item, req)
        self.images.put(key, rendered)
        return rendered

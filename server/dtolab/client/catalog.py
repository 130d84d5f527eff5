"""The notebook client: find data in a STAC catalogue and open exactly the piece you need.

Example::

    from dtolab import Catalog
    cat = Catalog("local")                       # or "edito", or a STAC API URL
    items = cat.search(q="temperature", bbox=[-10, 40, 0, 50])
    ds = cat.open_dataset("levitus-annual-so", depth=500)
    ds.attrs["dtolab:layout_reason"]            # which Zarr layout was read, and why
    cat.subset("hycom-biscay-uo", time=("2021-03-05", "2021-03-10")).to_netcdf("uo.nc")
"""

from __future__ import annotations

import functools
import logging
import time as _time
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import xarray as xr

from ..errors import InvalidInput, NotFound, UpstreamTimeout, UpstreamUnavailable
from . import layouts
from .endpoints import Endpoint
from .http import decode, join_url
from .resolve import resolve
from .selection import positions, subset_indexers
from .tokens import endpoint_auth

log = logging.getLogger(__name__)


class Item(dict):
    """A STAC item as a plain dict (fast to build), with shortcuts and ``to_pystac()``."""

    @property
    def id(self) -> str:
        return self["id"]

    @property
    def collection(self) -> str | None:
        return self.get("collection")

    @property
    def properties(self) -> dict[str, Any]:
        return self.get("properties") or {}

    @property
    def assets(self) -> dict[str, Any]:
        return self.get("assets") or {}

    @property
    def variables(self) -> list[str]:
        return list((self.properties.get("cube:variables") or {}).keys())

    def to_pystac(self) -> Any:
        import pystac

        return pystac.Item.from_dict(dict(self), preserve_dict=True)

    def __repr__(self) -> str:
        return f"<Item {self.id} ({self.collection})>"


class Collection(dict):
    """A STAC collection as a plain dict, with ``to_pystac()``."""

    @property
    def id(self) -> str:
        return self["id"]

    @property
    def title(self) -> str:
        return self.get("title") or self["id"]

    def to_pystac(self) -> Any:
        import pystac

        return pystac.Collection.from_dict(dict(self), preserve_dict=True)

    def __repr__(self) -> str:
        return f"<Collection {self.id}>"


class ItemList(list):
    """Items of a search, in order; ``matched`` is the server's total when it says."""

    matched: int | None = None

    def ids(self) -> list[str]:
        return [i["id"] for i in self]

    def to_pystac(self) -> Any:
        import pystac

        return pystac.ItemCollection([i.to_pystac() for i in self])


class Catalog:
    """A STAC catalogue: ``"local"`` (the embedded stack), ``"edito"``, or a STAC API URL."""

    def __init__(
        self,
        endpoint: str | Endpoint = "local",
        *,
        token: str | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoint = resolve(endpoint, token)
        if self.endpoint.stac is None:
            raise NotFound(f"endpoint {self.endpoint.name!r} has no STAC API")
        self.timeout = timeout
        self._http = httpx.Client(
            timeout=timeout,
            headers={"Accept": "application/json"},
            auth=endpoint_auth(self.endpoint),
            transport=transport,
            follow_redirects=False,
        )
        self._collection_ids: list[str] | None = None

    def __repr__(self) -> str:
        return f"<Catalog {self.endpoint.name}: {self.endpoint.stac}>"

    # -- HTTP -------------------------------------------------------------------------------
    def _request(self, method: str, url: str, **kwargs: Any) -> Any:
        base = self.endpoint.stac or ""
        if not url.startswith(base):
            raise UpstreamUnavailable(self.endpoint.name, f"refused a link outside {base}: {url}")
        for attempt in range(3):
            try:
                response = self._http.request(method, url, **kwargs)
            except (httpx.ConnectError, httpx.RemoteProtocolError) as err:
                if attempt < 2 and method == "GET":
                    _time.sleep(0.2 * (attempt + 1))
                    continue
                raise UpstreamUnavailable(
                    self.endpoint.name, f"cannot reach {base} ({type(err).__name__})"
                ) from err
            except httpx.TimeoutException as err:
                raise UpstreamTimeout(
                    self.endpoint.name, f"{base} did not answer within {self.timeout:g} s"
                ) from err
            return decode(self.endpoint, url, response.status_code, response.content)
        raise AssertionError("unreachable")

    def _get(self, *segments: str, params: Mapping[str, Any] | None = None) -> Any:
        url = join_url(self.endpoint.stac or "", *segments)
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        return self._request("GET", url, params=clean)

    # -- collections ------------------------------------------------------------------------
    def collections(self, q: str | None = None, limit: int = 1000) -> list[Collection]:
        """Collections, optionally matching free text ``q`` (matched here if the API cannot)."""
        server_side = bool(q) and self.endpoint.free_text
        page = self._get("collections", params={"limit": limit, "q": q if server_side else None})
        found: list[Collection] = []
        words = (q or "").lower().split() if not server_side else []
        while True:
            for c in page.get("collections") or []:
                text = " ".join(
                    [
                        c.get("id", ""),
                        c.get("title", ""),
                        c.get("description", ""),
                        *map(str, c.get("keywords") or []),
                    ]
                ).lower()
                if all(w in text for w in words):
                    found.append(Collection(c))
            nxt = _next(page)
            if nxt is None or len(found) >= limit:
                break
            page = self._request("GET", nxt["href"])
        return found[:limit]

    def collection_ids(self) -> list[str]:
        if self._collection_ids is None:
            self._collection_ids = [c.id for c in self.collections()]
        return self._collection_ids

    # -- items ------------------------------------------------------------------------------
    def search(
        self,
        *,
        q: str | None = None,
        collections: Sequence[str] | None = None,
        ids: Sequence[str] | None = None,
        bbox: Sequence[float] | None = None,
        datetime: str | None = None,
        filter: Mapping[str, Any] | None = None,
        sortby: Sequence[str] | None = None,
        fields: Sequence[str] | None = None,
        limit: int = 100,
        max_items: int | None = None,
    ) -> ItemList:
        """Item search, page after page until ``max_items`` (default: all matches).

        ``sortby`` takes field names, ``-name`` for descending; ``fields`` names the fields to
        return (``-name`` to leave one out), which makes long listings much lighter to receive.
        """
        from .stac import check_bbox, check_datetime

        body: dict[str, Any] = {"limit": limit}
        if q:
            # POST takes a list of terms (free-text extension); an API without it ignores q.
            body["q"] = q.split() if isinstance(q, str) else list(q)
        if collections:
            body["collections"] = list(collections)
        if ids:
            body["ids"] = list(ids)
        if bbox is not None:
            body["bbox"] = check_bbox(list(bbox))
        if datetime:
            body["datetime"] = check_datetime(datetime)
        if filter is not None:
            body["filter"] = dict(filter)
            body["filter-lang"] = "cql2-json"
        if sortby:
            body["sortby"] = [
                {"field": s.lstrip("+-"), "direction": "desc" if s.startswith("-") else "asc"}
                for s in sortby
            ]
        if fields:
            # Fields extension: an absent "include" with an "exclude" means every field but
            # those; an empty "include" would mean the default set only.
            include = [f for f in fields if not f.startswith("-")]
            exclude = [f[1:] for f in fields if f.startswith("-")]
            body["fields"] = (
                {"exclude": exclude} if not include else {"include": include, "exclude": exclude}
            )
        url = join_url(self.endpoint.stac or "", "search")
        page = self._request("POST", url, json=body)
        items = ItemList()
        items.matched = page.get("numberMatched")
        while True:
            for feature in page.get("features") or []:
                items.append(Item(feature))
                if max_items is not None and len(items) >= max_items:
                    return items
            nxt = _next(page)
            if nxt is None:
                break
            if nxt.get("method", "GET").upper() == "POST":
                merged = (
                    {**body, **(nxt.get("body") or {})}
                    if nxt.get("merge")
                    else nxt.get("body", body)
                )
                page = self._request("POST", nxt["href"], json=merged)
            else:
                page = self._request("GET", nxt["href"])
        if not items and collections:
            unknown = sorted(set(collections) - set(self.collection_ids()))
            if unknown:
                raise InvalidInput(
                    "collections",
                    f"unknown collection(s) {', '.join(unknown)}; valid: "
                    + ", ".join(self.collection_ids()[:30]),
                )
        return items

    def item(self, item_id: str, collection: str | None = None) -> Item:
        """One item by id (and collection, when known: one request fewer)."""
        if collection:
            return Item(self._get("collections", collection, "items", item_id))
        found = self.search(ids=[item_id], limit=1, max_items=1)
        if not found:
            raise NotFound(f"{self.endpoint.name}: no item {item_id!r}")
        return found[0]

    # -- data -------------------------------------------------------------------------------
    def open_dataset(
        self,
        item: str | Mapping[str, Any],
        variables: Sequence[str] | None = None,
        bbox: Sequence[float] | None = None,
        time: Any = None,
        depth: Any = None,
        chunks: Any = None,
    ) -> xr.Dataset:
        """A lazy dataset of ``item`` already subset, read from the Zarr layout that needs the
        fewest chunks for this request (see ``ds.attrs["dtolab:layout_reason"]``); ``chunks``
        gives dask arrays (see ``open_item``)."""
        doc = Item(self.item(item) if isinstance(item, str) else item)
        return open_item(doc, variables=variables, bbox=bbox, time=time, depth=depth, chunks=chunks)

    subset = open_dataset

    def close(self) -> None:
        self._http.close()


def _next(page: Mapping[str, Any]) -> dict[str, Any] | None:
    for link in page.get("links") or []:
        if link.get("rel") == "next":
            return link
    return None


@functools.lru_cache(maxsize=64)
def _open_store(href: str) -> xr.Dataset:
    """The store at ``href``, opened lazily (metadata and coordinates only), kept for reuse:
    counting chunks opens every layout of an item, and a session reads the same items often."""
    return xr.open_dataset(href, engine="zarr", chunks=None, consolidated=None)


def _chunk_lengths(asset: Mapping[str, Any], ds: xr.Dataset, var: str) -> dict[str, int]:
    declared = asset.get("dtolab:chunks")
    if declared:
        return {str(k): int(v) for k, v in declared.items()}
    stored = ds[var].encoding.get("preferred_chunks") or {}
    if stored:
        return {str(k): int(v) for k, v in stored.items()}
    chunks = ds[var].encoding.get("chunks") or ds[var].shape
    return dict(zip(ds[var].dims, (int(c) for c in chunks), strict=False))


def open_item(
    item: Item,
    variables: Sequence[str] | None = None,
    bbox: Sequence[float] | None = None,
    time: Any = None,
    depth: Any = None,
    chunks: Any = None,
) -> xr.Dataset:
    """``Catalog.open_dataset`` for an item already in hand.

    The result is lazy: nothing is read until values are used, and then only the chunks of the
    chosen layout that the subset needs. ``chunks`` (as in ``xarray.Dataset.chunk``, e.g. ``{}``
    for the store's own chunks) returns dask arrays instead, for computations larger than memory.
    """
    assets = layouts.data_assets(item)
    if not assets:
        raise InvalidInput(
            "item", f"{item.id} has no Zarr data asset (assets: {', '.join(item.assets) or 'none'})"
        )
    opened = {layout: _open_store(str(asset["href"])) for layout, (_, asset) in assets.items()}
    first = next(iter(opened.values()))
    wanted = (
        list(variables)
        if variables
        else [v for v in item.variables if v in first] or [v for v in first.data_vars]
    )
    unknown = [v for v in wanted if v not in first.data_vars]
    if unknown:
        raise InvalidInput(
            "variables",
            f"unknown variable(s) {', '.join(unknown)}; valid: "
            f"{', '.join(map(str, first.data_vars))}",
        )
    selected = positions(first, wanted, bbox=bbox, time=time, depth=depth)
    candidates = {
        layout: (key, asset, _chunk_lengths(asset, opened[layout], wanted[0]))
        for layout, (key, asset) in assets.items()
    }
    choice = layouts.choose(candidates, selected, len(wanted))
    log.debug("%s: %s", item.id, choice.reason)
    ds = opened[choice.layout][wanted].isel(subset_indexers(selected))
    if chunks is not None:
        ds = ds.chunk(chunks)
    ds.attrs.update(
        {
            "dtolab:item": item.id,
            "dtolab:href": choice.href,
            "dtolab:layout": choice.layout,
            "dtolab:layout_reason": choice.reason,
            "dtolab:chunks_read": int(choice.counts[choice.layout]),
        }
    )
    return ds


__all__ = ["Catalog", "Collection", "Item", "ItemList", "open_item"]

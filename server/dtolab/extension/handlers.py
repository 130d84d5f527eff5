"""REST handlers of the server extension (documented in docs/rest-api.yaml)."""

from __future__ import annotations

import json

from tornado import web

from .. import __version__
from ..client import processes, stac
from ..errors import InvalidInput
from .base import DtolabHandler


def check_cursor(value: str | None) -> str | None:
    """A paging token as the STAC API handed it out: short and printable."""
    if value is not None and (len(value) > 2048 or not value.isprintable()):
        raise InvalidInput("cursor", "is not a paging token this API handed out")
    return value


class VersionHandler(DtolabHandler):
    """The server extension's version, for the frontend's handshake."""

    @web.authenticated
    def get(self) -> None:
        self.write_json({"version": __version__})


class EndpointsHandler(DtolabHandler):
    """The configured endpoints: names, titles and URLs, never tokens."""

    @web.authenticated
    def get(self) -> None:
        self.write_json(
            {
                "default": self.state.default_endpoint,
                "page_size": self.state.page_size,
                "endpoints": [e.public() for e in self.state.endpoints.values()],
            }
        )


class CollectionsHandler(DtolabHandler):
    """Collections of one endpoint, with optional free text ``q`` and ``limit``."""

    @web.authenticated
    async def get(self, name: str) -> None:
        endpoint = self.endpoint(name)
        limit = stac.check_limit(self.get_argument("limit", None), default=100)
        q = self.get_argument("q", None)
        self.write_json(await stac.list_collections(self.state.client, endpoint, q=q, limit=limit))


class SearchHandler(DtolabHandler):
    """One page of item search.

    Parameters: ``collections``, ``ids``, ``bbox``, ``datetime``, ``q``, ``limit``, and
    ``cursor``: the ``next`` value of the previous page (the STAC API's paging token; not called
    ``token`` here because Jupyter reads a ``token`` parameter as its login token).
    """

    @web.authenticated
    async def get(self, name: str) -> None:
        endpoint = self.endpoint(name)
        arg = self.get_argument
        result = await stac.search_items(
            self.state.client,
            endpoint,
            collections=stac.check_ids("collections", arg("collections", None)),
            ids=stac.check_ids("ids", arg("ids", None)),
            bbox=stac.check_bbox(arg("bbox", None)),
            datetime=stac.check_datetime(arg("datetime", None)),
            q=arg("q", None),
            limit=stac.check_limit(arg("limit", None), default=self.state.page_size),
            token=check_cursor(arg("cursor", None)),
        )
        self.write_json(result)


class ItemHandler(DtolabHandler):
    """One item, described for the item view (variables, ranges, licence, assets...)."""

    @web.authenticated
    async def get(self, name: str, collection: str, item: str) -> None:
        endpoint = self.endpoint(name)
        doc = await self.state.previews.item(endpoint, collection, item)
        self.write_json(stac.describe_item(doc, endpoint))


class PreviewHandler(DtolabHandler):
    """A PNG preview of one variable of an item at one time and depth.

    Parameters: ``variable``, ``time``, ``depth``, ``bbox``, ``width``, ``height``, ``vmin``,
    ``vmax`` (all optional). What was drawn (range, units, colour map, the time and depth
    chosen) comes back as JSON in the ``X-Dtolab-Preview`` header, for the colour bar.
    """

    ARGS = ("variable", "time", "depth", "bbox", "width", "height", "vmin", "vmax")

    @web.authenticated
    async def get(self, name: str, collection: str, item: str) -> None:
        endpoint = self.endpoint(name)
        args = {a: self.get_argument(a, None) for a in self.ARGS}
        rendered = await self.state.previews.preview(endpoint, collection, item, args)
        self.set_header("Cache-Control", "private, max-age=300")
        # ASCII-only JSON: header values must be latin-1.
        self.set_header("X-Dtolab-Preview", json.dumps(rendered.meta, ensure_ascii=True))
        self.finish(rendered.png, set_content_type="image/png")


class ProcessesHandler(DtolabHandler):
    """The processes (what-if scenarios and tools) one endpoint offers."""

    @web.authenticated
    async def get(self, name: str) -> None:
        self.write_json(await processes.list_processes(self.state.client, self.endpoint(name)))

"""REST handlers of the server extension (documented in docs/rest-api.yaml)."""

from __future__ import annotations

from tornado import web

from .. import __version__
from ..client import processes, stac
from .base import DtolabHandler


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

    Parameters: ``collections``, ``ids``, ``bbox``, ``datetime``, ``q``, ``limit``.
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
        )
        self.write_json(result)


class ProcessesHandler(DtolabHandler):
    """The processes (what-if scenarios and tools) one endpoint offers."""

    @web.authenticated
    async def get(self, name: str) -> None:
        self.write_json(await processes.list_processes(self.state.client, self.endpoint(name)))

"""The server extension application: configuration (traitlets) and routes."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from jupyter_server.extension.application import ExtensionApp
from jupyter_server.utils import url_path_join
from traitlets import Bool, Dict, Float, Int, Type, Unicode, default

from ..client.endpoints import EDITO, Endpoint, parse_endpoints
from ..client.http import UpstreamClient
from ..preview.service import PreviewService
from . import handlers

_warmed = threading.Event()


def _warm_up_once(previews: PreviewService) -> None:
    """Compile the renderer once per process, in the preview pool (not on the event loop)."""
    if _warmed.is_set():
        return
    _warmed.set()
    from ..preview.render import warm_up

    previews.executor.submit(warm_up)


@dataclass
class DtolabState:
    """What the handlers share: the validated endpoints and one upstream client."""

    endpoints: dict[str, Endpoint]
    default_endpoint: str
    client: UpstreamClient
    page_size: int
    previews: PreviewService


class DtolabExtension(ExtensionApp):
    """Serves the dtolab panels' REST API and talks to the configured upstream endpoints.

    Example ``jupyter_server_config.py``::

        c.DtolabExtension.endpoints = {
            "local": {"title": "Embedded stack", "stac": "http://127.0.0.1:8081",
                      "processes": "http://127.0.0.1:5000"},
        }
        c.DtolabExtension.default_endpoint = "local"
    """

    name = "dtolab"
    load_other_extensions = True

    endpoints = Dict(
        config=True,
        help="""Named upstream endpoints, name -> {"title", "stac", "processes", "token",
        "free_text"}. "stac" is a STAC API root URL, "processes" an OGC API - Processes root URL,
        "token" a bearer token added on the server (never sent to the browser), "free_text" whether
        the STAC API supports ``q`` (default true).
        Default: {} (plus "edito", see include_edito).""",
    )

    include_edito = Bool(
        True,
        config=True,
        help="Add the 'edito' preset (https://api.dive.edito.eu) unless 'endpoints' names one. "
        "Default: True.",
    )

    default_endpoint = Unicode(
        config=True,
        help="The endpoint the panels select first. Default: the first configured endpoint.",
    )

    request_timeout = Float(
        20.0, config=True, help="Seconds to wait for an upstream answer. Default: 20."
    )

    max_response_bytes = Int(
        20 * 1024 * 1024,
        config=True,
        help="Largest upstream response accepted, in bytes. Default: 20 MiB.",
    )

    page_size = Int(50, config=True, help="Default number of results per page. Default: 50.")

    preview_warm_up = Bool(
        True,
        config=True,
        help="Compile the preview renderer in the background at start, so that the first "
        "preview does not wait for it (a few seconds of one core). Default: True.",
    )

    upstream_client_class = Type(
        default_value=UpstreamClient,
        klass=UpstreamClient,
        config=True,
        help="The class that sends upstream requests. Default: dtolab.client.http.UpstreamClient.",
    )

    @default("default_endpoint")
    def _default_endpoint_default(self) -> str:
        return next(iter(self.endpoints), "edito")

    def _configured_endpoints(self) -> dict[str, Endpoint]:
        config = dict(self.endpoints)
        if self.include_edito and "edito" not in config:
            config["edito"] = EDITO
        return parse_endpoints(config)

    def initialize_settings(self) -> None:
        endpoints = self._configured_endpoints()
        default_name = self.default_endpoint
        if default_name not in endpoints:
            self.log.warning(
                "dtolab: default endpoint %r is not configured; using %r",
                default_name,
                next(iter(endpoints), None),
            )
            default_name = next(iter(endpoints), "")
        client = self.upstream_client_class(
            timeout=self.request_timeout, max_response_bytes=self.max_response_bytes
        )
        previews = PreviewService(client, timeout=self.request_timeout)
        self.settings["dtolab"] = DtolabState(
            endpoints, default_name, client, self.page_size, previews
        )
        if self.preview_warm_up:
            _warm_up_once(previews)
        self.log.info("dtolab: endpoints %s (default %s)", ", ".join(endpoints), default_name)

    def initialize_handlers(self) -> None:
        api = url_path_join("dtolab", "api")
        one = url_path_join(api, "endpoints", r"(?P<name>[A-Za-z0-9_\-]+)")
        item = url_path_join(
            one, "collections", r"(?P<collection>[^/]+)", "items", r"(?P<item>[^/]+)"
        )
        self.handlers.extend(
            [
                (url_path_join(api, "version"), handlers.VersionHandler),
                (url_path_join(api, "endpoints"), handlers.EndpointsHandler),
                (url_path_join(one, "collections"), handlers.CollectionsHandler),
                (url_path_join(one, "search"), handlers.SearchHandler),
                (url_path_join(one, "processes"), handlers.ProcessesHandler),
                (item, handlers.ItemHandler),
                (url_path_join(item, "preview"), handlers.PreviewHandler),
            ]
        )

    async def stop_extension(self) -> None:
        state = self.settings.get("dtolab")
        if state is not None:
            state.previews.close()
            await state.client.aclose()

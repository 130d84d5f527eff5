"""The one handler base class: shared state and the single place errors become statuses."""

from __future__ import annotations

import json
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin

from ..client.endpoints import Endpoint, lookup
from ..errors import DtolabError


class DtolabHandler(ExtensionHandlerMixin, APIHandler):
    """Base of every dtolab handler.

    A ``DtolabError`` raised by a verb becomes its class's status (400 bad input with the field
    named, 404 unknown thing, 502 upstream down or broken, 504 upstream slow) and a JSON body;
    anything else stays a 500 with a logged traceback, because it is a bug.
    """

    @property
    def state(self) -> Any:
        return self.settings["dtolab"]

    def endpoint(self, name: str) -> Endpoint:
        return lookup(self.state.endpoints, name)

    def write_json(self, data: Any) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, DtolabError):
            self.set_status(error.status)
            self.write_json(error.to_json())
            return
        super().write_error(status_code, **kwargs)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, DtolabError):
            # An expected failure: one line, no traceback (and never a token: messages hold none).
            self.log.warning(
                "dtolab %s %s -> %s %s",
                self.request.method,
                self.request.path,
                value.status,
                value.message,
            )
            return
        super().log_exception(typ, value, tb)

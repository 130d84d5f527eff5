"""The exceptions dtolab raises, one class per kind of failure.

The server extension maps each class to one HTTP status in a single place
(``dtolab.extension.base``); notebook users see the same messages as exceptions.
"""

from __future__ import annotations


class DtolabError(Exception):
    """Base class of every error dtolab raises on purpose."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_json(self) -> dict[str, object]:
        return {"error": type(self).__name__, "message": self.message}


class InvalidInput(DtolabError, ValueError):
    """A request parameter is malformed or out of range; ``field`` names it."""

    status = 400

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field

    def to_json(self) -> dict[str, object]:
        return {**super().to_json(), "field": self.field}


class NotFound(DtolabError, LookupError):
    """The named endpoint, collection, item or process does not exist."""

    status = 404


class UpstreamError(DtolabError):
    """An upstream service answered with an error or with something that is not what was asked."""

    status = 502

    def __init__(self, endpoint: str, message: str, upstream_status: int | None = None) -> None:
        super().__init__(f"{endpoint}: {message}")
        self.endpoint = endpoint
        self.upstream_status = upstream_status

    def to_json(self) -> dict[str, object]:
        return {
            **super().to_json(),
            "endpoint": self.endpoint,
            "upstream_status": self.upstream_status,
        }


class UpstreamUnavailable(UpstreamError):
    """The upstream service could not be reached (connection refused, DNS failure, reset)."""


class UpstreamTimeout(UpstreamError):
    """The upstream service did not answer within the configured timeout."""

    status = 504


class ResponseTooLarge(UpstreamError):
    """The upstream response exceeded the configured size limit and was cut off."""


class Refused(DtolabError):
    """dtolab will not do this on principle: for example read an asset at a private address."""

    status = 403


class RequestTooLarge(DtolabError):
    """The request asks for more than a configured limit, which the message names."""

    status = 413

"""Clients for the upstream APIs dtolab talks to: STAC catalogues and OGC API - Processes."""

from .endpoints import EDITO, Endpoint, lookup, parse_endpoints
from .http import UpstreamClient

__all__ = ["EDITO", "Endpoint", "UpstreamClient", "lookup", "parse_endpoints"]

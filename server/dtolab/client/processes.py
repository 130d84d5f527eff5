"""OGC API - Processes requests shared by the server extension and notebooks."""

from __future__ import annotations

from typing import Any

from .endpoints import Endpoint
from .http import UpstreamClient


def summarize_process(p: dict[str, Any]) -> dict[str, Any]:
    """The fields a process list shows, from an OGC process summary."""
    return {
        "id": p.get("id"),
        "title": p.get("title") or p.get("id"),
        "description": p.get("description", ""),
        "version": p.get("version"),
        "keywords": p.get("keywords", []),
        "jobControlOptions": p.get("jobControlOptions", []),
    }


async def list_processes(client: UpstreamClient, endpoint: Endpoint) -> dict[str, Any]:
    """The processes an endpoint offers (GET /processes)."""
    doc = await client.get_json(endpoint, "processes", "processes", params={"f": "json"})
    return {
        "endpoint": endpoint.name,
        "processes": [summarize_process(p) for p in doc.get("processes") or []],
    }

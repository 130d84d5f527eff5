"""Notebook displays for dtolab results.

Example::

    from dtolab_widgets import CollectionTable
    CollectionTable(httpx.get(stac_url + "/collections").json()["collections"])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

__all__ = ["CollectionTable"]


def _interval(collection: Mapping[str, Any]) -> str:
    """The first temporal interval of a STAC collection (or a dtolab summary), as dates."""
    interval = collection.get("interval")
    if interval is None:
        extent = collection.get("extent") or {}
        interval = ((extent.get("temporal") or {}).get("interval") or [None])[0]
    if not interval:
        return ""
    start, end = ((t or "…")[:10] for t in interval)
    return f"{start} to {end}"


class CollectionTable:
    """A table of STAC collections for a notebook: title, id, time range and licence.

    Parameters
    ----------
    collections:
        STAC collection documents, or the summaries the dtolab server extension returns.
    """

    def __init__(self, collections: Iterable[Mapping[str, Any]]) -> None:
        self.collections = list(collections)

    def __len__(self) -> int:
        return len(self.collections)

    def _repr_html_(self) -> str:
        rows = "".join(
            "<tr>"
            f"<td>{escape(str(c.get('title') or c.get('id', '')))}</td>"
            f"<td><code>{escape(str(c.get('id', '')))}</code></td>"
            f"<td>{escape(_interval(c))}</td>"
            f"<td>{escape(str(c.get('license') or ''))}</td>"
            "</tr>"
            for c in self.collections
        )
        return (
            "<table><thead><tr><th>Title</th><th>Id</th><th>Time</th><th>Licence</th></tr>"
            f"</thead><tbody>{rows}</tbody></table>"
        )

    def __repr__(self) -> str:
        return f"CollectionTable({len(self)} collections)"

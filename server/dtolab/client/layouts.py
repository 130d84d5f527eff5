"""Choosing the Zarr layout of an item for one request, by counting the chunks each would read.

The Copernicus Marine toolbox does this for its own catalogue (fewest chunks wins; ties go to the
geo-series, i.e. timeChunked); here it works from any STAC item shaped like EDITO's: the layout of
an asset comes from ``dtolab:layout``, else from its href (``timeChunked.zarr`` /
``geoChunked.zarr``), else from EDITO's asset keys, remembering their naming trap
(``arco-geo-series`` -> timeChunked, ``arco-time-series`` -> geoChunked).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

ZARR_TYPES = {"application/vnd+zarr", "application/zarr", "application/x-zarr"}
KEY_LAYOUT = {"arco-geo-series": "timeChunked", "arco-time-series": "geoChunked"}
#: On a tie, the map layout is read (as the Copernicus Marine toolbox does).
PREFERENCE = ("timeChunked", "geoChunked", "zarr")


def is_zarr(key: str, asset: Mapping[str, Any]) -> bool:
    media = (asset.get("type") or "").split(";")[0].strip().lower()
    href = str(asset.get("href", "")).rstrip("/")
    if "overview" in (asset.get("roles") or []) or key == "pyramid":
        return False
    return media in ZARR_TYPES or (not media and href.endswith(".zarr")) or key in KEY_LAYOUT


def layout_of(key: str, asset: Mapping[str, Any]) -> str:
    if asset.get("dtolab:layout"):
        return str(asset["dtolab:layout"])
    href = str(asset.get("href", "")).rstrip("/")
    for layout in ("timeChunked", "geoChunked"):
        if href.endswith(f"{layout}.zarr"):
            return layout
    return KEY_LAYOUT.get(key, "zarr")


def data_assets(item: Mapping[str, Any]) -> dict[str, tuple[str, Mapping[str, Any]]]:
    """The item's Zarr data assets by layout: {layout: (asset key, asset)}."""
    found: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for key, asset in (item.get("assets") or {}).items():
        if is_zarr(key, asset):
            found.setdefault(layout_of(key, asset), (key, asset))
    return found


def chunks_touched(indices: np.ndarray, chunk_len: int) -> int:
    """How many chunks of length ``chunk_len`` hold the positions ``indices``."""
    if indices.size == 0:
        return 0
    return int(np.unique(indices // max(1, chunk_len)).size)


@dataclass(frozen=True)
class Choice:
    layout: str
    key: str
    href: str
    counts: dict[str, int]

    @property
    def reason(self) -> str:
        others = ", ".join(f"{k} {v}" for k, v in self.counts.items())
        return f"{self.layout} reads the fewest chunks for this request ({others})"


def choose(
    candidates: Mapping[str, tuple[str, Mapping[str, Any], Mapping[str, int]]],
    selection: Mapping[str, np.ndarray],
    n_variables: int,
) -> Choice:
    """The layout that reads the fewest chunks for ``selection`` (dim -> selected positions).

    ``candidates`` maps layout -> (asset key, asset, chunk length per dimension).
    """
    counts = {}
    for layout, (_, _, chunks) in candidates.items():
        total = n_variables
        for dim, indices in selection.items():
            total *= chunks_touched(indices, chunks.get(dim, 1))
        counts[layout] = total
    best = min(
        counts,
        key=lambda name: (
            counts[name],
            PREFERENCE.index(name) if name in PREFERENCE else len(PREFERENCE),
        ),
    )
    key, asset, _ = candidates[best]
    return Choice(best, key, str(asset["href"]), counts)

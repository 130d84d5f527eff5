"""Listing 10,000 items through the client, against building pystac objects for the same pages.

The pages (10 x 1000 items, cloned from a real catalogue item with distinct ids) are served from
memory by httpx's MockTransport, so the figure is the client's own cost once bytes are received:
JSON decoding, paging and result objects. Target (issue 3): at least 20,000 items per second.
"""

from __future__ import annotations

import copy
import time

import httpx
import orjson
import pystac

from dtolab.client.catalog import Catalog
from dtolab.client.endpoints import Endpoint

PAGES, PAGE = 10, 1000


def _pages(template: dict) -> list[bytes]:
    pages = []
    for p in range(PAGES):
        features = []
        for i in range(PAGE):
            doc = copy.deepcopy(template)
            doc["id"] = f"{template['id']}-{p * PAGE + i}"
            features.append(doc)
        links = (
            []
            if p == PAGES - 1
            else [
                {"rel": "next", "href": f"http://bench.test/search?page={p + 1}", "method": "GET"}
            ]
        )
        pages.append(
            orjson.dumps(
                {
                    "type": "FeatureCollection",
                    "features": features,
                    "links": links,
                    "numberMatched": PAGES * PAGE,
                }
            )
        )
    return pages


def run(template: dict) -> dict:
    pages = _pages(template)

    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=pages[int(request.url.params.get("page", 0))])

    catalog = Catalog(
        Endpoint("bench", stac="http://bench.test"), transport=httpx.MockTransport(serve)
    )
    start = time.perf_counter()
    items = catalog.search(collections=["c"], limit=PAGE)
    client_s = time.perf_counter() - start
    assert len(items) == PAGES * PAGE
    start = time.perf_counter()
    built = [pystac.ItemCollection.from_dict(orjson.loads(page)) for page in pages]
    pystac_s = time.perf_counter() - start
    assert sum(len(b) for b in built) == PAGES * PAGE
    return {
        "items": len(items),
        "client_items_per_s": len(items) / client_s,
        "pystac_items_per_s": PAGES * PAGE / pystac_s,
    }

"""What the dtolab server extension adds to a STAC request, against the STAC API called directly.

Both paths hit the same running embedded stack in one run, for an item search
(``GET {stac}/search?q=temperature&limit=20`` directly and
``GET {lab}/dtolab/api/endpoints/local/search?q=temperature&limit=20`` through the extension, which
validates, calls the same URL and reshapes the answer) and for the collection list. Requests
alternate, so drift in machine load hits both equally. Target (issue 4): at most 10 ms added to a
STAC search, median.
"""

from __future__ import annotations

import statistics
import time

import httpx


def _time(client: httpx.Client, url: str, headers: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    response = client.get(url, headers=headers)
    elapsed = time.perf_counter() - start
    response.raise_for_status()
    return elapsed * 1000


REQUESTS = {
    "item search (q=temperature, 20 items)": "search?q=temperature&limit=20",
    "collection list": "collections?limit=100",
}


def run(stack: dict, rounds: int = 200) -> dict[str, dict[str, float]]:
    """{request name: timings} for each of REQUESTS."""
    return {name: _pair(stack, path, rounds) for name, path in REQUESTS.items()}


def _pair(stack: dict, path: str, rounds: int) -> dict[str, float]:
    base, token = stack["lab"].split("/lab?token=")
    auth = {"Authorization": f"token {token}"}
    direct_url = f"{stack['stac']}/{path}"
    via_url = f"{base}/dtolab/api/endpoints/local/{path}"
    direct, via = [], []
    with httpx.Client(timeout=30) as client:
        for _ in range(20):  # warm both paths (connection pools, caches)
            _time(client, direct_url)
            _time(client, via_url, auth)
        for _ in range(rounds):
            direct.append(_time(client, direct_url))
            via.append(_time(client, via_url, auth))
    med_direct, med_via = statistics.median(direct), statistics.median(via)
    return {
        "rounds": rounds,
        "direct_median_ms": round(med_direct, 2),
        "extension_median_ms": round(med_via, 2),
        "added_median_ms": round(med_via - med_direct, 2),
        "direct_p90_ms": round(statistics.quantiles(direct, n=10)[-1], 2),
        "extension_p90_ms": round(statistics.quantiles(via, n=10)[-1], 2),
    }

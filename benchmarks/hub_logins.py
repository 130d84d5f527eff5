"""Concurrent logins to the embedded hub: 20 users log in and get a running lab at once.

Each user goes the whole way a browser goes (hub -> provider login form -> password -> hub
callback -> spawn -> /user/<name>/lab answering with JupyterLab), over HTTP, one thread per
user. Reported: the time until the last of the 20 labs is ready, each user's login-to-lab
time, errors; and, before that, the median login-to-lab time of one user alone (3 users in turn).

Run alone: ``.venv/bin/python benchmarks/hub_logins.py`` (or with every benchmark, ``make bench``).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.stack_helpers import dtolab, hub_up, new_state_dir
from tests.support.hub_login import login

CONCURRENT = 20
ALONE = 3


def _timed_login(hub: str, user: str, password: str) -> tuple[float, str | None]:
    start = time.perf_counter()
    try:
        client = login(hub, user, password, timeout=600)
    except (AssertionError, httpx.HTTPError) as err:  # a failed login or spawn: counted
        return time.perf_counter() - start, f"{type(err).__name__}: {err}"
    client.close()
    return time.perf_counter() - start, None


def run() -> dict:
    users = {f"user{i:02d}": (f"password-{i:02d}", ["dtolab-users"]) for i in range(CONCURRENT)}
    users |= {f"solo{i}": (f"password-solo-{i}", ["dtolab-users"]) for i in range(ALONE)}
    state_dir = new_state_dir("dtolab-bench-hub-")
    try:
        hub = hub_up(state_dir, users, token_lifetime=300)["hub"]
        alone = [_timed_login(hub, f"solo{i}", users[f"solo{i}"][0]) for i in range(ALONE)]
        start = time.perf_counter()
        with ThreadPoolExecutor(CONCURRENT) as pool:
            futures = [
                pool.submit(_timed_login, hub, name, users[name][0])
                for name in users
                if name.startswith("user")
            ]
            together = [f.result() for f in futures]
        last_ready = time.perf_counter() - start
    finally:
        dtolab(state_dir, "down")
        shutil.rmtree(state_dir, ignore_errors=True)
    times = [t for t, err in together if err is None]
    return {
        "alone_median_s": statistics.median(t for t, _ in alone),
        "alone_s": [t for t, _ in alone],
        "alone_errors": [e for _, e in alone if e],
        "users": CONCURRENT,
        "last_ready_s": last_ready,
        "median_s": statistics.median(times) if times else None,
        "max_s": max(times) if times else None,
        "errors": [e for _, e in together if e],
    }


def markdown(result: dict) -> str:
    alone = ", ".join(f"{t:.1f}" for t in result["alone_s"])
    return "\n".join(
        [
            "| measure | value |",
            "|---|---|",
            f"| one user alone, login to lab ready (median of {ALONE}) | "
            f"{result['alone_median_s']:.1f} s ({alone}) |",
            f"| {result['users']} users at once: last lab ready | {result['last_ready_s']:.1f} s |",
            f"| {result['users']} users at once: median / max per user | "
            f"{result['median_s']:.1f} s / {result['max_s']:.1f} s |",
            f"| errors | {len(result['errors']) + len(result['alone_errors'])} |",
        ]
    )


if __name__ == "__main__":
    outcome = run()
    print(markdown(outcome))
    for error in outcome["errors"] + outcome["alone_errors"]:
        print("error:", error)

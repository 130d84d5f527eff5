"""Waiting for a service to become healthy, or failing with the reason from its log."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from .errors import StackError


def tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def http_ok(url: str, headers: dict[str, str] | None = None) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return httpx.get(url, headers=headers, timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False

    return check


def wait_healthy(
    name: str,
    proc: subprocess.Popen,
    check: Callable[[], bool],
    log: Path,
    timeout: float,
    stopping: Callable[[], bool],
) -> None:
    """Poll ``check`` until it passes; fail if the process exits, time runs out or we stop."""
    deadline = time.monotonic() + timeout
    while True:
        if stopping():
            raise StackError(f"stopped while {name} was starting")
        code = proc.poll()
        if code is not None:
            raise StackError(
                f"{name} exited with code {code} while starting; its log ({log}) ends:\n{tail(log)}"
            )
        if check():
            return
        if time.monotonic() > deadline:
            raise StackError(
                f"{name} not healthy after {timeout:g} s; its log ({log}) ends:\n{tail(log)}"
            )
        time.sleep(0.2)

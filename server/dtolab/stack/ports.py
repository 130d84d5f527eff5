"""Loopback ports: check that one is free, or pick one."""

from __future__ import annotations

import socket

from .errors import StackError


def is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def pick_free() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def choose(
    names: list[str], requested: dict[str, int | None], saved: dict[str, int]
) -> dict[str, int]:
    """A port per service: the one requested (which must be free), else the one used last time
    if still free, else a new free one."""
    chosen: dict[str, int] = {}
    for name in names:
        want = requested.get(name)
        if want:
            if not is_free(want):
                raise StackError(
                    f"port {want} requested for {name} is taken by another program; "
                    f"choose another with --{name}-port, or 0 to pick a free one"
                )
            chosen[name] = want
        elif saved.get(name) and saved[name] not in chosen.values() and is_free(saved[name]):
            chosen[name] = saved[name]
        else:
            port = pick_free()
            while port in chosen.values():
                port = pick_free()
            chosen[name] = port
    return chosen

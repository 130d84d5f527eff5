"""Reading the hub's settings from the environment (used by ``hub-config/config.d/*.py``)."""

from __future__ import annotations

import os


def setting(name: str, default: str | None = None) -> str:
    """``$name``, or ``default``; a missing setting without default stops the hub, naming it."""
    value = os.environ.get(name)
    if value not in (None, ""):
        return value
    if default is None:
        raise SystemExit(f"dtolab hub configuration: set ${name} (see hub-config/README.md)")
    return default


def setting_list(name: str, default: str) -> list[str]:
    """A comma- or space-separated setting as a list."""
    return [part for part in setting(name, default).replace(",", " ").split() if part]

"""Reading the lock files (uv's requirements.txt with hashes) and the inputs each is frozen from,
with `packaging`: the same reading of names, versions and markers as pip's and uv's."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCKS = {
    "base": ROOT / "images/base/requirements.txt",
    "gpu": ROOT / "images/gpu/requirements.txt",
    "r": ROOT / "images/r/requirements.txt",
    "binder": ROOT / "binder/requirements.txt",
}
# The platform every lock is solved for (images/lock.py): CPython 3.11 on x86_64 Linux.
ENVIRONMENT = {
    "python_version": "3.11",
    "python_full_version": "3.11.18",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "os_name": "posix",
}


@dataclass
class Pin:
    version: Version
    hashes: list[str] = field(default_factory=list)


def read_lock(path: Path) -> dict[NormalizedName, Pin]:
    pins: dict[NormalizedName, Pin] = {}
    current: Pin | None = None
    for raw in path.read_text().splitlines():
        line = raw.strip().removesuffix("\\").strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("--hash="):
            assert current is not None, f"{path}: a hash before any requirement: {raw}"
            current.hashes.append(line.removeprefix("--hash="))
            continue
        requirement = Requirement(line)
        (specifier,) = requirement.specifier  # uv writes exactly one `==` per package
        assert specifier.operator == "==", f"{path}: not a pin: {raw}"
        current = pins[canonicalize_name(requirement.name)] = Pin(Version(specifier.version))
    return pins


def read_in(path: Path) -> list[Requirement]:
    """Requirements of a requirements.in file (one a line, comments after #)."""
    lines = (line.partition("#")[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line]


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def inputs(lock: str) -> list[Requirement]:
    """What each lock must satisfy, as the images' design says (not as images/lock.py does)."""
    project = pyproject()
    base = [Requirement(r) for r in project["dependencies"]]
    base += read_in(ROOT / "images/base/requirements.in")
    if lock == "binder":
        return base + [Requirement(r) for r in project["optional-dependencies"]["stack"]]
    if lock == "base":
        return base
    return base + read_in(ROOT / f"images/{lock}/requirements.in")


def applies(requirement: Requirement) -> bool:
    if requirement.marker is None:
        return True
    return requirement.marker.evaluate({**ENVIRONMENT, "extra": ""})

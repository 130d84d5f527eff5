"""Freeze the images' requirements into lock files with hashes (``make lock`` runs this).

Each lock is ``uv pip compile`` of dtolab's own dependencies (``[project] dependencies`` of
pyproject.toml; uv reads them without dtolab itself) plus ``images/base/requirements.in`` and the
image's own ``requirements.in``, for the images' Python (3.11) and platform (x86_64 glibc, Ubuntu
24.04). The base lock is solved first; the others are constrained by it, so that every package
they share with it has the same pin and an image built on the base image installs only what is
new. ``binder/requirements.txt`` is the base inputs plus pyproject's ``stack`` extra (the embedded
STAC API and processes server that a Binder session runs).

A lock keeps its pins until its inputs ask for something else: uv prefers the versions already in
the output file. ``images/lock.py --upgrade`` (or ``--upgrade-package NAME``) moves them; any
argument is handed to every ``uv pip compile``. ``images/lock.py --check`` solves every lock again
in a temporary folder, from the committed pins, and fails if a pin would change or go (an input
edited without ``make lock``); it compares pins, not hashes, since PyPI may add files to a release.
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON_VERSION = "3.11"
PLATFORM = "x86_64-manylinux_2_28"
BASE_INPUTS = ("pyproject.toml", "images/base/requirements.in")
BASE_LOCK = "images/base/requirements.txt"


@dataclass(frozen=True)
class Lock:
    """One lock file: what it freezes, where it goes, what it is for."""

    name: str
    inputs: tuple[str, ...]
    output: str
    purpose: str
    extras: tuple[str, ...] = ()
    constrained: bool = True  # by the base lock

    def command(
        self, uv: str, extra_args: list[str], output: str | None = None, base: str = BASE_LOCK
    ) -> list[str]:
        args = [uv, "pip", "compile", *self.inputs]
        for extra in self.extras:
            args += ["--extra", extra]
        if self.constrained:
            args += ["--constraint", base]
        args += ["--python-version", PYTHON_VERSION, "--python-platform", PLATFORM]
        args += ["--generate-hashes", "--no-header", "--output-file", output or self.output]
        return [*args, *extra_args]


LOCKS = (
    Lock("base", BASE_INPUTS, BASE_LOCK, "the base image", constrained=False),
    Lock(
        "gpu",
        (*BASE_INPUTS, "images/gpu/requirements.in"),
        "images/gpu/requirements.txt",
        "the gpu image (installed on top of the base image built on CUDA)",
    ),
    Lock(
        "r",
        (*BASE_INPUTS, "images/r/requirements.in"),
        "images/r/requirements.txt",
        "the r image (installed on top of the base image)",
    ),
    Lock(
        "binder",
        BASE_INPUTS,
        "binder/requirements.txt",
        "Binder (repo2docker), with the embedded stack",
        extras=("stack",),
    ),
)


def header(lock: Lock, command: list[str]) -> str:
    shown = " ".join(["uv", *command[1:]])
    return (
        f"# Frozen requirements of {lock.purpose}: Python {PYTHON_VERSION}, {PLATFORM}, with\n"
        "# hashes, installed with --require-hashes. Do not edit: `make lock` (images/lock.py)\n"
        "# writes it with\n"
        f"#    {shown}\n"
    )


def uv_executable() -> str:
    """The uv of the environment running this script (the project's .venv), else one on PATH."""
    beside = Path(sys.executable).parent / "uv"
    found = str(beside) if beside.is_file() else shutil.which("uv")
    if found is None:
        sys.exit("uv not found: run `make install` first (uv is in the test extra)")
    return found


def compile_lock(command: list[str]) -> int:
    # uv prints the lock too: only its summary (stderr) is worth showing.
    return subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, check=False).returncode


def pins(text: str) -> list[str]:
    return re.findall(r"^(\S+==\S+)", text, flags=re.MULTILINE)


def write(uv: str, extra_args: list[str]) -> int:
    for lock in LOCKS:
        command = lock.command(uv, extra_args)
        print(f"lock {lock.name}: {lock.output}", flush=True)
        if failed := compile_lock(command):
            return failed
        output = ROOT / lock.output
        output.write_text(header(lock, command) + output.read_text())
    return 0


def check(uv: str) -> int:
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        solved = {lock.name: Path(tmp, f"{lock.name}.txt") for lock in LOCKS}
        for lock in LOCKS:
            committed = ROOT / lock.output
            if not committed.is_file():
                stale.append(f"{lock.output} is missing")
                continue
            shutil.copyfile(committed, solved[lock.name])  # its pins are uv's preferences
            command = lock.command(uv, [], str(solved[lock.name]), str(solved["base"]))
            if failed := compile_lock(command):
                return failed
            before, after = pins(committed.read_text()), pins(solved[lock.name].read_text())
            if before != after:
                diff = difflib.unified_diff(before, after, lock.output, "solved now", lineterm="")
                stale.append("\n".join(diff))
    for problem in stale:
        print(problem, file=sys.stderr)
    if stale:
        print("the locks are not what their inputs give: run `make lock`", file=sys.stderr)
        return 1
    print("the locks are what their inputs give", flush=True)
    return 0


def main(argv: list[str]) -> int:
    uv = uv_executable()
    if argv == ["--check"]:
        return check(uv)
    return write(uv, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

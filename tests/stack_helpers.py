"""Starting and stopping a real embedded stack from tests (integration and browser)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

STARTUP_TIMEOUT = 300


def new_state_dir(prefix: str) -> Path:
    """A state directory the database account can enter (pytest's tmp dirs are private to root)."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    path.chmod(0o755)
    return path


def dtolab(
    state_dir: Path, *args: str, timeout: float = STARTUP_TIMEOUT
) -> subprocess.CompletedProcess:
    """Run the ``dtolab`` command of this environment on ``state_dir``."""
    return subprocess.run(
        [sys.executable, "-m", "dtolab.stack.cli", "--state-dir", str(state_dir), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def status(state_dir: Path) -> dict:
    return json.loads(dtolab(state_dir, "status", "--json").stdout)


def up(state_dir: Path, notebook_dir: Path | None = None) -> dict:
    args = ["up", "--detach"]
    if notebook_dir is not None:
        args += ["--notebook-dir", str(notebook_dir)]
    result = dtolab(state_dir, *args)
    if result.returncode != 0:
        raise RuntimeError(f"dtolab up failed:\n{result.stdout}\n{result.stderr}")
    return status(state_dir)

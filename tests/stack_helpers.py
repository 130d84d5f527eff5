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


#: Accounts of the test hub: users and an administrator by group, one in no dtolab group.
HUB_USERS = {
    "demo": ("demo-password-1", ["dtolab-users"]),
    "admin": ("admin-password-1", ["dtolab-users", "dtolab-admins"]),
    "outsider": ("outsider-password-1", ["other-project"]),
    "reader": ("reader-password-1", ["dtolab-users"]),
}


def hub_up(state_dir: Path, users: dict[str, tuple[str, list[str]]], token_lifetime: int) -> dict:
    """``dtolab hub --detach`` with a users file of ``users`` (name -> (password, groups))."""
    from dtolab.hub.users import user_entry

    users_file = state_dir / "users.json"
    entries = [user_entry(name, pw, groups) for name, (pw, groups) in users.items()]
    users_file.write_text(json.dumps({"users": entries}))
    result = dtolab(
        state_dir,
        "hub",
        "--detach",
        "--users",
        str(users_file),
        "--token-lifetime",
        str(token_lifetime),
    )
    if result.returncode != 0:
        raise RuntimeError(f"dtolab hub failed:\n{result.stdout}\n{result.stderr}")
    return status(state_dir)

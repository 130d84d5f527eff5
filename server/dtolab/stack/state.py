"""The state directory of an embedded stack and what is recorded in it.

Layout::

    <state>/pg/data        PostgreSQL cluster (owned by the database user)
    <state>/pg/run         its Unix socket and lock
    <state>/catalog        Zarr stores and catalog.json (served by the data service)
    <state>/config         generated configuration (pygeoapi, Jupyter)
    <state>/jobs           pygeoapi job database and outputs
    <state>/logs           one log per service, plus the supervisor's
    <state>/hub            the embedded hub: its database, provider keys, users' home folders
    <state>/secrets.json   database password, lab token, hub keys (mode 0600)
    <state>/ports.json     ports chosen on first start, reused later
    <state>/stack.json     the running stack: supervisor and service pids, URLs (mode 0600)
    <state>/stack.lock     held by the running supervisor (released by the kernel if it dies)
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def default_state_dir() -> Path:
    """``$DTOLAB_STATE_DIR``, else ``$XDG_STATE_HOME/dtolab`` (``~/.local/state/dtolab``).

    As root the default is ``/var/lib/dtolab``: PostgreSQL must run as an unprivileged user,
    which cannot enter ``/root``.
    """
    env = os.environ.get("DTOLAB_STATE_DIR")
    if env:
        return Path(env).expanduser().resolve()
    if os.geteuid() == 0:
        return Path("/var/lib/dtolab")
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "dtolab"


#: Every secret of the stack and how it is made.
SECRETS = {
    "pg_password": lambda: secrets.token_urlsafe(24),
    "lab_token": lambda: secrets.token_hex(24),
    # The embedded hub: auth_state encryption key, OpenID Connect client secret, the proxy's
    # API token, the stack's service token (internal calls to the APIs), provider cookie keys.
    "hub_crypt_key": lambda: secrets.token_hex(32),
    "oidc_client_secret": lambda: secrets.token_urlsafe(32),
    "proxy_token": lambda: secrets.token_hex(32),
    "service_token": lambda: secrets.token_urlsafe(32),
    "oidc_cookie_key": lambda: secrets.token_urlsafe(32),
}


@dataclass(frozen=True)
class StateDir:
    root: Path

    @property
    def pg_data(self) -> Path:
        return self.root / "pg" / "data"

    @property
    def pg_run(self) -> Path:
        return self.root / "pg" / "run"

    @property
    def catalog(self) -> Path:
        return self.root / "catalog"

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def jobs(self) -> Path:
        return self.root / "jobs"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def hub(self) -> Path:
        return self.root / "hub"

    @property
    def stack_file(self) -> Path:
        return self.root / "stack.json"

    @property
    def lock_file(self) -> Path:
        return self.root / "stack.lock"

    def create(self) -> None:
        for path in (self.root, self.catalog, self.config, self.jobs, self.logs):
            path.mkdir(parents=True, exist_ok=True)
        # Readable by the database user (which must traverse it), writable by us only.
        self.root.chmod(0o755)

    def secrets(self) -> dict[str, str]:
        """The stack's secrets, each generated once (an older file gains the new ones) and kept
        private: database password, lab token, and the embedded hub's keys."""
        path = self.root / "secrets.json"
        values = json.loads(path.read_text()) if path.exists() else {}
        missing = {k: make() for k, make in SECRETS.items() if k not in values}
        if missing:
            values.update(missing)
            write_private(path, values)
        return values

    def saved_ports(self) -> dict[str, int]:
        path = self.root / "ports.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def save_ports(self, ports: dict[str, int]) -> None:
        (self.root / "ports.json").write_text(json.dumps(ports, indent=2))

    def read_stack(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.stack_file.read_text())
        except (FileNotFoundError, ValueError):
            return None

    def write_stack(self, data: dict[str, Any]) -> None:
        write_private(self.stack_file, data)


def write_private(path: Path, data: Any) -> None:
    """Write JSON readable by the owner only, atomically (never a half-written file)."""
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2)
    tmp.replace(path)


class StackLock:
    """An exclusive lock on ``stack.lock``: held while a supervisor runs, freed when it dies."""

    def __init__(self, state: StateDir) -> None:
        self.path = state.lock_file
        self._fd: int | None = None

    def acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def held_by_other(self) -> bool:
        """True when a live supervisor holds the lock."""
        if not self.path.exists():
            return False
        if self.acquire():
            self.release()
            return False
        return True

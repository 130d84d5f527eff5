"""Child processes of the supervisor: start them so that they die with it, and find leftovers."""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def start_time(pid: int) -> int | None:
    """The kernel's start time of ``pid`` (clock ticks since boot), or None if it is gone.

    Together with the pid it identifies a process: a recycled pid has another start time.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # Field 22; the command name (field 2) may hold spaces, so split after its closing ')'.
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):  # exited, waiting to be reaped: as good as gone
        return None
    return int(fields[19])


def alive(pid: int, started: int | None) -> bool:
    """True if ``pid`` is running and is the same process that was recorded."""
    now = start_time(pid)
    return now is not None and (started is None or now == started)


def spawn(
    argv: Sequence[str],
    *,
    log: Path,
    env: Mapping[str, str],
    cwd: Path | None = None,
    user: str | None = None,
    death_signal: int = signal.SIGTERM,
) -> subprocess.Popen:
    """Start ``argv`` in its own session, logging to ``log``, killed with ``death_signal`` when the
    supervisor dies (even by SIGKILL); as ``user`` when given (we are root then)."""
    account = pwd.getpwnam(user) if user else None

    def _child() -> None:
        if account is not None:
            os.setgroups([])
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)
        # After the uid change: changing credentials clears the parent-death signal.
        _libc.prctl(_PR_SET_PDEATHSIG, int(death_signal), 0, 0, 0)

    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        return subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,  # a Ctrl-C in the terminal reaches the supervisor only
            preexec_fn=_child,  # setuid and PR_SET_PDEATHSIG need it
        )


def terminate(
    pid: int, started: int | None, sig: int = signal.SIGTERM, grace: float = 15.0
) -> None:
    """Send ``sig`` to a recorded process and wait; SIGKILL it (and its group) after ``grace``."""
    if not alive(pid, started):
        return
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not alive(pid, started):
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return

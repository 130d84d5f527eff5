"""Starting, stopping and recovering the stack: nothing left behind, nothing lost."""

import json
import os
import shutil
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from dtolab.stack import procs
from tests.stack_helpers import dtolab, new_state_dir, status, up

pytestmark = pytest.mark.stack


def recorded_pids(state_dir: Path) -> dict[str, tuple[int, int]]:
    record = json.loads((state_dir / "stack.json").read_text())
    pids = {n: (s["pid"], s["started"]) for n, s in record["services"].items()}
    pids["supervisor"] = (record["supervisor"]["pid"], record["supervisor"]["started"])
    return pids


def processes_using(state_dir: Path) -> list[int]:
    """Every process whose command line or environment mentions the state directory."""
    found = []
    needle = str(state_dir).encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            text = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
        except (FileNotFoundError, PermissionError, ProcessLookupError):
            continue
        if needle in text and procs.alive(int(entry.name), None):
            found.append(int(entry.name))
    return found


def wait_gone(pids, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(procs.alive(pid, started) for pid, started in pids):
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def state_dir():
    path = new_state_dir("dtolab-life-")
    yield path
    dtolab(path, "down")
    shutil.rmtree(path, ignore_errors=True)


def test_detach_status_down_kill9_recover(state_dir):
    # Given a stack started in the background
    first = up(state_dir)
    assert first["running"] and first["state_dir"] == str(state_dir)
    stac = first["stac"]
    assert httpx.get(f"{stac}/collections/emodnet-bathymetry/items").json()["features"]
    again = dtolab(state_dir, "up", "--detach")
    assert again.returncode == 0 and "already running" in again.stdout

    # When every process of the stack is killed with SIGKILL (a crash, an OOM kill...)
    pids = recorded_pids(state_dir)
    for pid, _ in pids.values():
        os.kill(pid, signal.SIGKILL)
    assert wait_gone(pids.values())
    assert status(state_dir)["running"] is False
    assert (state_dir / "pg" / "data" / "postmaster.pid").exists()  # stale lock left behind

    # Then `up` recovers, on the same database, without duplicate items
    second = up(state_dir)
    assert second["running"]
    items = httpx.get(f"{second['stac']}/search", params={"ids": "etopo5"}).json()["features"]
    assert len(items) == 1
    collections = httpx.get(f"{second['stac']}/collections").json()["collections"]
    assert [c["id"] for c in collections].count("emodnet-bathymetry") == 1

    # And `down` leaves no process behind
    result = dtolab(state_dir, "down")
    assert result.returncode == 0
    assert processes_using(state_dir) == []
    assert status(state_dir)["running"] is False


def test_supervisor_sigkill_takes_the_services_with_it(state_dir):
    # Given a running stack / When only its supervisor is killed with SIGKILL
    up(state_dir)
    pids = recorded_pids(state_dir)
    os.kill(pids["supervisor"][0], signal.SIGKILL)
    # Then its services get their parent-death signal and stop too
    assert wait_gone(pids.values(), timeout=40)
    assert processes_using(state_dir) == []


def test_taken_port_is_named_with_the_fix(state_dir):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = dtolab(state_dir, "up", "--detach", "--lab-port", str(port))
    assert result.returncode == 1
    assert f"port {port} requested for lab is taken" in result.stderr
    assert "--lab-port" in result.stderr
    assert processes_using(state_dir) == []

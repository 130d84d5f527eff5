"""The ``dtolab`` command: ``up``, ``down`` and ``status`` of the embedded stack."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .. import __version__
from . import procs
from .errors import StackError
from .health import tail
from .state import StackLock, StateDir, default_state_dir
from .supervisor import SERVICES, Options, Supervisor, cleanup_leftovers, running_message

log = logging.getLogger("dtolab.stack")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dtolab", description="Run dtolab's embedded stack on this machine (loopback only)."
    )
    parser.add_argument("--version", action="version", version=f"dtolab {__version__}")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="where the database, catalogue, logs and secrets live "
        f"(default: $DTOLAB_STATE_DIR or {default_state_dir()})",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start PostgreSQL/pgstac, STAC API, pygeoapi and JupyterLab")
    up.add_argument("--detach", action="store_true", help="return once everything is healthy")
    up.add_argument(
        "--notebook-dir",
        type=Path,
        default=Path.cwd(),
        help="JupyterLab's root folder (default: .)",
    )
    up.add_argument("--timeout", type=float, default=300, help="seconds --detach waits (300)")
    for name in SERVICES:
        up.add_argument(f"--{name}-port", type=int, default=None, help=f"port of {name} (free)")
    sub.add_parser("down", help="stop the stack and everything it started")
    status = sub.add_parser("status", help="say whether the stack runs, and its URLs")
    status.add_argument("--json", action="store_true", help="print JSON")
    return parser


def stack_summary(state: StateDir) -> dict[str, Any]:
    """Whether the stack on ``state`` runs, and its service URLs (what `status --json` prints)."""
    record = state.read_stack() or {}
    running = record.get("status") == "running" and StackLock(state).held_by_other()
    services = record.get("services") or {} if running else {}
    return {
        "running": running,
        "lab": (services.get("lab") or {}).get("token_url"),
        "stac": (services.get("stac") or {}).get("url"),
        "processes": (services.get("processes") or {}).get("url"),
        "data": (services.get("data") or {}).get("url"),
        "postgres": f"127.0.0.1:{services['postgres']['port']}" if "postgres" in services else None,
        "state_dir": str(state.root),
    }


def cmd_up(args: argparse.Namespace, state: StateDir) -> int:
    requested = {name: getattr(args, f"{name}_port") for name in SERVICES}
    if not args.detach:
        options = Options(state.root, requested, args.notebook_dir.resolve())
        return Supervisor(options).run()
    summary = stack_summary(state)
    if summary["running"]:
        print(f"dtolab is already running on {state.root}: {summary['lab']}")
        return 0
    state.create()
    argv = [
        sys.executable,
        "-m",
        "dtolab.stack.cli",
        "--state-dir",
        str(state.root),
        "up",
        "--notebook-dir",
        str(args.notebook_dir.resolve()),
    ]
    for name, port in requested.items():
        if port is not None:
            argv += [f"--{name}-port", str(port)]
    logfile = state.logs / "supervisor.log"
    state.logs.mkdir(parents=True, exist_ok=True)
    with open(logfile, "ab") as out:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            print(f"dtolab failed to start; {logfile} ends:\n{tail(logfile, 25)}", file=sys.stderr)
            return 1
        record = state.read_stack() or {}
        if record.get("status") == "running" and record["supervisor"]["pid"] == proc.pid:
            summary = stack_summary(state)
            urls = {name: summary[name] for name in ("lab", "stac", "processes", "data")}
            print(f"{running_message(state.root, **urls)}\nStop it with `dtolab down`.")
            return 0
        time.sleep(0.3)
    os.kill(proc.pid, signal.SIGTERM)
    print(
        f"dtolab did not become healthy in {args.timeout:g} s; {logfile} ends:\n"
        f"{tail(logfile, 25)}",
        file=sys.stderr,
    )
    return 1


def cmd_down(state: StateDir) -> int:
    record = state.read_stack() or {}
    sup = record.get("supervisor") or {}
    if sup and StackLock(state).held_by_other():
        procs.terminate(sup["pid"], sup.get("started"), signal.SIGTERM, grace=60)
        deadline = time.monotonic() + 60
        while StackLock(state).held_by_other() and time.monotonic() < deadline:
            time.sleep(0.2)
    leftovers = cleanup_leftovers(state)
    if leftovers:
        print(f"stopped leftovers: {', '.join(leftovers)}")
    print(f"dtolab stopped (state kept in {state.root})")
    return 0


def cmd_status(args: argparse.Namespace, state: StateDir) -> int:
    summary = stack_summary(state)
    if args.json:
        print(json.dumps(summary))
    elif summary["running"]:
        print(
            f"running: lab {summary['lab']}, STAC {summary['stac']}, "
            f"processes {summary['processes']} (state in {state.root})"
        )
    else:
        print(f"not running (state in {state.root})")
    return 0 if summary["running"] else 3


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s dtolab %(levelname)s %(message)s")
    state = StateDir((args.state_dir or default_state_dir()).expanduser().resolve())
    try:
        if args.command == "up":
            return cmd_up(args, state)
        if args.command == "down":
            return cmd_down(state)
        return cmd_status(args, state)
    except StackError as err:
        print(f"dtolab: {err.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

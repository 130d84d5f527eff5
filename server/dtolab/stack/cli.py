"""The ``dtolab`` command: ``up``, ``hub``, ``down`` and ``status`` of the embedded stack,
``catalog`` to build the demo catalogue ahead of time, ``env`` for a lab started elsewhere, and
``hub-user`` to manage the embedded hub's local accounts."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .. import __version__
from ..catalog import build as catalog
from ..hub import users as hub_users
from ..hub.launch import HubOptions, default_users_file
from . import configs, procs
from .errors import StackError
from .health import tail
from .state import StackLock, StateDir, default_state_dir
from .supervisor import (
    HUB_SERVICES,
    NO_LAB,
    SERVICES,
    Options,
    Supervisor,
    cleanup_leftovers,
    running_message,
)

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
    up.add_argument(
        "--no-lab",
        action="store_true",
        help="start the services only; a lab started elsewhere (Binder's) reads `dtolab env`",
    )
    for name in SERVICES:
        up.add_argument(f"--{name}-port", type=int, default=None, help=f"port of {name} (free)")
    hub = sub.add_parser(
        "hub",
        help="start the stack with JupyterHub, an OpenID Connect provider and Dask Gateway "
        "instead of a single JupyterLab",
    )
    hub.add_argument("--detach", action="store_true", help="return once everything is healthy")
    hub.add_argument("--timeout", type=float, default=300, help="seconds --detach waits (300)")
    hub.add_argument(
        "--users",
        type=Path,
        default=None,
        help="local accounts of the provider (default: hub-config/local-users.json)",
    )
    hub.add_argument(
        "--token-lifetime",
        type=int,
        default=300,
        help="seconds an access token lives; renewed after two thirds (300)",
    )
    hub.add_argument(
        "--cull-timeout",
        type=int,
        default=3600,
        help="stop labs idle for this many seconds, 0 never (3600)",
    )
    for name in HUB_SERVICES:
        hub.add_argument(f"--{name}-port", type=int, default=None, help=f"port of {name} (free)")
    user = sub.add_parser(
        "hub-user", help="add a local account to the embedded hub's users file, or change it"
    )
    user.add_argument("username")
    user.add_argument("--admin", action="store_true", help="in the administrators' group")
    user.add_argument("--name", default="", help="display name")
    user.add_argument("--users", type=Path, default=None, help="the users file to change")
    user.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    sub.add_parser(
        "catalog", help="build the demo catalogue (Zarr, NetCDF, STAC items) now, not at `up`"
    )
    sub.add_parser(
        "env",
        help="print shell exports that point a JupyterLab started elsewhere at the running "
        'stack (use: eval "$(dtolab env)")',
    )
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
        "hub": (services.get("hub") or {}).get("url"),
        "postgres": f"127.0.0.1:{services['postgres']['port']}" if "postgres" in services else None,
        "state_dir": str(state.root),
    }


def cmd_up(args: argparse.Namespace, state: StateDir) -> int:
    """``dtolab up`` and ``dtolab hub``: run the supervisor here, or detached until healthy."""
    hub = args.command == "hub"
    no_lab = not hub and args.no_lab
    names = HUB_SERVICES if hub else [n for n in SERVICES if not (no_lab and n == "lab")]
    requested = {name: getattr(args, f"{name}_port") for name in names}
    notebook_dir = Path.cwd() if hub else args.notebook_dir.resolve()
    hub_options = (
        HubOptions(
            users_file=args.users.resolve() if args.users else None,
            token_lifetime=args.token_lifetime,
            cull_timeout=args.cull_timeout,
        )
        if hub
        else None
    )
    if hub and args.token_lifetime < 30:
        print("dtolab: --token-lifetime must be at least 30 seconds", file=sys.stderr)
        return 2
    if not args.detach:
        options = Options(state.root, requested, notebook_dir, hub_options, lab=not no_lab)
        return Supervisor(options).run()
    summary = stack_summary(state)
    if summary["running"]:
        where = summary["hub"] or summary["lab"]
        print(f"dtolab is already running on {state.root}: {where}")
        return 0
    state.create()
    argv = [sys.executable, "-m", "dtolab.stack.cli", "--state-dir", str(state.root)]
    if hub:
        argv += ["hub", "--token-lifetime", str(args.token_lifetime)]
        argv += ["--cull-timeout", str(args.cull_timeout)]
        if args.users:
            argv += ["--users", str(args.users.resolve())]
    else:
        argv += ["up", "--notebook-dir", str(notebook_dir)]
        if no_lab:
            argv.append("--no-lab")
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
            urls = {name: summary[name] for name in ("stac", "processes", "data")}
            front = summary["hub"] if hub else summary["lab"] or NO_LAB
            message = running_message(state.root, front, **urls, hub=hub)
            print(f"{message}\nStop it with `dtolab down`.")
            return 0
        time.sleep(0.3)
    os.kill(proc.pid, signal.SIGTERM)
    print(
        f"dtolab did not become healthy in {args.timeout:g} s; {logfile} ends:\n"
        f"{tail(logfile, 25)}",
        file=sys.stderr,
    )
    return 1


def cmd_hub_user(args: argparse.Namespace) -> int:
    """Add or change a local account of the embedded hub (password hashed, never stored)."""
    path = (args.users or default_users_file()).resolve()
    data = json.loads(path.read_text()) if path.exists() else {"users": []}
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.username}: ")
    if len(password) < 8:
        print("dtolab: the password must have at least 8 characters", file=sys.stderr)
        return 2
    groups = ["dtolab-users", "dtolab-admins"] if args.admin else ["dtolab-users"]
    entry = hub_users.user_entry(args.username, password, groups, args.name)
    others = [u for u in data.get("users", []) if u.get("username") != args.username]
    data["users"] = [*others, entry]
    path.write_text(json.dumps(data, indent=2) + "\n")
    print(f"{args.username} saved in {path}; a running hub reads it at its next start")
    return 0


def cmd_catalog(state: StateDir) -> int:
    """Build the demo catalogue into the state folder (Binder's postBuild, image builds), so
    that the first `dtolab up` only loads it."""
    state.create()
    index = catalog.build(state.catalog)
    print(f"demo catalogue ready: {index}")
    return 0


def cmd_env(state: StateDir) -> int:
    """Shell exports for a JupyterLab started outside dtolab (Binder's, a user's own): the
    server extension's config folder and the kernels' endpoints. Secrets are never printed."""
    record = state.read_stack() or {}
    summary = stack_summary(state)
    if not summary["running"] or summary["hub"] or "jupyter_config" not in record:
        print(
            f"dtolab: no stack runs on {state.root} (`dtolab up --no-lab --detach` first; "
            "labs spawned by `dtolab hub` get their settings from the hub)",
            file=sys.stderr,
        )
        return 3
    folder = Path(record["jupyter_config"])
    urls = {name: summary[name] for name in ("stac", "processes", "data")}
    exports = {
        "JUPYTER_CONFIG_PATH": configs.config_path_env(folder),
        "DTOLAB_ENDPOINTS": configs.endpoints_env(urls),
        "DTOLAB_STATE_DIR": str(state.root),
    }
    for name, value in exports.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


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
        if summary["hub"]:
            front = f"hub {summary['hub']}"
        else:
            front = f"lab {summary['lab']}" if summary["lab"] else "no lab (up --no-lab)"
        print(
            f"running: {front}, STAC {summary['stac']}, "
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
        if args.command in ("up", "hub"):
            return cmd_up(args, state)
        if args.command == "hub-user":
            return cmd_hub_user(args)
        if args.command == "down":
            return cmd_down(state)
        if args.command == "catalog":
            return cmd_catalog(state)
        if args.command == "env":
            return cmd_env(state)
        return cmd_status(args, state)
    except StackError as err:
        print(f"dtolab: {err.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

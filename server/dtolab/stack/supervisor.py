"""The supervisor: starts the services in order with health checks, watches them, stops them all.

Order: PostgreSQL -> pgstac migrations and catalogue -> data service -> STAC API -> pygeoapi ->
JupyterLab. In hub mode (``dtolab hub``) the OpenID Connect provider starts before the APIs (they
check its tokens) and JupyterHub (with its proxy, Dask Gateway and culler) replaces JupyterLab.
Every child runs in its own session and gets a signal if the supervisor dies, so a Ctrl-C, a
SIGTERM or even a SIGKILL of the supervisor leaves nothing running; whatever a crash still left
behind is found through ``stack.json`` and stopped by the next ``up`` or ``down``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from ..catalog import build as catalog
from ..client import resolve
from ..hub import launch as hub_launch
from ..hub.launch import HubOptions
from . import auth, configs, health, ports, postgres, procs
from .errors import StackError
from .state import StackLock, StateDir

log = logging.getLogger("dtolab.stack")

SERVICES = ["postgres", "data", "stac", "processes", "lab"]
#: Hub mode's services, then ports of the hub's own parts (its API, the proxy's, the gateway's).
HUB_SERVICES = ["postgres", "data", "oidc", "stac", "processes", "hub"]
HUB_PORTS = ["hub-internal", "proxy-api", "gateway"]
#: What the running message says instead of the lab's URL under ``dtolab up --no-lab``.
NO_LAB = 'not started (--no-lab); `eval "$(dtolab env)"` then start your own'
#: How each service is asked to stop: PostgreSQL's SIGINT is its "fast" shutdown.
STOP_SIGNAL = {"postgres": signal.SIGINT}


@dataclass
class Options:
    state_dir: Path
    requested_ports: dict[str, int | None] = field(default_factory=dict)
    notebook_dir: Path = field(default_factory=Path.cwd)
    #: Hub mode (``dtolab hub``) when set.
    hub: HubOptions | None = None
    #: Start JupyterLab too (``dtolab up``); without it (``--no-lab``) a lab started elsewhere,
    #: e.g. Binder's, takes its settings from ``dtolab env``.
    lab: bool = True


def _bin(name: str) -> str:
    """A console script installed next to this Python (the virtual environment's bin)."""
    return str(Path(sys.executable).parent / name)


def cleanup_leftovers(state: StateDir) -> list[str]:
    """Stop what a dead supervisor left running (recorded in stack.json); returns their names."""
    record = state.read_stack() or {}
    stopped = []
    for name, svc in reversed(list((record.get("services") or {}).items())):
        if procs.alive(svc["pid"], svc.get("started")):
            procs.terminate(svc["pid"], svc.get("started"), STOP_SIGNAL.get(name, signal.SIGTERM))
            stopped.append(name)
    _clear_stale_postmaster(state)
    state.stack_file.unlink(missing_ok=True)
    return stopped


def _clear_stale_postmaster(state: StateDir) -> None:
    """Remove postmaster.pid if its process is gone or is not a postgres (its pid was reused);
    stop it if it is a postgres still running on our data directory."""
    pidfile = state.pg_data / "postmaster.pid"
    try:
        pid = int(pidfile.read_text().splitlines()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except FileNotFoundError:
        comm = ""
    if comm == "postgres" and procs.alive(pid, None):
        procs.terminate(pid, procs.start_time(pid), signal.SIGINT)
    if pidfile.exists() and not (comm == "postgres" and procs.alive(pid, None)):
        pidfile.unlink(missing_ok=True)


class Supervisor:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.state = StateDir(options.state_dir)
        self.lock = StackLock(self.state)
        self.children: dict[str, subprocess.Popen] = {}
        self.stopping = False
        self.record: dict[str, Any] = {
            "status": "starting",
            "state_dir": str(self.state.root),
            "supervisor": {"pid": os.getpid(), "started": procs.start_time(os.getpid())},
            "services": {},
        }

    # -- lifecycle -------------------------------------------------------------------------
    def run(self) -> int:
        self.state.create()
        if not self.lock.acquire():
            raise StackError(
                f"a dtolab stack is already running on {self.state.root}; "
                "see `dtolab status`, or stop it with `dtolab down`"
            )
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        code = 0
        try:
            leftovers = cleanup_leftovers(self.state)
            if leftovers:
                log.warning("stopped leftovers of a previous run: %s", ", ".join(leftovers))
            self.start_all()
            self.record["status"] = "running"
            self.state.write_stack(self.record)
            self.announce()
            code = self.watch()
        except StackError as err:
            log.error("%s", err.message)
            self.record["status"] = "failed"
            self.record["error"] = err.message
            self.state.write_stack(self.record)
            code = 1
        finally:
            self.stop_all()
            if code == 0:
                self.state.stack_file.unlink(missing_ok=True)
            self.lock.release()
        return code

    def _on_signal(self, signum: int, frame: object) -> None:
        self.stopping = True

    def start_child(
        self,
        name: str,
        argv: list[str],
        env: dict[str, str],
        *,
        port: int,
        url: str | None,
        user: str | None = None,
        cwd: Path | None = None,
    ) -> subprocess.Popen:
        logfile = self.state.logs / f"{name}.log"
        death = STOP_SIGNAL.get(name, signal.SIGTERM)
        proc = procs.spawn(argv, log=logfile, env=env, cwd=cwd, user=user, death_signal=death)
        self.children[name] = proc
        self.record["services"][name] = {
            "pid": proc.pid,
            "started": procs.start_time(proc.pid),
            "port": port,
            "url": url,
            "log": str(logfile),
        }
        self.state.write_stack(self.record)  # recorded at once: a crash now leaves no orphan
        return proc

    def wait(self, name: str, check: Any, timeout: float = 90) -> None:
        health.wait_healthy(
            name,
            self.children[name],
            check,
            self.state.logs / f"{name}.log",
            timeout,
            lambda: self.stopping,
        )

    def services(self) -> list[str]:
        """The services this run starts (and whose ports it picks), in start order."""
        if self.options.hub:
            return HUB_SERVICES
        return SERVICES if self.options.lab else [n for n in SERVICES if n != "lab"]

    def start_all(self) -> None:
        secrets = self.state.secrets()
        saved = self.state.saved_ports()
        hub = self.options.hub
        names = [*HUB_SERVICES, *HUB_PORTS] if hub else self.services()
        chosen = ports.choose(names, self.options.requested_ports, saved)
        self.state.save_ports({**saved, **chosen})
        base_env = {
            k: v for k, v in os.environ.items() if not k.startswith(("PG", "JUPYTER_TOKEN"))
        }
        url = {n: f"http://127.0.0.1:{p}" for n, p in chosen.items()}

        # 1. PostgreSQL + PostGIS, then pgstac and the catalogue.
        postgres.prepare(self.state, secrets["pg_password"])
        self.start_child(
            "postgres",
            postgres.server_argv(self.state, chosen["postgres"]),
            base_env,
            port=chosen["postgres"],
            url=None,
            user=postgres.run_as(),
        )
        dsn = postgres.dsn(chosen["postgres"], secrets["pg_password"], "postgres")
        self.wait("postgres", lambda: _pg_ready(dsn), timeout=60)
        postgres.ensure_database(chosen["postgres"], secrets["pg_password"])
        index = catalog.build(self.state.catalog)
        loaded = catalog.load(
            index, postgres.dsn(chosen["postgres"], secrets["pg_password"]), url["data"]
        )
        log.info("catalogue: %d items loaded", loaded)

        # 2. The data service (Zarr over HTTP): the catalogue, and the jobs' results.
        results = configs.results_dir(self.state)
        results.mkdir(parents=True, exist_ok=True)
        uvicorn = [
            sys.executable,
            "-m",
            "uvicorn",
            "--host",
            "127.0.0.1",
            "--factory",
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        self.start_child(
            "data",
            [*uvicorn, "--port", str(chosen["data"]), "dtolab.stack.data_app:create_app"],
            {
                **base_env,
                "DTOLAB_DATA_DIR": str(self.state.catalog),
                "DTOLAB_RESULTS_DIR": str(results),
            },
            port=chosen["data"],
            url=url["data"],
        )
        self.wait("data", health.http_ok(f"{url['data']}/{catalog.INDEX}"))

        # 3. Hub mode: the OpenID Connect provider, whose tokens the APIs check from now on.
        gate_env: dict[str, str] = {}
        service_auth: dict[str, str] = {}
        if hub:
            argv, env, issuer = hub_launch.provider_argv_env(
                self.state, hub, port=chosen["oidc"], hub_url=url["hub"], secrets=secrets
            )
            self.start_child("oidc", argv, {**base_env, **env}, port=chosen["oidc"], url=issuer)
            self.wait("oidc", health.http_ok(f"{issuer}/.well-known/openid-configuration"))
            gate_env = {auth.ISSUER_ENV: issuer, auth.SERVICE_TOKEN_ENV: secrets["service_token"]}
            service_auth = {"Authorization": f"Bearer {secrets['service_token']}"}

        # 4. The STAC API.
        pg_env = {
            "PGUSER": postgres.SUPERUSER,
            "PGPASSWORD": secrets["pg_password"],
            "PGHOST": "127.0.0.1",
            "PGPORT": str(chosen["postgres"]),
            "PGDATABASE": postgres.DATABASE,
            "DB_MIN_CONN_SIZE": "1",
            "DB_MAX_CONN_SIZE": "5",
        }
        self.start_child(
            "stac",
            [*uvicorn, "--port", str(chosen["stac"]), "dtolab.stack.stac_app:create_app"],
            {**base_env, **pg_env, **gate_env},
            port=chosen["stac"],
            url=url["stac"],
        )
        self.wait("stac", health.http_ok(f"{url['stac']}/collections", service_auth))

        # 5. pygeoapi (OGC API - Processes), under gunicorn.
        cfg = configs.pygeoapi_config(
            self.state, url["processes"], chosen["processes"], url["stac"], url["data"]
        )
        openapi = self.state.config / "pygeoapi-openapi.yml"
        # The job manager's database, kept out of the YAML (which holds no secrets).
        jobs_env = {"DTOLAB_JOBS_DSN": postgres.dsn(chosen["postgres"], secrets["pg_password"])}
        generated = subprocess.run(
            [_bin("pygeoapi"), "openapi", "generate", str(cfg), "--output-file", str(openapi)],
            capture_output=True,
            text=True,
            check=False,
            env={**base_env, **jobs_env, "PYGEOAPI_CONFIG": str(cfg)},
        )
        if generated.returncode != 0:
            raise StackError(
                f"pygeoapi could not generate its OpenAPI document:\n{generated.stderr}"
            )
        self.start_child(
            "processes",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{chosen['processes']}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--timeout",
                "600",
                "--log-level",
                "warning",
                "dtolab.stack.processes_app:APP",
            ],
            {
                **base_env,
                "PYGEOAPI_CONFIG": str(cfg),
                "PYGEOAPI_OPENAPI": str(openapi),
                **jobs_env,
                **gate_env,
            },
            port=chosen["processes"],
            url=url["processes"],
        )
        self.wait("processes", health.http_ok(f"{url['processes']}/processes?f=json", service_auth))

        # 6. JupyterHub (hub mode) or JupyterLab, with dtolab pointed at the services above.
        if hub:
            self.start_hub(hub, chosen, url, issuer, secrets, base_env)
            return
        folder = configs.jupyter_config(self.state, url)
        self.record["jupyter_config"] = str(folder)
        if not self.options.lab:
            return
        lab_argv = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={chosen['lab']}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.options.notebook_dir}",
            "--LabApp.news_url=None",
            f"--LabApp.app_settings_dir={self.state.config / 'lab-settings'}",
        ]
        if os.geteuid() == 0:
            lab_argv.append("--allow-root")
        self.start_child(
            "lab",
            lab_argv,
            {
                **base_env,
                "JUPYTER_TOKEN": secrets["lab_token"],
                "JUPYTER_CONFIG_PATH": configs.config_path_env(folder),
                # Kernels inherit this: Catalog("local") in a notebook finds the services.
                resolve.ENV: configs.endpoints_env(url),
            },
            port=chosen["lab"],
            url=f"{url['lab']}/lab",
        )
        token_header = {"Authorization": f"token {secrets['lab_token']}"}
        self.wait("lab", health.http_ok(f"{url['lab']}/api/status", token_header), timeout=120)
        self.record["services"]["lab"]["token_url"] = (
            f"{url['lab']}/lab?token={secrets['lab_token']}"
        )

    def start_hub(
        self,
        hub: HubOptions,
        chosen: dict[str, int],
        url: dict[str, str],
        issuer: str,
        secrets: dict[str, str],
        base_env: dict[str, str],
    ) -> None:
        """JupyterHub; it starts configurable-http-proxy, Dask Gateway and the idle culler."""
        folder = configs.jupyter_config(self.state, url, name="hub-lab", auth="user")
        lab_env = hub_launch.lab_environment(self.state, url, chosen["gateway"], folder)
        argv, env = hub_launch.hub_argv_env(
            self.state, hub, ports=chosen, issuer=issuer, secrets=secrets, lab_env=lab_env
        )
        self.start_child(
            "hub", argv, {**base_env, **env}, port=chosen["hub"], url=url["hub"], cwd=self.state.hub
        )
        self.wait("hub", health.http_ok(f"{url['hub']}/hub/health"), timeout=120)
        gateway = f"http://127.0.0.1:{chosen['gateway']}{hub_launch.GATEWAY_PREFIX}/api/health"
        self.wait("hub", health.http_ok(gateway), timeout=60)

    def announce(self) -> None:
        s = self.record["services"]
        urls = {name: s[name]["url"] for name in ("stac", "processes", "data")}
        if self.options.hub:
            message = running_message(self.state.root, s["hub"]["url"], **urls, hub=True)
            print(f"{message}\nStop it with Ctrl-C or `dtolab down`.", flush=True)
            return
        front = s["lab"]["token_url"] if "lab" in s else NO_LAB
        message = running_message(self.state.root, front, **urls)
        print(f"{message}\nStop it with Ctrl-C or `dtolab down`.", flush=True)

    def watch(self) -> int:
        """Run until asked to stop (0) or until a service dies (1)."""
        while not self.stopping:
            for name, proc in self.children.items():
                code = proc.poll()
                if code is not None:
                    log.error(
                        "%s exited unexpectedly (code %s); stopping the stack. Its log ends:\n%s",
                        name,
                        code,
                        health.tail(self.state.logs / f"{name}.log"),
                    )
                    return 1
            time.sleep(0.5)
        return 0

    def stop_all(self) -> None:
        """Stop services in reverse order of start; SIGKILL what does not stop in time."""
        for name in reversed(list(self.children)):
            proc = self.children[name]
            if proc.poll() is None:
                proc.send_signal(STOP_SIGNAL.get(name, signal.SIGTERM))
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    log.warning("%s did not stop in 20 s; killing it", name)
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            # Whatever the service started (kernels, workers) goes with it.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        self.children.clear()


def running_message(
    state_root: Path, front: str, stac: str, processes: str, data: str, *, hub: bool = False
) -> str:
    """What `dtolab up` (``front`` is the lab's URL) or `dtolab hub` (the hub's) print once
    every service is healthy."""
    guarded = "  (access token needed)" if hub else ""
    return "\n".join(
        [
            f"dtolab {'hub ' if hub else ''}is running (state in {state_root})",
            f"  JupyterHub:            {front}  (log in: README, 'Multi-user: the hub')"
            if hub
            else f"  JupyterLab:            {front}",
            f"  STAC API:              {stac}{guarded}",
            f"  OGC API - Processes:   {processes}{guarded}",
            f"  data (Zarr over HTTP): {data}",
        ]
    )


def _pg_ready(dsn: str) -> bool:
    try:
        with psycopg.connect(dsn, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False

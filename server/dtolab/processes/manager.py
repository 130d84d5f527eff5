"""dtolab's pygeoapi job manager: jobs in PostgreSQL, work on Dask, results into the catalogue.

Configured in pygeoapi's ``server.manager``::

    manager:
      name: dtolab.processes.manager.DtolabManager
      output_dir: /var/lib/dtolab/jobs/results   # one folder per job: result.zarr, summary.json
      output_url: http://127.0.0.1:8003/results   # where output_dir is served (asset hrefs)
      stac_url: http://127.0.0.1:8002             # the catalogue results are linked from
      dask: {}        # a LocalCluster (default); or {scheduler: tcp://...};
                      # or {gateway: https://...} for dask-gateway; n_workers, memory_limit
      job_timeout: 3600

The database is named by ``connection`` or, so that no password sits in the YAML, by the
``DTOLAB_JOBS_DSN`` environment variable. Finished results are registered as STAC items in
``dtolab-scenario-results`` with pgstac's own functions in the same database.

Lifecycle of a job: ``accepted`` (row written) -> ``running`` (in a thread of this process that
drives Dask) -> ``successful`` | ``failed``. ``DELETE /jobs/{id}`` dismisses: a running job is
cancelled (its Dask futures too) and every trace is removed, finished outputs and item included.
Each running job records its runner (host, pid, process start time): when a manager starts, or
reads a job, a job whose runner on this host is gone is marked failed with that reason, so a
restart never leaves a job "running" forever, and finished results stay as they were.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from pygeoapi.process.base import JobNotFoundError, JobResultNotFoundError
from pygeoapi.process.manager.base import BaseManager
from pygeoapi.util import JobStatus, RequestedProcessExecutionMode

from ..stack.procs import start_time
from . import results
from .base import JOB_ERRORS, Cancelled, Context, ScenarioProcessor

log = logging.getLogger(__name__)

DSN_ENV = "DTOLAB_JOBS_DSN"
HOST = socket.gethostname()

SCHEMA = """
CREATE SCHEMA IF NOT EXISTS dtolab;
CREATE TABLE IF NOT EXISTS dtolab.jobs (
    job_id text PRIMARY KEY,
    process_id text NOT NULL,
    process_version text,
    status text NOT NULL,
    message text,
    progress integer NOT NULL DEFAULT 0,
    created timestamptz NOT NULL DEFAULT now(),
    started timestamptz,
    updated timestamptz NOT NULL DEFAULT now(),
    finished timestamptz,
    inputs jsonb,
    outputs jsonb,
    mimetype text,
    runner text,
    item_id text
);
CREATE INDEX IF NOT EXISTS jobs_created ON dtolab.jobs (created DESC);
"""

#: Columns a pygeoapi ``update_job`` may set (anything else is ignored).
#: Failures that end a job with their message: the process's own, and the job store's.
RUN_ERRORS = (*JOB_ERRORS, psycopg.Error)

UPDATABLE = {"status", "message", "progress", "started", "updated", "finished", "mimetype"}


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if value else None


def _runner() -> str:
    pid = os.getpid()
    return f"{HOST}:{pid}:{start_time(pid)}"


def _runner_gone(runner: str | None) -> bool:
    """True if ``runner`` is a process on this host that no longer runs."""
    if not runner:
        return False
    host, pid, started = runner.rsplit(":", 2)
    if host != HOST:
        return False  # another machine's job: only it can tell
    now = start_time(int(pid))
    return now is None or str(now) != started


class DtolabManager(BaseManager):
    def __init__(self, manager_def: dict) -> None:
        super().__init__(manager_def)
        self.is_async = True
        self.supports_subscribing = False
        self.dsn = manager_def.get("connection") or os.environ.get(DSN_ENV)
        if not self.dsn:
            raise RuntimeError(f"dtolab job manager: set 'connection' or ${DSN_ENV}")
        self.output_dir = Path(manager_def.get("output_dir") or "jobs")
        self.output_dir.mkdir(parents=True, exist_ok=True)
        self.output_url = (manager_def.get("output_url") or "").rstrip("/")
        self.stac_url = (manager_def.get("stac_url") or "").rstrip("/")
        self.dask = dict(manager_def.get("dask") or {})
        self.job_timeout = float(manager_def.get("job_timeout", 3600))
        self._client: Any = None
        self._cluster: Any = None
        self._client_lock = threading.Lock()
        self._cancel: dict[str, threading.Event] = {}
        with self._connect() as conn:
            conn.execute(SCHEMA)
        self.reap()

    # -- database -----------------------------------------------------------------------------
    def _connect(self) -> psycopg.Connection:
        return psycopg.connect(self.dsn, autocommit=True, row_factory=dict_row, connect_timeout=5)

    def reap(self) -> int:
        """Mark failed the jobs whose runner on this host is gone; returns how many."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT job_id, runner FROM dtolab.jobs WHERE status IN ('accepted', 'running')"
            ).fetchall()
            gone = [r["job_id"] for r in rows if _runner_gone(r["runner"])]
            for job_id in gone:
                conn.execute(
                    "UPDATE dtolab.jobs SET status = 'failed', finished = now(), updated = now(), "
                    "message = %s WHERE job_id = %s AND status IN ('accepted', 'running')",
                    (
                        "interrupted: the processes service stopped or restarted while this job "
                        "was running; run it again",
                        job_id,
                    ),
                )
        if gone:
            log.warning("marked %d interrupted job(s) failed", len(gone))
        return len(gone)

    def _as_pygeoapi(self, row: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "process",
            "identifier": row["job_id"],
            "process_id": row["process_id"],
            "status": row["status"],
            "message": row["message"],
            "progress": row["progress"],
            "parameters": row["inputs"],
            "created": _iso(row["created"]),
            "started": _iso(row["started"] or row["created"]),
            "updated": _iso(row["updated"]),
            "finished": _iso(row["finished"]),
            "mimetype": row["mimetype"] or "application/json",
            "location": None,
        }

    def get_jobs(
        self, status: JobStatus = None, limit: int | None = None, offset: int | None = None
    ) -> dict:
        # NULL matches every status.
        wanted = JobStatus(status).value if status is not None else None
        with self._connect() as conn:
            total = conn.execute(
                "SELECT count(*) AS n FROM dtolab.jobs WHERE %(s)s::text IS NULL OR status = %(s)s",
                {"s": wanted},
            ).fetchone()
            rows = conn.execute(
                "SELECT * FROM dtolab.jobs WHERE %(s)s::text IS NULL OR status = %(s)s "
                "ORDER BY created DESC LIMIT %(limit)s OFFSET %(offset)s",
                {"s": wanted, "limit": limit or 1000, "offset": offset or 0},
            ).fetchall()
        return {"jobs": [self._as_pygeoapi(r) for r in rows], "numberMatched": total["n"]}

    def _row(self, job_id: str) -> dict[str, Any]:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM dtolab.jobs WHERE job_id = %s", [job_id]).fetchone()
        if row is None:
            raise JobNotFoundError(job_id)
        if row["status"] in ("accepted", "running") and _runner_gone(row["runner"]):
            self.reap()
            return self._row(job_id)
        return row

    def get_job(self, job_id: str) -> dict:
        return self._as_pygeoapi(self._row(job_id))

    def add_job(self, job_metadata: dict) -> str:
        job_id = job_metadata["identifier"]
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO dtolab.jobs (job_id, process_id, process_version, status, message, "
                "progress, inputs, runner) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    job_id,
                    job_metadata["process_id"],
                    job_metadata.get("process_version"),
                    job_metadata.get("status", JobStatus.accepted.value),
                    job_metadata.get("message", "accepted"),
                    job_metadata.get("progress", 0),
                    Jsonb(job_metadata.get("inputs") or {}),
                    _runner(),
                ],
            )
        return job_id

    def update_job(self, job_id: str, update_dict: dict) -> bool:
        fields = {k: v for k, v in update_dict.items() if k in UPDATABLE}
        if not fields:
            return False
        query = sql.SQL("UPDATE dtolab.jobs SET {}, updated = now() WHERE job_id = %s").format(
            sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in fields)
        )
        with self._connect() as conn:
            cur = conn.execute(query, [*fields.values(), job_id])
        return cur.rowcount == 1

    def get_job_result(self, job_id: str) -> tuple[str, Any]:
        row = self._row(job_id)
        if row["outputs"] is None:
            raise JobResultNotFoundError(job_id)
        return "application/json", row["outputs"]

    def delete_job(self, job_id: str) -> bool:
        row = self._row(job_id)
        event = self._cancel.get(job_id)
        if event is not None:
            event.set()
        with self._connect() as conn:
            conn.execute("DELETE FROM dtolab.jobs WHERE job_id = %s", [job_id])
            if row["item_id"]:
                results.unregister(conn, row["item_id"])
        shutil.rmtree(self.output_dir / job_id, ignore_errors=True)
        return True

    # -- Dask -----------------------------------------------------------------------------------
    def client(self) -> Any:
        """The Dask client jobs run on, made on first use (LocalCluster, scheduler or gateway)."""
        with self._client_lock:
            if self._client is not None and self._client.status == "running":
                return self._client
            from distributed import Client, LocalCluster

            if self.dask.get("scheduler"):
                self._client = Client(self.dask["scheduler"], timeout=30)
            elif self.dask.get("gateway"):
                from dask_gateway import Gateway

                gateway = Gateway(self.dask["gateway"])
                self._cluster = gateway.new_cluster()
                self._cluster.adapt(minimum=1, maximum=int(self.dask.get("n_workers", 4)))
                self._client = self._cluster.get_client()
            else:
                self._cluster = LocalCluster(
                    n_workers=int(self.dask.get("n_workers", min(4, os.cpu_count() or 1))),
                    threads_per_worker=int(self.dask.get("threads_per_worker", 1)),
                    memory_limit=self.dask.get("memory_limit", "auto"),
                    processes=bool(self.dask.get("processes", True)),
                    # Loopback and a free port: never 8787 taken by a user's own cluster.
                    dashboard_address=self.dask.get("dashboard_address", "127.0.0.1:0"),
                )
                self._client = Client(self._cluster)
            return self._client

    def close(self) -> None:
        with self._client_lock:
            if self._client is not None:
                self._client.close()
            if self._cluster is not None:
                self._cluster.close()
            self._client = self._cluster = None

    # -- execution ------------------------------------------------------------------------------
    def execute_process(
        self,
        process_id: str,
        data_dict: dict,
        execution_mode: RequestedProcessExecutionMode | None = None,
        requested_outputs: dict | None = None,
        subscriber: Any = None,
        requested_response: str | None = "raw",
    ) -> tuple[str, str, Any, JobStatus, dict[str, str] | None]:
        processor = self.get_processor(process_id)
        if isinstance(processor, ScenarioProcessor):
            # Bad input is refused here, before a job exists (Rejected -> 400, TooLarge -> 413).
            plan = processor.prepare(data_dict)
            inputs, work = plan.inputs, self._run
        else:  # a plain pygeoapi processor (a tool such as depth-statistics): execute() only
            plan, inputs, work = data_dict, data_dict, self._run_plain
        job_id = str(uuid.uuid4())
        self.add_job(
            {
                "identifier": job_id,
                "process_id": process_id,
                "process_version": processor.metadata.get("version"),
                "inputs": inputs,
                "status": JobStatus.accepted.value,
                "message": "accepted, waiting for a Dask worker",
                "progress": 0,
            }
        )
        self._cancel[job_id] = threading.Event()
        wants_async = execution_mode == RequestedProcessExecutionMode.respond_async
        if wants_async:
            thread = threading.Thread(
                target=work, args=(processor, job_id, plan), name=f"job-{job_id}", daemon=True
            )
            thread.start()
            return (
                job_id,
                "application/json",
                None,
                JobStatus.accepted,
                {"Preference-Applied": RequestedProcessExecutionMode.respond_async.value},
            )
        status, outputs = work(processor, job_id, plan)
        headers = (
            {"Preference-Applied": RequestedProcessExecutionMode.wait.value}
            if execution_mode == RequestedProcessExecutionMode.wait
            else None
        )
        return job_id, "application/json", outputs, status, headers

    def _still_wanted(self, job_id: str) -> Any:
        """A check, at most every 2 s, that the job's row still exists (dismissed elsewhere?)."""
        last = [time.monotonic(), True]

        def check() -> bool:
            if time.monotonic() - last[0] > 2:
                with self._connect() as conn:
                    last[1] = (
                        conn.execute(
                            "SELECT 1 FROM dtolab.jobs WHERE job_id = %s", [job_id]
                        ).fetchone()
                        is not None
                    )
                last[0] = time.monotonic()
            return bool(last[1])

        return check

    def _failed(self, job_id: str, err: BaseException) -> tuple[JobStatus, dict[str, str]]:
        message = f"{type(err).__name__}: {err}"
        log.warning("job %s failed: %s", job_id, message)
        self.update_job(
            job_id,
            {
                "status": JobStatus.failed.value,
                "finished": datetime.now(UTC),
                "message": message[:2000],
            },
        )
        return JobStatus.failed, {
            "type": "NoApplicableCode",
            "code": "NoApplicableCode",
            "description": message,
        }

    @staticmethod
    def _succeeded(
        conn: psycopg.Connection, job_id: str, outputs: Any, mimetype: str, item_id: str | None
    ) -> bool:
        """Record a job's outputs; False if its row is gone (dismissed meanwhile)."""
        cur = conn.execute(
            "UPDATE dtolab.jobs SET status = 'successful', progress = 100, message = 'done', "
            "finished = now(), updated = now(), outputs = %s, mimetype = %s, item_id = %s "
            "WHERE job_id = %s",
            [Jsonb(outputs), mimetype, item_id, job_id],
        )
        return cur.rowcount == 1

    def _run_plain(self, processor: Any, job_id: str, data: dict) -> tuple[JobStatus, Any]:
        """A plain processor's ``execute`` as a job (in this process, not on Dask)."""
        try:
            self.update_job(job_id, {"status": JobStatus.running.value, "progress": 1})
            mimetype, outputs = processor.execute(data)
            with self._connect() as conn:
                self._succeeded(conn, job_id, outputs, mimetype, None)
            return JobStatus.successful, outputs
        except RUN_ERRORS as err:
            return self._failed(job_id, err)
        except BaseException as err:  # a bug: the job still ends, and the error is seen
            self._failed(job_id, err)
            raise
        finally:
            self._cancel.pop(job_id, None)

    def _run(self, processor: ScenarioProcessor, job_id: str, plan: Any) -> tuple[JobStatus, Any]:
        """Run a job to its end; returns its status and outputs (or the error document)."""
        folder = self.output_dir / job_id
        last_report = [0.0, -1]

        def report(progress: int, message: str) -> None:
            now = time.monotonic()
            if progress != last_report[1] and (now - last_report[0] > 0.5 or progress >= 90):
                self.update_job(job_id, {"progress": progress, "message": message})
                last_report[:] = [now, progress]

        try:
            self.update_job(
                job_id,
                {
                    "status": JobStatus.running.value,
                    "started": datetime.now(UTC),
                    "message": "starting Dask",
                    "progress": 1,
                },
            )
            ctx = Context(
                job_id=job_id,
                client=self.client(),
                report=report,
                cancel_event=self._cancel[job_id],
                still_wanted=self._still_wanted(job_id),
                deadline=time.monotonic() + self.job_timeout,
            )
            outcome = processor.run(plan, ctx)
            ctx.progress(90, "writing outputs")
            summary = results.write(folder, outcome)
            ctx.check()
            item = results.item(
                job_id=job_id,
                processor=processor,
                inputs=plan.inputs,
                outcome=outcome,
                data_url=f"{self.output_url}/{job_id}",
                stac_url=self.stac_url,
            )
            outputs = results.outputs_document(item, summary, self.stac_url)
            with self._connect() as conn:
                ctx.check()
                results.register(conn, item)
                if not self._succeeded(conn, job_id, outputs, "application/json", item["id"]):
                    # dismissed at the last moment
                    results.unregister(conn, item["id"])
                    raise Cancelled(job_id)
            return JobStatus.successful, outputs
        except Cancelled:
            shutil.rmtree(folder, ignore_errors=True)
            log.info("job %s dismissed while running", job_id)
            return JobStatus.dismissed, {"status": "dismissed"}
        except RUN_ERRORS as err:
            shutil.rmtree(folder, ignore_errors=True)
            return self._failed(job_id, err)
        except BaseException as err:  # a bug: the job still ends, and the error is seen
            shutil.rmtree(folder, ignore_errors=True)
            self._failed(job_id, err)
            raise
        finally:
            self._cancel.pop(job_id, None)

    def __repr__(self) -> str:
        return f"<DtolabManager> {self.output_dir}"

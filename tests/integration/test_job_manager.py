"""The job manager under faults, with the stack's real PostgreSQL and a real Dask LocalCluster:
a crashing model, a killed Dask worker, a killed (restarted) processes service."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pygeoapi.util import JobStatus, RequestedProcessExecutionMode

from dtolab.processes.manager import DtolabManager
from dtolab.stack import postgres
from dtolab.stack.state import StateDir

pytestmark = pytest.mark.timeout(300)

ASYNC = RequestedProcessExecutionMode.respond_async


def manager_def(dtolab_stack, output_dir: Path) -> dict:
    state = StateDir(Path(dtolab_stack["state_dir"]))
    dsn = postgres.dsn(state.saved_ports()["postgres"], state.secrets()["pg_password"])
    return {
        "name": "dtolab.processes.manager.DtolabManager",
        "connection": dsn,
        "output_dir": str(output_dir),
        "output_url": "http://127.0.0.1:9/results",
        "stac_url": dtolab_stack["stac"],
        "dask": {"n_workers": 2, "threads_per_worker": 1},
        "processes": {
            "test-sleep": {"processor": {"name": "tests.support.job_processes.SleepProcessor"}},
            "test-crash": {"processor": {"name": "tests.support.job_processes.CrashProcessor"}},
        },
    }


@pytest.fixture(scope="module")
def manager(dtolab_stack, tmp_path_factory):
    made = DtolabManager(manager_def(dtolab_stack, tmp_path_factory.mktemp("jobs")))
    yield made
    made.close()


def wait_until(manager, job_id, statuses, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = manager.get_job(job_id)
        if job["status"] in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job['status']} ({job['message']}) after {timeout} s")


def test_a_crashing_model_fails_its_job_with_its_message(manager):
    job_id, _, outputs, status, _ = manager.execute_process("test-crash", {"seconds": 0})
    assert status == JobStatus.failed
    assert "FloatingPointError: the model diverged at step 3" in outputs["description"]
    job = manager.get_job(job_id)
    assert job["status"] == "failed" and "diverged at step 3" in job["message"]
    assert not (manager.output_dir / job_id).exists()
    # The manager (and its Dask cluster) carry on.
    _, _, outputs, status, _ = manager.execute_process("test-sleep", {"seconds": 0.1})
    assert status == JobStatus.successful and outputs["summary"]["slept"] == 0.1


def test_a_killed_worker_never_hangs_the_job(manager):
    job_id, _, _, status, _ = manager.execute_process("test-sleep", {"seconds": 6}, ASYNC)
    assert status == JobStatus.accepted
    job = wait_until(manager, job_id, {"running"})
    deadline = time.monotonic() + 30
    while job["progress"] < 5 and time.monotonic() < deadline:  # its task is on a worker
        time.sleep(0.1)
        job = manager.get_job(job_id)
    time.sleep(1)
    pids = manager.client().run(os.getpid)
    for pid in pids.values():  # every worker: the task's one surely among them
        os.kill(pid, signal.SIGKILL)
    job = wait_until(manager, job_id, {"successful", "failed"}, timeout=180)
    # The scheduler reschedules the task on a restarted worker (a retry), or gives up with
    # KilledWorker after its allowed failures: either way the job ends.
    if job["status"] == "failed":
        assert "KilledWorker" in job["message"]
    else:
        assert manager.get_job_result(job_id)[1]["summary"]["slept"] == 6
    _, _, _, status, _ = manager.execute_process("test-sleep", {"seconds": 0.1})
    assert status == JobStatus.successful


RESTARTED = """
import json, sys, time
from dtolab.processes.manager import DtolabManager
from pygeoapi.util import RequestedProcessExecutionMode
manager = DtolabManager(json.loads(sys.argv[1]))
done = manager.execute_process("test-sleep", {"seconds": 0.1})[0]
running = manager.execute_process(
    "test-sleep", {"seconds": 300}, RequestedProcessExecutionMode.respond_async
)[0]
print(json.dumps({"done": done, "running": running}), flush=True)
time.sleep(600)
"""


def test_after_a_restart_running_jobs_fail_with_a_reason_and_results_stay(dtolab_stack, tmp_path):
    definition = manager_def(dtolab_stack, tmp_path / "jobs")
    service = subprocess.Popen(
        [sys.executable, "-c", RESTARTED, json.dumps(definition)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        ids = json.loads(service.stdout.readline())
        first = DtolabManager(definition)  # a second reader of the same database
        wait_until(first, ids["running"], {"running"})
        first.close()
    finally:
        os.killpg(service.pid, signal.SIGKILL)  # the service and its Dask workers, no goodbye
        service.wait()
        service.stdout.close()
    restarted = DtolabManager(definition)
    try:
        job = restarted.get_job(ids["running"])
        assert job["status"] == "failed"
        assert "interrupted" in job["message"] and "restarted" in job["message"]
        done = restarted.get_job(ids["done"])
        assert done["status"] == "successful"
        assert restarted.get_job_result(ids["done"])[1]["summary"]["slept"] == 0.1
        assert (tmp_path / "jobs" / ids["done"] / "result.zarr" / "zarr.json").exists()
    finally:
        restarted.close()

"""Binder: the steps repo2docker runs for binder/, run here in a fresh virtual environment (no
Docker engine on this machine): install the frozen lock, `postBuild`, then `start` in front of
the lab BinderHub launches, then a person opens that lab and uses both dtolab panels.

repo2docker itself renders the Dockerfile it would build from binder/ (`--no-build`), so the
test also proves that repo2docker reads the configuration the way the steps below assume.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dtolab.stack.health import http_ok, wait_healthy
from dtolab.stack.ports import pick_free
from tests.stack_helpers import dtolab, new_state_dir
from tests.ui.pages import CatalogPanel, Lab, ScenarioPanel

pytestmark = [pytest.mark.stack, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"
LAB_TOKEN = "binder-test-token"  # a test lab on loopback; BinderHub sets its own


def _clean_env(venv: Path, state: Path) -> dict[str, str]:
    """The environment of a Binder container: the image's Python first, nothing of this test
    run's own stack or lab settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JUPYTER", "DTOLAB", "VIRTUAL_ENV", "PYTHON"))
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["DTOLAB_STATE_DIR"] = str(state)
    return env


def _run(argv: list[str], env: dict[str, str], timeout: float) -> float:
    started = time.monotonic()
    done = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{argv[0]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return time.monotonic() - started


def test_repo2docker_renders_the_binder_configuration():
    # Given binder/ (runtime.txt, apt.txt, requirements.txt, postBuild, start)
    # When repo2docker renders the image it would build, without building it
    done = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build", "--debug", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    dockerfile = done.stdout + done.stderr
    # Then it uses Python 3.11 (the lock's), installs every apt.txt package, the lock, runs
    # postBuild as the notebook user and puts start in front of the lab.
    assert "python=3.11" in dockerfile
    packages = [
        line.partition("#")[0].strip() for line in (BINDER / "apt.txt").read_text().splitlines()
    ]
    for package in filter(None, packages):
        assert package in dockerfile, f"apt.txt's {package} is not installed"
    assert '-r "binder/requirements.txt"' in dockerfile
    assert "RUN ./binder/postBuild" in dockerfile
    assert 'R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in dockerfile


@pytest.fixture(scope="module")
def dtolab_binder_lab(tmp_path_factory):
    """A fresh venv run through Binder's steps; yields the lab URL and the timings."""
    venv = tmp_path_factory.mktemp("binder") / "venv"
    state = new_state_dir("dtolab-binder-")
    env = _clean_env(venv, state)
    timings: dict[str, float] = {}
    # repo2docker: a Python 3.11 environment, then `pip install -r binder/requirements.txt`.
    timings["venv_s"] = _run([sys.executable, "-m", "venv", str(venv)], env, 120)
    timings["requirements_s"] = _run(
        [str(venv / "bin/pip"), "install", "--quiet", "-r", str(BINDER / "requirements.txt")],
        env,
        1500,
    )
    # ... then postBuild in the repository folder, then start in front of the lab's command.
    timings["postBuild_s"] = _run([str(BINDER / "postBuild")], env, 900)
    port = pick_free()
    lab_argv = [
        str(venv / "bin/jupyter"),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={LAB_TOKEN}",
        f"--ServerApp.root_dir={tmp_path_factory.mktemp('binder-home')}",
    ]
    if os.geteuid() == 0:
        lab_argv.append("--allow-root")
    log = (state / "binder-lab.log").open("wb")
    started = time.monotonic()
    lab = subprocess.Popen(
        [str(BINDER / "start"), *lab_argv],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # The stack's own wait: fails with the log's end if start or the lab exits, or in 300 s.
        check = http_ok(f"{url}/api/status?token={LAB_TOKEN}")
        wait_healthy("binder lab", lab, check, state / "binder-lab.log", 300, lambda: False)
        timings["start_s"] = time.monotonic() - started
        yield {
            "lab": f"{url}/lab?token={LAB_TOKEN}",
            "venv": venv,
            "state": state,
            "timings": timings,
        }
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        lab.wait(timeout=60)
        log.close()
        dtolab(state, "down")
        shutil.rmtree(state, ignore_errors=True)


def test_binder_steps_give_a_lab_whose_panels_use_the_embedded_stack(page, dtolab_binder_lab):
    # Given Binder's steps ran in a fresh venv and BinderHub's lab started behind binder/start
    timings = dtolab_binder_lab["timings"]
    print("binder steps (s):", ", ".join(f"{k} {v:.0f}" for k, v in timings.items()))
    # When a person opens the lab
    lab = Lab(page, dtolab_binder_lab["lab"]).open()
    # Then the catalogue panel lists the demo catalogue from the stack's STAC API ...
    catalog = CatalogPanel(lab).open()
    expect(catalog.results).to_contain_text("ETOPO5 global relief", timeout=60_000)
    catalog.search("relief")
    expect(catalog.results).to_contain_text("emodnet-bathymetry")
    # ... and the scenario panel lists the what-if processes of its pygeoapi.
    scenarios = ScenarioPanel(lab).open()
    expect(scenarios.processes).to_contain_text("coral-heat-stress", timeout=60_000)


def test_binder_kernels_find_the_embedded_catalogue(dtolab_binder_lab):
    # Given the environment binder/start hands to the lab (what its kernels inherit)
    venv, state = dtolab_binder_lab["venv"], dtolab_binder_lab["state"]
    env = _clean_env(venv, state)
    exports = subprocess.run(
        [str(venv / "bin/dtolab"), "env"], env=env, capture_output=True, text=True, check=True
    ).stdout
    # When a kernel's Python searches Catalog("local")
    script = (
        "from dtolab import Catalog\n"
        "print(Catalog('local').search(q='relief', limit=5, max_items=5).ids())\n"
    )
    done = subprocess.run(
        ["bash", "-c", f'{exports}\nexec "{venv}/bin/python" -c "$0"', script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Then it finds the demo catalogue's items, and no secret was printed by `dtolab env`.
    assert done.returncode == 0, done.stderr[-3000:]
    assert "'etopo5'" in done.stdout  # the ETOPO5 relief item (collection emodnet-bathymetry)
    assert "password" not in exports and "token" not in exports.lower()


def test_env_without_a_running_stack_says_what_to_do(tmp_path):
    # Given no stack runs on a state folder
    # When `dtolab env` is asked for settings
    done = dtolab(tmp_path, "env")
    # Then it fails with a clear message and prints no exports
    assert done.returncode == 3
    assert "dtolab up --no-lab --detach" in done.stderr
    assert done.stdout == ""

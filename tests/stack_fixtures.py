"""Real embedded stacks for the whole test session: one with a single lab (PostgreSQL, STAC API,
pygeoapi, JupyterLab), one with the hub (the same behind JupyterHub and OpenID Connect)."""

import json
import shutil

import pytest

from tests.stack_helpers import HUB_USERS, dtolab, hub_up, new_state_dir, up


@pytest.fixture(scope="session")
def dtolab_stack():
    """The running stack's status: {"lab", "stac", "processes", "data", "state_dir", ...}."""
    state_dir = new_state_dir("dtolab-it-")
    notebooks = state_dir / "notebooks"
    notebooks.mkdir()
    try:
        yield up(state_dir, notebooks)
    finally:
        dtolab(state_dir, "down")
        shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def dtolab_hub():
    """A running embedded hub: status ({"hub", "stac", ...}) plus "users" and "ports".

    Access tokens live 30 s (renewed after 20 s), so that renewal can be watched in a test.
    """
    state_dir = new_state_dir("dtolab-hub-")
    try:
        summary = hub_up(state_dir, HUB_USERS, token_lifetime=30)
        summary["users"] = HUB_USERS
        summary["ports"] = json.loads((state_dir / "ports.json").read_text())
        yield summary
    finally:
        dtolab(state_dir, "down")
        shutil.rmtree(state_dir, ignore_errors=True)

"""One real embedded stack for the whole test session (PostgreSQL, STAC API, pygeoapi, lab)."""

import shutil

import pytest

from tests.stack_helpers import dtolab, new_state_dir, up


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

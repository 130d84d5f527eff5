"""Shared pytest configuration: the Jupyter server fixtures (jp_fetch, jp_serverapp...) and the
session-wide embedded stack used by the integration and browser tests."""

pytest_plugins = ["pytest_jupyter.jupyter_server", "tests.stack_fixtures"]

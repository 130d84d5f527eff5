"""Every handler of the server extension requires authentication."""

import warnings

import pytest
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import JupyterServerAuthWarning

ROUTES = [
    ("version",),
    ("endpoints",),
    ("endpoints", "local", "collections"),
    ("endpoints", "local", "search"),
    ("endpoints", "local", "processes"),
    ("endpoints", "local", "collections", "assets", "items", "private"),
    ("endpoints", "local", "collections", "assets", "items", "private", "preview"),
]


def dtolab_handlers(serverapp):
    (app,) = serverapp.extension_manager.extension_apps["dtolab"]
    return app.handlers


def test_every_route_is_covered_here(jp_serverapp):
    # A new handler must be added to ROUTES (and so to the unauthenticated test below).
    assert len(dtolab_handlers(jp_serverapp)) == len(ROUTES)


def test_every_handler_verb_is_decorated(jp_serverapp):
    # Given the server started with allow_unauthenticated_access=False (the fixture would already
    # have failed on a JupyterServerAuthWarning) / When dtolab's handlers are registered again
    # with that warning as an error / Then nothing is raised.
    with warnings.catch_warnings():
        warnings.simplefilter("error", JupyterServerAuthWarning)
        jp_serverapp.web_app.add_handlers(".*$", dtolab_handlers(jp_serverapp))


def test_the_check_catches_an_undecorated_handler(jp_serverapp):
    # The negative control: the same check fails for a handler without @web.authenticated.
    class Undecorated(APIHandler):
        def get(self):
            self.finish("{}")

    with pytest.warns(JupyterServerAuthWarning, match="Undecorated"):
        jp_serverapp.web_app.add_handlers(".*$", [("/dtolab-undecorated", Undecorated)])


@pytest.mark.parametrize("route", ROUTES, ids="/".join)
async def test_requests_without_a_token_are_refused(jp_fetch, route):
    # An empty Authorization header replaces the one jp_fetch would add: no credentials at all.
    response = await jp_fetch(
        "dtolab", "api", *route, headers={"Authorization": ""}, raise_error=False
    )
    assert response.code == 403


async def test_a_wrong_token_is_refused(jp_fetch):
    response = await jp_fetch(
        "dtolab", "api", "endpoints", headers={"Authorization": "token wrong"}, raise_error=False
    )
    assert response.code == 403

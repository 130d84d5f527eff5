"""Logging in to the embedded hub over plain HTTP, as a browser would (tests and benchmark).

The path: hub /hub/oauth_login -> provider /auth -> the provider's login form -> POST username
and password -> the provider's consent step (given for the hub) -> /hub/oauth_callback -> the
hub spawns the user's server -> /user/<name>/lab (which completes the server's own OAuth step).
"""

from __future__ import annotations

import re
import time
from html import unescape
from urllib.parse import urljoin

import httpx

FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def follow(client: httpx.Client, response: httpx.Response, limit: int = 20) -> httpx.Response:
    """Follow redirects by hand (each hop may set cookies for another host:port)."""
    for _ in range(limit):
        if response.status_code not in (301, 302, 303, 307, 308):
            return response
        target = urljoin(str(response.url), response.headers["location"])
        response = client.get(target)
    raise AssertionError(f"more than {limit} redirects, last {response.url}")


def open_login_form(client: httpx.Client, hub_url: str) -> httpx.Response:
    """From the hub to the provider's login page."""
    page = follow(client, client.get(f"{hub_url}/hub/oauth_login"))
    assert page.status_code == 200 and 'name="password"' in page.text, page.text[:500]
    return page


def submit_login(client: httpx.Client, page: httpx.Response, user: str, password: str):
    """POST the login form; the answer after redirects (hub page, or the form again)."""
    action = unescape(FORM_ACTION.search(page.text).group(1))
    answer = client.post(
        urljoin(str(page.url), action), data={"username": user, "password": password}
    )
    return follow(client, answer)


def login(hub_url: str, user: str, password: str, *, timeout: float = 180) -> httpx.Client:
    """A client logged in as ``user``, whose default server is running and whose lab answered."""
    client = httpx.Client(timeout=60, follow_redirects=False)
    page = open_login_form(client, hub_url)
    landed = submit_login(client, page, user, password)
    assert landed.status_code == 200, (landed.status_code, str(landed.url), landed.text[:300])
    wait_for_lab(client, hub_url, user, timeout=timeout)
    return client


def wait_for_lab(client: httpx.Client, hub_url: str, user: str, *, timeout: float = 180) -> None:
    """Start the user's server if needed, and wait until /user/<name>/lab answers with the lab."""
    xsrf = client.cookies.get("_xsrf", path="/hub/") or ""
    client.post(f"{hub_url}/hub/api/users/{user}/server", headers={"X-XSRFToken": xsrf})
    deadline = time.monotonic() + timeout
    while True:
        answer = follow(client, client.get(f"{hub_url}/user/{user}/lab"))
        if answer.status_code == 200 and "jupyter-config-data" in answer.text:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"no lab for {user}: {answer.status_code} {answer.url}")
        time.sleep(0.5)

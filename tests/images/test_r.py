"""The r image's R files, run here with Debian's R (r-base-core, r-cran-httr, -jsonlite, -ncdf4).

rstac is not packaged by Debian, so the one section of images/r/example.R that calls it is
replaced by the same search made with httr + jsonlite; every other line of the example runs
against the embedded stack. RStudio is not installed here either: its session wrapper runs under
a stand-in rserver that starts it the way rserver does (with a fresh environment). The launcher
test needs jupyter-rsession-proxy, which only the r image's lock installs: it runs in an
environment made from that lock and is skipped elsewhere.
"""

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import numpy as np
import pytest
import xarray as xr

from dtolab.stack import configs

R_DIR = Path(__file__).resolve().parents[2] / "images" / "r"
RPROFILE = R_DIR / "Rprofile.site"
#: The variables a lab's R sessions need; rserver drops them, the session wrapper restores them.
LAB_VARIABLES = (
    "DTOLAB_ENDPOINTS",
    "JUPYTERHUB_API_URL",
    "JUPYTERHUB_API_TOKEN",
    "JUPYTERHUB_USER",
)


@pytest.fixture(scope="module")
def dtolab_rscript() -> str:
    found = shutil.which("Rscript")
    if found is None:
        pytest.fail("Rscript is missing: scripts/system-packages.sh installs Debian's R")
    return found


def run_r(rscript: str, code: str, env: dict[str, str], timeout: float = 120) -> dict:
    """Run ``code`` with the image's Rprofile.site; it prints one JSON document, returned."""
    result = subprocess.run(
        [rscript, "-e", code],
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env}
        | {"R_PROFILE": str(RPROFILE)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", ["example.R", "test.R", "install.R", "Rprofile.site"])
def test_r_files_parse(dtolab_rscript, name):
    # Given one of the image's R files / When R parses it / Then it has no syntax error
    result = subprocess.run(
        [dtolab_rscript, "-e", f"invisible(parse('{R_DIR / name}'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def example_sections() -> dict[str, str]:
    """example.R by section: the text after each ``# ---- `` heading, keyed by the heading."""
    sections: dict[str, list[str]] = {}
    heading = None
    for line in (R_DIR / "example.R").read_text().splitlines():
        if line.startswith("# ---- "):
            heading = line.removeprefix("# ---- ")
            sections[heading] = []
        elif heading is not None:
            sections[heading].append(line)
    return {k: "\n".join(v) for k, v in sections.items()}


def test_only_the_search_section_of_the_example_uses_rstac():
    # Given example.R's sections
    sections = example_sections()
    # Then exactly one calls rstac, and the others (run by the test below) do not
    with_rstac = [h for h, text in sections.items() if "rstac" in h or "stac(" in text]
    assert len(with_rstac) == 1 and "library(rstac)" in sections[with_rstac[0]]
    others = "\n".join(t for h, t in sections.items() if h != with_rstac[0])
    assert "rstac" not in others and "post_request" not in others


#: The search section of example.R, made with httr + jsonlite (rstac is not in Debian).
SEARCH_WITHOUT_RSTAC = """
response <- httr::POST(
  paste0(endpoint$stac, "/search"),
  body = list(collections = list(collection), bbox = bbox, limit = 20),
  encode = "json",
  dtolab_headers(endpoint$name)
)
httr::stop_for_status(response)
items <- jsonlite::fromJSON(httr::content(response, as = "text", encoding = "UTF-8"),
                            simplifyVector = FALSE)
"""


@pytest.mark.stack
def test_example_reads_a_netcdf_asset_like_python_reads_the_zarr(
    dtolab_stack, dtolab_rscript, tmp_path
):
    # Given a lab's DTOLAB_ENDPOINTS pointing at the running stack
    endpoints = configs.endpoints_env(dtolab_stack)
    sections = example_sections()
    search = next(h for h in sections if "rstac" in h)
    run = [SEARCH_WITHOUT_RSTAC if h == search else text for h, text in sections.items()]
    values_file = tmp_path / "values.f32"
    code = "\n".join(
        [
            *run,
            f'writeBin(as.vector(values), "{values_file}", size = 4)',
            "cat('\\n', jsonlite::toJSON(list(endpoints = dtolab_endpoints(),",
            "  ids = vapply(items$features, function(f) f$id, ''), item = item$id,",
            "  variable = variable, units = units, dims = dims, shape = dim(values)),",
            "  auto_unbox = TRUE), '\\n')",
        ]
    )
    # When the example runs in R (its rstac section made with httr + jsonlite)
    out = run_r(dtolab_rscript, code, {"DTOLAB_ENDPOINTS": endpoints})
    # Then the helpers gave the lab's endpoint and the search found the SST items
    assert out["endpoints"]["local"]["stac"] == dtolab_stack["stac"]
    assert {"coads-monthly-sst", "gdp-6203641-sst"} <= set(out["ids"])
    assert out["item"] == "coads-monthly-sst" and out["variable"] == "sst"
    assert out["units"] == "degC" and out["dims"] == ["lon", "lat", "month"]
    # and what ncdf4 read equals what Python reads from the item's Zarr store
    item = httpx.get(
        f"{dtolab_stack['stac']}/collections/climate_forecast-sea_surface_temperature"
        "/items/coads-monthly-sst",
        timeout=30,
    ).json()
    zarr = xr.open_zarr(item["assets"]["arco-geo-series"]["href"], zarr_format=3)["sst"]
    read_by_r = np.fromfile(values_file, dtype="<f4").reshape(out["shape"][::-1])
    assert read_by_r.shape == zarr.shape == (12, 90, 180)
    np.testing.assert_array_equal(read_by_r, zarr.values)


class StandInHub(BaseHTTPRequestHandler):
    """JupyterHub's ``GET /hub/api/users/<name>``: the user model with auth_state."""

    calls = 0

    def do_GET(self):
        StandInHub.calls += 1
        if self.headers.get("Authorization") != "token server-token":
            self.send_response(403)
            self.end_headers()
            return
        assert self.path == "/hub/api/users/ana"
        body = json.dumps({"name": "ana", "auth_state": {"access_token": "ana-access-token"}})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def dtolab_stand_in_hub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandInHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    StandInHub.calls = 0
    yield f"http://127.0.0.1:{server.server_address[1]}/hub/api"
    server.shutdown()
    server.server_close()


TOKEN_CHECKS = """
refused <- tryCatch({
  Sys.setenv(JUPYTERHUB_API_TOKEN = "wrong-server-token"); dtolab_token(); ""
}, error = function(e) conditionMessage(e))
Sys.setenv(JUPYTERHUB_API_TOKEN = "server-token")
cat('\\n', jsonlite::toJSON(list(
  hub = dtolab_token(), user_endpoint = dtolab_token("hubbed"),
  open_endpoint = is.null(dtolab_token("open")),
  header = dtolab_headers("hubbed")$headers[["Authorization"]],
  open_header = length(dtolab_headers("open")$headers), refused = refused
), auto_unbox = TRUE), '\\n')
"""


def test_token_helpers_ask_a_stand_in_hub(dtolab_rscript, dtolab_stand_in_hub):
    # A unit test: the hub is a stand-in HTTP server answering the users API as JupyterHub does.
    # Given a lab under a hub: one endpoint needs the user's token, one needs none
    endpoints = {
        "hubbed": {"stac": "http://127.0.0.1:9/stac", "auth": "user"},
        "open": {"stac": "http://127.0.0.1:9/open"},
    }
    env = {
        "DTOLAB_ENDPOINTS": json.dumps(endpoints),
        "JUPYTERHUB_API_URL": dtolab_stand_in_hub,
        "JUPYTERHUB_USER": "ana",
    }
    # When R asks for tokens and headers
    out = run_r(dtolab_rscript, TOKEN_CHECKS, env)
    # Then the user's access token comes from the hub, for the endpoint that needs it only
    assert out["hub"] == out["user_endpoint"] == "ana-access-token"
    assert out["header"] == "Bearer ana-access-token"
    assert out["open_endpoint"] is True and out["open_header"] == 0
    # and a refusal says so without showing the key it was asked with
    assert "refused" in out["refused"] and "wrong-server-token" not in out["refused"]
    assert StandInHub.calls == 4  # every call asks the hub (which is what makes it renew)


#: Prints the R session's view of the lab variables, as the RStudio console would show them.
SESSION_REPORT = (
    "cat('\\n', jsonlite::toJSON(c(as.list(Sys.getenv(c({names}), unset = NA)), "
    "list(stac = dtolab_endpoint()$stac, args = commandArgs(TRUE), "
    "other = Sys.getenv('OTHER_SECRET', unset = NA))), auto_unbox = TRUE), '\\n')"
)


def test_rsession_wrapper_hands_the_lab_variables_to_r(dtolab_rscript, tmp_path):
    # Given a stand-in rsession (R with the image's Rprofile.site) and a stand-in rserver that
    # has the lab's environment and starts the wrapper as rserver starts rsession: with a fresh
    # environment (rstudio's launchChildProcess keeps PATH, LANG, USER, LOGNAME, HOME, SHELL)
    names = ", ".join(f"'{n}'" for n in LAB_VARIABLES)
    report = tmp_path / "report.R"
    report.write_text(SESSION_REPORT.format(names=names))
    rsession = tmp_path / "rsession"
    rsession.write_text(
        f'#!/bin/sh\nR_PROFILE="{RPROFILE}" exec "{dtolab_rscript}" "{report}" "$@"\n'
    )
    rsession.chmod(0o755)
    fresh = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "USER": "jovyan",
        "DTOLAB_RSESSION": str(rsession),
    }
    argv = [str(R_DIR / "rsession.sh"), "-u", "jovyan", "--launcher-token", "x"]
    rserver = (
        f"import subprocess, sys\nsys.exit(subprocess.run({argv!r}, env={fresh!r}).returncode)\n"
    )
    lab = {
        "DTOLAB_ENDPOINTS": json.dumps({"local": {"stac": 'http://stac.example/ a\n"b"'}}),
        "JUPYTERHUB_API_URL": "http://hub:8081/hub/api",
        "JUPYTERHUB_API_TOKEN": "server-token",
        "JUPYTERHUB_USER": "ana",
        "OTHER_SECRET": "not for R",
    }
    # When the stand-in rserver starts a session
    result = subprocess.run(
        [sys.executable, "-c", rserver],
        env={"PATH": os.environ["PATH"], **lab},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Then R sees the lab's variables, byte for byte, and nothing it was not meant to
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert {n: seen[n] for n in LAB_VARIABLES} == {n: lab[n] for n in LAB_VARIABLES}
    assert seen["stac"] == 'http://stac.example/ a\n"b"'
    assert seen["other"] is None
    assert seen["args"] == ["-u", "jovyan", "--launcher-token", "x"]  # rserver's arguments


#: A stand-in rserver: answers ``--help`` as rserver does (the proxy probes its options), starts
#: the session wrapper as rserver starts rsession, then serves what each saw on --www-port until
#: /report is asked for (two minutes at most), and removes its pid file as it exits.
FAKE_RSERVER = """#!{python}
import json, os, subprocess, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer
if "--help" in sys.argv:
    print("--www-root-path --server-data-dir --database-config-file --www-port --www-socket")
    sys.exit(0)
fresh = {{"PATH": os.environ["PATH"], "HOME": os.environ["HOME"], "USER": os.environ["USER"],
          "DTOLAB_RSESSION": {rsession!r}}}
session = subprocess.run([{wrapper!r}], env=fresh, capture_output=True, text=True)
body = json.dumps({{
    "argv": sys.argv[1:],
    "rserver": {{n: os.environ.get(n) for n in {names!r}}},
    "session": json.loads(session.stdout.strip().splitlines()[-1]),
}}).encode()
asked = []
class Answer(BaseHTTPRequestHandler):
    def do_GET(self):
        asked.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)
port = int(next(a for a in sys.argv if a.startswith("--www-port=")).split("=")[1])
server = HTTPServer(("127.0.0.1", port), Answer)
server.timeout = 0.5
open({pid_file!r}, "w").write(str(os.getpid()))
deadline = time.monotonic() + 120
while "/report" not in asked and time.monotonic() < deadline:
    server.handle_request()
os.remove({pid_file!r})
"""


@pytest.fixture
def dtolab_rstudio_lab(monkeypatch, tmp_path, dtolab_rscript):
    """A lab's environment, with a stand-in rserver on PATH where jupyter-rsession-proxy looks."""
    pytest.importorskip(
        "jupyter_rsession_proxy",
        reason="only the r image's lock installs it; the next test runs this one in such a venv",
    )
    names = ", ".join(f"'{n}'" for n in LAB_VARIABLES)
    (tmp_path / "report.R").write_text(SESSION_REPORT.format(names=names))
    rsession = tmp_path / "rsession"
    rsession.write_text(
        f'#!/bin/sh\nR_PROFILE="{RPROFILE}" exec "{dtolab_rscript}" "{tmp_path / "report.R"}"\n'
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    rserver = bin_dir / "rserver"
    rserver.write_text(
        FAKE_RSERVER.format(
            python=sys.executable,
            rsession=str(rsession),
            wrapper=str(R_DIR / "rsession.sh"),
            names=list(LAB_VARIABLES),
            pid_file=str(tmp_path / "rserver.pid"),
        )
    )
    for script in (rsession, rserver):
        script.chmod(0o755)
    lab = {
        "DTOLAB_ENDPOINTS": json.dumps({"local": {"stac": "http://127.0.0.1:9/stac"}}),
        "JUPYTERHUB_API_URL": "http://127.0.0.1:9/hub/api",
        "JUPYTERHUB_API_TOKEN": "server-token",
        "JUPYTERHUB_USER": "ana",
    }
    for name, value in lab.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    # TCP, so that the stand-in needs no unix-socket HTTP server (the proxy's default).
    monkeypatch.setenv("JUPYTER_RSESSION_PROXY_USE_SOCKET", "no")
    yield lab
    pid_file = tmp_path / "rserver.pid"
    if pid_file.exists():  # the test failed before asking for /report
        os.kill(int(pid_file.read_text()), signal.SIGTERM)


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_server_proxy": True}}}


async def test_rstudio_from_the_launcher_gets_the_lab_environment(
    dtolab_rstudio_lab, jp_fetch, tmp_path
):
    # Given a Jupyter server with jupyter-rsession-proxy, in a lab's environment
    # When the launcher's RStudio entry is listed and opened
    info = json.loads((await jp_fetch("server-proxy", "servers-info")).body)
    rstudio = next(s for s in info["server_processes"] if s["name"] == "rstudio")
    opened = json.loads((await jp_fetch("rstudio", "report")).body)
    # (the stand-in exits after answering: let the proxy see it go before the server stops)
    for _ in range(50):
        if not (tmp_path / "rserver.pid").exists():
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)
    # Then the launcher shows RStudio
    assert rstudio["launcher_entry"]["title"] == "RStudio"
    # and rserver runs as the lab's user, reading /etc/rstudio/rserver.conf (no --config-file)
    # where the image sets rsession-path, which its command line does not override
    argv = opened["argv"]
    assert "--auth-none=1" in argv and any(a.startswith("--server-user=") for a in argv)
    assert not any(a.startswith(("--config-file", "--rsession-path")) for a in argv)
    # and the lab's variables reach rserver, and through the wrapper the R session
    assert opened["rserver"] == dtolab_rstudio_lab
    session = opened["session"]
    assert {n: session[n] for n in LAB_VARIABLES} == dtolab_rstudio_lab
    assert session["stac"] == "http://127.0.0.1:9/stac"


def test_rstudio_launcher_test_runs_where_rsession_proxy_is_installed(tmp_path):
    # Given an environment like the r image's: this one plus jupyter-rsession-proxy (from the
    # r image's lock), which the development environment leaves out so that its lab shows no
    # RStudio tile without an rserver behind it
    if "jupyter_rsession_proxy" in sys.modules or _has_rsession_proxy():
        pytest.skip("the launcher test above runs in this environment already")
    lock = R_DIR / "requirements.txt"
    pin = next(
        line.split(" ")[0]
        for line in lock.read_text().splitlines()
        if line.startswith("jupyter-rsession-proxy==")
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # This environment's packages (and their own .pth files, e.g. the editable dtolab) first.
    site_packages = next(venv.glob("lib/python3*/site-packages"))
    here = sysconfig.get_paths()["purelib"]
    (site_packages / "dtolab-dev.pth").write_text(f"import site; site.addsitedir({here!r})\n")
    subprocess.run(
        [str(venv / "bin/pip"), "install", "--quiet", "--no-deps", pin],
        check=True,
        timeout=300,
    )
    # When the launcher test runs there
    done = subprocess.run(
        [
            str(venv / "bin/python"),
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rs",
            f"{__file__}::test_rstudio_from_the_launcher_gets_the_lab_environment",
        ],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # Then it runs (not skipped) and passes
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout and "skipped" not in done.stdout, done.stdout[-2000:]


def _has_rsession_proxy() -> bool:
    import importlib.util

    return importlib.util.find_spec("jupyter_rsession_proxy") is not None


def test_the_readme_shows_the_example_as_it_is():
    # Given the README's R snippet and images/r/example.R, which the r image's test runs
    readme = (R_DIR.parents[1] / "README.md").read_text()
    snippet = readme.split("```r\n", 1)[1].split("```", 1)[0].strip()
    # Then the snippet is the example's code, header comment aside (no drift between them)
    assert snippet and snippet in (R_DIR / "example.R").read_text()

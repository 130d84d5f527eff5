"""The local hub's profiles (dtolab.hub.profiles): real LocalProfileSpawner objects, no hub.

Needs are checked by starting the profile's Python for real. Where a test needs a need to be met
on a machine without a GPU or RStudio, the profile's environment puts a stand-in on its way: a
``cupy`` module reporting devices, an ``rserver`` program, a ``jupyter_rsession_proxy`` module.
"""

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jupyterhub.objects import Hub
from tornado import web
from traitlets import TraitError

from dtolab.hub.profiles import LocalProfileSpawner, with_extra_profiles


class LabUser:
    """The fields of a hub user that a spawner reads."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.escaped_name = name
        self.url = f"/user/{name}/"


CPU = {"slug": "cpu", "display_name": "CPU", "python": sys.executable, "default": True}
GPU = {"slug": "gpu", "display_name": "GPU", "python": sys.executable, "needs": ["gpu"]}
RSTUDIO = {"slug": "rstudio", "display_name": "RStudio", "python": sys.executable}
RSTUDIO["needs"] = ["rstudio"]


def spawner(
    profiles: list[dict], user_options: dict | None = None, **config
) -> LocalProfileSpawner:
    made = LocalProfileSpawner(
        profile_list=profiles,
        user=LabUser("ana"),
        hub=Hub(base_url="/hub/", bind_url="http://127.0.0.1:8081/hub/"),
        home_dir_template="/tmp/dtolab-homes/{username}",
        **config,
    )
    made.api_token = "server-token"
    made.user_options = user_options or {}
    return made


def here(made: LocalProfileSpawner) -> tuple[list[str], dict[str, str]]:
    """Slugs offered, and slug -> reason for the others."""
    offered, hidden = asyncio.run(made.profiles_here())
    return [p.slug for p in offered], {p.slug: reason for p, reason in hidden}


def form(made: LocalProfileSpawner) -> str:
    return asyncio.run(made.get_options_form())


@pytest.fixture(scope="module")
def dtolab_second_python(tmp_path_factory) -> Path:
    """The interpreter of a second, real virtual environment."""
    venv = tmp_path_factory.mktemp("profile-env") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    return venv / "bin" / "python"


@pytest.fixture
def dtolab_stand_ins(tmp_path) -> dict[str, Path]:
    """Folders with a cupy seeing one device, one seeing none, and RStudio's programs."""
    one, none, rstudio, bin_dir = (tmp_path / n for n in ("one", "none", "rstudio", "bin"))
    for folder, count in ((one, 1), (none, 0)):
        (folder / "cupy" / "cuda").mkdir(parents=True)
        (folder / "cupy" / "__init__.py").write_text("from . import cuda\n")
        (folder / "cupy" / "cuda" / "__init__.py").write_text(
            f"class runtime:\n    getDeviceCount = staticmethod(lambda: {count})\n"
        )
    rstudio.mkdir()
    (rstudio / "jupyter_rsession_proxy.py").write_text("")
    bin_dir.mkdir()
    (bin_dir / "rserver").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "rserver").chmod(0o755)
    return {"one": one, "none": none, "rstudio": rstudio, "bin": bin_dir}


def test_profiles_with_unmet_needs_are_not_offered():
    # Given the local hub's three profiles on a machine without CuPy or RStudio Server
    made = spawner([CPU, GPU, RSTUDIO])

    # When the spawner looks at what this machine has
    offered, hidden = here(made)

    # Then only the CPU profile is offered, and the others say what is missing
    assert offered == ["cpu"]
    assert "CuPy" in hidden["gpu"] and "No module named 'cupy'" in hidden["gpu"]
    assert "rserver" in hidden["rstudio"]


def test_a_missing_python_hides_its_profile(tmp_path):
    # Given a profile whose interpreter is not on this machine
    gone = {"slug": "gone", "display_name": "Gone", "python": str(tmp_path / "bin" / "python")}

    # Then it is not offered, and the reason names the interpreter
    offered, hidden = here(spawner([CPU, gone]))
    assert offered == ["cpu"]
    assert str(tmp_path / "bin" / "python") in hidden["gone"]


def test_met_needs_offer_the_profile(dtolab_stand_ins):
    # Given GPU and RStudio profiles whose environments have a CuPy seeing a device and RStudio
    gpu = {**GPU, "environment": {"PYTHONPATH": str(dtolab_stand_ins["one"])}}
    rstudio = {
        **RSTUDIO,
        "environment": {
            "PYTHONPATH": str(dtolab_stand_ins["rstudio"]),
            "PATH": f"{dtolab_stand_ins['bin']}{os.pathsep}/usr/bin:/bin",
        },
    }

    # Then both are offered
    assert here(spawner([CPU, gpu, rstudio])) == (["cpu", "gpu", "rstudio"], {})


def test_a_gpu_profile_needs_a_device(dtolab_stand_ins):
    # Given a GPU profile whose CuPy sees no device
    gpu = {**GPU, "environment": {"PYTHONPATH": str(dtolab_stand_ins["none"])}}

    # Then it is not offered
    assert here(spawner([CPU, gpu]))[1] == {"gpu": "no CUDA device visible to CuPy (0 devices)"}


def test_rstudio_needs_the_proxy_in_the_profiles_python(dtolab_stand_ins):
    # Given RStudio Server on the PATH but no jupyter-rsession-proxy for the profile's Python
    path = f"{dtolab_stand_ins['bin']}{os.pathsep}/usr/bin:/bin"
    rstudio = {**RSTUDIO, "environment": {"PATH": path}}

    # Then the profile is not offered, and the reason says what to install where
    hidden = here(spawner([CPU, rstudio]))[1]
    assert hidden["rstudio"].startswith(
        f"jupyter-rsession-proxy is not installed for {sys.executable}"
    )


def test_no_form_with_a_single_profile_offered():
    # Given the local hub's profiles on a machine where only CPU is usable
    made = spawner([CPU, GPU, RSTUDIO])

    # Then there is no form: the hub starts the lab at once
    assert form(made) == ""


def test_form_offers_the_profiles_and_says_why_others_are_missing(dtolab_second_python):
    # Given two usable profiles and one that is not
    other = {"slug": "other", "display_name": "Other <env>", "python": str(dtolab_second_python)}
    made = spawner([CPU, other, GPU])

    # When the form is built
    html = form(made)

    # Then it has a radio button per offered profile, the default checked, names escaped
    assert html.count('type="radio" name="profile"') == 2
    assert 'value="cpu" checked>' in html
    assert 'value="other">' in html
    assert "Other &lt;env&gt;" in html

    # And a note says why the GPU profile is missing
    assert "Not available on this machine" in html
    assert "GPU: no CUDA device visible to CuPy" in html
    assert 'value="gpu"' not in html


def test_form_preselects_the_previous_choice(dtolab_second_python):
    # Given a user whose last server used the "other" profile
    other = {"slug": "other", "display_name": "Other", "python": str(dtolab_second_python)}
    made = spawner([CPU, other], {"profile": "other"})

    # Then the form preselects it
    html = form(made)
    assert 'value="other" checked>' in html
    assert 'value="cpu">' in html


def test_form_data_chooses_a_profile():
    # Given the form's data as the hub passes it (lists of strings)
    made = spawner([CPU])

    # Then the choice becomes user_options; no choice, none
    assert made.run_options_from_form({"profile": ["gpu"]}) == {"profile": "gpu"}
    assert made.run_options_from_form({}) == {}


def test_chosen_profile_sets_the_command_and_environment(dtolab_second_python):
    # Given a profile in a second virtual environment, with an extra variable, chosen by the user
    other = {
        "slug": "other",
        "display_name": "Other",
        "python": str(dtolab_second_python),
        "environment": {"DTOLAB_EXAMPLE": "yes"},
    }
    made = spawner([CPU, other], {"profile": "other"}, environment={"FROM_CONFIG": "1"})

    # When the spawner applies it (as start() does before starting the process)
    profile = asyncio.run(made.apply_profile())

    # Then the lab runs jupyterhub.singleuser with that environment's Python
    assert profile.slug == "other"
    assert made.cmd == [str(dtolab_second_python), "-m", "jupyterhub.singleuser"]

    # And its environment is that virtual environment's, plus the profile's and the hub's
    env = made.get_env()
    venv = dtolab_second_python.parent.parent
    assert env["VIRTUAL_ENV"] == str(venv)
    assert env["PATH"].split(os.pathsep)[0] == str(venv / "bin")
    assert env["DTOLAB_EXAMPLE"] == "yes"
    assert env["FROM_CONFIG"] == "1"
    assert env["JUPYTERHUB_API_TOKEN"] == "server-token"
    assert env["HOME"] == "/tmp/dtolab-homes/ana"


def test_no_choice_gives_the_default_profile(dtolab_second_python):
    # Given two offered profiles, the second one the default
    other = {"slug": "other", "display_name": "Other", "python": str(dtolab_second_python)}
    made = spawner([{**CPU, "default": False}, {**other, "default": True}])

    # When a server starts without options (the REST API with an empty body)
    profile = asyncio.run(made.apply_profile())

    # Then it runs the default profile
    assert profile.slug == "other"


def test_without_a_default_the_first_offered_profile_is_chosen():
    # Given profiles none of which says default, the first one unavailable here
    made = spawner([GPU, {**CPU, "default": False}])

    # Then a server without options gets the first profile that is offered
    assert asyncio.run(made.apply_profile()).slug == "cpu"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"profile": "tpu"}, "unknown profile 'tpu'; profiles offered here: cpu"),
        ({"profile": "gpu"}, "profile 'gpu' is not available on this machine: no CUDA device"),
    ],
)
def test_unknown_or_unavailable_profiles_are_refused(options, message):
    # Given the local hub's profiles, only CPU usable here
    made = spawner([CPU, GPU, RSTUDIO], options)

    # When a server is asked for with a profile that is not offered
    # Then the spawn is refused as bad input, with the reason
    with pytest.raises(web.HTTPError) as refused:
        asyncio.run(made.start())
    assert refused.value.status_code == 400
    assert message in str(refused.value)
    assert made.pid == 0


def test_no_usable_profile_is_an_error_naming_the_reasons():
    # Given only a GPU profile on a machine without one
    made = spawner([GPU])

    # Then a server cannot start, and the error says why
    with pytest.raises(web.HTTPError, match="no profile can run on this machine"):
        asyncio.run(made.apply_profile())


@pytest.mark.parametrize(
    ("profiles", "message"),
    [
        ([{**CPU, "image": "x"}], r"unknown settings \['image'\]"),
        ([{**CPU, "needs": ["tpu"]}], r"needs: unknown \['tpu'\]"),
        ([CPU, {**CPU, "default": False}], r"slugs used more than once: \['cpu'\]"),
        ([CPU, {**GPU, "default": True}], "more than one profile says default"),
        ([{**CPU, "python": "python3"}], "python: must be an absolute path"),
        ([{**CPU, "environment": {"N": 1}}], "environment: must map names to strings"),
        ([{"display_name": "No slug", "python": sys.executable}], "slug: must be a non-empty"),
    ],
)
def test_invalid_profile_lists_are_refused(profiles, message):
    # When the spawner is configured with an invalid profile list
    # Then the configuration is refused, naming the field
    with pytest.raises(TraitError, match=message):
        spawner(profiles)


def test_extra_profiles_add_and_replace():
    # Given the built-in profiles and $DTOLAB_HUB_PROFILES with a new one and a replaced one
    extra = [
        {"slug": "big", "display_name": "Big", "python": sys.executable},
        {"slug": "gpu", "display_name": "GPU here", "python": "/opt/gpu/bin/python"},
    ]

    # When they are merged
    merged = with_extra_profiles([CPU, GPU, RSTUDIO], json.dumps(extra))

    # Then the new one comes last and the replaced one keeps its place
    assert [p["slug"] for p in merged] == ["cpu", "gpu", "rstudio", "big"]
    assert merged[1]["python"] == "/opt/gpu/bin/python"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "Expecting property name"),
        ('{"slug": "x"}', "must be a JSON list"),
        ('[{"slug": "x"}]', "display_name: must be a non-empty string"),
    ],
)
def test_bad_extra_profiles_are_refused(raw, message):
    with pytest.raises(ValueError, match=message):
        with_extra_profiles([CPU], raw)

"""Server profiles for the hub on one machine: the environments here a user may start a lab in.

On Kubernetes a profile picks an image (KubeSpawner's ``profile_list``, hub-config/k8s). On one
machine a profile picks a Python environment (its interpreter runs ``jupyterhub.singleuser``) and
extra environment variables, and names what it needs from the machine:

``"gpu"``
    a CUDA device that CuPy, imported by the profile's Python, can see;
``"rstudio"``
    RStudio Server's ``rserver`` (on the lab's ``PATH`` or where jupyter-rsession-proxy looks for
    it) and jupyter-rsession-proxy importable by the profile's Python.

A profile whose Python is missing or whose needs are not met is not offered; the options form
says why. The form is shown only when more than one profile is offered, so a machine with a
single usable profile spawns labs straight away. Needs are checked, in the lab's environment,
each time the form is built and each time a lab starts (no cache: installing RStudio or a GPU
driver needs no hub restart).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from jupyterhub.spawner import SimpleLocalProcessSpawner
from tornado import web
from traitlets import Dict, Float, List, TraitError, default, validate

#: What a profile's entry may hold (KubeSpawner's keys, then the local ones).
PROFILE_KEYS = {"slug", "display_name", "description", "default", "python", "environment", "needs"}


@dataclass(frozen=True)
class LocalProfile:
    """One entry of :attr:`LocalProfileSpawner.profile_list`, validated."""

    slug: str
    display_name: str
    python: str
    description: str = ""
    default: bool = False
    environment: Mapping[str, str] = field(default_factory=dict)
    needs: tuple[str, ...] = ()


def _text(entry: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
    value = entry.get(key, None if required else "")
    if not isinstance(value, str) or (required and not value):
        raise ValueError(f"{where}.{key}: must be a non-empty string")
    return value


def parse_profile(entry: Mapping[str, Any], where: str = "profile") -> LocalProfile:
    """A profile entry (dict) as a :class:`LocalProfile`; ValueError names the bad field."""
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: must be a mapping of settings")
    unknown = set(entry) - PROFILE_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown settings {sorted(unknown)}")
    slug = _text(entry, "slug", where)
    where = f"{where} {slug!r}"
    display_name = _text(entry, "display_name", where)
    python = _text(entry, "python", where)
    if not os.path.isabs(python):
        raise ValueError(f"{where}.python: must be an absolute path")
    environment = entry.get("environment", {})
    if not isinstance(environment, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in environment.items()
    ):
        raise ValueError(f"{where}.environment: must map names to strings")
    needs = entry.get("needs", [])
    if (
        isinstance(needs, str)
        or not isinstance(needs, Sequence)
        or not all(isinstance(n, str) for n in needs)
    ):
        raise ValueError(f"{where}.needs: must be a list, of {sorted(NEEDS)}")
    unknown_needs = set(needs) - set(NEEDS)
    if unknown_needs:
        raise ValueError(f"{where}.needs: unknown {sorted(unknown_needs)}; known: {sorted(NEEDS)}")
    if not isinstance(entry.get("default", False), bool):
        raise ValueError(f"{where}.default: must be true or false")
    return LocalProfile(
        slug=slug,
        display_name=display_name,
        python=python,
        description=_text(entry, "description", where, required=False),
        default=entry.get("default", False),
        environment=dict(environment),
        needs=tuple(needs),
    )


def parse_profiles(entries: Sequence[Mapping[str, Any]]) -> list[LocalProfile]:
    """Validate a profile list: each entry, unique slugs, at most one default."""
    profiles = [parse_profile(entry, f"profile_list[{i}]") for i, entry in enumerate(entries)]
    slugs = [p.slug for p in profiles]
    duplicated = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicated:
        raise ValueError(f"profile_list: slugs used more than once: {duplicated}")
    if sum(p.default for p in profiles) > 1:
        raise ValueError("profile_list: more than one profile says default: true")
    return profiles


def with_extra_profiles(profiles: list[dict[str, Any]], extra_json: str) -> list[dict[str, Any]]:
    """``profiles`` plus the JSON list ``extra_json`` (an entry with a known slug replaces it)."""
    extra = json.loads(extra_json) if extra_json.strip() else []
    if not isinstance(extra, list):
        raise ValueError("must be a JSON list of profiles")
    merged = {p["slug"]: p for p in profiles}
    for entry in extra:
        parse_profile(entry, "extra profile")
        merged[entry["slug"]] = entry
    return list(merged.values())


def profile_environment(profile: LocalProfile, base: Mapping[str, str]) -> dict[str, str]:
    """``base`` (the lab's environment) adjusted for ``profile``'s Python environment.

    The Python's folder goes first on PATH (terminals and ``pip`` find that environment) and
    VIRTUAL_ENV names that environment, or is removed when it is not a venv; the profile's own
    ``environment`` comes last.
    """
    env = dict(base)
    python = Path(profile.python)
    env["PATH"] = os.pathsep.join(p for p in (str(python.parent), env.get("PATH", "")) if p)
    if (python.parent.parent / "pyvenv.cfg").exists():
        env["VIRTUAL_ENV"] = str(python.parent.parent)
    else:
        env.pop("VIRTUAL_ENV", None)
    env.update(profile.environment)
    return env


# What a profile may need. Each check returns None when the need is met, else why not.
Check = Callable[[LocalProfile, Mapping[str, str], float], Awaitable[str | None]]


async def _run_python(
    python: str, code: str, env: Mapping[str, str], timeout: float
) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        python,
        "-c",
        code,
        env=dict(env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        return -1, "", f"no answer within {timeout:g} s"
    return process.returncode or 0, out.decode(errors="replace"), err.decode(errors="replace")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no message"


async def _needs_gpu(profile: LocalProfile, env: Mapping[str, str], timeout: float) -> str | None:
    code = "import cupy; print(cupy.cuda.runtime.getDeviceCount())"
    status, out, err = await _run_python(profile.python, code, env, timeout)
    if status == 0 and out.strip().isdigit() and int(out) > 0:
        return None
    detail = _last_line(err) if status != 0 else "0 devices"
    return f"no CUDA device visible to CuPy ({detail})"


#: Where jupyter-rsession-proxy looks for rserver when it is not on PATH.
RSERVER_PLACES = ("/usr/lib/rstudio-server/bin/rserver", "/usr/lib/rstudio/bin/rserver")


async def _needs_rstudio(
    profile: LocalProfile, env: Mapping[str, str], timeout: float
) -> str | None:
    on_path = shutil.which("rserver", path=env.get("PATH", ""))
    if on_path is None and not any(os.access(p, os.X_OK) for p in RSERVER_PLACES):
        return "RStudio Server (rserver) is not installed"
    status, _, err = await _run_python(
        profile.python, "import jupyter_rsession_proxy", env, timeout
    )
    if status != 0:
        return f"jupyter-rsession-proxy is not installed for {profile.python} ({_last_line(err)})"
    return None


NEEDS: dict[str, Check] = {"gpu": _needs_gpu, "rstudio": _needs_rstudio}


def render_form(
    offered: list[LocalProfile], hidden: list[tuple[LocalProfile, str]], chosen: str
) -> str:
    """The options form: one radio button per offered profile, then why others are missing."""
    rows = []
    for profile in offered:
        slug = escape(profile.slug)
        checked = " checked" if profile.slug == chosen else ""
        description = f" <span>{escape(profile.description)}</span>" if profile.description else ""
        rows.append(
            '<div class="form-check">'
            f'<input class="form-check-input" type="radio" name="profile" id="profile-{slug}" '
            f'value="{slug}"{checked}>'
            f'<label class="form-check-label" for="profile-{slug}">'
            f"<strong>{escape(profile.display_name)}</strong>{description}</label></div>"
        )
    notes = "".join(
        f"<li>{escape(profile.display_name)}: {escape(reason)}</li>" for profile, reason in hidden
    )
    if notes:
        rows.append(
            f'<div class="form-text"><p>Not available on this machine:</p><ul>{notes}</ul></div>'
        )
    return f'<fieldset id="dtolab-profiles"><legend>Profile</legend>{"".join(rows)}</fieldset>'


async def _options_form(spawner: LocalProfileSpawner) -> str:
    return await spawner.options_form_html()


def _profile_from_form(formdata: Mapping[str, list[str]]) -> dict[str, str]:
    slug = formdata.get("profile", [""])[0]
    return {"profile": slug} if slug else {}


class LocalProfileSpawner(SimpleLocalProcessSpawner):
    """SimpleLocalProcessSpawner whose labs run in a profile: a Python environment here.

    Example (hub-config/config.d/30-spawner.py sets this up)::

        c.JupyterHub.spawner_class = "dtolab.hub.profiles.LocalProfileSpawner"
        c.LocalProfileSpawner.profile_list = [
            {"slug": "cpu", "display_name": "CPU", "python": sys.executable, "default": True},
            {"slug": "gpu", "display_name": "GPU", "python": "/opt/gpu/bin/python",
             "needs": ["gpu"], "environment": {"CUPY_CACHE_DIR": "/tmp/cupy"}},
        ]

    A server started through the REST API chooses with the body ``{"profile": "<slug>"}``.
    """

    profile_list = List(
        Dict(),
        config=True,
        help="""Profiles a lab may start in, in the order the form shows them. Each is a dict
        with "slug", "display_name", "python" (the interpreter that runs the lab) and optionally
        "description", "default" (true for the one chosen when none is asked for; else the first
        offered), "environment" (extra variables) and "needs" (a list of "gpu", "rstudio").
        Default: [] (at least one profile is needed to start a lab).""",
    )

    check_timeout = Float(
        60.0,
        config=True,
        help="Seconds a profile's need check (a Python started in its environment) may take "
        "before the need counts as not met. Default: 60.",
    )

    _chosen = None

    @validate("profile_list")
    def _validate_profile_list(self, proposal: Any) -> list[dict[str, Any]]:
        try:
            parse_profiles(proposal.value)
        except ValueError as err:
            raise TraitError(str(err)) from None
        return proposal.value

    @default("options_form")
    def _options_form_default(self) -> Callable[[LocalProfileSpawner], Awaitable[str]]:
        return _options_form

    @default("options_from_form")
    def _options_from_form_default(self) -> Callable[[Mapping[str, list[str]]], dict]:
        return _profile_from_form

    def _base_environment(self) -> dict[str, str]:
        """What a lab inherits from the hub's environment (``env_keep``), for the checks."""
        return {key: os.environ[key] for key in self.env_keep if key in os.environ}

    async def _why_unavailable(self, profile: LocalProfile) -> str | None:
        if not os.access(profile.python, os.X_OK):
            return f"its Python ({profile.python}) is not on this machine"
        env = profile_environment(profile, self._base_environment())
        for need in profile.needs:
            reason = await NEEDS[need](profile, env, self.check_timeout)
            if reason:
                return reason
        return None

    async def profiles_here(self) -> tuple[list[LocalProfile], list[tuple[LocalProfile, str]]]:
        """The profiles offered on this machine, and the others with the reason each is not."""
        profiles = parse_profiles(self.profile_list)
        reasons = await asyncio.gather(*(self._why_unavailable(p) for p in profiles))
        offered = [p for p, reason in zip(profiles, reasons, strict=True) if reason is None]
        hidden = [(p, reason) for p, reason in zip(profiles, reasons, strict=True) if reason]
        return offered, hidden

    @staticmethod
    def _default_of(offered: list[LocalProfile]) -> LocalProfile:
        return next((p for p in offered if p.default), offered[0])

    async def options_form_html(self) -> str:
        """The form when there is a choice to make, else "" (the hub then spawns at once)."""
        offered, hidden = await self.profiles_here()
        if len(offered) < 2:
            return ""
        slugs = {p.slug for p in offered}
        asked = (self.user_options or {}).get("profile")
        chosen = asked if asked in slugs else self._default_of(offered).slug
        return render_form(offered, hidden, chosen)

    async def chosen_profile(self) -> LocalProfile:
        """The profile ``user_options`` asks for (the default when none); HTTP 400 otherwise."""
        offered, hidden = await self.profiles_here()
        asked = (self.user_options or {}).get("profile")
        if asked in (None, ""):
            if not offered:
                missing = "; ".join(f"{p.slug}: {reason}" for p, reason in hidden)
                raise web.HTTPError(400, f"no profile can run on this machine ({missing})")
            return self._default_of(offered)
        for profile in offered:
            if profile.slug == asked:
                return profile
        for profile, reason in hidden:
            if profile.slug == asked:
                raise web.HTTPError(
                    400, f"profile {asked!r} is not available on this machine: {reason}"
                )
        known = ", ".join(p.slug for p in offered) or "none"
        raise web.HTTPError(400, f"unknown profile {asked!r}; profiles offered here: {known}")

    async def apply_profile(self) -> LocalProfile:
        """Choose the profile and set the lab's command from it (``start`` calls this)."""
        profile = await self.chosen_profile()
        self.cmd = [profile.python, "-m", "jupyterhub.singleuser"]
        self._chosen = profile
        return profile

    def get_env(self) -> dict[str, str]:
        env = super().get_env()
        if self._chosen is not None:
            env = profile_environment(self._chosen, env)
        return env

    async def start(self) -> Any:
        await self.apply_profile()
        return await super().start()

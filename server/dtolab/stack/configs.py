"""Configuration files the stack generates for pygeoapi and JupyterLab."""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from .state import StateDir

#: The processes the embedded pygeoapi serves: resource id -> processor class.
PROCESSES = {
    "coral-heat-stress": "dtolab.processes.heat_stress.CoralHeatStressProcessor",
    "drift": "dtolab.processes.drift.DriftProcessor",
    "sea-level-rise": "dtolab.processes.sea_level_rise.SeaLevelRiseProcessor",
    "depth-statistics": "dtolab.processes.depth_stats.DepthStatisticsProcessor",
}


def pygeoapi_config(state: StateDir, url: str, port: int, stac_url: str, data_url: str) -> Path:
    """Write pygeoapi's configuration (processes only) and return its path.

    Jobs are kept by dtolab's manager in the stack's PostgreSQL (its DSN comes from the
    environment, not from this file); their outputs go to ``jobs/results``, which the data
    service serves under ``/results``.
    """
    config = {
        "server": {
            "bind": {"host": "127.0.0.1", "port": port},
            "url": url,
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "language": "en-US",
            "cors": False,
            "pretty_print": False,
            "limits": {"default_items": 20, "max_items": 100},
            # pygeoapi's schema requires a map; its HTML pages are not used by dtolab.
            "map": {"url": "", "attribution": ""},
            "manager": {
                "name": "dtolab.processes.manager.DtolabManager",
                "output_dir": str(results_dir(state)),
                "output_url": f"{data_url}/results",
                "stac_url": stac_url,
                # A LocalCluster of 2 single-threaded workers; see docs/operators.md for a
                # scheduler address or dask-gateway instead.
                "dask": {"n_workers": 2, "threads_per_worker": 1},
                "job_timeout": 3600,
            },
        },
        "logging": {"level": "WARNING"},
        "metadata": {
            "identification": {
                "title": "dtolab processes",
                "description": "What-if scenarios and tools of the dtolab embedded stack",
                "keywords": ["ocean", "digital twin", "what-if"],
                "url": url,
                "terms_of_service": "https://opensource.org/license/bsd-3-clause",
            },
            "license": {
                "name": "BSD-3-Clause",
                "url": "https://opensource.org/license/bsd-3-clause",
            },
            "provider": {"name": "dtolab", "url": url},
            "contact": {
                "name": "dtolab operators",
                "url": url,
                "email": "",
                "position": "",
                "address": "",
                "city": "",
                "stateorprovince": "",
                "postalcode": "",
                "country": "",
                "phone": "",
                "fax": "",
                "hours": "",
                "instructions": "",
                "role": "pointOfContact",
            },
        },
        "resources": {
            pid: {"type": "process", "processor": {"name": cls, "stac_url": stac_url}}
            for pid, cls in PROCESSES.items()
        },
    }
    path = state.config / "pygeoapi.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def results_dir(state: StateDir) -> Path:
    """Where finished jobs keep their outputs (served by the data service as ``/results``)."""
    return state.jobs / "results"


def local_endpoint(urls: dict[str, str], auth: str = "none") -> dict[str, dict[str, object]]:
    """The embedded stack as dtolab endpoint configuration (server extension and kernels).

    ``urls`` holds the "stac", "processes" and "data" service URLs. The data service listens on
    loopback, so its assets are listed as readable (previews refuse private addresses otherwise).
    ``auth="user"`` (labs spawned by the embedded hub): send the hub user's access token.
    """
    endpoint: dict[str, object] = {
        "title": "Embedded stack (this machine)",
        "stac": urls["stac"],
        "processes": urls["processes"],
        "assets": [urls["data"]],
    }
    if auth != "none":
        endpoint["auth"] = auth
    return {"local": endpoint}


def endpoints_env(urls: dict[str, str], auth: str = "none") -> str:
    """``$DTOLAB_ENDPOINTS`` for the lab's kernels."""
    return json.dumps(local_endpoint(urls, auth))


def jupyter_config(
    state: StateDir, urls: dict[str, str], name: str = "jupyter", auth: str = "none"
) -> Path:
    """Write the Jupyter config folder ``config/<name>`` that points dtolab at the embedded
    services (``auth`` as in :func:`local_endpoint`) and quiets JupyterLab's network pop-ups."""
    folder = state.config / name
    folder.mkdir(parents=True, exist_ok=True)
    settings = state.config / "lab-settings"
    config = {
        "DtolabExtension": {
            "endpoints": local_endpoint(urls, auth),
            "default_endpoint": "local",
        },
        "LabApp": {"news_url": None, "app_settings_dir": str(settings)},
    }
    (folder / "jupyter_server_config.json").write_text(json.dumps(config, indent=2))
    # Lab settings overrides: no news or update pop-ups (they would reach for the internet).
    settings.mkdir(exist_ok=True)
    overrides = {
        "@jupyterlab/apputils-extension:notification": {
            "fetchNews": "false",
            "checkForUpdates": False,
        }
    }
    (settings / "overrides.json").write_text(json.dumps(overrides, indent=2))
    return folder


def config_path_env(folder: Path) -> str:
    """JUPYTER_CONFIG_PATH with ``folder`` first, keeping what the user already had."""
    existing = os.environ.get("JUPYTER_CONFIG_PATH")
    return os.pathsep.join([str(folder), existing]) if existing else str(folder)

"""dtolab: a virtual research environment for the European Digital Twin of the Ocean.

The package holds the JupyterLab server extension (``dtolab.extension``), the client used by
notebooks, the extension and the processes (``dtolab.client``), the what-if models
(``dtolab.processes``), the demo catalogue builder (``dtolab.catalog``) and the launcher of the
embedded stack (``dtolab.stack``, the ``dtolab`` command).
"""

try:
    from ._version import __version__
except ImportError:  # a source tree that was never built: the version comes from package.json
    import json
    from pathlib import Path

    _package_json = Path(__file__).resolve().parents[2] / "package.json"
    __version__ = json.loads(_package_json.read_text())["version"]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "dtolab"}]


def _jupyter_server_extension_points() -> list[dict[str, object]]:
    from .extension.app import DtolabExtension

    return [{"module": "dtolab", "app": DtolabExtension}]


def __getattr__(name: str) -> object:
    # The client is imported on first use: the server extension does not need xarray loaded.
    if name in ("Catalog", "open_item"):
        from .client import catalog

        return getattr(catalog, name)
    if name == "cluster":
        from .client.cluster import cluster

        return cluster
    raise AttributeError(name)

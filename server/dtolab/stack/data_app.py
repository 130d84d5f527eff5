"""The data service of the embedded stack: the catalogue's Zarr stores over HTTP, read-only.

It also serves the what-if jobs' outputs under ``/results`` (``DTOLAB_RESULTS_DIR``).
It stands in for an object store (EDITO serves its ARCO Zarr from S3 over HTTPS). Run by the
stack as ``uvicorn dtolab.stack.data_app:create_app --factory`` with ``DTOLAB_DATA_DIR`` set.
"""

import os

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles


def create_app() -> Starlette:
    root = os.environ["DTOLAB_DATA_DIR"]
    routes = []
    results = os.environ.get("DTOLAB_RESULTS_DIR")
    if results:  # the what-if jobs' outputs (result.zarr, summary.json per job)
        routes.append(Mount("/results", app=StaticFiles(directory=results, follow_symlink=False)))
    # follow_symlink=False: nothing outside the catalogue folder can be reached.
    routes.append(Mount("/", app=StaticFiles(directory=root, follow_symlink=False)))
    return Starlette(routes=routes)

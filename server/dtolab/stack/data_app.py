"""The data service of the embedded stack: the catalogue's Zarr stores over HTTP, read-only.

It stands in for an object store (EDITO serves its ARCO Zarr from S3 over HTTPS). Run by the
stack as ``uvicorn dtolab.stack.data_app:create_app --factory`` with ``DTOLAB_DATA_DIR`` set.
"""

import os

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles


def create_app() -> Starlette:
    root = os.environ["DTOLAB_DATA_DIR"]
    # follow_symlink=False: nothing outside the catalogue folder can be reached.
    return Starlette(routes=[Mount("/", app=StaticFiles(directory=root, follow_symlink=False))])

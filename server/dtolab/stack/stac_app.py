"""The STAC API of the embedded stack: stac-fastapi-pgstac with free-text search turned on.

Run by the stack as ``uvicorn dtolab.stack.stac_app:create_app --factory``; database settings come
from the ``PG*`` environment variables (see stac_fastapi.pgstac.config). Requests to ``/search``
and ``/collections/{collectionId}/items`` pass through :mod:`dtolab.stack.stac_fixes`, which mends
where stac-fastapi-pgstac departs from STAC API 1.0 (3D and out-of-domain bbox, Fields extension
semantics, media type of search answers). Under ``dtolab hub`` every request needs an access
token (:mod:`dtolab.stack.auth`).
"""

from typing import Any

from fastapi import FastAPI
from stac_fastapi.extensions.free_text import FreeTextConformanceClasses
from stac_fastapi.pgstac.app import instantiate_api
from stac_fastapi.pgstac.config import Settings
from stac_fastapi.pgstac.extensions import FreeTextExtension
from stac_fastapi.pgstac.models.extensions import Extensions

from . import auth, stac_fixes


def create_app() -> FastAPI | Any:
    settings = Settings()
    # Item search gets `q` (off in the default app); collection search already has it.
    extensions = Extensions(
        search_map={
            "free_text": FreeTextExtension(conformance_classes=[FreeTextConformanceClasses.SEARCH])
        }
    )
    app = instantiate_api(extensions=extensions, settings=settings).app
    stac_fixes.install(app, prefix=settings.prefix_path)
    verifier = auth.verifier_from_env()
    return app if verifier is None else auth.AuthGateASGI(app, verifier)

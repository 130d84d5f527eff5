"""The STAC API of the embedded stack: stac-fastapi-pgstac with free-text search turned on.

Run by the stack as ``uvicorn dtolab.stack.stac_app:create_app --factory``; database settings come
from the ``PG*`` environment variables (see stac_fastapi.pgstac.config).
"""

from fastapi import FastAPI
from stac_fastapi.extensions.free_text import FreeTextConformanceClasses
from stac_fastapi.pgstac.app import instantiate_api
from stac_fastapi.pgstac.extensions import FreeTextExtension
from stac_fastapi.pgstac.models.extensions import Extensions


def create_app() -> FastAPI:
    # Item search gets `q` (off in the default app); collection search already has it.
    extensions = Extensions(
        search_map={
            "free_text": FreeTextExtension(conformance_classes=[FreeTextConformanceClasses.SEARCH])
        }
    )
    return instantiate_api(extensions=extensions).app

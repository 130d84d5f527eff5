"""The embedded STAC API against stac-api-validator, offline.

stac-api-validator runs in a subprocess under ``tests.stac_validator_offline``, which serves the
JSON Schemas it needs from installed packages (see that module) and keeps it off the network. Each
conformance class the landing page declares is either validated, and must pass with no error, or
listed below with the reason it is not.

Passing takes the fixes in dtolab.stack.stac_fixes (3D and out-of-domain bbox, Fields extension
semantics, media type of search answers, POST `collections` given as one string) and a nominal
`datetime` on every Item of the demo catalogue (pgstac drops a null one, and the Item schema
requires the field).
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.stack

REPO = Path(__file__).resolve().parents[2]
COLLECTION = "emodnet-bathymetry"
# The Bay of Biscay: inside the global etopo5 item, for the intersects checks.
GEOMETRY = {
    "type": "Polygon",
    "coordinates": [[[-10, 43], [-1, 43], [-1, 48], [-10, 48], [-10, 43]]],
}

# Declared conformance classes (the part after https://api.stacspec.org/vX/, or the OGC URI) ->
# the stac-api-validator class that checks them.
VALIDATED = {
    "core": "core",
    "collections": "collections",
    "ogcapi-features": "features",
    "item-search": "item-search",
    "item-search#fields": "item-search#fields",
    "item-search#sort": "item-search#sort",
    "item-search#query": "item-search#query",
    "item-search#filter": "item-search#filter",
    # The validator's Features checks also look for these two OGC classes.
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core": "features",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson": "features",
    # Its Filter checks: the queryables, and CQL2 text/JSON queries as far as declared.
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter": "item-search#filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter": "features#filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2": "item-search#filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text": "item-search#filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json": "item-search#filter",
}

# Declared classes that stac-api-validator 0.6.8 has no checks for.
NO_CHECKS = "the validator has no checks for it"
NOT_IN_VALIDATOR = {
    "ogcapi-features#fields": "the validator logs 'not yet supported' and checks nothing",
    "ogcapi-features#sort": "the validator logs 'not yet supported' and checks nothing",
    "ogcapi-features#query": "the validator logs 'not yet supported' and checks nothing",
    "item-search#free-text": "the validator has no Free-text checks",
    "collection-search": "the validator has no Collection Search checks",
    "collection-search#fields": "the validator has no Collection Search checks",
    "collection-search#filter": "the validator has no Collection Search checks",
    "collection-search#free-text": "the validator has no Collection Search checks",
    "collection-search#query": "the validator has no Collection Search checks",
    "collection-search#sort": "the validator has no Collection Search checks",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30": NO_CHECKS,
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/simple-query": NO_CHECKS,
}

# Validator classes that cannot run against the demo catalogue.
NOT_RUNNABLE = {
    "item-search#query": (
        "the validator's Query checks compare a numeric Item property (eq/neq/lt/lte/gt/gte, each "
        f"expected to match an Item) within {COLLECTION}, whose only Item, etopo5, has none"
    ),
}

# Extension schemas that no installed package ships (pystac bundles only the STAC 1.1.0 core
# and GeoJSON schemas; the pystac-ext-* packages and the stac-validator wheels carry no schema
# files). The core STAC schema of each Item and Collection is still checked; these extensions'
# fields are not.
NO_PACKAGE = "no installed package ships this schema"
UNCHECKED_EXTENSION_SCHEMAS = {
    "https://stac-extensions.github.io/datacube/v2.2.0/schema.json": NO_PACKAGE,
    "https://stac-extensions.github.io/projection/v2.0.0/schema.json": NO_PACKAGE,
}

# Validator warnings that mean a check it should have made here was skipped for want of data.
SKIPPED_CHECK = [
    r"returned 0 results",  # e.g. the `ids` + non-intersecting bbox check
    r"returned < 2 results",  # the `ids` checks
    r"had no results",  # the Sort checks
]

VALIDATOR_CLASSES = [
    "core",
    "collections",
    "features",
    "features#filter",
    "item-search",
    "item-search#fields",
    "item-search#sort",
    "item-search#query",
    "item-search#filter",
]


def short_name(uri: str) -> str:
    """``https://api.stacspec.org/v1.0.0/item-search#sort`` -> ``item-search#sort``."""
    match = re.fullmatch(r"https://api\.stacspec\.org/v[^/]+/(.+)", uri)
    return match.group(1) if match else uri


def run_validator(root_url: str, classes: list[str]) -> dict:
    """stac-api-validator on ``root_url``, offline, in a subprocess: its JSON report.

    Pagination is not validated: the validator asks for ``limit=1`` and expects a ``next`` link,
    which needs a collection of two Items or more, and emodnet-bathymetry has one.
    """
    args = [sys.executable, "-m", "tests.stac_validator_offline", "--root-url", root_url]
    args += ["--collection", COLLECTION, "--geometry", json.dumps(GEOMETRY)]
    args += ["--fields-nested-property", "properties.title"]
    args += ["--unchecked", json.dumps(UNCHECKED_EXTENSION_SCHEMAS)]
    for cc in classes:
        args += ["--conformance", cc]
    result = subprocess.run(
        args, cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def declared(dtolab_stack):
    """The validator classes the landing page's conformsTo maps to."""
    conforms_to = httpx.get(dtolab_stack["stac"], timeout=30).json()["conformsTo"]
    return {VALIDATED[short_name(u)] for u in conforms_to if short_name(u) in VALIDATED}


@pytest.fixture(scope="module")
def report(dtolab_stack, declared):
    """One validator run over every declared class that can run here, each class on its own."""
    classes = [cc for cc in VALIDATOR_CLASSES if cc in declared and cc not in NOT_RUNNABLE]
    return run_validator(dtolab_stack["stac"], classes)


def test_every_declared_class_is_validated_or_explained(dtolab_stack):
    """A class the server starts declaring must be mapped to a validator class or explained."""
    # Given the landing page's conformance classes
    conforms_to = httpx.get(dtolab_stack["stac"], timeout=30).json()["conformsTo"]
    # When each is looked up
    names = [short_name(uri) for uri in conforms_to]
    unknown = [n for n in names if n not in VALIDATED and n not in NOT_IN_VALIDATOR]
    # Then none is unaccounted for, and the core of STAC API is among the validated ones
    assert not unknown, f"map these to a validator class or say why not: {unknown}"
    assert {"core", "collections", "ogcapi-features", "item-search"} <= set(names)


@pytest.mark.parametrize("cc", VALIDATOR_CLASSES)
def test_conformance_class(cc, declared, report):
    """stac-api-validator finds no error in a declared class, and skips none of its checks."""
    # Given a conformance class the server declares and the validator can check here
    if cc not in declared:
        pytest.skip(f"the server does not declare {cc}")
    if cc in NOT_RUNNABLE:
        pytest.skip(NOT_RUNNABLE[cc])
    # When the validator has run it
    result = report["classes"][cc]
    for warning in result["warnings"]:
        print(f"validator warning: {warning}")
    # Then it neither crashed nor found an error
    assert result["exception"] is None, result["exception"]
    assert not result["errors"], "\n".join(result["errors"])
    # and no check went unmade for want of matching Items
    skipped = [w for w in result["warnings"] if any(re.search(p, w) for p in SKIPPED_CHECK)]
    assert not skipped, "\n".join(skipped)


def test_validation_used_bundled_schemas_only(report):
    """Every schema came from a package or a listed stand-in; nothing was downloaded."""
    # Given the validator's run
    schemas = report["schemas"]
    # Then no schema was missing, STAC core schemas were really used, and every stand-in is listed
    assert not schemas["missing"], schemas["missing"]
    served = schemas["served"]
    item = "https://schemas.stacspec.org/v1.1.0/item-spec/json-schema/item.json"
    collection = "https://schemas.stacspec.org/v1.1.0/collection-spec/json-schema/collection.json"
    assert served.get(item) == served.get(collection) == "pystac", served
    assert set(schemas["unchecked"]) <= set(UNCHECKED_EXTENSION_SCHEMAS)


def test_validator_reports_a_broken_api(dtolab_stack):
    """The harness can fail: a Collection document given as the landing page is rejected."""
    # Given a URL that answers JSON but is no STAC API landing page
    root = f"{dtolab_stack['stac']}/collections/{COLLECTION}"
    # When the validator checks STAC API - Core there
    result = run_validator(root, ["core"])["classes"]["core"]
    # Then it reports the missing conformance classes
    assert result["exception"] is None, result["exception"]
    assert any("conformsTo" in e for e in result["errors"]), result["errors"]

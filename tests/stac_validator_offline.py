"""Run stac-api-validator without a network: its JSON Schemas come from installed packages.

Why this exists
---------------
stac-api-validator checks every Collection and Item it reads with stac-validator and pystac, and
both download the JSON Schemas they validate against at run time (schemas.stacspec.org,
geojson.org, stac-extensions.github.io, json-schema.org). The test machines reach no host but the
package registries, so without help every schema download fails and the validator reports network
errors instead of conformance results. This module serves those schemas from local copies while
the validator runs, and makes sure the run reaches nothing but this machine.

Where each schema comes from
----------------------------
- STAC 1.1.0 Item, Catalog and Collection schemas, and the Item-spec schemas they reference
  (common, basics, datetime, bands, data-values, instrument, licensing, provider): the copies that
  pystac ships in ``pystac/validation/jsonschemas/stac-spec/v1.1.0``, under the URLs that pystac
  itself maps them to (``pystac.validation.local_validator.get_local_schema_cache``).
- GeoJSON ``Feature.json`` and ``Geometry.json`` (referenced by the Item schema): pystac's copies
  in ``pystac/validation/jsonschemas/geojson``, from the same map.
- JSON Schema meta-schemas (draft-03 to 2020-12, e.g. ``http://json-schema.org/draft-07/schema``,
  referenced by the Collection schema): the ``jsonschema-specifications`` package that jsonschema
  depends on.
- Everything else - STAC extension schemas such as datacube or projection, STAC 1.0.0 schemas,
  STAC API schemas - is in no installed package. A request for one fails (HTTP 404, or an error
  from pystac) and is recorded in :attr:`SchemaLog.missing`, unless the caller lists the URL in
  ``unchecked`` with a reason: then a schema that accepts everything stands in for it, so the core
  schema is still checked but that extension's fields are not, and the use is recorded in
  :attr:`SchemaLog.unchecked`. stac-api-validator itself uses no STAC API schema (it checks the
  API's responses in code), so none is needed for the API conformance checks.

How
---
Inside :func:`offline_schemas`:

- ``requests`` (stac-validator, stac-check, pystac-client) is answered from the local copies at its
  transport layer, ``HTTPAdapter.send``, the hook the ``responses`` library uses too;
- pystac reads schemas through ``pystac.StacIO.default()``, which is set to a ``StacIO`` that
  answers from the same copies, and gets a fresh ``JsonSchemaSTACValidator`` so that nothing it
  caches outlives the block;
- ``socket.getaddrinfo`` refuses every host name but the loopback ones, so no other code path
  (stac-validator's link checks use ``urllib``) can reach the network; refused hosts are recorded
  in :attr:`SchemaLog.refused_hosts`.

Everything is restored when the block ends. ``python -m tests.stac_validator_offline`` runs
stac-api-validator under the shim, once per conformance class, and prints a JSON report; the
integration test runs it in a subprocess so that none of these patches touches the test process.
"""

from __future__ import annotations

import argparse
import io
import ipaddress
import json
import socket
import sys
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, redirect_stdout
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urldefrag, urlsplit

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


@dataclass
class SchemaLog:
    """What the validator asked for while :func:`offline_schemas` was active."""

    served: dict[str, str] = field(default_factory=dict)  # schema URL -> package it came from
    unchecked: dict[str, str] = field(default_factory=dict)  # URL -> reason it was not checked
    missing: list[str] = field(default_factory=list)  # off-machine URLs asked for, in no package
    refused_hosts: list[str] = field(default_factory=list)  # non-loopback hosts refused


def _normalise(url: str) -> str:
    return urldefrag(url)[0]


def bundled_schemas() -> dict[str, tuple[dict[str, Any], str]]:
    """Schema URL -> (schema, package that ships it), for every schema available offline."""
    from jsonschema_specifications import REGISTRY
    from pystac.validation.local_validator import get_local_schema_cache

    schemas: dict[str, tuple[dict[str, Any], str]] = {}
    for uri in REGISTRY:
        contents = REGISTRY[uri].contents
        if isinstance(contents, dict):
            schemas[_normalise(uri)] = (contents, "jsonschema-specifications")
    for uri, contents in get_local_schema_cache().items():
        schemas[_normalise(uri)] = (contents, "pystac")
    return schemas


def _is_loopback(host: str | bytes | None) -> bool:
    if host is None:
        return True  # a passive or local lookup
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Resolver:
    """Answers schema URLs from :func:`bundled_schemas` and ``unchecked`` stand-ins."""

    def __init__(self, unchecked: Mapping[str, str], log: SchemaLog) -> None:
        self.schemas = bundled_schemas()
        self.unchecked = {_normalise(url): reason for url, reason in unchecked.items()}
        self.log = log

    def lookup(self, url: str) -> dict[str, Any] | None:
        """The schema for ``url``, or None when ``url`` is on this machine (not a schema)."""
        if _is_loopback(urlsplit(url).hostname):
            return None
        key = _normalise(url)
        if key in self.schemas:
            schema, source = self.schemas[key]
            self.log.served[key] = source
            return schema
        if key in self.unchecked:
            self.log.unchecked[key] = self.unchecked[key]
            return {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "$id": key,
                "$comment": f"offline stand-in, accepts anything: {self.unchecked[key]}",
            }
        if key not in self.log.missing:
            self.log.missing.append(key)
        raise LookupError(f"offline test: no installed package ships the schema {key}")


@contextmanager
def offline_schemas(unchecked: Mapping[str, str] | None = None) -> Iterator[SchemaLog]:
    """Serve JSON Schemas from installed packages and keep the process off the network.

    ``unchecked`` maps schema URLs that no package ships to the reason they may go unchecked;
    each is answered with a schema that accepts anything. Any other schema request fails.
    """
    import pystac
    import pystac.validation
    import requests.adapters
    import urllib3
    from pystac.validation.stac_validator import JsonSchemaSTACValidator

    log = SchemaLog()
    resolver = _Resolver(unchecked or {}, log)

    real_send = requests.adapters.HTTPAdapter.send
    real_getaddrinfo = socket.getaddrinfo
    real_stac_io = type(pystac.StacIO.default())
    real_validator = pystac.validation.RegisteredValidator.get_validator()

    def send(adapter, request, *args, **kwargs):
        try:
            schema = resolver.lookup(request.url)
        except LookupError as error:
            body, status, reason = str(error).encode(), 404, "Not Found"
        else:
            if schema is None:
                return real_send(adapter, request, *args, **kwargs)
            body, status, reason = json.dumps(schema).encode(), 200, "OK"
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(body),
            headers={"Content-Type": "application/schema+json"},
            status=status,
            reason=reason,
            preload_content=False,
        )
        return adapter.build_response(request, raw)

    class OfflineStacIO(real_stac_io):
        def read_text_from_href(self, href: str) -> str:
            if urlsplit(href).scheme in ("http", "https"):
                schema = resolver.lookup(href)  # raises LookupError for a missing schema
                if schema is not None:
                    return json.dumps(schema)
            return super().read_text_from_href(href)

    def getaddrinfo(host, *args, **kwargs):
        if not _is_loopback(host):
            name = host.decode() if isinstance(host, bytes) else str(host)
            if name not in log.refused_hosts:
                log.refused_hosts.append(name)
            raise socket.gaierror(socket.EAI_NONAME, f"offline test: {name} is not reachable")
        return real_getaddrinfo(host, *args, **kwargs)

    requests.adapters.HTTPAdapter.send = send
    socket.getaddrinfo = getaddrinfo
    pystac.StacIO.set_default(OfflineStacIO)
    pystac.validation.RegisteredValidator.set_validator(JsonSchemaSTACValidator())
    _clear_stac_validator_cache()
    try:
        yield log
    finally:
        requests.adapters.HTTPAdapter.send = real_send
        socket.getaddrinfo = real_getaddrinfo
        pystac.StacIO.set_default(real_stac_io)
        pystac.validation.RegisteredValidator.set_validator(real_validator)
        # stac-validator keeps downloaded schemas in a process-wide cache: drop the stand-ins.
        _clear_stac_validator_cache()


def _clear_stac_validator_cache() -> None:
    from stac_validator import utilities

    clear = getattr(utilities.fetch_and_parse_schema, "cache_clear", None)
    if clear is not None:
        clear()


def validate(
    root_url: str,
    conformance_classes: list[str],
    *,
    collection: str,
    geometry: dict[str, Any],
    fields_nested_property: str | None = None,
    validate_pagination: bool = False,
    unchecked: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Run stac-api-validator once per conformance class, offline; return a JSON-able report.

    Each class gets its own run, so an exception inside the validator (it has a few on unusual
    responses) loses only that class's result, and is reported with its traceback.
    """
    from stac_api_validator.validations import QueryConfig, validate_api

    report: dict[str, Any] = {"classes": {}}
    with offline_schemas(unchecked) as log:
        for cc in conformance_classes:
            result: dict[str, Any] = {"warnings": [], "errors": [], "exception": None}
            try:
                warnings, errors = validate_api(
                    root_url=root_url,
                    ccs_to_validate=[cc],
                    collection=collection,
                    geometry=json.dumps(geometry),
                    auth_bearer_token=None,
                    auth_query_parameter=None,
                    fields_nested_property=fields_nested_property,
                    validate_pagination=validate_pagination,
                    query_config=QueryConfig(*[None] * 13),
                    transaction_collection=None,
                    # uvicorn closes the connection after a response to an unhandled error
                    # without a `Connection: close` header; requests would then send the next
                    # request on the dead pooled connection and crash the validator with
                    # ECONNRESET instead of letting it report the error status.
                    headers={"Connection": "close"},
                )
                result["warnings"] = warnings.as_list()
                result["errors"] = errors.as_list()
            except Exception:  # noqa: BLE001 - reported to the test, which fails on it
                result["exception"] = traceback.format_exc()
            report["classes"][cc] = result
    report["schemas"] = asdict(log)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root-url", required=True)
    parser.add_argument("--conformance", action="append", required=True)
    parser.add_argument("--collection", required=True)
    parser.add_argument("--geometry", required=True, help="GeoJSON geometry for intersects")
    parser.add_argument("--fields-nested-property", help="e.g. properties.title")
    parser.add_argument("--validate-pagination", action="store_true")
    parser.add_argument(
        "--unchecked",
        default="{}",
        help="JSON object: schema URL -> reason it may go unchecked",
    )
    args = parser.parse_args(argv)
    with redirect_stdout(sys.stderr):  # stdout carries the report alone
        report = validate(
            args.root_url,
            args.conformance,
            collection=args.collection,
            geometry=json.loads(args.geometry),
            fields_nested_property=args.fields_nested_property,
            validate_pagination=args.validate_pagination,
            unchecked=json.loads(args.unchecked),
        )
    json.dump(report, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

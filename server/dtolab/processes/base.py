"""What every dtolab what-if process shares: validated inputs, a job context on Dask, an outcome.

A process is a pygeoapi processor whose metadata declares each input as JSON Schema with a
default (so that ``{"inputs": {}}`` runs a small, meaningful case), units and bounds. The dtolab
job manager (``dtolab.processes.manager``) calls ``prepare`` before a job exists, so bad input
is a 400 naming the field (or a 413 naming the limit) and never a failed job; ``run`` then does
the work on the job's Dask client and returns an ``Outcome``: a Dataset with a ``case``
dimension (baseline, scenario), a summary, and what the result item needs (extent, sources).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import jsonschema
import numpy as np
import xarray as xr
from distributed import KilledWorker
from pygeoapi.process.base import BaseProcessor, ProcessorExecuteError

from ..client.catalog import Catalog, Item, open_item
from ..errors import DtolabError, NotFound
from ..stack.auth import SERVICE_TOKEN_ENV

CASES = ("baseline", "scenario")


#: What every what-if process offers: both execution modes, dismissal, outputs by value or link.
JOB_CONTROL = ["sync-execute", "async-execute", "dismiss"]
TRANSMISSION = ["value", "reference"]
#: The output every what-if process shares: its result, registered in the catalogue.
ITEM_OUTPUT = {
    "title": "Result item",
    "description": "The STAC item registered in 'dtolab-scenario-results'.",
    "schema": {"type": "string", "contentMediaType": "application/geo+json"},
}


def about(title: str, href: str) -> dict[str, str]:
    """A process description's link to its method's source."""
    return {"type": "text/html", "rel": "about", "title": title, "href": href, "hreflang": "en-US"}


def case_coord() -> np.ndarray:
    """The ``case`` coordinate (variable-length strings: Zarr v3 has no fixed-width ones)."""
    return np.array(CASES, dtype=object)


class Rejected(ProcessorExecuteError):
    """Input that cannot run: HTTP 400, the message names the input."""

    ogc_exception_code = "InvalidParameterValue"
    http_status_code = HTTPStatus.BAD_REQUEST

    def __init__(self, field: str, message: str) -> None:
        super().__init__(user_msg=f"inputs.{field}: {message}")
        self.field = field


class TooLarge(Rejected):
    """A request over a size limit: HTTP 413, the message gives the limit."""

    http_status_code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE


class Cancelled(Exception):
    """The job was dismissed while it ran."""


#: What a running job may meet, each failing the job with its message (and nothing else):
#: input or data found wrong late, the model's own failures (a diverging integration, a shape
#: mismatch, a missing key, memory), files and the network (OSError includes timeouts), and a
#: Dask task whose worker kept dying (the scheduler retries it first).
JOB_ERRORS: tuple[type[BaseException], ...] = (
    DtolabError,
    ProcessorExecuteError,
    ArithmeticError,
    ValueError,
    TypeError,
    LookupError,
    AssertionError,
    MemoryError,
    RuntimeError,
    OSError,
    KilledWorker,
)


@dataclass
class Outcome:
    """What a process produced: ``dataset`` (dims ``case`` first), a JSON ``summary``, the
    result's ``bbox`` and time interval, and the catalogue items it read."""

    dataset: xr.Dataset
    summary: dict[str, Any]
    bbox: list[float]
    interval: tuple[str, str]
    sources: list[Item] = field(default_factory=list)


@dataclass
class Context:
    """A running job as a process sees it: its Dask client, progress and cancellation."""

    job_id: str
    client: Any
    report: Callable[[int, str], None] = lambda progress, message: None
    cancel_event: threading.Event = field(default_factory=threading.Event)
    still_wanted: Callable[[], bool] = lambda: True
    deadline: float | None = None

    def progress(self, percent: float, message: str) -> None:
        self.check()
        self.report(int(max(0, min(99, percent))), message)

    def check(self) -> None:
        """Raise ``Cancelled`` if the job was dismissed, TimeoutError past its deadline."""
        if self.cancel_event.is_set() or not self.still_wanted():
            self.cancel_event.set()
            raise Cancelled(self.job_id)
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TimeoutError("the job ran past the manager's job_timeout")

    def gather(self, futures: list[Any], start: float, end: float, message: str) -> list[Any]:
        """Wait for Dask ``futures``, reporting progress from ``start`` to ``end`` percent,
        checking for dismissal twice a second; a failed task fails the job (a killed worker
        is retried by the scheduler and fails with KilledWorker after its allowed failures)."""
        from distributed import wait

        pending = set(futures)
        total = max(1, len(futures))
        try:
            while pending:
                self.check()
                try:
                    done, pending = wait(pending, timeout=0.5, return_when="FIRST_COMPLETED")
                except TimeoutError:
                    continue
                for future in done:
                    if future.status == "error":
                        future.result()  # raises the task's exception
                finished = total - len(pending)
                self.progress(start + (end - start) * finished / total, message)
            return self.client.gather(futures)
        except BaseException:
            self.client.cancel(futures)
            raise


def validate_inputs(metadata: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs with defaults filled in, each checked against its JSON Schema."""
    if not isinstance(data, Mapping):
        raise Rejected("", "inputs must be a JSON object")
    declared = metadata["inputs"]
    unknown = sorted(set(data) - set(declared))
    if unknown:
        raise Rejected(unknown[0], f"unknown input; this process takes {', '.join(declared)}")
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        schema = spec["schema"]
        value = data[name] if name in data else schema.get("default")
        if value is None and name not in data and spec.get("minOccurs", 0) == 0:
            values[name] = None
            continue
        errors = sorted(
            jsonschema.Draft202012Validator(schema).iter_errors(value),
            key=lambda e: list(e.absolute_path),
        )
        if errors:
            err = errors[0]
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
            raise Rejected(f"{name}{where}", err.message)
        values[name] = value
    return values


def check_bbox(name: str, box: Iterable[float]) -> tuple[float, float, float, float]:
    west, south, east, north = (float(v) for v in box)
    if not (-180 <= west < east <= 180):
        raise Rejected(name, "needs -180 <= west < east <= 180 (boxes across 180 deg: run two)")
    if not (-90 <= south < north <= 90):
        raise Rejected(name, "needs -90 <= south < north <= 90")
    return west, south, east, north


def check_inside(name: str, box: tuple[float, ...], extent: tuple[float, ...], what: str) -> None:
    """A box (or a point, west = east and south = north) must meet the data's extent; the
    error gives the extent."""
    west, south, east, north = box
    ew, es, ee, en = extent
    point = west == east and south == north
    if point:
        outside = not (ew <= west <= ee and es <= south <= en)
        shown = f"({west}, {south})"
    else:
        outside = west >= ee or east <= ew or south >= en or north <= es
        shown = f"[{west}, {south}, {east}, {north}]"
    if outside:
        raise Rejected(
            name,
            f"{shown} is outside the data of {what}, whose extent is "
            f"[{ew:g}, {es:g}, {ee:g}, {en:g}] (west, south, east, north)",
        )


def item_interval(item: Item) -> tuple[str, str]:
    """An item's time span (start, end) from its properties."""
    props = item.properties
    start = props.get("start_datetime") or props.get("datetime")
    return start, props.get("end_datetime") or start


class ScenarioProcessor(BaseProcessor):
    """Base of dtolab's processes. Subclasses set ``METADATA`` and implement ``prepare`` (inputs
    -> a plan, raising Rejected/TooLarge) and ``run`` (plan, Context -> Outcome)."""

    METADATA: dict[str, Any] = {}

    def __init__(self, processor_def: dict) -> None:
        super().__init__(processor_def, self.METADATA)
        self.stac_url = processor_def.get("stac_url")

    # -- catalogue access -----------------------------------------------------------------
    def item(self, field_name: str, item_id: str, collection: str | None = None) -> Item:
        if not self.stac_url:
            raise Rejected(field_name, "no catalogue is configured for this process (stac_url)")
        # Under `dtolab hub` the catalogue needs a token: the stack's own service token.
        catalog = Catalog(self.stac_url, token=os.environ.get(SERVICE_TOKEN_ENV) or None)
        try:
            return catalog.item(item_id, collection=collection)
        except NotFound:
            raise Rejected(field_name, f"no item {item_id!r} in the catalogue") from None
        finally:
            catalog.close()

    def open(self, field_name: str, item: Item, variables: list[str] | None = None) -> xr.Dataset:
        try:
            return open_item(item, variables=variables)
        except DtolabError as err:
            raise Rejected(field_name, err.message) from err

    # -- the two steps --------------------------------------------------------------------
    def prepare(self, data: Mapping[str, Any]) -> Any:
        raise NotImplementedError

    def run(self, plan: Any, ctx: Context) -> Outcome:
        raise NotImplementedError

    def execute(self, data: dict, outputs: dict | None = None) -> tuple[str, dict]:
        """pygeoapi's plain entry point (used only without dtolab's manager): runs on a
        throwaway in-process Dask client and returns the summary."""
        from distributed import Client

        plan = self.prepare(data)
        with Client(processes=False, dashboard_address=None) as client:
            outcome = self.run(plan, Context(job_id="local", client=client))
        return "application/json", outcome.summary

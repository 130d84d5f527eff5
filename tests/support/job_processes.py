"""Processes for the job manager's fault tests: one that sleeps on a Dask worker, one whose
model raises there. Loaded by dotted name, as pygeoapi loads any processor."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import xarray as xr

from dtolab.processes.base import Context, Outcome, ScenarioProcessor, case_coord, validate_inputs


def _metadata(pid: str) -> dict[str, Any]:
    return {
        "version": "0.1.0",
        "id": pid,
        "title": pid,
        "description": "test process",
        "jobControlOptions": ["sync-execute", "async-execute"],
        "keywords": [],
        "inputs": {
            "seconds": {
                "title": "Seconds",
                "description": "How long the Dask task sleeps.",
                "schema": {"type": "number", "minimum": 0, "default": 0.1},
            }
        },
        "outputs": {},
    }


@dataclass
class Plan:
    inputs: dict[str, Any]


def sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def diverge(seconds: float) -> float:
    time.sleep(seconds)
    raise FloatingPointError("the model diverged at step 3")


def _outcome(value: float) -> Outcome:
    ds = xr.Dataset({"slept": (("case",), [0.0, value])}, coords={"case": case_coord()})
    return Outcome(
        ds, {"process": "test", "slept": value}, [0, 0, 1, 1], ("2020-01-01T00:00:00Z",) * 2
    )


class SleepProcessor(ScenarioProcessor):
    METADATA = _metadata("test-sleep")
    task = staticmethod(sleep)

    def prepare(self, data: dict[str, Any]) -> Plan:
        return Plan(validate_inputs(self.metadata, data))

    def run(self, plan: Plan, ctx: Context) -> Outcome:
        future = ctx.client.submit(self.task, float(plan.inputs["seconds"]), pure=False)
        (value,) = ctx.gather([future], 5, 85, "sleeping")
        return _outcome(value)


class CrashProcessor(SleepProcessor):
    METADATA = _metadata("test-crash")
    task = staticmethod(diverge)

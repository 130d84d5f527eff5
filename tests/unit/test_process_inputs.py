"""The what-if processes' input checking and the pieces of their methods that are not in
dtolab.science: JSON Schema validation naming the field, extents, the daily series built from a
monthly climatology, the heatwave pulse, the drift release disc."""

from __future__ import annotations

import calendar
import subprocess
import sys

import numpy as np
import pytest

from dtolab.processes import drift, heat_stress, sea_level_rise
from dtolab.processes.base import Rejected, check_inside, validate_inputs

ALL = (heat_stress.METADATA, drift.METADATA, sea_level_rise.METADATA)


@pytest.mark.parametrize("metadata", ALL, ids=lambda m: m["id"])
def test_defaults_are_valid_inputs(metadata):
    values = validate_inputs(metadata, {})
    for name, spec in metadata["inputs"].items():
        assert values[name] == spec["schema"]["default"]
    assert metadata["method"] and metadata["links"]


@pytest.mark.parametrize(
    ("metadata", "inputs", "field"),
    [
        (sea_level_rise.METADATA, {"rise": "1"}, "inputs.rise:"),
        (sea_level_rise.METADATA, {"bbox": [0, 0, 1, "x"]}, "inputs.bbox[3]:"),
        (
            heat_stress.METADATA,
            {"heatwave": {"amplitude": 1, "start_day": 0, "duration_days": 3}},
            "inputs.heatwave.start_day:",
        ),
        (drift.METADATA, {"wind": {"speed": 5}}, "inputs.wind:"),
        (drift.METADATA, {"particles": 0}, "inputs.particles:"),
        (drift.METADATA, {"speed": 1}, "inputs.speed:"),
    ],
)
def test_schema_violations_name_the_field(metadata, inputs, field):
    with pytest.raises(Rejected) as caught:
        validate_inputs(metadata, inputs)
    assert caught.value.message.startswith(field)
    assert caught.value.http_status_code == 400


def test_extent_errors_give_the_extent():
    check_inside("bbox", (0, 0, 10, 10), (-5, -5, 5, 5), "x")  # overlapping: fine
    with pytest.raises(Rejected, match=r"extent is \[-5, -5, 5, 5\]"):
        check_inside("bbox", (6, 6, 10, 10), (-5, -5, 5, 5), "x")
    with pytest.raises(Rejected, match=r"\(6.0, 0.0\) is outside"):
        check_inside("start", (6.0, 0.0, 6.0, 0.0), (-5, -5, 5, 5), "x")


@pytest.mark.parametrize("year", [2030, 2032])
def test_daily_series_from_monthly_means(year):
    weights = heat_stress.daily_weights(year)
    days = 366 if calendar.isleap(year) else 365
    assert weights.shape == (days, 12)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)
    monthly = np.arange(12, dtype="float64") * 2.0  # Jan 0, ..., Dec 22
    daily = weights @ monthly
    # The middle day of January of a 31-day month is 15 (0-based): exactly January's mean.
    assert daily[15] == pytest.approx(0.0, abs=1e-12)
    # Between mid-December and mid-January the series wraps round (periodic): on 1 January,
    # 15.5 days after mid-December (Dec 16.5) and 15 days before mid-January (Jan 15.5).
    assert daily[0] == pytest.approx(22 * 15 / 31, rel=1e-9)
    # Linear interpolation never exceeds the warmest month: the baseline has no HotSpot.
    assert daily.max() <= monthly.max() + 1e-12


def test_heatwave_pulse():
    anomaly = heat_stress.pulse(365, {"amplitude": 1.5, "start_day": 10, "duration_days": 5})
    assert np.flatnonzero(anomaly).tolist() == [9, 10, 11, 12, 13]
    assert anomaly.max() == pytest.approx(1.5)
    assert not heat_stress.pulse(365, None).any()


def test_tile_worked_case():
    """One pixel, a flat 28 degC climatology, +2 degC for 28 days: HS = 2 every day of the
    pulse, DHW = 28 * 2 / 7 = 8 -> Alert Level 2 (code 4); baseline: no stress."""
    monthly = np.full((12, 1, 1), 28.0, dtype="float32")
    weights = heat_stress.daily_weights(2030)
    anomaly = heat_stress.pulse(365, {"amplitude": 2.0, "start_day": 100, "duration_days": 28})
    out = heat_stress.tile_stress(monthly, weights, 0.0, anomaly)
    mmm, base_dhw, base_level, scen_dhw, scen_level = out[:, 0, 0]
    assert mmm == pytest.approx(28.0)
    assert base_dhw == 0 and base_level == 0
    assert scen_dhw == pytest.approx(8.0, rel=1e-5)
    assert scen_level == 4


def test_release_disc():
    lon, lat = drift.release(-3.0, 45.0, 1000.0, 20_000, seed=1)
    dist = drift._distance_km(-3.0, 45.0, lon, lat)
    assert dist.max() <= 1.0 + 1e-6
    # Uniform on the disc: half the particles within r / sqrt(2).
    assert np.mean(dist <= 1 / np.sqrt(2)) == pytest.approx(0.5, abs=0.02)


def test_dask_tasks_import_without_the_embedded_stack():
    # Given a Python that loads the module Dask workers unpickle the processes' tasks from
    code = (
        "import sys, dtolab.processes.tasks\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygeoapi', 'flask')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # Then neither pygeoapi nor its web framework came with it: the gateway's workers run the
    # base image, which has no embedded stack
    assert done.stdout.strip() == "[]"

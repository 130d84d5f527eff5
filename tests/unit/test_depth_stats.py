"""Depth statistics against cases computed by hand."""

import math

import numpy as np
import pytest
import xarray as xr

from dtolab.errors import InvalidInput
from dtolab.processes.depth_stats import (
    EARTH_RADIUS_KM,
    cell_areas_km2,
    check_box,
    depth_statistics,
)


def grid(values, lat, lon):
    return xr.DataArray(
        np.array(values, dtype="float32"), coords={"lat": lat, "lon": lon}, dims=("lat", "lon")
    )


def test_cell_areas_sum_to_the_sphere():
    # Given a global 1-degree grid / Then its cells add up to 4 pi R^2
    lat = np.arange(-89.5, 90, 1.0)
    total = cell_areas_km2(lat, 1.0, 1.0).sum() * 360
    assert total == pytest.approx(4 * math.pi * EARTH_RADIUS_KM**2, rel=1e-9)


def test_equatorial_cells_by_hand():
    # A 1 x 1 degree cell centred on the equator: R^2 * (pi/180) * 2 sin(0.5 deg)
    expected = EARTH_RADIUS_KM**2 * math.radians(1) * 2 * math.sin(math.radians(0.5))
    assert cell_areas_km2(np.array([0.0]), 1.0, 1.0)[0] == pytest.approx(expected)
    assert expected == pytest.approx(12364, rel=1e-3)  # ~111.2 km x 111.2 km


def test_statistics_weight_cells_by_area():
    # Given two ocean cells at 0 and 60 degrees north (the latter half as large) and one land cell
    lat = [0.0, 60.0]
    lon = [0.0, 1.0]
    elevation = grid([[-1000, 50], [-4000, float("nan")]], lat, lon)
    # When statistics are computed over the whole grid
    result = depth_statistics(elevation, (-1, -1, 2, 61))
    # Then the mean depth is the area-weighted one
    a0 = cell_areas_km2(np.array([0.0]), 1.0, 60.0)[0]
    a60 = cell_areas_km2(np.array([60.0]), 1.0, 60.0)[0]
    assert result["ocean_cells"] == 2 and result["cells"] == 4
    assert result["min_depth_m"] == 1000 and result["max_depth_m"] == 4000
    assert result["mean_depth_m"] == pytest.approx((1000 * a0 + 4000 * a60) / (a0 + a60), abs=0.1)
    assert result["ocean_fraction"] == pytest.approx((a0 + a60) / (2 * a0 + a60), abs=1e-4)


def test_all_land_has_no_depths():
    result = depth_statistics(grid([[10, 20], [5, 0]], [0.0, 1.0], [0.0, 1.0]), (-1, -1, 2, 2))
    assert result["ocean_cells"] == 0 and result["mean_depth_m"] is None


@pytest.mark.parametrize("box", [[1, 2, 3], [5, 0, 1, 1], [0, 10, 1, 5], ["a", 0, 1, 1], "0,0,1,1"])
def test_bad_boxes(box):
    with pytest.raises(InvalidInput) as info:
        check_box(box)
    assert info.value.field == "bbox"


def test_empty_box():
    with pytest.raises(InvalidInput, match="no grid cell"):
        depth_statistics(grid([[1.0]], [0.0], [0.0]), (10, 10, 11, 11))

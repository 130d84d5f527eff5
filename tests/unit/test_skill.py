"""Worked cases for the Liu & Weisberg (2011) trajectory skill score (computed by hand)."""

import numpy as np
import pytest

from dtolab.science.skill import (
    EARTH_RADIUS_KM,
    cumulative_length_km,
    great_circle_km,
    liu_weisberg_skill,
    trajectory_skill,
)

# One degree of a great circle on the mean Earth sphere: 6371.0088 * pi / 180 km.
DEGREE_KM = EARTH_RADIUS_KM * np.pi / 180


def test_hand_worked_score():
    # Given separations 0, 1, 3, 4 km while the drifter has travelled 0, 5, 10, 20 km
    # When scored with the paper's tolerance n = 1
    # Then s = (1 + 3 + 4) / (5 + 10 + 20) = 8 / 35 and skill = 1 - 8 / 35 = 27 / 35
    assert liu_weisberg_skill([0, 1, 3, 4], [0, 5, 10, 20]) == pytest.approx(27 / 35)


def test_tolerance_threshold():
    # s = (6 + 12) / (4 + 8) = 1.5: no skill at n = 1, 1 - 1.5 / 2 = 0.25 at n = 2
    assert liu_weisberg_skill([6, 12], [4, 8]) == 0.0
    assert liu_weisberg_skill([6, 12], [4, 8], n=2) == pytest.approx(0.25)
    # s = n exactly is the last value with skill, and that skill is 0
    assert liu_weisberg_skill([4, 8], [4, 8]) == 0.0


def test_undefined_and_mismatched_inputs_are_refused():
    with pytest.raises(ValueError, match="zero length"):
        liu_weisberg_skill([0, 0], [0, 0])
    with pytest.raises(ValueError, match="differ"):
        liu_weisberg_skill([0, 1], [0, 1, 2])


def test_distances_along_the_equator_and_a_meridian():
    assert great_circle_km(0, 0, 1, 0) == pytest.approx(DEGREE_KM)
    assert great_circle_km(10, 44, 10, 45) == pytest.approx(DEGREE_KM)
    # At 60 N one degree of longitude is about half a degree of a great circle
    assert great_circle_km(0, 60, 1, 60) == pytest.approx(DEGREE_KM / 2, rel=1e-4)
    assert cumulative_length_km([0, 1, 2, 2], [0, 0, 0, 1]) == pytest.approx(
        [0, DEGREE_KM, 2 * DEGREE_KM, 3 * DEGREE_KM]
    )


def test_trajectory_skill_of_a_model_at_half_the_observed_speed():
    # Given a drifter moving 1 degree east per step along the equator and a model moving 0.5
    obs_lon, model_lon = np.arange(4.0), np.arange(4.0) / 2
    zeros = np.zeros(4)
    # When scored
    result = trajectory_skill(model_lon, zeros, obs_lon, zeros)
    # Then d_i = l_oi / 2 at every time, s = 1/2 and skill = 1/2
    assert result["separation_km"] == pytest.approx(np.arange(4) * DEGREE_KM / 2)
    assert result["observed_length_km"] == pytest.approx(np.arange(4) * DEGREE_KM)
    assert result["skill"] == pytest.approx(0.5)
    # A model that stays at the start has no skill (s = 1), a perfect one has skill 1
    assert trajectory_skill(zeros, zeros, obs_lon, zeros)["skill"] == 0.0
    assert trajectory_skill(obs_lon, zeros, obs_lon, zeros)["skill"] == 1.0

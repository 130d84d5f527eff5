"""How well a modelled trajectory follows an observed one (a drifter).

Method: the normalized cumulative Lagrangian separation skill score of Liu & Weisberg (2011),
"Evaluation of trajectory modeling in different dynamic regions using normalized cumulative
Lagrangian separation", J. Geophys. Res. 116, C09013, doi:10.1029/2010JC006837 (their eqs. 4-5):

    s = sum_i d_i / sum_i l_oi,        skill = 1 - s / n  if s <= n, else 0,

with ``d_i`` the separation between the modelled and observed positions at time ``i``, ``l_oi``
the length of the observed trajectory from its start to time ``i`` and ``n`` the tolerance
threshold (``n = 1`` in the paper: no skill once the summed separation reaches the summed
distance travelled). Skill is 1 for a perfect model and 0 for no skill. Distances are great
circles on a sphere of the mean Earth radius.
"""

from __future__ import annotations

from typing import Any

import numpy as np

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> np.ndarray:
    """Great-circle distance (km) between points in degrees (haversine formula)."""
    lon1, lat1, lon2, lat2 = (
        np.deg2rad(np.asarray(a, dtype="float64")) for a in (lon1, lat1, lon2, lat2)
    )
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def cumulative_length_km(lon: Any, lat: Any) -> np.ndarray:
    """Length (km) of a trajectory from its first point to each point (0 at the first)."""
    lon, lat = np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")
    legs = great_circle_km(lon[:-1], lat[:-1], lon[1:], lat[1:])
    return np.concatenate([[0.0], np.cumsum(legs)])


def liu_weisberg_skill(separation: Any, observed_length: Any, n: float = 1.0) -> float:
    """Liu & Weisberg (2011) skill score from separations ``d_i`` and cumulative observed
    lengths ``l_oi`` at the same times (any one unit; a leading time 0 with both 0 is allowed)."""
    d = np.asarray(separation, dtype="float64")
    length = np.asarray(observed_length, dtype="float64")
    if d.shape != length.shape:
        raise ValueError(f"separation {d.shape} and observed_length {length.shape} differ")
    total = float(length.sum())
    if total <= 0:
        raise ValueError("the observed trajectory has zero length: the score is undefined")
    s = float(d.sum()) / total
    return 1.0 - s / n if s <= n else 0.0


def trajectory_skill(
    model_lon: Any, model_lat: Any, obs_lon: Any, obs_lat: Any, n: float = 1.0
) -> dict[str, Any]:
    """Separation (km) at each common time, cumulative observed length (km) and the
    Liu & Weisberg skill of a modelled trajectory against an observed one sampled at the same
    times (the first point being the common start)."""
    separation = great_circle_km(model_lon, model_lat, obs_lon, obs_lat)
    length = cumulative_length_km(obs_lon, obs_lat)
    return {
        "separation_km": separation,
        "observed_length_km": length,
        "skill": liu_weisberg_skill(separation, length, n),
    }

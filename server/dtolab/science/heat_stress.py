"""Coral bleaching heat stress, as NOAA Coral Reef Watch (CRW) defines it.

Source: NOAA Coral Reef Watch, "Methodology, product description, and data availability of
NOAA Coral Reef Watch's Version 3.1 daily global 5km satellite coral bleaching heat stress
monitoring products" (https://coralreefwatch.noaa.gov/product/5km/methodology.php), and the
Bleaching Alert Area extension to Alert Levels 3-5 (CRW, December 2023). Liu et al. (2014),
Remote Sensing 6(11), 11579-11606, doi:10.3390/rs61111579.

- MMM (maximum monthly mean): the warmest month of the monthly SST climatology, per pixel.
- HotSpot (HS): SST - MMM where positive, else 0 (degC).
- Degree Heating Week (DHW): the sum of daily HotSpots of at least 1 degC over the trailing 12
  weeks (84 days, today included), divided by 7 (degC-weeks).
- Bleaching Alert Area, from today's HS and DHW:

  ====  =================  =========================
  code  level              condition
  ====  =================  =========================
  0     No Stress          HS <= 0
  1     Bleaching Watch    0 < HS < 1
  2     Bleaching Warning  HS >= 1 and 0 < DHW < 4
  3     Alert Level 1      HS >= 1 and 4 <= DHW < 8
  4     Alert Level 2      HS >= 1 and 8 <= DHW < 12
  5     Alert Level 3      HS >= 1 and 12 <= DHW < 16
  6     Alert Level 4      HS >= 1 and 16 <= DHW < 20
  7     Alert Level 5      HS >= 1 and DHW >= 20
  ====  =================  =========================

  (HS >= 1 with DHW = 0 cannot happen: today's HotSpot is in the window.)
"""

from __future__ import annotations

import warnings

import numpy as np

WINDOW_DAYS = 84
HOTSPOT_THRESHOLD = 1.0
LEVELS = (
    "No Stress",
    "Bleaching Watch",
    "Bleaching Warning",
    "Alert Level 1",
    "Alert Level 2",
    "Alert Level 3",
    "Alert Level 4",
    "Alert Level 5",
)
#: Lower DHW bounds (degC-weeks) of Alert Levels 1 to 5.
ALERT_DHW = (4.0, 8.0, 12.0, 16.0, 20.0)


def mmm(monthly: np.ndarray) -> np.ndarray:
    """Maximum monthly mean: the warmest of 12 climatological months (axis 0)."""
    if monthly.shape[0] != 12:
        raise ValueError(f"a monthly climatology has 12 steps on axis 0, got {monthly.shape[0]}")
    with warnings.catch_warnings():  # land: all months NaN, and so is its MMM
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmax(monthly, axis=0)


def hotspots(sst: np.ndarray, mmm_: np.ndarray) -> np.ndarray:
    """Daily HotSpots (degC): SST above the MMM, zero where not above."""
    return np.maximum(sst - mmm_, 0.0)


def degree_heating_weeks(hs: np.ndarray) -> np.ndarray:
    """DHW for every day (axis 0): the trailing 84-day sum of HotSpots >= 1 degC, over 7.

    The first days have a shorter window (what came before the series is not known).
    """
    counted = np.where(hs >= HOTSPOT_THRESHOLD, hs, 0.0)
    total = np.cumsum(counted, axis=0, dtype="float64")
    before = np.zeros_like(total)
    before[WINDOW_DAYS:] = total[:-WINDOW_DAYS]
    return ((total - before) / 7.0).astype(hs.dtype, copy=False)


def alert_level(hs: np.ndarray, dhw: np.ndarray) -> np.ndarray:
    """Bleaching Alert Area codes (0-7, see LEVELS) from HotSpots and DHW of the same days."""
    level = np.zeros(np.broadcast(hs, dhw).shape, dtype="int8")
    level[hs > 0] = 1
    stressed = hs >= HOTSPOT_THRESHOLD
    level[stressed & (dhw > 0)] = 2
    for code, bound in enumerate(ALERT_DHW, start=3):
        level[stressed & (dhw >= bound)] = code
    return level

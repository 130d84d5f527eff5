"""Worked cases for the science of the what-if processes (values computed by hand)."""

import numpy as np
import pytest

from dtolab.science import heat_stress as crw
from dtolab.science import sea_level

MMM = 28.0


def series(hotspot_by_day):
    """Daily SST of one pixel whose HotSpot on day d is hotspot_by_day[d] (MMM = 28 degC)."""
    return (MMM + np.asarray(hotspot_by_day, dtype="float32"))[:, None]


def test_mmm_is_the_warmest_month():
    monthly = np.array([20, 21, 22, 24, 26, 27, 28, 28.5, 27, 25, 23, 21], "float32")[:, None]
    assert crw.mmm(monthly)[0] == 28.5
    with pytest.raises(ValueError, match="12 steps"):
        crw.mmm(monthly[:11])


def test_hotspots_are_positive_anomalies_only():
    hs = crw.hotspots(series([-1.0, 0.0, 0.5, 1.0, 2.5]), np.float32(MMM))
    assert hs[:, 0].tolist() == [0.0, 0.0, 0.5, 1.0, 2.5]


def test_only_hotspots_of_at_least_one_degree_accumulate():
    hs = crw.hotspots(series([0.99] * 7 + [1.0] * 7), np.float32(MMM))
    dhw = crw.degree_heating_weeks(hs)[:, 0]
    assert dhw[6] == 0.0  # seven days of 0.99 degC count for nothing
    assert dhw[13] == pytest.approx(1.0)  # seven days of 1.0 degC: one degC-week


def test_every_alert_boundary():
    # HS = 2 degC every day: DHW on day d is 2 (d + 1) / 7 until the 84-day window is full.
    hs = crw.hotspots(series([2.0] * 100), np.float32(MMM))
    dhw = crw.degree_heating_weeks(hs)
    level = crw.alert_level(hs, dhw)[:, 0]
    expected_first_day = {2: 0, 3: 13, 4: 27, 5: 41, 6: 55, 7: 69}  # DHW 4, 8, 12, 16, 20
    for code, day in expected_first_day.items():
        assert level[day] == code, (code, day, float(dhw[day, 0]))
        if day:
            assert level[day - 1] == code - 1
    assert dhw[13, 0] == pytest.approx(4.0) and dhw[69, 0] == pytest.approx(20.0)
    # The window holds 12 weeks: from day 83 on, DHW stays at 2 * 84 / 7 = 24.
    assert dhw[83:, 0] == pytest.approx(np.full(17, 24.0))
    assert crw.LEVELS[level[99]] == "Alert Level 5"


def test_watch_and_no_stress_ignore_past_heat():
    days = [2.0] * 84 + [0.5, 0.0]
    hs = crw.hotspots(series(days), np.float32(MMM))
    dhw = crw.degree_heating_weeks(hs)
    level = crw.alert_level(hs, dhw)[:, 0]
    assert dhw[84, 0] == pytest.approx(2 * 83 / 7)  # day 0 has left the window
    assert level[84] == 1  # 0 < HS < 1: Watch, whatever the DHW
    assert level[85] == 0  # HS = 0: No Stress


def test_land_pixels_stay_unstressed():
    hs = crw.hotspots(np.full((3, 1), np.nan, "float32"), np.float32(MMM))
    assert crw.alert_level(hs, crw.degree_heating_weeks(hs)).tolist() == [[0], [0], [0]]


def basin():
    """Ocean | coastal plain 0.5 m | ridge 3 m | depression 0.5 m | high land 5 m with an
    enclosed lake 2 m below sea level and 0.5 m land beside it (rows 1-3 interior)."""
    z = np.full((5, 12), 5.0)
    z[:, 0:2] = -10.0
    z[:, 2:4] = 0.5
    z[:, 4] = 3.0
    z[:, 5:7] = 0.5
    z[2, 8] = 0.5
    z[2, 9] = -2.0
    return z


def test_connected_and_bathtub_differ_by_the_cut_off_cells():
    connected, bathtub = sea_level.flooded(basin(), rise=1.0)
    assert bathtub.sum() == 21  # plain 10 + depression 10 + the lake shore 1
    assert connected.sum() == 10  # the plain only
    assert connected[:, 2:4].all() and not connected[:, 5:].any()
    # A rise over the ridge connects the depression (not the walled lake).
    connected, bathtub = sea_level.flooded(basin(), rise=3.0)
    assert connected.sum() == 25 and bathtub.sum() == 26


def test_diagonal_leaks_only_with_eight_neighbours():
    z = np.array([[-5.0, 9.0, 9.0], [9.0, 0.5, 9.0], [9.0, 9.0, 9.0]])
    assert sea_level.flooded(z, 1.0, connectivity=4)[0].sum() == 0
    assert sea_level.flooded(z, 1.0, connectivity=8)[0].sum() == 1
    with pytest.raises(ValueError, match="4 or 8"):
        sea_level.flooded(z, 1.0, connectivity=6)


def test_cell_areas_sum_to_the_sphere():
    lat = np.arange(-89.5, 90, 1.0)
    lon = np.arange(-179.5, 180, 1.0)
    area = sea_level.cell_area_km2(lat, lon)
    assert area.sum() == pytest.approx(4 * np.pi * sea_level.EARTH_RADIUS_KM**2, rel=1e-12)
    assert area[90, 0] == pytest.approx(12363.7, rel=1e-4)  # 1 x 1 degree at the equator


def uniform(u=1.0, v=0.0, land_from_lon=None):
    """A 0-10 E, 10 S-10 N grid with a uniform current, steps every 6 h over 3 days."""
    from dtolab.science import drift

    lat = np.arange(-10, 10.01, 0.25)
    lon = np.arange(0, 10.01, 0.25)
    time = np.arange(0, 3 * 86400 + 1, 6 * 3600.0)
    shape = (time.size, lat.size, lon.size)
    uu, vv = np.full(shape, u), np.full(shape, v)
    if land_from_lon is not None:
        uu[:, :, lon >= land_from_lon] = np.nan
        vv[:, :, lon >= land_from_lon] = np.nan
    return drift.Forcing(time, lat, lon, uu, vv)


def test_uniform_current_moves_exactly():
    from dtolab.science import drift

    out = drift.advect(uniform(), [1.0, 1.0], [0.0, 5.0], start=0, steps=24, dt=3600)
    metres = 86400.0
    expected_equator = np.rad2deg(metres / drift.EARTH_RADIUS_M)
    assert out["lon"][0] - 1.0 == pytest.approx(expected_equator, rel=1e-9)
    # At 5 N a metre spans more longitude: 1 / cos(latitude) as much (RK4 follows it exactly).
    assert out["lon"][1] - 1.0 == pytest.approx(expected_equator / np.cos(np.deg2rad(5)), rel=1e-9)
    assert out["lat"].tolist() == [0.0, 5.0]
    assert out["track_lon"].shape == (25, 2)


def test_windage_adds_a_fraction_of_the_wind():
    from dtolab.science import drift

    calm = drift.advect(uniform(u=0.0), [5.0], [0.0], start=0, steps=10, dt=3600)
    windy = drift.advect(
        uniform(u=0.0), [5.0], [0.0], start=0, steps=10, dt=3600, wind=(0.0, 10.0), windage=0.03
    )
    assert calm["lat"][0] == 0.0
    assert windy["lat"][0] == pytest.approx(np.rad2deg(0.3 * 36000 / drift.EARTH_RADIUS_M))


def test_stranding_and_leaving_the_domain():
    from dtolab.science import drift

    coast = uniform(land_from_lon=3.0)
    out = drift.advect(coast, [1.0, 9.0], [0.0, 0.0], start=0, steps=72, dt=3600)
    assert out["status"].tolist() == [drift.STRANDED, drift.STRANDED]  # the second starts on land
    assert 2.5 < out["lon"][0] < 3.0  # stopped at its last wet position
    west = drift.advect(uniform(u=-1.0), [0.5], [0.0], start=0, steps=24, dt=3600)
    assert west["status"].tolist() == [drift.OUTSIDE]


def test_diffusion_spreads_as_a_random_walk():
    from dtolab.science import drift

    n = 20000
    out = drift.advect(
        uniform(u=0.0),
        np.full(n, 5.0),
        np.zeros(n),
        start=0,
        steps=24,
        dt=3600,
        diffusivity=10.0,
        seed=1,
    )
    spread_m = np.std(out["lat"]) * np.pi / 180 * drift.EARTH_RADIUS_M
    assert spread_m == pytest.approx(np.sqrt(2 * 10.0 * 86400), rel=0.03)


def mercator_latitudes(south=44.0, north=46.0, n=31):
    """Rows evenly spaced in Mercator y, as HYCOM's: about 1% closer together at the north."""
    y = np.log(np.tan(np.pi / 4 + np.deg2rad([south, north]) / 2))
    return np.rad2deg(2 * np.arctan(np.exp(np.linspace(y[0], y[1], n))) - np.pi / 2)


def test_uneven_latitudes_are_located_exactly():
    from dtolab.science import drift

    lat = mercator_latitudes()
    lon = np.arange(-3.0, -1.99, 0.05)
    time = np.array([0.0, 3600.0])
    # u linear in latitude: bilinear interpolation between the true rows reproduces it exactly
    u = np.broadcast_to(0.1 + 0.5 * (lat - 44.0)[None, :, None], (2, lat.size, lon.size)).copy()
    forcing = drift.Forcing(time, lat, lon, u, np.zeros_like(u))
    rng = np.random.default_rng(0)
    y = np.concatenate([rng.uniform(lat[0], lat[-1], 1000), lat, [lat[0] - 1, lat[-1] + 1]])
    x = rng.uniform(lon[0], lon[-1], y.size)
    got, _ = drift.velocity(forcing, 1800.0, x, y)
    expected = 0.1 + 0.5 * (np.clip(y, lat[0], lat[-1]) - 44.0)  # no extrapolation
    assert np.max(np.abs(got - expected)) < 1e-12
    axis = drift._axis(lat, np)
    assert not axis[3]  # not evenly spaced: located through the bucket lookup
    i, frac = drift._cell(axis, y)
    reference = np.clip(np.searchsorted(lat, y, side="right") - 1, 0, lat.size - 2)
    inside = (y > lat[0]) & (y < lat[-1])
    assert np.array_equal(i[inside], reference[inside])
    assert np.all((frac >= 0) & (frac <= 1))


def random_case():
    """Time-varying random currents on an uneven grid with a coast, particles on land and at
    sea, some that leave the box; windage and diffusion."""
    from dtolab.science import drift

    rng = np.random.default_rng(42)
    lat, lon = mercator_latitudes(n=21), np.linspace(-3.0, -2.0, 17)
    time = np.arange(0, 2 * 86400 + 1, 6 * 3600.0)
    u = rng.normal(0.0, 0.4, (time.size, lat.size, lon.size))
    v = rng.normal(0.0, 0.4, u.shape)
    u[:, :, 13:] = v[:, :, 13:] = np.nan  # land east of 2.25 W
    forcing = drift.Forcing(time, lat, lon, u, v)
    n = 3000
    x, y = rng.uniform(-3.1, -1.9, n), rng.uniform(43.9, 46.1, n)
    params = dict(start=1800.0, steps=60, dt=1800.0, wind=(4.0, -6.0), windage=0.03)
    return forcing, x, y, dict(params, diffusivity=20.0, seed=7, record_every=5)


def test_compiled_kernel_matches_numpy(monkeypatch):
    from dtolab.science import drift

    forcing, x, y, params = random_case()
    kernel, compiled = drift._kernel(np)
    assert compiled
    fast = drift.advect(forcing, x, y, **params)
    monkeypatch.setitem(drift._kernels, "numpy", (drift._advance, False))
    plain = drift.advect(forcing, x, y, **params)
    assert np.array_equal(fast["status"], plain["status"])
    assert np.bincount(plain["status"], minlength=3).min() > 100  # every outcome is exercised
    for key in ("lon", "lat", "track_lon", "track_lat"):
        assert np.max(np.abs(fast[key] - plain[key])) < 1e-9
    # several threads (large runs) give the same as one
    monkeypatch.setattr(drift, "PARTICLES_PER_THREAD", 1000)
    monkeypatch.setattr(drift, "_threads", lambda n: 3)
    monkeypatch.setitem(drift._kernels, "numpy", (kernel, compiled))
    threaded = drift.advect(forcing, x, y, **params)
    assert np.array_equal(threaded["lon"], fast["lon"])
    assert np.array_equal(threaded["status"], fast["status"])


def test_other_array_modules_run_the_same_functions():
    """What CuPy gets: copies of the kernel functions bound to its module, on whole arrays."""
    import types

    from dtolab.science import drift

    module = types.ModuleType("numpy_by_another_name")
    module.__getattr__ = lambda name: getattr(np, name)
    forcing, x, y, params = random_case()
    kernel, compiled = drift._kernel(module)
    assert not compiled and kernel is not drift._advance
    assert kernel.__globals__["xp"] is module
    other = drift.advect(forcing, x, y, **params, xp=module)
    ours = drift.advect(forcing, x, y, **params)
    assert np.array_equal(other["status"], ours["status"])
    assert np.max(np.abs(other["lon"] - ours["lon"])) < 1e-9

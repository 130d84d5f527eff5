"""Lagrangian drift of particles (a spill, a lost object) in gridded currents.

Method: classical fourth-order Runge-Kutta advection (as in OpenDrift, Dagestad et al. 2018,
Geosci. Model Dev. 11, 1405-1420, doi:10.5194/gmd-11-1405-2018, and OceanParcels, Lange & van
Sebille 2017, doi:10.5194/gmd-10-4175-2017) with velocities interpolated bilinearly in space and
linearly in time; a windage term (a fraction of a scenario wind added to the current); horizontal
diffusion as a random walk of standard deviation sqrt(2 K dt) per step and axis (Visser 1997,
Mar. Ecol. Prog. Ser. 158, 275-281, for a uniform diffusivity K); particles stranded where they
would step onto land (a cell without current) and flagged when they leave the forcing domain.

One code path for NumPy and CuPy. The maths of a step (``_cell``, ``_interp``, ``_rate``,
``_step``) is written once, element-wise on the module global ``xp``, and every backend runs
copies of those same functions (``_bind``: the same code objects with ``xp`` bound to its array
module):

- CuPy (``xp`` = cupy): on whole arrays of particles, through ``_advance``;
- NumPy with Numba installed (it comes with datashader), the CPU default: compiled by
  ``numba.njit`` (``xp`` = numpy; nogil, no fastmath, cached on disk) and applied to one
  particle at a time by ``_advance_particles``, with no temporary arrays; on several threads
  for large runs (``_threads``). ``_where`` and ``_index`` are the two operations spelled
  differently for scalars (``_scalar_where``, ``_scalar_index``);
- NumPy without Numba: on blocks of ``BLOCK_NUMPY`` particles, through ``_advance``.

One kernel call makes all the steps (one at a time when there is a callback), each particle or
block going through them in turn while it is in the CPU caches, and writes the tracks.

The random walk's normals are drawn outside the kernel by ``xp``'s generator, so a seed gives
the same walk on every path. Compiled and NumPy paths agree to rounding (tests/unit).

Per run, not per step: land is set to zero current (``nan_to_num``) and kept as a mask for
stranding (skipped at times with no land); each forcing time becomes a table of the bilinear
polynomial of every grid cell, ``a + b fx + c fy + d fx fy`` for u and v. Per stage time the two
bracketing tables are blended on the grid (exact: the interpolation is linear in the values),
the windage added to ``a``, and each particle reads its cell's 8 numbers. Grid axes spaced
evenly (to 1e-6 of an interval) are located arithmetically; others (HYCOM's Mercator
latitudes) through a lookup of buckets as wide as their narrowest interval (``_axis``).
"""

from __future__ import annotations

import bisect
import logging
import math
import os
import types
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

EARTH_RADIUS_M = 6371008.8
DEG_PER_M = 180.0 / (math.pi * EARTH_RADIUS_M)  # degrees of latitude in one metre
ACTIVE, STRANDED, OUTSIDE = 0, 1, 2
BLOCK_NUMPY = 32768  # particles per block, plain NumPy (temporaries stay in the CPU caches)
PARTICLES_PER_THREAD = 4096  # compiled kernel: a thread more per this many particles
UNIFORM_RTOL = 1e-6  # an axis whose spacings agree to this (relative) is located arithmetically
MAX_BUCKETS = 10_000_000  # lookup of an uneven axis: its span over its narrowest interval
MAX_TABLE_VALUES = 1 << 22  # steps per kernel call: at most this many table values (32 MiB)
MAX_NOISE_VALUES = 1 << 22  # and, with diffusion, this many normals per axis (32 MiB)

xp: Any = np  # array module of the kernel functions below; rebound per backend by _kernel


@dataclass
class Forcing:
    """Currents on a regular grid: ``u``, ``v`` (m/s) shaped (time, lat, lon), NaN on land;
    ``time`` in seconds, ``lat``/``lon`` ascending cell centres in degrees."""

    time: Any
    lat: Any
    lon: Any
    u: Any
    v: Any


# -- the kernel: one source for every backend ---------------------------------------------------
#
# Element-wise code on the module global ``xp``: run on whole arrays of particles (NumPy, CuPy) or
# compiled by Numba and run on one particle at a time (scalars). ``_where`` and ``_index`` are
# the two operations whose spelling differs between arrays and Numba scalars.


def _where(condition: Any, a: Any, b: Any) -> Any:
    return xp.where(condition, a, b)


def _index(a: Any) -> Any:
    """Float to integer index (callers clip it; NaN and infinities become INT64_MIN)."""
    return a.astype(xp.int64)


def _scalar_where(condition: Any, a: Any, b: Any) -> Any:
    return a if condition else b


def _scalar_index(a: Any) -> Any:
    # NaN, infinities and the out-of-range give INT64_MIN as NumPy does on x86 (in LLVM they
    # would be undefined, and an index read out of bounds)
    return np.int64(a) if abs(a) < 9.2e18 else np.int64(-(2**63))


def _cell(axis: tuple, x: Any) -> tuple[Any, Any]:
    """Index of the grid interval holding ``x`` along one axis (``_axis``) and the fraction
    across it, both clipped to the axis (no extrapolation)."""
    coord, origin, scale, even, lookup, split, inverse = axis
    pos = (x - origin) * scale
    if even:
        i = xp.minimum(xp.maximum(_index(xp.floor(pos)), 0), coord.shape[0] - 2)
        frac = pos - i
    else:  # pos counts buckets, each holding one interval end at most (at ``split``)
        b = xp.minimum(xp.maximum(_index(xp.floor(pos)), 0), lookup.shape[0] - 1)
        i = lookup[b] + (x >= split[b])
        frac = (x - coord[i]) * inverse[i]
    return i, xp.minimum(xp.maximum(frac, 0.0), 1.0)


def _interp(table: Any, grid: tuple, x: Any, y: Any) -> tuple[Any, Any]:
    """(u, v) in m/s at (x, y), bilinear in the cell of each point: a row of ``table``."""
    i, fx = _cell(grid[0], x)
    j, fy = _cell(grid[1], y)
    k = j * (grid[0][0].shape[0] - 1) + i
    u = table[k, 0] + fx * table[k, 1] + fy * (table[k, 2] + fx * table[k, 3])
    v = table[k, 4] + fx * table[k, 5] + fy * (table[k, 6] + fx * table[k, 7])
    return u, v


def _rate(table: Any, grid: tuple, x: Any, y: Any) -> tuple[Any, Any]:
    """dlon/dt, dlat/dt in degrees per second (sphere of radius EARTH_RADIUS_M)."""
    u, v = _interp(table, grid, x, y)
    return u * (DEG_PER_M / xp.cos(xp.deg2rad(y))), v * DEG_PER_M


def _step(
    x: Any,
    y: Any,
    status: Any,
    stages: tuple,
    land: Any,
    noise_x: Any,
    noise_y: Any,
    grid: tuple,
    bounds: tuple,
    dt: float,
    sigma: float,
) -> tuple[Any, Any, Any]:
    """One RK4 step (``stages``: the tables at t, t + dt/2, t + dt), the random walk
    (``sigma`` in degrees of latitude times standard normals ``noise_x``/``noise_y``), then
    stranding (the nearest grid node of the new position is ``land``) and leaving the domain.
    Returns the new positions and status; particles not ACTIVE stay where they are."""
    t0, t1, t2 = stages
    h = dt / 2
    ax, ay = _rate(t0, grid, x, y)
    bx, by = _rate(t1, grid, x + h * ax, y + h * ay)
    cx, cy = _rate(t1, grid, x + h * bx, y + h * by)
    ex, ey = _rate(t2, grid, x + dt * cx, y + dt * cy)
    new_x = x + dt / 6 * (ax + 2 * bx + 2 * cx + ex)
    new_y = y + dt / 6 * (ay + 2 * by + 2 * cy + ey)
    if sigma > 0:
        new_x = new_x + sigma * noise_x / xp.cos(xp.deg2rad(new_y))
        new_y = new_y + sigma * noise_y
    lon_min, lon_max, lat_min, lat_max = bounds
    active = status == ACTIVE
    outside = (new_x < lon_min) | (new_x > lon_max) | (new_y < lat_min) | (new_y > lat_max)
    if land.shape[0] > 0:
        i, fx = _cell(grid[0], new_x)
        j, fy = _cell(grid[1], new_y)
        on_land = land[(j + (fy > 0.5)) * grid[0][0].shape[0] + i + (fx > 0.5)]
    else:  # no land in the forcing at this time
        on_land = outside & False
    moves = active & (outside | ~on_land)
    new_status = _where(active & outside, OUTSIDE, _where(active & on_land, STRANDED, status))
    return _where(moves, new_x, x), _where(moves, new_y, y), new_status


def _advance(
    lo: int,
    hi: int,
    state: tuple,
    out: tuple,
    chunk: tuple,
    grid: tuple,
    bounds: tuple,
    dt: float,
    sigma: float,
    block: int,
) -> None:
    """Arrays (NumPy, CuPy): particles ``lo`` to ``hi`` through the steps of ``chunk``, block
    of ``block`` particles after block.

    ``state``: x, y, status before the steps; ``out``: x, y, status after them, and the tracks
    (x, y: rows of all particles). ``chunk``: ``tables``, step s using ``tables[2 s]``,
    ``[2 s + 1]``, ``[2 s + 2]`` (at t, t + dt/2, t + dt); ``lands[s]`` (width 0 if no land);
    normals ``noise_x[s]``, ``noise_y[s]`` (width 0 without diffusion); and ``record[s]``, the
    track row to write after step s (-1: none)."""
    x, y, status = state
    out_x, out_y, out_status, track_x, track_y = out
    tables, lands, noise_x, noise_y, record = chunk
    for first in range(lo, hi, block):
        last = min(first + block, hi)
        a, b, c = x[first:last], y[first:last], status[first:last]
        for s in range(lands.shape[0]):
            stages = (tables[2 * s], tables[2 * s + 1], tables[2 * s + 2])
            nx, ny = noise_x[s, first:last], noise_y[s, first:last]
            a, b, c = _step(a, b, c, stages, lands[s], nx, ny, grid, bounds, dt, sigma)
            if record[s] >= 0:
                track_x[record[s], first:last] = a
                track_y[record[s], first:last] = b
        out_x[first:last] = a
        out_y[first:last] = b
        out_status[first:last] = c


def _advance_particles(
    lo: int,
    hi: int,
    state: tuple,
    out: tuple,
    chunk: tuple,
    grid: tuple,
    bounds: tuple,
    dt: float,
    sigma: float,
    block: int,
) -> None:
    """Numba: as ``_advance``, particle after particle (``_step`` on scalars; ``block``
    unused)."""
    x, y, status = state
    out_x, out_y, out_status, track_x, track_y = out
    tables, lands, noise_x, noise_y, record = chunk
    diffuse = noise_x.shape[1] > 0
    for p in range(lo, hi):
        a, b, c = x[p], y[p], status[p]
        for s in range(lands.shape[0]):
            stages = (tables[2 * s], tables[2 * s + 1], tables[2 * s + 2])
            nx = noise_x[s, p] if diffuse else 0.0
            ny = noise_y[s, p] if diffuse else 0.0
            a, b, c = _step(a, b, c, stages, lands[s], nx, ny, grid, bounds, dt, sigma)
            if record[s] >= 0:
                track_x[record[s], p] = a
                track_y[record[s], p] = b
        out_x[p] = a
        out_y[p] = b
        out_status[p] = c


_KERNEL = ("_where", "_index", "_cell", "_interp", "_rate", "_step", "_advance")
_kernels: dict[str, tuple[Any, bool]] = {}


def _kernel(module: Any) -> tuple[Any, bool]:
    """The driver with the kernel functions bound to array module ``module``, and whether it is
    compiled (NumPy with Numba). Made once per module and process."""
    name = module.__name__
    if name not in _kernels:
        numba = _numba() if module is np else None
        if numba is not None:
            try:
                try:
                    _kernels[name] = (_compile(numba, cache=True), True)
                except RuntimeError:  # no writable place for Numba's cache
                    _kernels[name] = (_compile(numba, cache=False), True)
                _warm_up()
            except (numba.core.errors.NumbaError, KeyError) as err:  # a Numba not supported
                log.warning("drift kernel not compiled, plain NumPy instead: %s", err)
                numba = None
        if numba is None:
            _kernels[name] = (_bind(module)["_advance"], False)
    return _kernels[name]


def _bind(module: Any, replace: dict[str, Any] | None = None, jit: Any = None) -> dict[str, Any]:
    """The kernel functions with ``module`` as their global ``xp`` and the functions named in
    ``replace`` swapped (copies of the same code objects, each passed through ``jit(name)`` if
    given), by name."""
    if module is np and not replace and jit is None:
        return globals()
    namespace = dict(globals(), xp=module)
    for name in _KERNEL:
        source = (replace or {}).get(name, globals()[name])
        copy = types.FunctionType(source.__code__, namespace, name, source.__defaults__)
        copy.__qualname__ = source.__qualname__
        namespace[name] = jit(name)(copy) if jit is not None else copy
    return namespace


def _compile(numba: Any, cache: bool) -> Any:
    """The per-particle driver and the kernel, compiled: nogil, no fastmath, the kernel
    functions inlined into the driver's loop, cached on disk if ``cache``."""
    replace = {"_where": _scalar_where, "_index": _scalar_index, "_advance": _advance_particles}

    def jit(name: str) -> Any:
        return numba.njit(
            nogil=True,
            cache=cache,
            error_model="numpy",  # x/0 is inf or nan, as in NumPy, not an exception
            inline="never" if name == "_advance" else "always",
            _nrt=False,  # allocates nothing: no reference counting of the arrays per particle
        )

    return _bind(np, replace, jit)["_advance"]


def _numba() -> Any:
    try:
        import numba
    except ImportError:
        return None
    return numba


def _warm_up() -> None:
    """Compile the kernel (or load it from Numba's cache) for the argument types of ``advect``."""
    f = Forcing(
        np.array([0.0, 1.0]), np.array([0.0, 1.0]), np.array([0.0, 1.0]), np.zeros((2, 2, 2)),
        np.zeros((2, 2, 2)),
    )  # fmt: skip
    advect(f, [0.5], [0.5], start=0.0, steps=1, dt=0.5, diffusivity=1.0, record_every=0)


def _threads(n: int) -> int:
    """Threads for the compiled kernel: Numba's thread count (NUMBA_NUM_THREADS, by default the
    cores), at most the cores this process may use and OMP_NUM_THREADS if set (Dask workers set
    it to 1: their processes already share the cores), with at least PARTICLES_PER_THREAD
    particles each."""
    threads = _numba().config.NUMBA_NUM_THREADS
    if hasattr(os, "sched_getaffinity"):
        threads = min(threads, len(os.sched_getaffinity(0)))
    if os.environ.get("OMP_NUM_THREADS", "").isdigit():
        threads = min(threads, int(os.environ["OMP_NUM_THREADS"]))
    return max(1, min(threads, n // PARTICLES_PER_THREAD))


# -- forcing prepared for a run ----------------------------------------------------------------


def _host(a: Any) -> np.ndarray:
    return np.asarray(a.tolist() if not isinstance(a, np.ndarray) else a, dtype=np.float64)


def _axis(coord: Any, module: Any) -> tuple:
    """One grid axis for ``_cell``: (coordinate, origin, scale, evenly spaced, lookup, split,
    inverse).

    Evenly spaced (every interval within UNIFORM_RTOL of the mean): ``scale`` is 1 / the mean
    spacing and the interval is found arithmetically. Otherwise (HYCOM's Mercator latitudes):
    buckets as wide as the narrowest interval (``scale`` = 1 / that width), each holding one
    interval end at most: ``lookup`` is the interval holding the start of each bucket and
    ``split`` the interval end inside it (inf if none), past which a point is in the next
    interval; ``inverse`` is 1 / the width of each interval."""
    values = _host(coord)
    gaps = np.diff(values)
    spacing = (values[-1] - values[0]) / (values.size - 1)
    even = bool(np.all(np.abs(gaps - spacing) <= UNIFORM_RTOL * abs(spacing)))
    lookup, split, inverse = np.zeros(1, np.int64), np.zeros(1), np.zeros(1)
    if not even:
        spacing = float(gaps.min())
        if not spacing > 0:
            raise ValueError("grid coordinates must be strictly increasing")
        buckets = int((values[-1] - values[0]) / spacing) + 2
        if buckets > MAX_BUCKETS:
            raise ValueError(f"grid axis too unevenly spaced ({buckets:,} lookup buckets)")
        starts = values[0] + spacing * np.arange(buckets)
        lookup = np.clip(np.searchsorted(values, starts, side="right") - 1, 0, values.size - 2)
        split = np.where(
            lookup < values.size - 2, values[np.minimum(lookup + 1, values.size - 1)], np.inf
        )
        inverse = 1.0 / gaps
    origin, scale = float(values[0]), 1.0 / spacing
    values, lookup, split, inverse = (module.asarray(a) for a in (values, lookup, split, inverse))
    return values, origin, scale, even, lookup, split, inverse


class _Prepared:
    """A forcing ready for the kernel: grid axes, per-time tables of cell polynomials and land
    masks (made when first needed, the last few kept), blended tables per stage time."""

    def __init__(self, forcing: Forcing, module: Any, extra_u: float = 0.0, extra_v: float = 0.0):
        self.forcing, self.xp = forcing, module
        self.times = _host(forcing.time).tolist()
        self.grid = (_axis(forcing.lon, module), _axis(forcing.lat, module))
        lon, lat = _host(forcing.lon), _host(forcing.lat)
        self.bounds = (float(lon[0]), float(lon[-1]), float(lat[0]), float(lat[-1]))
        self.cells = (lon.size - 1) * (lat.size - 1)
        self.sea = module.zeros(lon.size * lat.size, dtype=bool)  # a land mask without land
        self.extra = (extra_u, extra_v)
        self._tables: dict[int, Any] = {}
        self._blended: dict[float, Any] = {}
        self._land: dict[int, Any] = {}

    def _time_table(self, k: int) -> Any:
        if k not in self._tables:
            if len(self._tables) > 3:
                self._tables.pop(next(iter(self._tables)))
            module, columns = self.xp, []
            for field in (self.forcing.u[k], self.forcing.v[k]):
                f = module.nan_to_num(module.asarray(field, dtype=module.float64))
                f00, f01, f10, f11 = f[:-1, :-1], f[:-1, 1:], f[1:, :-1], f[1:, 1:]
                columns += [f00, f01 - f00, f10 - f00, f11 - f01 - f10 + f00]
            self._tables[k] = module.stack([c.ravel() for c in columns], axis=1)
        return self._tables[k]

    def table(self, t: float) -> Any:
        """Cell polynomials at time ``t`` (linear in time, clamped to the forcing's span), with
        the windage in the constant terms."""
        if t not in self._blended:
            if len(self._blended) > 3:
                self._blended.pop(next(iter(self._blended)))
            times = self.times
            if len(times) == 1:
                k, w = 0, 0.0
            else:
                k = min(max(bisect.bisect_right(times, t) - 1, 0), len(times) - 2)
                w = min(max((t - times[k]) / (times[k + 1] - times[k]), 0.0), 1.0)
            table = self._time_table(k)
            if w > 0:
                table = table * (1 - w) + self._time_table(k + 1) * w
            if self.extra != (0.0, 0.0):
                extra = [self.extra[0], 0, 0, 0, self.extra[1], 0, 0, 0]
                table = table + self.xp.asarray(extra)
            self._blended[t] = table
        return self._blended[t]

    def land(self, t: float) -> Any:
        """Land mask (flat, lat-major) of the first forcing time at or after ``t``; empty if
        that time has no land."""
        k = min(bisect.bisect_left(self.times, t), len(self.times) - 1)
        if k not in self._land:
            self._land.clear()
            module = self.xp
            mask = (
                module.isnan(module.asarray(self.forcing.u[k]))
                | module.isnan(module.asarray(self.forcing.v[k]))
            ).ravel()
            self._land[k] = mask if bool(mask.any()) else mask[:0]
        return self._land[k]


def velocity(forcing: Forcing, t: float, lon: Any, lat: Any, xp: Any = np) -> tuple[Any, Any]:
    """(u, v) at time ``t`` (s) and positions, bilinear in space, linear in time; land counts as
    zero velocity for the interpolation (stranding is decided separately)."""
    prepared = _Prepared(forcing, xp)
    x = xp.asarray(lon, dtype=xp.float64)
    y = xp.asarray(lat, dtype=xp.float64)
    u, v = _bind(xp)["_interp"](prepared.table(t), prepared.grid, x.reshape(-1), y.reshape(-1))
    return u.reshape(x.shape), v.reshape(x.shape)


def _inputs(prepared: _Prepared, t: float, dt: float, steps: int, rng: Any, n: int) -> tuple:
    """What the kernel needs for ``steps`` steps from time ``t``: the stacked tables at t,
    t + dt/2, t + dt, t + 3 dt/2...; the land masks after each step (width 0 if none has land);
    the normals of the random walk if ``rng`` (width 0 if not), drawn step after step by xp's
    generator so that a seed gives the same walk on every path; then the time at the end."""
    module = prepared.xp
    tables, lands, normals = [prepared.table(t)], [], []
    for _ in range(steps):
        tables.append(prepared.table(t + dt / 2))
        t += dt
        tables.append(prepared.table(t))
        lands.append(prepared.land(t))
        if rng is not None:
            normals += [rng.standard_normal(n), rng.standard_normal(n)]
    if all(land.shape[0] == 0 for land in lands):
        lands = module.zeros((steps, 0), dtype=bool)
    else:
        lands = module.stack([land if land.shape[0] else prepared.sea for land in lands])
    if rng is not None:
        noise = (module.stack(normals[0::2]), module.stack(normals[1::2]))
    else:
        noise = (module.empty((steps, 0)), module.empty((steps, 0)))
    return module.stack(tables), lands, *noise, t


# -- the driver --------------------------------------------------------------------------------


def advect(
    forcing: Forcing,
    lon: Any,
    lat: Any,
    *,
    start: float,
    steps: int,
    dt: float,
    wind: tuple[float, float] = (0.0, 0.0),
    windage: float = 0.0,
    diffusivity: float = 0.0,
    seed: int = 0,
    record_every: int = 1,
    callback: Any = None,
    xp: Any = np,
) -> dict[str, Any]:
    """Move particles ``steps`` times by ``dt`` seconds from time ``start``.

    ``wind`` is (eastward, northward) m/s and ``windage`` the fraction of it added to the current
    (0.03 is usual for oil); ``diffusivity`` K in m2/s. Returns the final positions and status
    (ACTIVE, STRANDED, OUTSIDE) and trajectories recorded every ``record_every`` steps (0: none,
    only the start). ``callback(step, time, lon, lat, status)``, if given, sees every step.
    """
    kernel, compiled = _kernel(xp)
    lon, lat = xp.asarray(lon, dtype=xp.float64), xp.asarray(lat, dtype=xp.float64)
    shape = lon.shape  # of the results; the kernel sees 1-D arrays
    lon, lat = lon.reshape(-1).copy(), lat.reshape(-1).copy()
    n = lon.shape[0]
    status = xp.zeros(lon.shape, dtype=xp.int8)
    rng = xp.random.default_rng(seed)
    prepared = _Prepared(forcing, xp, windage * wind[0], windage * wind[1])
    grid, bounds = prepared.grid, prepared.bounds
    dt = float(dt)
    sigma = float((2 * diffusivity * dt) ** 0.5 * DEG_PER_M) if diffusivity > 0 else 0.0
    block = BLOCK_NUMPY if xp is np else max(n, 1)  # compiled: unused
    threads = _threads(n) if compiled else 1
    parts = [(n * p // threads, n * (p + 1) // threads) for p in range(threads)]
    # steps per kernel call: all of them (tracks are written by the kernel) or one if there is
    # a callback, within memory bounds
    most = max(1, MAX_TABLE_VALUES // (16 * prepared.cells))
    if sigma > 0:
        most = min(most, max(1, MAX_NOISE_VALUES // max(n, 1)))
    rows = 1 + (steps // record_every if record_every else 0)
    track_lon, track_lat = xp.empty((rows, n)), xp.empty((rows, n))
    track_lon[0], track_lat[0] = lon, lat
    pool = ThreadPoolExecutor(threads - 1) if threads > 1 else None
    t = float(start)
    done = 0
    try:
        while done < steps:
            chunk = min(steps - done, 1 if callback is not None else most)
            record = np.full(chunk, -1, dtype=np.int64)  # track row after each step, or -1
            if record_every:
                after = np.arange(done + 1, done + chunk + 1)
                kept = after % record_every == 0
                record[kept] = after[kept] // record_every
            *inputs, t = _inputs(prepared, t, dt, chunk, rng if sigma > 0 else None, n)
            out = (xp.empty_like(lon), xp.empty_like(lat), xp.empty_like(status))
            args = ((lon, lat, status), (*out, track_lon, track_lat), (*inputs, record))
            args += (grid, bounds, dt, sigma, block)
            jobs = [pool.submit(kernel, *part, *args) for part in parts[1:]]
            kernel(*parts[0], *args)  # the first part here, the others on the pool
            for job in jobs:
                job.result()
            lon, lat, status = out
            done += chunk
            if callback is not None:
                callback(done, t, lon.reshape(shape), lat.reshape(shape), status.reshape(shape))
    finally:
        if pool is not None:
            pool.shutdown()
    return {
        "lon": lon.reshape(shape),
        "lat": lat.reshape(shape),
        "status": status.reshape(shape),
        "track_lon": track_lon.reshape((rows, *shape)),
        "track_lat": track_lat.reshape((rows, *shape)),
        "time": t,
    }


def forcing_from_dataset(ds: Any, u: str = "uo", v: str = "vo", level: int = 0) -> Forcing:
    """A ``Forcing`` (NumPy) from an xarray Dataset with ``time``/``lat``/``lon`` coordinates
    (and optionally a vertical dimension, of which index ``level`` is taken: 0 is the surface
    layer of the catalogue's HYCOM item). Time becomes seconds since 1970-01-01."""
    fields = []
    for name in (u, v):
        da = ds[name]
        extra = [d for d in da.dims if d not in ("time", "lat", "lon")]
        if extra:
            da = da.isel({extra[0]: level})
        fields.append(da.transpose("time", "lat", "lon").sortby("lat").sortby("lon"))
    first = fields[0]
    seconds = first["time"].values.astype("datetime64[ns]").astype("int64") / 1e9
    return Forcing(
        time=seconds.astype("float64"),
        lat=first["lat"].values.astype("float64"),
        lon=first["lon"].values.astype("float64"),
        u=np.asarray(first.values, dtype="float64"),
        v=np.asarray(fields[1].values, dtype="float64"),
    )

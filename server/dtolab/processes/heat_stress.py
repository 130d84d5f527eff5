"""OGC process ``coral-heat-stress``: NOAA Coral Reef Watch heat stress for a year of daily SST
built from a monthly climatology, baseline (the climatology itself) against a warmer scenario."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr
from scipy.interpolate import RegularGridInterpolator

from ..client.catalog import Item
from ..science import heat_stress as crw
from ..science.sea_level import cell_area_km2
from .base import (
    CASES,
    ITEM_OUTPUT,
    JOB_CONTROL,
    TRANSMISSION,
    Context,
    Outcome,
    Rejected,
    ScenarioProcessor,
    TooLarge,
    about,
    case_coord,
    check_bbox,
    check_inside,
    validate_inputs,
)
from .tasks import tile_stress

#: Largest region accepted, in cells of the computed grid.
MAX_CELLS = 4_000_000
#: Cells per side of the tiles computed as separate Dask tasks (memory per task ~ days x TILE^2:
#: about 40 MB per daily array at 100).
TILE = 100

METADATA: dict[str, Any] = {
    "version": "1.0.0",
    "id": "coral-heat-stress",
    "title": "Coral bleaching heat stress (NOAA Coral Reef Watch)",
    "description": (
        "Heat stress on coral reefs for one year of daily sea surface temperature built from the "
        "catalogue's monthly SST climatology (COADS by default): Maximum Monthly Mean, daily "
        "HotSpots, Degree Heating Weeks over 12 weeks and the Bleaching Alert Area levels "
        "(No Stress, Watch, Warning, Alert Levels 1-5). The baseline is the climatology; the "
        "scenario adds a uniform warming and an optional marine heatwave pulse."
    ),
    "jobControlOptions": JOB_CONTROL,
    "outputTransmission": TRANSMISSION,
    "keywords": ["coral", "bleaching", "heat stress", "degree heating weeks", "Coral Reef Watch"],
    "links": [
        about(
            "NOAA Coral Reef Watch 5 km methodology",
            "https://coralreefwatch.noaa.gov/product/5km/methodology.php",
        ),
        about("Liu et al. (2014), doi:10.3390/rs61111579", "https://doi.org/10.3390/rs61111579"),
    ],
    "method": (
        "NOAA Coral Reef Watch (CRW) v3.1: MMM = the warmest month of the monthly climatology per "
        "pixel; HotSpot = SST - MMM where positive; DHW = the sum of the daily HotSpots >= 1 degC "
        "of the trailing 84 days, divided by 7; Bleaching Alert Area: Watch (0 < HS < 1), "
        "Warning (HS >= 1, 0 < DHW < 4), Alert Level 1-5 (HS >= 1 and DHW >= 4, 8, 12, 16, 20; "
        "Levels 3-5 as CRW added them in 2023). Daily SST: each monthly mean placed at the middle "
        "of its month and interpolated linearly (periodic over the year), so the baseline never "
        "exceeds the MMM. Optional regridding: bilinear from the climatology's grid. Unlike "
        "CRW's operational MMM (1985-2012, recentred to 1988.2857), the MMM here is the "
        "climatology's own."
    ),
    "inputs": {
        "bbox": {
            "title": "Region",
            "description": "west, south, east, north (degrees). Default: the Great Barrier Reef.",
            "schema": {
                "type": "array",
                "items": {"type": "number", "minimum": -180, "maximum": 180},
                "minItems": 4,
                "maxItems": 4,
                "default": [142.0, -24.0, 154.0, -10.0],
            },
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "year": {
            "title": "Year",
            "description": "The calendar year of the daily series (365 or 366 days).",
            "schema": {"type": "integer", "minimum": 1900, "maximum": 2300, "default": 2030},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "warming": {
            "title": "Warming",
            "description": "Uniform SST change of the scenario, in degrees Celsius (degC).",
            "schema": {"type": "number", "minimum": -5, "maximum": 10, "default": 1.0},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "heatwave": {
            "title": "Heatwave pulse",
            "description": "A marine heatwave added to the scenario: amplitude (degC) from "
            "start_day (day of year, 1 = 1 January) for duration_days. null: none.",
            "schema": {
                "type": ["object", "null"],
                "properties": {
                    "amplitude": {"type": "number", "minimum": 0, "maximum": 10},
                    "start_day": {"type": "integer", "minimum": 1, "maximum": 366},
                    "duration_days": {"type": "integer", "minimum": 1, "maximum": 366},
                },
                "required": ["amplitude", "start_day", "duration_days"],
                "additionalProperties": False,
                "default": {"amplitude": 1.0, "start_day": 15, "duration_days": 60},
            },
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "resolution": {
            "title": "Grid spacing",
            "description": "Degrees; the climatology is regridded bilinearly to this spacing. "
            "null: the climatology's own grid. At least 1/12 degree.",
            "schema": {
                "type": ["number", "null"],
                "minimum": 0.0833,
                "maximum": 10,
                "default": None,
            },
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "item": {
            "title": "SST climatology item",
            "description": "STAC item with a monthly (12-step 'month' axis) sea surface "
            "temperature climatology in degC.",
            "schema": {"type": "string", "default": "coads-monthly-sst"},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
    },
    "outputs": {
        "summary": {
            "title": "Summary",
            "description": "Per case: area (km2) per maximum alert level reached in the year, "
            "the largest DHW (degC-weeks), the ocean area.",
            "schema": {"type": "object", "contentMediaType": "application/json"},
        },
        "result": {
            "title": "Maps",
            "description": "Zarr: max_dhw and max_alert (per case) and mmm.",
            "schema": {"type": "string", "contentMediaType": "application/vnd+zarr"},
        },
        "item": ITEM_OUTPUT,
    },
    "example": {"inputs": {"bbox": [142, -24, 154, -10], "warming": 1.0}},
}


@dataclass
class Plan:
    inputs: dict[str, Any]
    item: Item
    climatology: xr.DataArray  # (month, lat, lon) covering the region (with a margin)
    lat: np.ndarray  # the computed grid
    lon: np.ndarray
    regrid: bool


def daily_weights(year: int) -> np.ndarray:
    """(days, 12) weights turning 12 monthly means into daily values: each mean sits at the
    middle of its month, linear in between, periodic across the year's ends."""
    lengths = np.array([calendar.monthrange(year, m)[1] for m in range(1, 13)], dtype="float64")
    days = int(lengths.sum())
    mids = np.cumsum(lengths) - lengths / 2  # in days since 1 January 00:00
    knots = np.concatenate([[mids[-1] - days], mids, [mids[0] + days]])
    index = np.concatenate([[11], np.arange(12), [0]])
    t = np.arange(days) + 0.5  # the middle of each day
    weights = np.zeros((days, 12))
    k = np.searchsorted(knots, t, side="right") - 1
    frac = (t - knots[k]) / (knots[k + 1] - knots[k])
    np.add.at(weights, (np.arange(days), index[k]), 1 - frac)
    np.add.at(weights, (np.arange(days), index[k + 1]), frac)
    return weights


def pulse(days: int, heatwave: dict[str, Any] | None) -> np.ndarray:
    """The heatwave's daily SST anomaly (degC): ``amplitude`` on its days, 0 elsewhere."""
    out = np.zeros(days, dtype="float32")
    if heatwave:
        start = int(heatwave["start_day"]) - 1
        out[start : start + int(heatwave["duration_days"])] = float(heatwave["amplitude"])
    return out


class CoralHeatStressProcessor(ScenarioProcessor):
    METADATA = METADATA

    def prepare(self, data: dict[str, Any]) -> Plan:
        inputs = validate_inputs(self.metadata, data)
        bbox = check_bbox("bbox", inputs["bbox"])
        item = self.item("item", inputs["item"])
        variable = item.properties.get("dtolab:variable") or (item.variables or ["sst"])[0]
        ds = self.open("item", item, [variable])
        clim = ds[variable]
        if clim.sizes.get("month") != 12:
            raise Rejected("item", f"{item.id} is not a monthly climatology (no 12-step 'month')")
        lat, lon = clim["lat"].values, clim["lon"].values
        step = float(abs(lat[1] - lat[0]))
        extent = (
            float(lon.min() - step / 2),
            float(lat.min() - step / 2),
            float(lon.max() + step / 2),
            float(lat.max() + step / 2),
        )
        check_inside("bbox", bbox, extent, item.id)
        west, south, east, north = bbox
        resolution = inputs["resolution"]
        if resolution is None:
            region = clim.sel(lon=slice(west, east), lat=slice(south, north))
            grid_lat, grid_lon = region["lat"].values, region["lon"].values
        else:
            res = float(resolution)
            grid_lat = np.arange(south + res / 2, north, res)
            grid_lon = np.arange(west + res / 2, east, res)
            margin = 1.5 * step
            region = clim.sel(
                lon=slice(west - margin, east + margin), lat=slice(south - margin, north + margin)
            )
        cells = grid_lat.size * grid_lon.size
        if cells > MAX_CELLS:
            raise TooLarge("bbox", f"makes {cells:,} grid cells; the limit is {MAX_CELLS:,}")
        if grid_lat.size == 0 or grid_lon.size == 0:
            raise Rejected("bbox", f"holds no grid cell of {item.id} (grid spacing {step:g} deg)")
        region = region.transpose("month", "lat", "lon").load()
        if not np.isfinite(region.values).any():
            raise Rejected("bbox", f"has no sea surface temperature in {item.id} (land only)")
        return Plan(inputs, item, region, grid_lat, grid_lon, resolution is not None)

    def _monthly(self, plan: Plan, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        src = plan.climatology
        if not plan.regrid:
            return src.sel(lat=lat, lon=lon).values
        interp = RegularGridInterpolator(
            (src["lat"].values, src["lon"].values),
            np.moveaxis(src.values, 0, -1),
            bounds_error=False,
            fill_value=np.nan,
        )
        yy, xx = np.meshgrid(lat, lon, indexing="ij")
        return np.moveaxis(interp((yy, xx)), -1, 0).astype("float32")

    def run(self, plan: Plan, ctx: Context) -> Outcome:
        inputs = plan.inputs
        year = int(inputs["year"])
        weights = daily_weights(year)
        anomaly = pulse(weights.shape[0], inputs["heatwave"])
        weights_f, anomaly_f = ctx.client.scatter([weights, anomaly], broadcast=True)
        futures, where = [], []
        for j in range(0, plan.lat.size, TILE):
            for i in range(0, plan.lon.size, TILE):
                lat, lon = plan.lat[j : j + TILE], plan.lon[i : i + TILE]
                monthly = self._monthly(plan, lat, lon)
                futures.append(
                    ctx.client.submit(
                        tile_stress, monthly, weights_f, float(inputs["warming"]), anomaly_f
                    )
                )
                where.append((j, i))
        ctx.progress(5, f"{len(futures)} tile(s) on Dask")
        tiles = ctx.gather(futures, 5, 85, "heat stress tiles")
        maps = np.full((5, plan.lat.size, plan.lon.size), np.nan, dtype="float32")
        for (j, i), tile in zip(where, tiles, strict=True):
            maps[:, j : j + tile.shape[1], i : i + tile.shape[2]] = tile
        return self._outcome(plan, maps, year)

    def _outcome(self, plan: Plan, maps: np.ndarray, year: int) -> Outcome:
        ocean = np.isfinite(maps[0])
        alert = np.where(np.isfinite(maps[[2, 4]]), maps[[2, 4]], -1).astype("int8")
        ds = xr.Dataset(
            {
                "max_dhw": (
                    ("case", "lat", "lon"),
                    maps[[1, 3]],
                    {"units": "degC week", "long_name": "Largest Degree Heating Week of the year"},
                ),
                "max_alert": (
                    ("case", "lat", "lon"),
                    alert,
                    {
                        "units": "1",
                        "long_name": "Highest Bleaching Alert Area level of the year",
                        "flag_values": list(range(8)),
                        "flag_meanings": " ".join(x.replace(" ", "_") for x in crw.LEVELS),
                        "missing_value": -1,
                    },
                ),
                "mmm": (
                    ("lat", "lon"),
                    maps[0],
                    {"units": "degC", "long_name": "Maximum Monthly Mean SST"},
                ),
            },
            coords={"case": case_coord(), "lat": plan.lat, "lon": plan.lon},
            attrs={"title": "Coral heat stress (NOAA CRW)", "source_item": plan.item.id},
        )
        area = np.asarray(cell_area_km2(plan.lat, plan.lon))
        summary: dict[str, Any] = {
            "process": METADATA["id"],
            "year": year,
            "units": {"area": "km2", "dhw": "degC week"},
            "ocean_area_km2": round(float(area[ocean].sum()), 1),
        }
        for k, case in enumerate(CASES):
            levels = alert[k]
            summary[case] = {
                "max_dhw": round(float(np.nanmax(maps[1 + 2 * k])), 2) if ocean.any() else None,
                "area_km2_by_max_alert": {
                    name: round(float(area[levels == code].sum()), 1)
                    for code, name in enumerate(crw.LEVELS)
                },
            }
        west, south, east, north = (float(v) for v in plan.inputs["bbox"])
        return Outcome(
            dataset=ds,
            summary=summary,
            bbox=[west, south, east, north],
            interval=(f"{year}-01-01T00:00:00Z", f"{year}-12-31T23:59:59Z"),
            sources=[plan.item],
        )

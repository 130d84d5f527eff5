"""OGC process ``sea-level-rise``: land flooded by a rise of the sea, connected versus bathtub."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from ..client.catalog import Item
from ..science import sea_level
from .base import (
    CASES,
    ITEM_OUTPUT,
    JOB_CONTROL,
    TRANSMISSION,
    Context,
    Outcome,
    ScenarioProcessor,
    TooLarge,
    about,
    case_coord,
    check_bbox,
    check_inside,
    item_interval,
)
from .base import validate_inputs as _validate
from .tasks import flood

#: Largest region accepted, in grid cells (a flood fill holds the region in memory).
MAX_CELLS = 4_000_000

METADATA: dict[str, Any] = {
    "version": "1.0.0",
    "id": "sea-level-rise",
    "title": "Sea-level rise inundation",
    "description": (
        "Land flooded by a rise of the sea in a region of the catalogue's bathymetry (ETOPO5 by "
        "default): the cells at most the rise above today's sea level that are hydraulically "
        "connected to the ocean (flood fill), compared with the plain bathtub (every cell below "
        "the rise). Baseline and scenario are two rises (0 m, today, and 2 m by default)."
    ),
    "jobControlOptions": JOB_CONTROL,
    "outputTransmission": TRANSMISSION,
    "keywords": ["sea-level rise", "inundation", "flood fill", "bathtub", "ETOPO5"],
    "links": [
        about(
            "Method: Poulter and Halpin (2008), doi:10.1080/13658810701371858",
            "https://doi.org/10.1080/13658810701371858",
        )
    ],
    "method": (
        "Poulter, B. and Halpin, P. N. (2008), Raster modelling of coastal flooding from sea-level "
        "rise, Int. J. Geogr. Inf. Sci. 22(2), 167-182. A land cell (elevation > 0 m) floods "
        "when its elevation is at most the rise and it connects to the ocean through cells at "
        "most the rise high (4- or 8-neighbour connectivity); the ocean is the water touching "
        "the region's edge, so inland depressions below sea level do not count as sea. Areas "
        "are exact spherical cell areas (R = 6371.0088 km)."
    ),
    "inputs": {
        "bbox": {
            "title": "Region",
            "description": "west, south, east, north (degrees, WGS 84). Default: the Netherlands "
            "and the German Bight.",
            "schema": {
                "type": "array",
                "items": {"type": "number", "minimum": -180, "maximum": 180},
                "minItems": 4,
                "maxItems": 4,
                "default": [3.0, 51.0, 8.0, 54.0],
            },
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "rise": {
            "title": "Scenario sea-level rise",
            "description": "Rise of the sea above today's level, in metres (m).",
            "schema": {"type": "number", "minimum": 0, "maximum": 100, "default": 2.0},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "baseline_rise": {
            "title": "Baseline sea-level rise",
            "description": "The rise the scenario is compared with, in metres (m); 0 is today.",
            "schema": {"type": "number", "minimum": 0, "maximum": 100, "default": 0.0},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "connectivity": {
            "title": "Connectivity",
            "description": "4 (edges only, the conservative choice) or 8 (edges and corners).",
            "schema": {"type": "integer", "enum": [4, 8], "default": 4},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "item": {
            "title": "Elevation item",
            "description": "STAC item id in 'emodnet-bathymetry' (elevation in m, up positive).",
            "schema": {"type": "string", "default": "etopo5"},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
    },
    "outputs": {
        "summary": {
            "title": "Summary",
            "description": "Flooded area (km2), connected and bathtub, for baseline and scenario.",
            "schema": {"type": "object", "contentMediaType": "application/json"},
        },
        "result": {
            "title": "Flooded masks",
            "description": "Zarr: flooded_connected and flooded_bathtub (1 = flooded) and "
            "elevation, with a 'case' dimension (baseline, scenario).",
            "schema": {"type": "string", "contentMediaType": "application/vnd+zarr"},
        },
        "item": ITEM_OUTPUT,
    },
    "example": {"inputs": {"bbox": [3.0, 51.0, 8.0, 54.0], "rise": 2.0}},
}


@dataclass
class Plan:
    inputs: dict[str, Any]
    item: Item
    elevation: xr.DataArray


class SeaLevelRiseProcessor(ScenarioProcessor):
    METADATA = METADATA

    def prepare(self, data: dict[str, Any]) -> Plan:
        inputs = _validate(self.metadata, data)
        bbox = check_bbox("bbox", inputs["bbox"])
        item = self.item("item", inputs["item"], collection="emodnet-bathymetry")
        ds = self.open("item", item, ["elevation"])
        elevation = ds["elevation"]
        lat, lon = elevation["lat"].values, elevation["lon"].values
        extent = (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
        check_inside("bbox", bbox, extent, item.id)
        west, south, east, north = bbox
        region = elevation.sel(lon=slice(west, east), lat=slice(south, north))
        cells = int(region.sizes["lat"] * region.sizes["lon"])
        if cells > MAX_CELLS:
            raise TooLarge(
                "bbox", f"covers {cells:,} grid cells of {item.id}; the limit is {MAX_CELLS:,}"
            )
        if region.sizes["lat"] < 2 or region.sizes["lon"] < 2:
            raise TooLarge("bbox", "covers fewer than 2 x 2 grid cells; draw a larger region")
        return Plan(inputs=inputs, item=item, elevation=region)

    def run(self, plan: Plan, ctx: Context) -> Outcome:
        ctx.progress(5, f"reading elevation from {plan.item.id}")
        elevation = plan.elevation.load()
        values = np.asarray(elevation.values, dtype="float64")
        rises = [float(plan.inputs["baseline_rise"]), float(plan.inputs["rise"])]
        future = ctx.client.submit(flood, values, rises, plan.inputs["connectivity"], pure=False)
        (masks,) = ctx.gather([future], 20, 85, "flood fill")
        lat, lon = elevation["lat"].values, elevation["lon"].values
        area = sea_level.cell_area_km2(lat, lon)
        stack = np.stack(masks)  # case, (connected, bathtub), lat, lon
        coords = {"case": case_coord(), "lat": lat, "lon": lon}
        flag = {"flag_values": [0, 1], "flag_meanings": "dry flooded", "units": "1"}
        ds = xr.Dataset(
            {
                "flooded_connected": (
                    ("case", "lat", "lon"),
                    stack[:, 0],
                    {**flag, "long_name": "Flooded land, connected to the ocean"},
                ),
                "flooded_bathtub": (
                    ("case", "lat", "lon"),
                    stack[:, 1],
                    {**flag, "long_name": "Land below the sea level (bathtub)"},
                ),
                "elevation": (
                    ("lat", "lon"),
                    values.astype("float32"),
                    {"units": "m", "long_name": "Elevation above today's sea level"},
                ),
                "rise": (("case",), np.array(rises), {"units": "m", "long_name": "Sea-level rise"}),
            },
            coords=coords,
            attrs={"title": "Sea-level rise inundation", "source_item": plan.item.id},
        )
        summary: dict[str, Any] = {"process": METADATA["id"], "units": {"area": "km2"}}
        for k, case in enumerate(CASES):
            connected = float(area[stack[k, 0] == 1].sum())
            bathtub = float(area[stack[k, 1] == 1].sum())
            summary[case] = {
                "rise_m": rises[k],
                "flooded_connected_km2": round(connected, 1),
                "flooded_bathtub_km2": round(bathtub, 1),
                "bathtub_overestimate_km2": round(bathtub - connected, 1),
            }
        summary["change"] = {
            "flooded_connected_km2": round(
                summary["scenario"]["flooded_connected_km2"]
                - summary["baseline"]["flooded_connected_km2"],
                1,
            )
        }
        west, south, east, north = (float(v) for v in plan.inputs["bbox"])
        return Outcome(
            dataset=ds,
            summary=summary,
            bbox=[west, south, east, north],
            interval=item_interval(plan.item),
            sources=[plan.item],
        )

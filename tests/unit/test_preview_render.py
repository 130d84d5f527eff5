"""Preview rendering: level choice, the slice chosen, colours, transparency and limits."""

import io

import numpy as np
import pytest
import xarray as xr
from PIL import Image

from dtolab.errors import InvalidInput, RequestTooLarge
from dtolab.preview import colormaps, render
from dtolab.preview.render import Level, Request


def grid(nlat=90, nlon=180, depths=(0.0, 100.0, 500.0)):
    """A global field whose value is the depth plus the longitude, NaN over one 'continent'."""
    lat = np.linspace(-89, 89, nlat)
    lon = np.linspace(-179, 179, nlon)
    values = np.broadcast_to(
        np.asarray(depths)[:, None, None] + lon[None, None, :], (len(depths), nlat, nlon)
    ).astype("float32")
    values = values.copy()
    land = (lat[:, None] > 10) & (lat[:, None] < 50) & (lon[None, :] < -90)
    values[:, land] = np.nan
    ds = xr.Dataset(
        {"thetao": (("depth", "lat", "lon"), values, {"units": "degC"})},
        coords={"depth": ("depth", list(depths), {"units": "m"}), "lat": lat, "lon": lon},
    )
    return ds


def decode(png):
    image = Image.open(io.BytesIO(png))
    return image, np.asarray(image)


def test_levels_coarsest_with_enough_cells():
    levels = [
        Level("0", (4320, 8640)),
        Level("1", (2160, 4320)),
        Level("2", (1080, 2160)),
        Level("3", (540, 1080)),
        Level("4", (270, 540)),
    ]
    world = [-180, -90, 180, 90]
    assert render.choose_level(levels, world, Request("v", world, width=800)).path == "3"
    assert render.choose_level(levels, world, Request("v", world, width=1600)).path == "2"
    # A box a tenth of the world wide needs ten times the resolution.
    box = [0, 0, 36, 18]
    assert render.choose_level(levels, world, Request("v", box, width=800)).path == "0"
    assert render.choose_level(levels, world, Request("v", world, width=100)).path == "4"


def test_height_follows_the_box():
    assert Request("v", [-180, -90, 180, 90], width=800).output_shape() == (400, 800)
    assert Request("v", [-20, 30, 20, 60], width=800).output_shape() == (600, 800)
    # Across the antimeridian: 170E to 170W is 20 degrees wide.
    assert Request("v", [170, -10, -170, 10], width=400).output_shape() == (400, 400)


def test_depth_nearest_and_reported():
    out = render.render(grid(), Request("thetao", [-180, -90, 180, 90], depth=420))
    assert out.meta["depth"] == 500.0
    assert out.meta["depth_units"] == "m"
    assert out.meta["units"] == "degC"
    assert out.meta["colormap"] == "thermal"
    image, _pixels = decode(out.png)
    assert image.mode == "P" and image.size == (800, 400)


def test_colours_follow_values_and_land_is_transparent():
    ds = grid()
    out = render.render(ds, Request("thetao", [-180, -90, 180, 90], vmin=-180, vmax=180))
    image, index = decode(out.png)
    # Value = longitude at depth 0: index rises west to east along a row in the south.
    row = index[350]
    assert row[10] < row[400] < row[790]
    assert abs(int(row[400]) - 127) <= 3  # lon 0 sits mid-range
    # The NaN block (lat 10..50, lon < -90) is the transparent index, north-up.
    assert index[100, 50] == render.TRANSPARENT
    assert image.info["transparency"] == render.TRANSPARENT
    palette = np.array(image.getpalette()[: 255 * 3], dtype=np.uint8).reshape(-1, 3)
    assert (palette == colormaps.palette("thermal")).all()
    assert 0 < out.meta["coverage"] < 1


def test_diverging_range_is_centred():
    ds = grid().rename({"thetao": "uo"})
    ds["uo"].attrs["standard_name"] = "eastward_sea_water_velocity"
    out = render.render(ds, Request("uo", [-180, -90, 180, 90]))
    assert out.meta["colormap"] == "balance"
    assert out.meta["vmin"] == -out.meta["vmax"]


def test_antimeridian_box():
    out = render.render(
        grid(), Request("thetao", [170, -10, -170, 10], width=200, vmin=-180, vmax=180)
    )
    image, index = decode(out.png)
    assert image.size == (200, 200)
    # West half is lon 170..180 (high values), east half -180..-170 (low values).
    assert index[100, 10] > 240 and index[100, 190] < 15
    assert out.meta["bbox"] == [170, -10, -170, 10]


def test_bad_variable_lists_the_valid_ones():
    with pytest.raises(InvalidInput, match="thetao"):
        render.render(grid(), Request("so", [-180, -90, 180, 90]))


def test_outside_the_data_names_the_extent():
    with pytest.raises(InvalidInput, match="lies outside the data: 0 to 500"):
        render.render(grid(), Request("thetao", [-180, -90, 180, 90], depth=9000))


def test_too_many_cells(monkeypatch):
    monkeypatch.setattr(render, "MAX_CELLS", 1000)
    with pytest.raises(RequestTooLarge, match="1000 cell limit"):
        render.render(grid(), Request("thetao", [-180, -90, 180, 90]))


@pytest.mark.parametrize(
    ("standard_name", "name", "expected"),
    [
        ("sea_water_salinity", "so", "haline"),
        ("sea_surface_temperature", "sst", "thermal"),
        ("northward_wind", "vas", "balance"),
        ("height_above_mean_sea_level", "elevation", "topo"),
        ("air_pressure_at_mean_sea_level", "psl", "dense"),
        (None, "chlorophyll_a", "algae"),
        (None, "mystery", "thermal"),
    ],
)
def test_colour_map_rules(standard_name, name, expected):
    assert colormaps.for_variable(standard_name, name).name == expected

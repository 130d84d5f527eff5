"""Which cmocean colour map suits a variable, from its CF standard name (or name).

cmocean's maps are perceptually uniform and named for the quantity they show (Thyng et al. 2016,
"True colors of oceanography", Oceanography 29(3), doi:10.5670/oceanog.2016.66). Signed quantities
(velocity and wind components, elevation around sea level) get a diverging map centred on zero.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ColourMap:
    name: str
    #: Centre the range on zero (a diverging map): signed components, elevation.
    diverging: bool = False


# First match wins: the more specific words come first.
RULES: list[tuple[tuple[str, ...], ColourMap]] = [
    (("eastward", "northward", "upward", "_wind", "anomaly"), ColourMap("balance", True)),
    (("altitude", "elevation", "height_above", "surface_height"), ColourMap("topo", True)),
    (("sea_floor_depth", "bathymetry", "depth_below"), ColourMap("deep")),
    (("speed",), ColourMap("speed")),
    (("temperature",), ColourMap("thermal")),
    (("salinity",), ColourMap("haline")),
    (("density", "pressure"), ColourMap("dense")),
    (("chlorophyll",), ColourMap("algae")),
    (("oxygen",), ColourMap("oxy")),
    (("sea_ice",), ColourMap("ice")),
    (("thickness",), ColourMap("deep")),
]
DEFAULT = ColourMap("thermal")


def for_variable(standard_name: str | None, name: str = "") -> ColourMap:
    """The colour map for a variable: by standard name, else by its short name, else thermal."""
    for text in (standard_name or "", name):
        lowered = text.lower()
        for words, chosen in RULES:
            if any(w in lowered for w in words):
                return chosen
    return DEFAULT


def cmap(name: str) -> Any:
    """cmocean's matplotlib colour map ``name``."""
    with warnings.catch_warnings():
        # cmocean 4.0 builds its maps with an argument matplotlib 3.11 deprecates; not ours.
        warnings.filterwarnings("ignore", message="Passing 'N' to ListedColormap")
        import cmocean

    return cmocean.cm.cmap_d[name]


@lru_cache(maxsize=32)
def palette(name: str, colours: int = 255) -> np.ndarray:
    """``colours`` RGB rows (uint8) sampled evenly along cmocean's map ``name``."""
    return (cmap(name)(np.linspace(0, 1, colours))[:, :3] * 255).round().astype(np.uint8)


def stops(name: str, count: int = 11) -> list[str]:
    """``count`` hex colours along the map, for a CSS gradient colour bar."""
    rows = palette(name)[np.linspace(0, 254, count).round().astype(int)]
    return ["#{:02x}{:02x}{:02x}".format(*row) for row in rows]

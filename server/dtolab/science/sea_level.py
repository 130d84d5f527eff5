"""Land flooded by a sea-level rise: hydraulically connected cells versus the plain bathtub.

Method: Poulter, B. and Halpin, P. N. (2008), "Raster modelling of coastal flooding from sea-level
rise", International Journal of Geographical Information Science 22(2), 167-182,
doi:10.1080/13658810701371858. A land cell (elevation > 0) is flooded by a rise ``h`` when its
elevation is at most ``h`` (the bathtub) *and* it is connected to the ocean through cells at most
``h`` high (the connected answer; "four-side" connectivity by default, "eight-side" on request).
The ocean is the water (elevation <= 0) connected to the edge of the region, so that inland
depressions below sea level (the Caspian, the Dead Sea) are not taken for the sea.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def _structure(connectivity: int) -> np.ndarray:
    if connectivity not in (4, 8):
        raise ValueError(f"connectivity must be 4 or 8, got {connectivity}")
    return ndimage.generate_binary_structure(2, 1 if connectivity == 4 else 2)


def _touching_edge(mask: np.ndarray, structure: np.ndarray) -> np.ndarray:
    labels, _ = ndimage.label(mask, structure=structure)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    return np.isin(labels, edge[edge > 0])


def flooded(
    elevation: np.ndarray, rise: float, connectivity: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """(connected, bathtub): boolean masks of land flooded by ``rise`` metres."""
    structure = _structure(connectivity)
    land = elevation > 0
    bathtub = land & (elevation <= rise)
    ocean = _touching_edge(elevation <= 0, structure)
    below = elevation <= rise
    labels, _ = ndimage.label(below, structure=structure)
    wet = np.unique(labels[ocean])
    connected = bathtub & np.isin(labels, wet[wet > 0])
    return connected, bathtub


def cell_area_km2(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Area (km2) of each cell of a regular lat/lon grid (cell centres given), shape (lat, lon)."""
    dlat = np.deg2rad(abs(float(lat[1] - lat[0]))) if lat.size > 1 else 0.0
    dlon = np.deg2rad(abs(float(lon[1] - lon[0]))) if lon.size > 1 else 0.0
    phi = np.deg2rad(lat)
    # Exact spherical band area between phi -/+ dlat/2, times the longitude width.
    band = np.sin(phi + dlat / 2) - np.sin(phi - dlat / 2)
    return np.broadcast_to((EARTH_RADIUS_KM**2 * dlon * band)[:, None], (lat.size, lon.size))

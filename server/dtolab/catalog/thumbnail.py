"""Small PNG thumbnails of a 2-D field, written without a plotting library.

A linear colour ramp (deep blue -> teal -> yellow, close to cmocean's "thermal" ends) between the
2nd and 98th percentiles; NaN (land) is drawn light grey. The PNG is encoded with zlib.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

_RAMP = np.array(
    [[4, 35, 51], [23, 111, 151], [56, 170, 140], [172, 206, 71], [232, 250, 91]], dtype="float64"
)
_LAND = np.array([217, 217, 217], dtype="uint8")


def colourize(field: np.ndarray) -> np.ndarray:
    """RGB image (rows north first) of a (lat ascending, lon) field."""
    values = np.asarray(field, dtype="float64")[::-1]
    finite = np.isfinite(values)
    rgb = np.empty((*values.shape, 3), dtype="uint8")
    rgb[:] = _LAND
    if finite.any():
        lo, hi = np.percentile(values[finite], [2, 98])
        scaled = np.clip((values - lo) / ((hi - lo) or 1.0), 0, 1) * (len(_RAMP) - 1)
        idx = np.clip(np.floor(scaled).astype(int), 0, len(_RAMP) - 2)
        frac = (scaled - idx)[..., None]
        colours = _RAMP[idx] * (1 - frac) + _RAMP[idx + 1] * frac
        rgb[finite] = colours[finite].round().astype("uint8")
    return rgb


def png_bytes(rgb: np.ndarray) -> bytes:
    """Encode an RGB uint8 image as PNG."""
    height, width, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def write(field: np.ndarray, path: Path, max_size: int = 360) -> Path:
    """Write a thumbnail of ``field`` no wider or taller than ``max_size`` pixels."""
    step = max(1, int(np.ceil(max(field.shape) / max_size)))
    path.write_bytes(png_bytes(colourize(np.asarray(field)[::step, ::step])))
    return path

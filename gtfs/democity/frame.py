"""The demo city's metric frame: along-coast and inland metres to WGS84.

The city is a strip along a coast that runs 15 degrees east of north (like the
Ibaraki coast at Hitachi). ``y_m`` is the distance along the coast from the
southern end, ``x_m`` the distance inland from the shoreline. The shoreline
itself wiggles a little seaward and back, so straight lines of the frame become
gently curved streets on the map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True, slots=True)
class CoastFrame:
    """A coast-aligned local frame anchored at the south end of the shoreline.

    Parameters
    ----------
    origin_lat, origin_lon
        WGS84 position of the shoreline at ``y_m = 0``.
    bearing_deg
        Direction of the coast, degrees clockwise from north; inland is to the
        left of it (west-north-west for the default 15 degrees).
    wiggle_amplitude_m, wiggle_wavelength_m, wiggle_phase
        Shoreline wiggles: a sum of sines, one per entry.
    """

    origin_lat: float
    origin_lon: float
    bearing_deg: float
    wiggle_amplitude_m: tuple[float, ...]
    wiggle_wavelength_m: tuple[float, ...]
    wiggle_phase: tuple[float, ...]

    def shore_offset_m(self, y_m: FloatArray) -> FloatArray:
        """Return how far the shoreline bulges seaward at ``y_m`` (metres)."""
        out = np.zeros_like(y_m, dtype=np.float64)
        for a, w, p in zip(self.wiggle_amplitude_m, self.wiggle_wavelength_m,
                           self.wiggle_phase, strict=True):
            out += a * np.sin(2.0 * np.pi * y_m / w + p)
        return out

    def to_lat_lon(self, x_m: FloatArray, y_m: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Return WGS84 ``(lat, lon)`` degrees of frame points ``(x_m, y_m)``."""
        x = np.asarray(x_m, dtype=np.float64)
        y = np.asarray(y_m, dtype=np.float64)
        theta = np.radians(self.bearing_deg)
        inland = x - self.shore_offset_m(y)
        east = y * np.sin(theta) - inland * np.cos(theta)
        north = y * np.cos(theta) + inland * np.sin(theta)
        lat = self.origin_lat + np.degrees(north / EARTH_RADIUS_M)
        lon = self.origin_lon + np.degrees(east / (EARTH_RADIUS_M * np.cos(np.radians(lat))))
        return lat, lon

"""The demo city's land: coastline, lowland, hills, towns, estates and industry.

One *segment* is a Hitachi-sized stretch of coast, 26 km long; a city of size
``n`` is ``n`` segments one after another along the coast. Inland from the
shoreline lie a flat coastal strip (0.8-1.6 km wide) holding the stations and
the BRT road, a band of hilly residential terraces, and beyond the inhabited
edge (3.3-5.1 km inland) the forested Abukuma foothills rising to ~450 m.
Every shape is a smooth function of the frame coordinates, so cells, street
nodes and stops agree on the terrain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gtfs.democity.frame import CoastFrame
from gtfs.democity.names import TOWN_NAMES, ward_name

FloatArray = NDArray[np.float64]

SEGMENT_LENGTH_M = 26_000.0
CITY_WIDTH_M = 8_000.0
TOWN_Y_M = (2_300.0, 7_300.0, 12_700.0, 18_000.0, 23_300.0)
MAIN_TOWN = 2  # 日立: the largest station town, with the city hall
HILL_ELEVATION_M = 40.0  # above this, a street or stop counts as "in the hills"

#: Anchor of the shoreline's south end (near 大みか) and the coast's bearing.
ORIGIN_LAT = 36.500
ORIGIN_LON = 140.640
COAST_BEARING_DEG = 15.0


@dataclass(frozen=True, slots=True)
class Town:
    """A station town on the coast: a BRT hub and the start of feeder lines."""

    segment: int
    index: int
    name: str
    y_m: float
    weight: float


@dataclass(frozen=True, slots=True)
class Blob:
    """A round feature (housing estate, factory, hill) with a Gaussian profile."""

    x_m: float
    y_m: float
    radius_m: float
    weight: float


@dataclass(frozen=True, slots=True)
class Profile:
    """A smooth function of ``y_m``: ``base + sum(a * sin(2 pi y / w + p))``."""

    base: float
    amplitude: tuple[float, ...]
    wavelength: tuple[float, ...]
    phase: tuple[float, ...]

    def __call__(self, y_m: FloatArray) -> FloatArray:
        """Evaluate the profile at ``y_m``."""
        y = np.asarray(y_m, dtype=np.float64)
        out = np.full_like(y, self.base)
        for a, w, p in zip(self.amplitude, self.wavelength, self.phase, strict=True):
            out += a * np.sin(2.0 * np.pi * y / w + p)
        return out


@dataclass(frozen=True, slots=True, eq=False)
class Terrain:
    """The land of a city of ``size`` segments; see the module docstring."""

    size: int
    frame: CoastFrame
    lowland_width: Profile
    inhabited_width: Profile
    towns: tuple[Town, ...]
    estates: tuple[Blob, ...]
    industry: tuple[Blob, ...]
    hills: tuple[Blob, ...]

    @property
    def length_m(self) -> float:
        """Length of the coast covered by the city."""
        return SEGMENT_LENGTH_M * self.size

    @property
    def width_m(self) -> float:
        """Width of the mapped strip, shoreline to the inland edge."""
        return CITY_WIDTH_M

    def elevation_m(self, x_m: FloatArray, y_m: FloatArray) -> FloatArray:
        """Return ground elevation (metres above sea level) at frame points."""
        x = np.asarray(x_m, dtype=np.float64)
        y = np.asarray(y_m, dtype=np.float64)
        low = self.lowland_width(y)
        edge = self.inhabited_width(y)
        coast = 2.0 + 10.0 * np.clip(x / low, 0.0, 1.0)
        terrace = 70.0 * _smoothstep((x - low) / 1_200.0)
        mountain = 380.0 * _smoothstep((x - edge + 400.0) / 3_000.0)
        bumps = blob_sum(self.hills, x, y)
        return coast + terrace + mountain + bumps * _smoothstep((x - low + 300.0) / 600.0)

    def inhabited(self, x_m: FloatArray, y_m: FloatArray) -> NDArray[np.bool_]:
        """Return whether frame points lie on the settled side of the forest edge."""
        return np.asarray(x_m) <= self.inhabited_width(np.asarray(y_m))


def build_terrain(size: int, rng: np.random.Generator) -> Terrain:
    """Draw the land of a city of ``size`` segments from ``rng``."""
    frame = CoastFrame(
        origin_lat=ORIGIN_LAT,
        origin_lon=ORIGIN_LON,
        bearing_deg=COAST_BEARING_DEG,
        wiggle_amplitude_m=(260.0, 120.0),
        wiggle_wavelength_m=(9_100.0, 3_300.0),
        wiggle_phase=tuple(float(p) for p in rng.uniform(0, 2 * np.pi, 2)),
    )
    lowland = Profile(1_200.0, (250.0, 150.0), (11_300.0, 4_100.0),
                      tuple(float(p) for p in rng.uniform(0, 2 * np.pi, 2)))
    inhabited = Profile(4_200.0, (600.0, 300.0), (17_900.0, 6_700.0),
                        tuple(float(p) for p in rng.uniform(0, 2 * np.pi, 2)))
    towns: list[Town] = []
    estates: list[Blob] = []
    industry: list[Blob] = []
    hills: list[Blob] = []
    for seg in range(size):
        y0 = seg * SEGMENT_LENGTH_M
        jitter = rng.uniform(-500.0, 500.0, len(TOWN_Y_M))
        weights = rng.uniform(0.45, 0.8, len(TOWN_Y_M))
        weights[MAIN_TOWN] = 1.0
        for t, (ty, jy, w) in enumerate(zip(TOWN_Y_M, jitter, weights, strict=True)):
            towns.append(Town(seg, t, ward_name(TOWN_NAMES[t], seg), y0 + ty + jy, float(w)))
        ey = y0 + rng.uniform(1_500.0, SEGMENT_LENGTH_M - 1_500.0, 6)
        low = lowland(ey)
        edge = inhabited(ey)
        ex = rng.uniform(low + 300.0, edge - 700.0)
        for x, y, r, w in zip(ex, ey, rng.uniform(350.0, 600.0, 6),
                              rng.uniform(0.8, 1.6, 6), strict=True):
            estates.append(Blob(float(x), float(y), float(r), float(w)))
        for t in (1, 3):
            ty = y0 + TOWN_Y_M[t] + rng.uniform(-1_500.0, 1_500.0)
            industry.append(Blob(float(rng.uniform(250.0, 700.0)), float(ty),
                                 float(rng.uniform(400.0, 650.0)), 1.0))
        hy = y0 + rng.uniform(0.0, SEGMENT_LENGTH_M, 14)
        hx = rng.uniform(lowland(hy), inhabited(hy) + 500.0)
        for x, y, r, a in zip(hx, hy, rng.uniform(400.0, 900.0, 14),
                              rng.uniform(15.0, 70.0, 14), strict=True):
            hills.append(Blob(float(x), float(y), float(r), float(a)))
    return Terrain(size, frame, lowland, inhabited, tuple(towns), tuple(estates),
                   tuple(industry), tuple(hills))


def _smoothstep(t: FloatArray) -> FloatArray:
    u = np.clip(t, 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def blob_sum(blobs: tuple[Blob, ...], x: FloatArray, y: FloatArray) -> FloatArray:
    """Return ``sum(weight * exp(-d^2 / 2 r^2))`` over ``blobs`` at frame points.

    Each blob only touches points within four radii along the coast, found by
    binary search on the sorted ``y``, so the cost grows with the city, not with
    its square.
    """
    flat_x = np.ravel(x)
    flat_y = np.ravel(y)
    order = np.argsort(flat_y, kind="stable")
    ys = flat_y[order]
    xs = flat_x[order]
    acc = np.zeros(ys.size, dtype=np.float64)
    for b in blobs:
        lo, hi = np.searchsorted(ys, (b.y_m - 4 * b.radius_m, b.y_m + 4 * b.radius_m))
        if lo == hi:
            continue
        d2 = (xs[lo:hi] - b.x_m) ** 2 + (ys[lo:hi] - b.y_m) ** 2
        acc[lo:hi] += b.weight * np.exp(-d2 / (2.0 * b.radius_m**2))
    out = np.empty_like(acc)
    out[order] = acc
    return out.reshape(np.shape(x))

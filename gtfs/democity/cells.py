"""Grid cells of 250 m with population, jobs and elevation.

Population (170,000 per segment, like Hitachi) lives densely around the
station towns on the coastal strip, thinner on the residential terraces, and
in housing estates (団地) on the hills, including the estate the DRT zone
serves; nobody lives beyond the forest edge or on steep ground. Jobs (88,000
per segment) cluster at the station towns, along the BRT road and in the
coastal industrial areas. Counts are integers that add up exactly to the
totals (largest-remainder rounding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gtfs.democity.geography import Blob, Terrain, blob_sum
from gtfs.democity.streets import COL_SPINE, STREET_SPACING_M

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

CELL_SIZE_M = 250.0
POPULATION_PER_SEGMENT = 170_000
JOBS_PER_SEGMENT = 88_000
STEEP_ELEVATION_M = 220.0


@dataclass(frozen=True, slots=True, eq=False)
class Cells:
    """Cells row-major: cell ``row * n_cols + col``, row 0 at the south end."""

    n_rows: int
    n_cols: int
    x_m: FloatArray
    y_m: FloatArray
    lat: FloatArray
    lon: FloatArray
    elevation_m: FloatArray
    population: IntArray
    jobs: IntArray

    @property
    def n_cells(self) -> int:
        """Number of cells."""
        return self.n_rows * self.n_cols


def build_cells(terrain: Terrain, drt_estates: tuple[Blob, ...],
                rng: np.random.Generator) -> Cells:
    """Spread population and jobs over the cells of ``terrain``."""
    n_rows = round(terrain.length_m / CELL_SIZE_M)
    n_cols = round(terrain.width_m / CELL_SIZE_M)
    rows, cols = np.divmod(np.arange(n_rows * n_cols, dtype=np.int64), n_cols)
    x = (cols + 0.5) * CELL_SIZE_M
    y = (rows + 0.5) * CELL_SIZE_M
    elev = terrain.elevation_m(x, y)
    low = terrain.lowland_width(y)
    lowland = 1.0 - np.clip((x - low) / 800.0, 0.0, 1.0)
    inhabited = terrain.inhabited(x, y) & (elev < STEEP_ELEVATION_M)
    spine_x = (COL_SPINE + 0.5) * STREET_SPACING_M
    town_pull = blob_sum(tuple(Blob(spine_x, t.y_m, 1_500.0, t.weight) for t in terrain.towns),
                         np.full_like(y, spine_x), y)
    centres = blob_sum(tuple(Blob(spine_x, t.y_m, 700.0, t.weight) for t in terrain.towns), x, y)
    industry = np.minimum(blob_sum(terrain.industry, x, y), 1.0)
    people = (
        (0.5 + 2.2 * town_pull) * lowland
        + 0.45 * (1.0 - lowland)
        + 2.0 * blob_sum(terrain.estates, x, y)
        + 2.0 * blob_sum(drt_estates, x, y)
    )
    people *= 1.0 - 0.85 * industry
    people[x < CELL_SIZE_M] *= 0.5
    people *= rng.lognormal(0.0, 0.3, people.size) * inhabited
    corridor = 0.4 * np.exp(-((x - spine_x) ** 2) / (2 * 400.0**2))
    work = (4.0 * centres + 6.0 * industry + corridor) * inhabited + 0.12 * people
    work *= rng.lognormal(0.0, 0.3, work.size)
    lat, lon = terrain.frame.to_lat_lon(x, y)
    return Cells(
        n_rows, n_cols, x, y, lat, lon, elev,
        allocate(people, POPULATION_PER_SEGMENT * terrain.size),
        allocate(work, JOBS_PER_SEGMENT * terrain.size),
    )


def allocate(weights: FloatArray, total: int) -> IntArray:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    share = weights / weights.sum() * total
    base = np.floor(share).astype(np.int64)
    rest = total - int(base.sum())
    if rest > 0:
        order = np.argsort(-(share - base), kind="stable")
        base[order[:rest]] += 1
    return base

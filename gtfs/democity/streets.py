"""The street network: a 125 m lattice bent by the coast, thinned in the hills.

Nodes sit on a lattice of rows (across the coast) and columns (along it), with
a few metres of jitter on minor streets. Every row is a street from the beach
promenade up to the forest edge, and column 1 (the coast road) is never cut,
so the network is connected by construction. Minor along-coast streets lose
a few blocks on the flat and many in the hills, which leaves the cul-de-sacs
and long detours of a hillside estate; short footways climb between them.

Ways carry standard OSM tags only: ``highway``, ``name``, ``ref``,
``maxspeed``, ``lanes``, ``oneway`` and ``incline`` (on the hill footways);
street nodes carry ``ele``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gtfs.democity.geography import (
    CITY_WIDTH_M,
    HILL_ELEVATION_M,
    MAIN_TOWN,
    SEGMENT_LENGTH_M,
    Terrain,
)

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

STREET_SPACING_M = 125.0
N_COLS = int(CITY_WIDTH_M / STREET_SPACING_M)
ROWS_PER_SEGMENT = int(SEGMENT_LENGTH_M / STREET_SPACING_M)
COL_PROMENADE = 0
COL_COAST_ROAD = 1
COL_SPINE = 5
COL_NATIONAL_6 = 12
ONEWAY_COLS = (3, 4)
ONEWAY_HALF_ROWS = 4
MOUNTAIN_ELEVATION_M = 160.0

#: Way classes: OSM tags of each (``incline`` is added per way for HILL_PATH).
WAY_TAGS: tuple[tuple[tuple[str, str], ...], ...] = (
    (("highway", "footway"), ("name", "海岸遊歩道")),
    (("highway", "footway"),),
    (("highway", "primary"), ("name", "国道245号"), ("ref", "245"), ("maxspeed", "50"),
     ("lanes", "2")),
    (("highway", "primary"), ("name", "国道6号"), ("ref", "6"), ("maxspeed", "50"),
     ("lanes", "4")),
    (("highway", "secondary"), ("name", "BRT通り"), ("maxspeed", "40"), ("lanes", "2")),
    (("highway", "secondary"), ("maxspeed", "40")),
    (("highway", "tertiary"), ("maxspeed", "40")),
    (("highway", "residential"), ("maxspeed", "30")),
    (("highway", "residential"), ("oneway", "yes"), ("maxspeed", "30")),
    (("highway", "unclassified"), ("maxspeed", "30")),
    (("highway", "footway"),),
)
PROMENADE, BEACH_LINK, COAST_ROAD, NATIONAL_6, SPINE, CROSS_ARTERIAL = 0, 1, 2, 3, 4, 5
BUS_STREET, RESIDENTIAL, ONEWAY, MOUNTAIN_ROAD, HILL_PATH = 6, 7, 8, 9, 10


@dataclass(frozen=True, slots=True, eq=False)
class Lattice:
    """Street nodes on a rows x columns lattice; node ``i * n_cols + j``.

    ``kept[i, j]`` says whether the node exists (the lattice stops a little
    beyond the forest edge); every row keeps a contiguous run from column 0.
    """

    n_rows: int
    n_cols: int
    kept: NDArray[np.bool_]
    x_m: FloatArray
    y_m: FloatArray
    elevation_m: FloatArray
    lat: FloatArray
    lon: FloatArray
    last_col: IntArray

    def index(self, i: int, j: int) -> int:
        """Return the node index of row ``i``, column ``j``."""
        return i * self.n_cols + j


@dataclass(frozen=True, slots=True, eq=False)
class StreetNetwork:
    """Directed street edges (node indices) grouped into OSM ways."""

    lattice: Lattice
    edge_u: IntArray
    edge_v: IntArray
    edge_class: IntArray
    way_class: IntArray
    way_node_offsets: IntArray
    way_nodes: IntArray
    way_incline_pct: FloatArray  # NaN except on hill footways

    @property
    def n_nodes(self) -> int:
        """Number of street nodes."""
        return int(self.lattice.kept.sum())

    @property
    def n_edges(self) -> int:
        """Number of street edges (lattice links)."""
        return int(self.edge_u.size)

    @property
    def n_ways(self) -> int:
        """Number of OSM ways."""
        return int(self.way_class.size)


def build_lattice(terrain: Terrain, rng: np.random.Generator) -> Lattice:
    """Place the street nodes of ``terrain`` on the lattice, with jitter."""
    n_rows = ROWS_PER_SEGMENT * terrain.size
    rows = np.arange(n_rows, dtype=np.float64)
    cols = np.arange(N_COLS, dtype=np.float64)
    y = np.repeat(((rows + 0.5) * STREET_SPACING_M)[:, None], N_COLS, axis=1)
    x = np.repeat(((cols + 0.5) * STREET_SPACING_M)[None, :], n_rows, axis=0)
    jitter = rng.uniform(-14.0, 14.0, size=(2, n_rows, N_COLS))
    straight_cols = np.zeros(N_COLS, dtype=bool)
    straight_cols[[COL_PROMENADE, COL_COAST_ROAD, COL_SPINE, COL_NATIONAL_6]] = True
    straight_rows = np.arange(n_rows) % 8 == 4
    x = x + np.where(straight_cols[None, :], 0.0, jitter[0])
    y = y + np.where(straight_rows[:, None], 0.0, jitter[1])
    limit = terrain.inhabited_width(y[:, 0]) + 250.0
    kept = x <= limit[:, None]
    kept[:, : COL_NATIONAL_6 + 2] = True
    last_col = kept.sum(axis=1).astype(np.int64) - 1
    elevation = terrain.elevation_m(x, y)
    lat, lon = terrain.frame.to_lat_lon(x, y)
    return Lattice(n_rows, N_COLS, kept, x, y, elevation, lat, lon, last_col)


def build_streets(lattice: Lattice, terrain: Terrain, bus_edges: IntArray,
                  rng: np.random.Generator) -> StreetNetwork:
    """Link the lattice into streets, keeping every edge a bus uses.

    Parameters
    ----------
    lattice
        The nodes.
    terrain
        The land (town rows get arterial cross streets and one-way pairs).
    bus_edges
        ``(k, 2)`` node pairs driven by a bus route; never removed.
    rng
        Draws which minor blocks are missing and where footways climb.
    """
    n_rows, n_cols = lattice.n_rows, lattice.n_cols
    kept = lattice.kept
    elev = lattice.elevation_m
    idx = np.arange(n_rows * n_cols, dtype=np.int64).reshape(n_rows, n_cols)
    bus_keys = _pair_keys(bus_edges[:, 0], bus_edges[:, 1]) if bus_edges.size else np.zeros(
        0, dtype=np.int64)
    town_rows = np.array([int(t.y_m // STREET_SPACING_M) for t in terrain.towns],
                         dtype=np.int64)
    arterial_row = np.arange(n_rows) % 8 == 4
    arterial_row[town_rows[(town_rows >= 0) & (town_rows < n_rows)]] = True

    # rows: every kept neighbour pair, shore to forest
    ri, rj = np.nonzero(kept[:, :-1] & kept[:, 1:])
    r_u, r_v = idx[ri, rj], idx[ri, rj + 1]
    r_elev = np.maximum(elev[ri, rj], elev[ri, rj + 1])
    r_class = np.full(ri.size, RESIDENTIAL, dtype=np.int64)
    r_class[r_elev > MOUNTAIN_ELEVATION_M] = MOUNTAIN_ROAD
    r_class[np.isin(_pair_keys(r_u, r_v), bus_keys)] = BUS_STREET
    r_class[arterial_row[ri]] = CROSS_ARTERIAL
    r_class[rj == COL_PROMENADE] = BEACH_LINK
    r_line = 2 * ri
    r_pos = rj

    # columns: along the coast, minor blocks thinned
    ci, cj = np.nonzero(kept[:-1, :] & kept[1:, :])
    c_u, c_v = idx[ci, cj], idx[ci + 1, cj]
    c_elev = np.maximum(elev[ci, cj], elev[ci + 1, cj])
    c_class = np.full(ci.size, RESIDENTIAL, dtype=np.int64)
    c_class[c_elev > MOUNTAIN_ELEVATION_M] = MOUNTAIN_ROAD
    on_bus = np.isin(_pair_keys(c_u, c_v), bus_keys)
    c_class[on_bus] = BUS_STREET
    fixed = {COL_PROMENADE: PROMENADE, COL_COAST_ROAD: COAST_ROAD, COL_SPINE: SPINE,
             COL_NATIONAL_6: NATIONAL_6}
    for col, col_class in fixed.items():
        c_class[cj == col] = col_class
    main_rows = np.array([int(t.y_m // STREET_SPACING_M) for t in terrain.towns
                          if t.index == MAIN_TOWN], dtype=np.int64)
    near_main = np.zeros(ci.size, dtype=bool)
    for r in main_rows:
        near_main |= np.abs(ci - r) < ONEWAY_HALF_ROWS
    oneway = near_main & np.isin(cj, ONEWAY_COLS) & ~on_bus
    c_class[oneway] = ONEWAY
    reverse = oneway & (cj == ONEWAY_COLS[1])
    c_u, c_v = np.where(reverse, c_v, c_u), np.where(reverse, c_u, c_v)
    removable = np.isin(c_class, (RESIDENTIAL, MOUNTAIN_ROAD))
    p_drop = np.where(c_elev > HILL_ELEVATION_M, 0.4, 0.06)
    drop = removable & (rng.random(ci.size) < p_drop)
    c_u, c_v, c_class, ci, cj = c_u[~drop], c_v[~drop], c_class[~drop], ci[~drop], cj[~drop]
    reverse = reverse[~drop]
    c_line = 2 * n_rows + cj
    c_pos = np.where(reverse, -ci, ci)

    # hill footways: diagonal shortcuts between terraces
    di, dj = np.nonzero(kept[:-1, :-1] & kept[1:, 1:])
    d_elev = 0.5 * (elev[di, dj] + elev[di + 1, dj + 1])
    take = (d_elev > HILL_ELEVATION_M) & (d_elev < MOUNTAIN_ELEVATION_M) & (
        rng.random(di.size) < 0.05)
    di, dj = di[take], dj[take]
    d_u, d_v = idx[di, dj], idx[di + 1, dj + 1]
    d_line = 2 * n_rows + n_cols + np.arange(di.size, dtype=np.int64)

    u = np.concatenate([r_u, c_u, d_u])
    v = np.concatenate([r_v, c_v, d_v])
    cls = np.concatenate([r_class, c_class, np.full(di.size, HILL_PATH, dtype=np.int64)])
    line = np.concatenate([r_line, c_line, d_line])
    pos = np.concatenate([r_pos, c_pos, np.zeros(di.size, dtype=np.int64)])
    order = np.lexsort((pos, line))
    u, v, cls, line = u[order], v[order], cls[order], line[order]

    n = u.size
    brk = np.ones(n, dtype=bool)
    brk[1:] = (line[1:] != line[:-1]) | (cls[1:] != cls[:-1]) | (v[:-1] != u[1:])
    way_start = np.flatnonzero(brk)
    way_of_edge = np.cumsum(brk) - 1
    edges_per_way = np.diff(np.append(way_start, n))
    offsets = np.zeros(way_start.size + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(edges_per_way + 1)
    nodes = np.empty(int(offsets[-1]), dtype=np.int64)
    nodes[offsets[:-1]] = u[way_start]
    nodes[offsets[way_of_edge] + (np.arange(n) - way_start[way_of_edge]) + 1] = v
    way_class = cls[way_start]
    incline = np.full(way_start.size, np.nan)
    hill = way_class == HILL_PATH
    hu, hv = u[way_start[hill]], v[way_start[hill]]
    ex, ey, ez = lattice.x_m.ravel(), lattice.y_m.ravel(), elev.ravel()
    run = np.hypot(ex[hv] - ex[hu], ey[hv] - ey[hu])
    incline[hill] = np.round(100.0 * (ez[hv] - ez[hu]) / run)
    return StreetNetwork(lattice, u, v, cls, way_class, offsets, nodes, incline)


def _pair_keys(a: IntArray, b: IntArray) -> IntArray:
    lo = np.minimum(a, b).astype(np.int64)
    hi = np.maximum(a, b).astype(np.int64)
    return lo * (1 << 32) + hi

"""The bus network: a BRT spine along the coast and feeder lines into the hills.

Per segment: one BRT route along the spine road (column 5, ~700 m inland) with
a stop every ~600 m and a hub at each of the five station towns; ten feeder
routes from the hubs into the hills, three of them loops that leave and come
back to their hub (so every trip visits the hub twice); and a local trunk
line along 国道6号 on the first terrace, from the southern to the northern
hub. Consecutive BRT routes share their terminal stop, so a larger city stays
one network.

Routes drive along lattice streets; :attr:`BusNetwork.bus_edges` lists those
street edges so that :func:`gtfs.democity.streets.build_streets` keeps them.
Running times come from distance, dwell and (for feeders) the climb.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from gtfs.democity.geography import HILL_ELEVATION_M, MAIN_TOWN, Terrain, Town
from gtfs.democity.names import AREA_NAMES, StopNamer, ward_name
from gtfs.democity.streets import (
    COL_NATIONAL_6,
    COL_SPINE,
    ROWS_PER_SEGMENT,
    STREET_SPACING_M,
    Lattice,
)

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

BRT_SPEED_M_S = 6.4  # commercial speed between stops, ~23 km/h
BRT_DWELL_S = 20.0
FEEDER_SPEED_M_S = 5.0  # ~18 km/h on the flat
FEEDER_DWELL_S = 15.0
FEEDER_CLIMB_FACTOR = 6.0  # speed divided by (1 + factor * grade)
BRT_STOP_ROWS = 5  # ~625 m between BRT stops
AREA_LENGTH_M = 1_300.0

AGENCY_BRT = "hitachi_brt"
AGENCY_BUS = "hitachi_bus"
BRT_COLOR = "E4007F"
FEEDER_COLORS = ("0068B7", "009944", "F39800", "00A0E9", "8FC31F", "E60012", "920783")

#: Feeder kinds per town of a segment: (town, kind); "loop" comes back to its hub.
FEEDER_PLAN: tuple[tuple[int, str], ...] = (
    (0, "loop"), (0, "outback"), (1, "outback"), (1, "outback"), (2, "loop"),
    (2, "outback"), (3, "outback"), (3, "outback"), (4, "loop"), (4, "outback"),
    (0, "trunk"),
)
BLANK_TIME_TOWNS = (1, 3)  # their first out-and-back line has non-timepoint stops
ROUTE_NUMBERS_PER_SEGMENT = 20
TRUNK_END_TOWN = 4  # the trunk runs along 国道6号 from town 0's hub to town 4's


@dataclass(frozen=True, slots=True, eq=False)
class Stops:
    """Bus stops: GTFS strings and frame/WGS84 positions."""

    ids: tuple[str, ...]
    codes: tuple[str, ...]
    names: tuple[str, ...]
    x_m: FloatArray
    y_m: FloatArray
    lat: FloatArray
    lon: FloatArray
    elevation_m: FloatArray
    segment: IntArray
    town_hub: NDArray[np.bool_]
    on_brt: NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True, eq=False)
class Pattern:
    """One direction of a route: its stops, shape and base running times.

    ``hop_s[k]`` is the running time (with dwell) from stop ``k`` to ``k + 1``;
    0 marks a hop timetabled as zero seconds. ``timed[k]`` is False for
    non-timepoint stops whose times are left blank.
    """

    direction_id: int
    headsign: str
    shape_id: str
    stops: IntArray
    dist_m: FloatArray
    hop_s: FloatArray
    pickup_type: NDArray[np.int8]
    timed: NDArray[np.bool_]
    shape_lat: FloatArray
    shape_lon: FloatArray
    shape_dist_m: FloatArray


@dataclass(frozen=True, slots=True, eq=False)
class Route:
    """A bus route with its patterns (one per direction; loops have one)."""

    route_id: str
    agency_id: str
    short_name: str
    long_name: str
    route_type: int
    color: str
    kind: str  # "brt", "loop" or "outback"
    segment: int
    town: int
    patterns: tuple[Pattern, ...]
    unpadded_hours: bool
    offset_min: int


@dataclass(frozen=True, slots=True, eq=False)
class BusNetwork:
    """Stops, routes, town hubs and the street edges buses drive on."""

    stops: Stops
    routes: tuple[Route, ...]
    town_hub_stop: IntArray  # per terrain town
    bus_edges: IntArray  # (k, 2) lattice node pairs
    area_names: tuple[tuple[str, ...], ...]  # per segment, one per 1.3 km of coast

    def area(self, y_m: float) -> str:
        """Return the neighbourhood name at ``y_m`` along the coast."""
        return area_at(self.area_names, y_m)


def area_at(area_names: Sequence[Sequence[str]], y_m: float) -> str:
    """Return the neighbourhood of ``y_m``: segment by segment, 1.3 km each."""
    seg_len = ROWS_PER_SEGMENT * STREET_SPACING_M
    seg = min(max(int(y_m // seg_len), 0), len(area_names) - 1)
    names = area_names[seg]
    local = y_m - seg * seg_len
    return names[min(max(int(local // AREA_LENGTH_M), 0), len(names) - 1)]


@dataclass(slots=True)
class _StopBook:
    """Mutable stop registry used while building; one stop per lattice node."""

    terrain: Terrain
    lattice: Lattice
    namer: StopNamer
    area_names: list[list[str]]
    by_node: dict[int, int] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    x: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)
    segment: list[int] = field(default_factory=list)
    town_hub: list[bool] = field(default_factory=list)
    on_brt: list[bool] = field(default_factory=list)

    def area(self, y_m: float) -> str:
        return area_at(self.area_names, y_m)

    def at_node(self, node: int, prefix: str, *, name: str | None = None,
                hub: bool = False, brt: bool = False) -> int:
        if node in self.by_node:
            s = self.by_node[node]
            self.on_brt[s] = self.on_brt[s] or brt
            self.town_hub[s] = self.town_hub[s] or hub
            return s
        x = float(self.lattice.x_m.flat[node])
        y = float(self.lattice.y_m.flat[node])
        if name is None:
            hill = float(self.lattice.elevation_m.flat[node]) > HILL_ELEVATION_M
            name = self.namer.name(self.area(y), hill=hill)
        else:
            name = self.namer.reserve(name)
        s = self.add(x, y, prefix, name=name, hub=hub, brt=brt)
        self.by_node[node] = s
        return s

    def add(self, x: float, y: float, prefix: str, *, name: str, hub: bool = False,
            brt: bool = False) -> int:
        """Append a stop; ``name`` must already be reserved with the namer."""
        seg = min(int(y // (ROWS_PER_SEGMENT * STREET_SPACING_M)), self.terrain.size - 1)
        s = len(self.ids)
        self.ids.append(f"{prefix}{s + 1:05d}")
        self.names.append(name)
        self.x.append(x)
        self.y.append(y)
        self.segment.append(seg)
        self.town_hub.append(hub)
        self.on_brt.append(brt)
        return s

    def freeze(self) -> Stops:
        x = np.array(self.x)
        y = np.array(self.y)
        lat, lon = self.terrain.frame.to_lat_lon(x, y)
        n = len(self.ids)
        return Stops(
            ids=tuple(self.ids),
            codes=tuple(f"{k + 1:05d}" for k in range(n)),
            names=tuple(self.names),
            x_m=x, y_m=y, lat=lat, lon=lon,
            elevation_m=self.terrain.elevation_m(x, y),
            segment=np.array(self.segment, dtype=np.int64),
            town_hub=np.array(self.town_hub, dtype=bool),
            on_brt=np.array(self.on_brt, dtype=bool),
        )


def build_network(terrain: Terrain, lattice: Lattice, rng: np.random.Generator) -> BusNetwork:
    """Lay out the BRT and feeder routes of every segment on the street lattice."""
    size = terrain.size
    namer = StopNamer(rng)
    area_names = [[ward_name(AREA_NAMES[int(k)], seg)
                   for k in rng.permutation(len(AREA_NAMES))[:20]] for seg in range(size)]
    book = _StopBook(terrain, lattice, namer, area_names)
    routes: list[Route] = []
    paths: list[IntArray] = []
    hub_of_town: dict[int, int] = {}
    start = 6
    for seg in range(size):
        end = (seg + 1) * ROWS_PER_SEGMENT + 4 if seg < size - 1 else lattice.n_rows - 7
        towns = [(k, t) for k, t in enumerate(terrain.towns) if t.segment == seg]
        route, path, hubs = _brt_route(book, lattice, seg, towns, start, end, size, rng)
        routes.append(route)
        paths.append(path)
        hub_of_town.update(hubs)
        start = end
    for seg in range(size):
        towns = [(k, t) for k, t in enumerate(terrain.towns) if t.segment == seg]
        sides: dict[int, int] = {}
        for n, (town_index, kind) in enumerate(FEEDER_PLAN):
            k, town = towns[town_index]
            side = -sides[town_index] if town_index in sides else int(rng.choice((-1, 1)))
            sides[town_index] = side
            first_outback = (kind == "outback" and town_index in BLANK_TIME_TOWNS
                             and FEEDER_PLAN.index((town_index, kind)) == n)
            k_end, end_town = towns[TRUNK_END_TOWN]
            trunk_end = (int(end_town.y_m // STREET_SPACING_M), hub_of_town[k_end])
            route, path = _feeder_route(book, lattice, seg, n, town, hub_of_town[k], kind,
                                        side, first_outback, rng,
                                        end=trunk_end if kind == "trunk" else None)
            routes.append(route)
            paths.append(path)
    bus_edges = np.concatenate([np.stack([p[:-1], p[1:]], axis=1) for p in paths])
    town_hub = np.array([hub_of_town[k] for k in range(len(terrain.towns))], dtype=np.int64)
    return BusNetwork(book.freeze(), tuple(routes), town_hub, bus_edges.astype(np.int64),
                      tuple(tuple(a) for a in area_names))


def _brt_route(book: _StopBook, lattice: Lattice, seg: int, towns: list[tuple[int, Town]],
               start: int, end: int, size: int,
               rng: np.random.Generator) -> tuple[Route, IntArray, dict[int, int]]:
    n_cols = lattice.n_cols
    rows = np.arange(start, end + 1, dtype=np.int64)
    path = rows * n_cols + COL_SPINE
    town_rows = {int(t.y_m // STREET_SPACING_M): (k, t) for k, t in towns}
    fixed = sorted({start, end} | set(town_rows))
    stop_rows: list[int] = []
    for r1, r2 in itertools.pairwise(fixed):
        stop_rows.append(r1)
        gap = r2 - r1
        n_mid = max(round(gap / BRT_STOP_ROWS) - 1, 0)
        stop_rows += [r1 + round(gap * m / (n_mid + 1)) for m in range(1, n_mid + 1)]
    stop_rows.append(fixed[-1])
    positions: list[float] = []
    stops: list[int] = []
    hubs: dict[int, int] = {}
    zero_hops: list[int] = []
    for r in stop_rows:
        node = r * n_cols + COL_SPINE
        if r in town_rows:
            k, town = town_rows[r]
            s = book.at_node(node, "B", name=f"{town.name}駅", hub=True, brt=True)
            hubs[k] = s
        elif r in (start, end):
            depot = f"{book.area(float(lattice.y_m.flat[node]))}車庫"
            s = book.at_node(node, "B", name=depot, brt=True)
        else:
            s = book.at_node(node, "B", brt=True)
        positions.append(float(r - start))
        stops.append(s)
        if r in town_rows and town_rows[r][1].index == MAIN_TOWN:
            a, b = node, node + n_cols
            x = 0.5 * float(lattice.x_m.flat[a] + lattice.x_m.flat[b])
            y = 0.5 * float(lattice.y_m.flat[a] + lattice.y_m.flat[b])
            name = book.namer.reserve(f"{town_rows[r][1].name}駅中央口")
            zero_hops.append(len(stops) - 1)
            positions.append(r - start + 0.5)
            stops.append(book.add(x, y, "B", name=name, brt=True))
    lat, lon, cum = _path_geometry(lattice, path)
    dist = np.interp(np.array(positions), np.arange(path.size, dtype=np.float64), cum)
    hop = np.diff(dist) / BRT_SPEED_M_S + BRT_DWELL_S
    hop[zero_hops] = 0.0
    stop_arr = np.array(stops, dtype=np.int64)
    names = book.names
    short = "BRT" if size == 1 else f"BRT{seg + 1}"
    rid = f"BRT{seg + 1}"
    north = Pattern(0, names[stops[-1]], f"shp_{rid}_0", stop_arr, dist, hop,
                    np.zeros(len(stops), dtype=np.int8), np.ones(len(stops), dtype=bool),
                    lat, lon, cum)
    ends = sorted(hubs.values())
    route = Route(rid, AGENCY_BRT, short, f"ひたちBRT {names[ends[0]]}〜{names[ends[-1]]}",
                  3, BRT_COLOR, "brt", seg, -1,
                  (north, _reverse(north, names[stops[0]], f"shp_{rid}_1")),
                  False, int(rng.integers(0, 5)))
    return route, path, hubs


def _feeder_route(book: _StopBook, lattice: Lattice, seg: int, n: int, town: Town, hub: int,
                  kind: str, side: int, first_outback: bool, rng: np.random.Generator, *,
                  end: tuple[int, int] | None = None) -> tuple[Route, IntArray]:
    n_rows = lattice.n_rows
    r0 = int(town.y_m // STREET_SPACING_M)
    if end is not None:
        corners = [(r0, COL_SPINE), (r0, COL_NATIONAL_6), (end[0], COL_NATIONAL_6),
                   (end[0], COL_SPINE)]
        tail = 2
    elif kind == "loop":
        d = side * int(rng.integers(8, 15))
        if not 2 <= r0 + d <= n_rows - 3:
            d = -d
        r1 = r0 + d
        cap = int(lattice.last_col[min(r0, r1):max(r0, r1) + 1].min()) - 2
        c_far = min(cap, int(rng.integers(16, 26)))
        corners = [(r0, COL_SPINE), (r0, c_far), (r1, c_far), (r1, COL_SPINE + 1),
                   (r0, COL_SPINE + 1), (r0, COL_SPINE)]
        tail = 3
    else:
        d = side * int(rng.integers(5, 12))
        if not 2 <= r0 + d <= n_rows - 3:
            d = -d
        r1 = r0 + d
        c_mid = int(rng.integers(8, 14))
        c_end = min(int(lattice.last_col[r1]) - 1, c_mid + int(rng.integers(8, 17)))
        corners = [(r0, COL_SPINE), (r0, c_mid), (r1, c_mid), (r1, c_end)]
        tail = 2
    path = _corner_path(corners, lattice.n_cols)
    elev = lattice.elevation_m.ravel()[path]
    positions = [0]
    p = 3
    while p <= path.size - 1 - tail:
        positions.append(p)
        p += 3 if elev[p] > HILL_ELEVATION_M else 4
    positions.append(path.size - 1)
    stops = [hub] + [book.at_node(int(path[q]), "F") for q in positions[1:-1]]
    if end is not None:
        stops.append(end[1])
    else:
        stops.append(hub if kind == "loop" else book.at_node(int(path[-1]), "F"))
    lat, lon, cum = _path_geometry(lattice, path)
    climb = np.concatenate([[0.0], np.cumsum(np.abs(np.diff(elev)))])
    effort = (cum + FEEDER_CLIMB_FACTOR * climb) / FEEDER_SPEED_M_S
    pos = np.array(positions, dtype=np.int64)
    hop = np.diff(effort[pos]) + FEEDER_DWELL_S
    n_stops = len(stops)
    pickup = np.zeros(n_stops, dtype=np.int8)
    timed = np.ones(n_stops, dtype=bool)
    if kind == "loop":
        interior = np.arange(1, n_stops - 1)
        high = interior[np.argsort(-elev[pos[interior]], kind="stable")[:2]]
        pickup[high[elev[pos[high]] > HILL_ELEVATION_M]] = 3
    elif first_outback:
        k = np.arange(n_stops)
        timed[(k % 3 == 2) & (k > 0) & (k < n_stops - 1)] = False
    names = book.names
    number = seg * ROUTE_NUMBERS_PER_SEGMENT + n + 1
    rid = f"F{seg + 1}-{n + 1:02d}"
    stop_arr = np.array(stops, dtype=np.int64)
    if kind == "loop":
        far = names[stops[n_stops // 2]]
        out = Pattern(0, f"{far}循環", f"shp_{rid}_0", stop_arr, cum[pos], hop, pickup, timed,
                      lat, lon, cum)
        patterns: tuple[Pattern, ...] = (out,)
        long_name = f"{names[hub]}〜{far}循環"
    else:
        out = Pattern(0, names[stops[-1]], f"shp_{rid}_0", stop_arr, cum[pos], hop, pickup,
                      timed, lat, lon, cum)
        patterns = (out, _reverse(out, names[hub], f"shp_{rid}_1"))
        via = "（国道6号経由）" if end is not None else ""
        long_name = f"{names[hub]}〜{names[stops[-1]]}{via}"
    route = Route(rid, AGENCY_BUS, str(number), long_name, 3,
                  FEEDER_COLORS[n % len(FEEDER_COLORS)], kind, seg, town.index, patterns,
                  True, int(rng.integers(0, 15)))
    return route, path


def _reverse(p: Pattern, headsign: str, shape_id: str) -> Pattern:
    total = float(p.shape_dist_m[-1])
    return Pattern(1, headsign, shape_id, p.stops[::-1].copy(), total - p.dist_m[::-1],
                   p.hop_s[::-1].copy(), p.pickup_type[::-1].copy(), p.timed[::-1].copy(),
                   p.shape_lat[::-1].copy(), p.shape_lon[::-1].copy(),
                   total - p.shape_dist_m[::-1])


def _corner_path(corners: list[tuple[int, int]], n_cols: int) -> IntArray:
    cells = [corners[0]]
    for (i0, j0), (i1, j1) in itertools.pairwise(corners):
        di = int(np.sign(i1 - i0))
        dj = int(np.sign(j1 - j0))
        i, j = i0, j0
        while (i, j) != (i1, j1):
            i, j = i + di, j + dj
            cells.append((i, j))
    return np.array([i * n_cols + j for i, j in cells], dtype=np.int64)


def _path_geometry(lattice: Lattice, path: IntArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    lat = lattice.lat.ravel()[path]
    lon = lattice.lon.ravel()[path]
    return lat, lon, polyline_m(lat, lon)


def polyline_m(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Return the cumulative length (metres) of a WGS84 polyline, 0 at its start."""
    phi = np.radians(0.5 * (lat[1:] + lat[:-1]))
    dy = np.radians(np.diff(lat)) * 6_371_000.0
    dx = np.radians(np.diff(lon)) * 6_371_000.0 * np.cos(phi)
    out = np.zeros(lat.size, dtype=np.float64)
    out[1:] = np.cumsum(np.hypot(dx, dy))
    return out

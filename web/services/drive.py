"""Driving times on the street network (dispatch's TravelTimes): per zone, or between fixed places.

Vehicles of a zone only go between places of that zone and its hubs, so the
columns are the zone's drivable nodes (the polygon grown by ``margin_deg``)
plus the hub and depot nodes; a row — the driving seconds from one origin node
to every column — costs one bounded Dijkstra (``routing.streetsearch``) and is
kept (up to ``max_rows``). A place is mapped to its nearest drivable node;
a pair the columns do not hold, or that is unreachable within ``limit_s``,
falls back to :class:`dispatch.travel.CrowFlyTravelTimes` (unreachable:
:data:`UNREACHABLE_S`, so no insertion uses it).

:class:`StreetDriveMatrix` serves a day known in advance (``tsunagu simulate``,
scenario evaluation): times and fastest-path metres between a fixed set of
places, one unbounded Dijkstra per distinct node.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from shapely import contains_xy
from shapely.geometry import MultiPolygon, Polygon

from dispatch.errors import DispatchError
from dispatch.model import Place
from dispatch.travel import CrowFlyTravelTimes
from routing.snap import NodeIndex
from routing.streetsearch import StreetSearch
from transit.streets import DRIVE, StreetNetwork

UNREACHABLE_S = 2 * 86_400
MATRIX_UNREACHABLE_S = 10 ** 9  # StreetDriveMatrix: a pair no path joins


class ZoneDriveTimes:
    """Driving seconds between places of one zone, on the streets.

    Parameters
    ----------
    streets : StreetNetwork
        The network (edges flagged ``DRIVE`` with speeds).
    zone : Polygon or MultiPolygon
        The zone (lon/lat).
    extra : sequence of (lat, lon)
        Points outside the zone vehicles also go to (hubs, depot).
    index : NodeIndex
        Nearest drivable node lookup.
    margin_deg, limit_s, max_rows
        Zone growth for the columns, search bound, rows kept.
    """

    def __init__(self, streets: StreetNetwork, zone: Polygon | MultiPolygon,
                 extra: Sequence[tuple[float, float]], index: NodeIndex, *,
                 margin_deg: float = 0.006, limit_s: float = 3 * 3600.0,
                 max_rows: int = 4096) -> None:
        self.streets = streets
        self._index = index
        self._search = StreetSearch(streets, int(DRIVE))
        self._limit_s = limit_s
        self._max_rows = max_rows
        self._nodes: dict[tuple[float, float], int] = {}
        inside = contains_xy(zone.buffer(margin_deg), streets.node_lon, streets.node_lat)
        cols = set(np.flatnonzero(inside).tolist())
        cols |= {self.node_of(Place(lat, lon)) for lat, lon in extra}
        cols.discard(-1)
        self._cols = np.array(sorted(cols), np.int64)
        self._col_of = {int(n): i for i, n in enumerate(self._cols.tolist())}
        self._rows: OrderedDict[int, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._crow = CrowFlyTravelTimes()

    @property
    def n_columns(self) -> int:
        """Nodes a row holds."""
        return len(self._cols)

    def node_of(self, place: Place) -> int:
        """Return the nearest drivable node of a place (-1 if none)."""
        key = (place.lat, place.lon)
        hit = self._nodes.get(key)
        if hit is None:
            node, _ = self._index.nearest(place.lat, place.lon)
            hit = self._nodes[key] = int(node)
        return hit

    def _row(self, node: int) -> np.ndarray:
        with self._lock:
            row = self._rows.get(node)
            if row is not None:
                self._rows.move_to_end(node)
                return row
            nodes, cost = self._search.run(np.array([node], np.int64), np.array([0.0]),
                                           self._limit_s)
            row = np.full(len(self._cols), np.inf)
            for u, c in zip(nodes.tolist(), cost.tolist(), strict=True):
                j = self._col_of.get(u)
                if j is not None:
                    row[j] = c
            self._rows[node] = row
            if len(self._rows) > self._max_rows:
                self._rows.popitem(last=False)
            return row

    def durations_s(self, origins: Sequence[Place],
                    destinations: Sequence[Place]) -> np.ndarray:
        """Return int64 driving seconds ``(len(origins), len(destinations))``, rounded up."""
        n_o, n_d = len(origins), len(destinations)
        o_nodes = np.fromiter((self.node_of(p) for p in origins), np.int64, n_o)
        d_nodes = np.fromiter((self.node_of(p) for p in destinations), np.int64, n_d)
        d_cols = np.fromiter((self._col_of.get(int(n), -1) for n in d_nodes), np.int64, n_d)
        has_col = d_cols >= 0
        cols = d_cols[has_col]
        secs = np.full((n_o, n_d), np.inf)
        if cols.size:
            for i in np.flatnonzero(o_nodes >= 0).tolist():
                secs[i, has_col] = self._row(int(o_nodes[i]))[cols]
        out = np.where(np.isfinite(secs), np.ceil(secs - 1e-9), UNREACHABLE_S).astype(np.int64)
        fallback = (o_nodes < 0)[:, None] | ~has_col[None, :]
        if fallback.any():
            crow = self._crow.durations_s(origins, destinations)
            out[fallback] = crow[fallback]
        same = (o_nodes[:, None] == d_nodes[None, :]) & (o_nodes >= 0)[:, None]
        out[same] = 0
        return out

    def distance_m(self, a: Place, b: Place) -> float:
        """Return the street length of the fastest drive from ``a`` to ``b``.

        Crow-fly x the fallback's detour factor when either place has no drivable
        node or ``b`` is not reached within the search bound.
        """
        na, nb = self.node_of(a), self.node_of(b)
        if na >= 0 and nb >= 0:
            if na == nb:
                return 0.0
            with self._lock:
                nodes, _ = self._search.run(np.array([na], np.int64), np.array([0.0]),
                                            self._limit_s)
                if bool(np.any(nodes == nb)):
                    return float(self._search.path_length_m(nb))
        return float(self._crow.distance_m([a], [b])[0, 0]) * self._crow.detour_factor


class StreetDriveMatrix:
    """Driving seconds and metres between a fixed set of places, over the street network.

    Each place is snapped to its nearest drivable node; one Dijkstra (by time)
    runs from every distinct node; the distance of a pair is the length of the
    fastest path (summed along the shortest-path tree by pointer jumping).
    Unreachable pairs get :data:`MATRIX_UNREACHABLE_S` (never feasible).
    """

    def __init__(self, streets: StreetNetwork, places: Sequence[Place]) -> None:
        index = NodeIndex.of_network(streets, int(DRIVE))
        self._col: dict[Place, int] = {}
        nodes: list[int] = []
        col_of_node: dict[int, int] = {}
        for p in places:
            if p in self._col:
                continue
            node, _ = index.nearest(p.lat, p.lon)
            if node < 0:
                raise DispatchError(f"place ({p.lat}, {p.lon}) has no drivable street near it")
            if node not in col_of_node:
                col_of_node[node] = len(nodes)
                nodes.append(node)
            self._col[p] = col_of_node[node]
        v = streets.n_nodes
        src = np.array(nodes, dtype=np.int64)
        search = StreetSearch(streets, int(DRIVE))
        times = np.full((len(src), v), np.inf)
        parent = np.full((len(src), v), -1, np.int64)
        acc = np.zeros((len(src), v))
        for i, s in enumerate(src.tolist()):
            search.run(np.array([s], np.int64), np.zeros(1), np.inf)
            times[i] = search.dist
            edge = search.pred
            has = edge >= 0
            parent[i, has] = search.tails[edge[has]]
            acc[i, has] = streets.length_m[edge[has]]
        # distance along the fastest path: pointer jumping up each shortest-path tree
        anc = parent
        rows = np.arange(len(src))[:, None]
        while np.any(anc >= 0):
            up = anc >= 0
            safe = np.where(up, anc, 0)
            acc = np.where(up, acc + acc[rows, safe], acc)
            anc = np.where(up, anc[rows, safe], -1)
        sub_t = times[:, src]
        self.seconds = np.where(np.isfinite(sub_t), np.ceil(sub_t - 1e-9),
                                MATRIX_UNREACHABLE_S).astype(np.int64)
        self.metres = acc[:, src]

    def _cols(self, places: Sequence[Place]) -> list[int]:
        try:
            return [self._col[p] for p in places]
        except KeyError as exc:
            raise DispatchError(f"place {exc.args[0]} was not given to StreetDriveMatrix") \
                from None

    def _pick(self, table: np.ndarray, origins: Sequence[Place],
              destinations: Sequence[Place]) -> np.ndarray:
        rows, cols = self._cols(origins), self._cols(destinations)
        if len(rows) == 1 and len(cols) == 1:  # the dispatcher's most common question
            return table[rows[0]:rows[0] + 1, cols[0]:cols[0] + 1].copy()
        return table[np.asarray(rows, np.int64)[:, None], np.asarray(cols, np.int64)[None, :]]

    def durations_s(self, origins: Sequence[Place],
                    destinations: Sequence[Place]) -> np.ndarray:
        """Driving seconds, rounded up."""
        return self._pick(self.seconds, origins, destinations)

    def distances_m(self, origins: Sequence[Place],
                    destinations: Sequence[Place]) -> np.ndarray:
        """Metres along the fastest paths."""
        return self._pick(self.metres, origins, destinations)

"""Driving times on the street network for one on-demand zone (dispatch's TravelTimes).

Vehicles of a zone only go between places of that zone and its hubs, so the
columns are the zone's drivable nodes (the polygon grown by ``margin_deg``)
plus the hub and depot nodes; a row — the driving seconds from one origin node
to every column — costs one bounded Dijkstra (``routing.streetsearch``) and is
kept (up to ``max_rows``). A place is mapped to its nearest drivable node;
a pair the columns do not hold, or that is unreachable within ``limit_s``,
falls back to :class:`dispatch.travel.CrowFlyTravelTimes` (unreachable:
:data:`UNREACHABLE_S`, so no insertion uses it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from shapely import contains_xy
from shapely.geometry import MultiPolygon, Polygon

from dispatch.model import Place
from dispatch.travel import CrowFlyTravelTimes
from routing.snap import NodeIndex
from routing.streetsearch import StreetSearch
from transit.streets import DRIVE, StreetNetwork

UNREACHABLE_S = 2 * 86_400


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

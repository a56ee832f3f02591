"""Walking between places and stops: on the street network, or crow-fly x 1.3.

With a :class:`~transit.streets.StreetNetwork`, a point or a stop is snapped
to its nearest walkable node; the walked length is the snap distance at both
ends plus the shortest street path. Without one (or when a snap is farther
than ``max_snap_m``), the length is the great-circle distance x ``detour``.
Time is length / ``speed_m_s``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from routing.footpaths import DETOUR_FACTOR, WALK_SPEED_M_S
from routing.geo import haversine_m
from routing.snap import NodeIndex
from routing.streetsearch import StreetSearch
from transit.streets import WALK, StreetNetwork
from transit.timetable import Timetable

MAX_SNAP_M = 300.0


class Walker:
    """Walking times and geometry for one timetable, with or without streets."""

    def __init__(self, tt: Timetable, streets: StreetNetwork | None = None, *,
                 speed_m_s: float = WALK_SPEED_M_S, detour: float = DETOUR_FACTOR,
                 max_snap_m: float = MAX_SNAP_M) -> None:
        self.tt = tt
        self.streets = streets
        self.speed_m_s = speed_m_s
        self.detour = detour
        self.max_snap_m = max_snap_m
        self.stop_node = np.full(tt.n_stops, -1, np.int64)
        self.stop_snap_m = np.full(tt.n_stops, np.inf)
        self._search: StreetSearch | None = None
        self._index: NodeIndex | None = None
        self._node_stops: dict[int, list[int]] = {}
        if streets is not None and streets.n_edges:
            self._index = NodeIndex.of_network(streets, int(WALK))
            self._search = StreetSearch(streets, int(WALK))
            nodes, dist = self._index.nearest_many(tt.stop_lat, tt.stop_lon, max_snap_m)
            ok = dist <= max_snap_m
            self.stop_node[ok] = nodes[ok]
            self.stop_snap_m[ok] = dist[ok]
            for s in np.flatnonzero(ok).tolist():
                self._node_stops.setdefault(int(self.stop_node[s]), []).append(s)

    @property
    def on_streets(self) -> bool:
        """Whether walking follows a street network."""
        return self._search is not None

    def seconds(self, metres: float) -> int:
        """Return the walking time for ``metres``."""
        return round(metres / self.speed_m_s)

    def stops_near(self, lat: float, lon: float, limit_s: int) -> dict[int, tuple[int, float]]:
        """Return ``{stop: (seconds, metres)}`` for stops walkable from a point within ``limit_s``.

        Walking is symmetric, so this serves access and egress alike.
        """
        limit_m = limit_s * self.speed_m_s
        out: dict[int, tuple[int, float]] = {}
        crow = haversine_m(lat, lon, self.tt.stop_lat, self.tt.stop_lon)
        snapped = False
        if self._search is not None and self._index is not None:
            node, snap = self._index.nearest(lat, lon, self.max_snap_m)
            if node >= 0 and snap <= self.max_snap_m:
                snapped = True
                nodes, dist = self._search.run(np.array([node]), np.array([snap]), limit_m)
                for u, d in zip(nodes.tolist(), dist.tolist(), strict=True):
                    for s in self._node_stops.get(u, ()):
                        m = d + float(self.stop_snap_m[s])
                        if m <= limit_m:
                            out[s] = (self.seconds(m), m)
        # crow-fly for everything the streets do not cover (no network, or unsnapped stops)
        near = np.flatnonzero(crow * self.detour <= limit_m)
        for s in near.tolist():
            if snapped and self.stop_node[s] >= 0:
                continue
            if s not in out:
                m = float(crow[s]) * self.detour
                out[s] = (self.seconds(m), m)
        return out

    def stop_lengths(self, stop: int, candidates: NDArray[np.int32],
                     limit_m: float) -> NDArray[np.float64]:
        """Return street lengths from ``stop`` to ``candidates``.

        NaN where the streets cannot tell (either stop not snapped), +inf where
        no street path of at most ``limit_m`` exists.
        """
        out = np.full(len(candidates), np.nan)
        if self._search is None or self.stop_node[stop] < 0:
            return out
        self._search.run(np.array([self.stop_node[stop]]),
                         np.array([self.stop_snap_m[stop]]), limit_m)
        node = self.stop_node[candidates]
        snapped = node >= 0
        out[snapped] = (self._search.cost_to(node[snapped])
                        + self.stop_snap_m[candidates[snapped]])
        return out

    def between(self, a: tuple[float, float], b: tuple[float, float]
                ) -> tuple[int, float, list[tuple[float, float]]]:
        """Return ``(seconds, metres, points)`` of a walk from ``a`` to ``b``."""
        if self._search is not None and self._index is not None:
            na, da = self._index.nearest(a[0], a[1], self.max_snap_m)
            nb_, db = self._index.nearest(b[0], b[1], self.max_snap_m)
            if na >= 0 and nb_ >= 0 and da <= self.max_snap_m and db <= self.max_snap_m:
                crow = float(haversine_m(a[0], a[1], b[0], b[1]))
                self._search.run(np.array([na]), np.array([da]),
                                 crow * 3.0 + 2 * self.max_snap_m + 100.0)
                to_b = float(self._search.cost_to(np.array([nb_]))[0])
                if to_b < np.inf:
                    m = to_b + db
                    assert self.streets is not None
                    path = self._search.path(nb_)
                    pts = [a] + [(float(self.streets.node_lat[u]),
                                  float(self.streets.node_lon[u])) for u in path] + [b]
                    return self.seconds(m), m, pts
        m = float(haversine_m(a[0], a[1], b[0], b[1])) * self.detour
        return self.seconds(m), m, [a, b]

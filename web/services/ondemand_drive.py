"""Vehicle travel times on the street network's drive graph (a dispatch ``TravelTimes``).

Places are snapped to the nearest drivable node (within ``max_snap_m``; the
snap distance is driven at ``access_speed_m_s``); times are the fastest paths
of the car graph (one-way streets, ``maxspeed``), from a bounded Dijkstra run
forward from each origin or backward (on the reversed graph) from each
destination, whichever is fewer. Results per node are kept in a small LRU
cache, so the hubs and depots of a zone are searched once. Places that do
not snap fall back to crow-fly times.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from dispatch.model import Place
from dispatch.travel import CrowFlyTravelTimes
from routing.snap import NodeIndex
from routing.streetsearch import StreetSearch
from transit.streets import DRIVE, StreetNetwork

UNREACHABLE_S = 10**6


class DriveTimes:
    """Drive times in whole seconds between dispatch places.

    Parameters
    ----------
    streets : StreetNetwork
        The network; its drivable edges (with ``drive_speed_m_s``) are used.
    max_snap_m : float
        Farthest a place may be from a drivable node.
    limit_s : float
        Searches stop here; farther pairs are :data:`UNREACHABLE_S`.
    access_speed_m_s : float
        Speed over the snap distance (a car crawling into a driveway).
    cache_size : int
        Searches kept per direction.
    """

    def __init__(self, streets: StreetNetwork, *, max_snap_m: float = 500.0,
                 limit_s: float = 3600.0, access_speed_m_s: float = 5.0,
                 cache_size: int = 512) -> None:
        self.streets = streets
        self.max_snap_m = max_snap_m
        self.limit_s = limit_s
        self.access_speed_m_s = access_speed_m_s
        self.cache_size = cache_size
        self.fallback = CrowFlyTravelTimes()
        self._index = NodeIndex.of_network(streets, int(DRIVE))
        tails = np.repeat(np.arange(streets.n_nodes, dtype=np.int64), np.diff(streets.offsets))
        reverse = StreetNetwork.from_edges(streets.node_lat, streets.node_lon,
                                           streets.to_node.astype(np.int64), tails,
                                           streets.length_m, streets.flags,
                                           streets.drive_speed_m_s)
        self._fwd = StreetSearch(streets, int(DRIVE))
        self._bwd = StreetSearch(reverse, int(DRIVE))
        self._snaps: dict[Place, tuple[int, float]] = {}
        self._cache: OrderedDict[tuple[bool, int], NDArray[np.float64]] = OrderedDict()

    def snap(self, place: Place) -> tuple[int, float]:
        """Return ``(node, metres)`` of the place's drivable node, ``(-1, inf)`` if none."""
        hit = self._snaps.get(place)
        if hit is None:
            node, dist = self._index.nearest(place.lat, place.lon, self.max_snap_m)
            hit = (int(node), float(dist)) if node >= 0 and dist <= self.max_snap_m \
                else (-1, math.inf)
            self._snaps[place] = hit
        return hit

    def _from(self, node: int, backward: bool) -> NDArray[np.float64]:
        key = (backward, node)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        search = self._bwd if backward else self._fwd
        nodes, cost = search.run(np.array([node]), np.array([0.0]), self.limit_s)
        out = np.full(self.streets.n_nodes, np.inf)
        out[nodes] = cost
        self._cache[key] = out
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return out

    def durations_s(self, origins: Sequence[Place],
                    destinations: Sequence[Place]) -> np.ndarray:
        """Return int64 seconds ``(len(origins), len(destinations))``."""
        o = [self.snap(p) for p in origins]
        d = [self.snap(p) for p in destinations]
        out = np.zeros((len(origins), len(destinations)), np.float64)
        backward = len(destinations) < len(origins)
        d_nodes = np.array([n for n, _ in d], np.int64)
        o_nodes = np.array([n for n, _ in o], np.int64)
        if backward:
            for j, (node, _) in enumerate(d):
                if node >= 0:
                    dist = self._from(node, True)
                    out[:, j] = np.where(o_nodes >= 0, dist[np.maximum(o_nodes, 0)], np.nan)
        else:
            for i, (node, _) in enumerate(o):
                if node >= 0:
                    dist = self._from(node, False)
                    out[i, :] = np.where(d_nodes >= 0, dist[np.maximum(d_nodes, 0)], np.nan)
        snap_o = np.array([m for _, m in o]) / self.access_speed_m_s
        snap_d = np.array([m for _, m in d]) / self.access_speed_m_s
        out += snap_o[:, None] + snap_d[None, :]
        unsnapped = (o_nodes < 0)[:, None] | (d_nodes < 0)[None, :]
        if np.any(unsnapped):
            crow = self.fallback.durations_s(origins, destinations).astype(np.float64)
            out[unsnapped] = crow[unsnapped]
        out[~np.isfinite(out)] = UNREACHABLE_S
        secs = np.ceil(out - 1e-9).astype(np.int64)
        if backward:
            for j, b in enumerate(destinations):
                secs[[i for i, a in enumerate(origins) if a == b], j] = 0
        else:
            for i, a in enumerate(origins):
                secs[i, [j for j, b in enumerate(destinations) if a == b]] = 0
        return secs

    def distance_m(self, a: Place, b: Place) -> float:
        """Return the length of the fastest drive from ``a`` to ``b`` (crow-fly x 1.3 if none)."""
        na, ma = self.snap(a)
        nb_, mb = self.snap(b)
        if na >= 0 and nb_ >= 0:
            nodes, _ = self._fwd.run(np.array([na]), np.array([0.0]), self.limit_s)
            if nb_ in set(nodes.tolist()):
                return self._fwd.path_length_m(nb_) + ma + mb
        return float(self.fallback.distance_m([a], [b])[0, 0]) * self.fallback.detour_factor


__all__ = ["UNREACHABLE_S", "DriveTimes"]

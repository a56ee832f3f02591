"""Travel times between places, read through a small Protocol.

:class:`MatrixTravelTimes` reads a precomputed matrix over the street
network's drive graph; :class:`CrowFlyTravelTimes` is the fallback
(great-circle distance, detour factor, constant speed).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from dispatch.errors import DispatchError
from dispatch.model import Place

EARTH_RADIUS_M = 6_371_000.0


@runtime_checkable
class TravelTimes(Protocol):
    """Vehicle travel times in whole seconds."""

    def durations_s(self, origins: Sequence[Place],
                    destinations: Sequence[Place]) -> np.ndarray:
        """Return an int64 array ``(len(origins), len(destinations))`` of seconds."""
        ...


def _coords(places: Sequence[Place]) -> tuple[np.ndarray, np.ndarray]:
    lat = np.fromiter((p.lat for p in places), dtype=np.float64, count=len(places))
    lon = np.fromiter((p.lon for p in places), dtype=np.float64, count=len(places))
    return np.radians(lat), np.radians(lon)


class CrowFlyTravelTimes:
    """Great-circle distance × ``detour_factor`` at ``speed_mps``, rounded up.

    Parameters
    ----------
    speed_mps : float
        Average vehicle speed in metres per second.
    detour_factor : float
        Ratio of road distance to straight-line distance (≥ 1).
    """

    def __init__(self, *, speed_mps: float = 8.0, detour_factor: float = 1.3) -> None:
        if not speed_mps > 0:
            raise DispatchError(f"speed_mps={speed_mps!r} must be positive")
        if not detour_factor >= 1.0:
            raise DispatchError(f"detour_factor={detour_factor!r} must be at least 1")
        self.speed_mps = speed_mps
        self.detour_factor = detour_factor

    def distance_m(self, origins: Sequence[Place],
                   destinations: Sequence[Place]) -> np.ndarray:
        """Great-circle distances in metres."""
        la1, lo1 = _coords(origins)
        la2, lo2 = _coords(destinations)
        dlat = la2[None, :] - la1[:, None]
        dlon = lo2[None, :] - lo1[:, None]
        a = (np.sin(dlat / 2) ** 2
             + np.cos(la1)[:, None] * np.cos(la2)[None, :] * np.sin(dlon / 2) ** 2)
        return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))

    def durations_s(self, origins: Sequence[Place],
                    destinations: Sequence[Place]) -> np.ndarray:
        """Travel seconds, rounded up."""
        dist = self.distance_m(origins, destinations) * self.detour_factor
        return np.ceil(dist / self.speed_mps - 1e-9).astype(np.int64)


class MatrixTravelTimes:
    """Travel times from a node-to-node matrix (e.g. the drive graph's shortest paths).

    Parameters
    ----------
    matrix_s : ndarray
        Square int matrix of seconds between network nodes.
    node_of : callable
        Maps a :class:`Place` to its row/column in ``matrix_s``.
    """

    def __init__(self, matrix_s: np.ndarray, node_of: Callable[[Place], int]) -> None:
        matrix = np.asarray(matrix_s)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise DispatchError(f"matrix_s has shape {matrix.shape}, expected a square matrix")
        if np.any(matrix < 0):
            raise DispatchError("matrix_s has negative travel times")
        self.matrix_s = np.ceil(matrix).astype(np.int64)
        self.node_of = node_of

    def _nodes(self, places: Sequence[Place]) -> np.ndarray:
        n = self.matrix_s.shape[0]
        out = np.fromiter((self.node_of(p) for p in places), dtype=np.int64, count=len(places))
        bad = (out < 0) | (out >= n)
        if np.any(bad):
            place = places[int(np.argmax(bad))]
            raise DispatchError(f"place {place} maps to node {int(out[bad][0])}, "
                                f"outside the {n}-node matrix")
        return out

    def durations_s(self, origins: Sequence[Place],
                    destinations: Sequence[Place]) -> np.ndarray:
        """Travel seconds read from the matrix."""
        return self.matrix_s[np.ix_(self._nodes(origins), self._nodes(destinations))]

    @classmethod
    def from_graph(cls, graph: Any, nodes: Sequence[Hashable], *,
                   weight: str = "time_s", lat_attr: str = "lat",
                   lon_attr: str = "lon") -> MatrixTravelTimes:
        """Build the matrix over ``nodes`` of a networkx drive graph.

        Places map to the nearest of ``nodes`` by the ``lat``/``lon`` node
        attributes; unreachable pairs get a very large time (never feasible).
        """
        import networkx as nx

        index = {node: i for i, node in enumerate(nodes)}
        n = len(nodes)
        unreachable = 10 ** 9
        matrix = np.full((n, n), unreachable, dtype=np.int64)
        for node, i in index.items():
            lengths = nx.single_source_dijkstra_path_length(graph, node, weight=weight)
            for other, secs in lengths.items():
                j = index.get(other)
                if j is not None:
                    matrix[i, j] = math.ceil(secs)
        lat = np.radians([float(graph.nodes[x][lat_attr]) for x in nodes])
        lon = np.radians([float(graph.nodes[x][lon_attr]) for x in nodes])

        def nearest(place: Place) -> int:
            la, lo = math.radians(place.lat), math.radians(place.lon)
            d = (lat - la) ** 2 + ((lon - lo) * math.cos(la)) ** 2
            return int(np.argmin(d))

        return cls(matrix, nearest)

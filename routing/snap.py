"""Snap coordinates to the nearest street node with a uniform grid index."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from routing.geo import haversine_m
from transit.streets import StreetNetwork


class NodeIndex:
    """Nearest-node lookups over a subset of street nodes (e.g. the walkable ones).

    Nodes are bucketed into square cells of ``cell_m`` metres in a local
    equirectangular projection; a lookup searches rings of cells outwards
    until the nearest candidate is provably nearest.
    """

    def __init__(self, lat: NDArray[np.float64], lon: NDArray[np.float64],
                 nodes: NDArray[np.int64] | None = None, *, cell_m: float = 250.0) -> None:
        self.lat = np.asarray(lat, np.float64)
        self.lon = np.asarray(lon, np.float64)
        self.nodes = (np.arange(len(self.lat), dtype=np.int64) if nodes is None
                      else np.asarray(nodes, np.int64))
        self.cell_m = cell_m
        self.lat0 = float(np.mean(self.lat[self.nodes])) if len(self.nodes) else 0.0
        self.lon0 = float(np.mean(self.lon[self.nodes])) if len(self.nodes) else 0.0
        self.kx = 111_320.0 * np.cos(np.radians(self.lat0))
        cx, cy = self._cell(self.lat[self.nodes], self.lon[self.nodes])
        self.cells: dict[tuple[int, int], NDArray[np.int64]] = {}
        order = np.lexsort((cy, cx))
        keys = np.stack([cx[order], cy[order]], axis=1)
        if len(order):
            starts = np.flatnonzero(np.r_[True, np.any(np.diff(keys, axis=0) != 0, axis=1)])
            ends = np.r_[starts[1:], len(order)]
            for a, b in zip(starts, ends, strict=True):
                self.cells[(int(keys[a, 0]), int(keys[a, 1]))] = self.nodes[order[a:b]]
        self.max_ring = 0
        if self.cells:
            xs = [k[0] for k in self.cells]
            ys = [k[1] for k in self.cells]
            self.max_ring = max(max(xs) - min(xs), max(ys) - min(ys)) + 1

    @staticmethod
    def of_network(net: StreetNetwork, flag: int) -> NodeIndex:
        """Index the nodes of ``net`` that have an edge with ``flag`` set."""
        has = np.zeros(net.n_nodes, bool)
        mask = (net.flags & flag) != 0
        tails = np.repeat(np.arange(net.n_nodes), np.diff(net.offsets))
        has[tails[mask]] = True
        has[net.to_node[mask]] = True
        return NodeIndex(net.node_lat, net.node_lon, np.flatnonzero(has))

    def _cell(self, lat: NDArray[np.float64], lon: NDArray[np.float64]
              ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        x = (np.asarray(lon) - self.lon0) * self.kx
        y = (np.asarray(lat) - self.lat0) * 111_320.0
        return (np.floor(x / self.cell_m).astype(np.int64),
                np.floor(y / self.cell_m).astype(np.int64))

    def nearest(self, lat: float, lon: float, max_m: float = float("inf")
                ) -> tuple[int, float]:
        """Return ``(node, distance_m)`` of the nearest indexed node within ``max_m``.

        ``(-1, inf)`` when no node is that close (or the index is empty).
        """
        if not self.cells:
            return -1, float("inf")
        cx, cy = (int(v[0]) for v in self._cell(np.array([lat]), np.array([lon])))
        best, best_d = -1, float("inf")
        for ring in range(self.max_ring + 2):
            if (ring - 1) * self.cell_m > max_m:
                break  # every node from here on is farther than max_m
            if ring == 0:
                keys = [(cx, cy)]
            else:
                side = range(-ring, ring + 1)
                keys = ([(cx + d, cy - ring) for d in side] + [(cx + d, cy + ring) for d in side]
                        + [(cx - ring, cy + d) for d in side[1:-1]]
                        + [(cx + ring, cy + d) for d in side[1:-1]])
            cand = [self.cells[k] for k in keys if k in self.cells]
            if cand:
                c = np.concatenate(cand)
                d = haversine_m(lat, lon, self.lat[c], self.lon[c])
                i = int(np.argmin(d))
                if d[i] < best_d:
                    best, best_d = int(c[i]), float(d[i])
            # every node outside this ring is at least ring * cell_m away
            if best >= 0 and best_d <= ring * self.cell_m:
                break
        if best_d > max_m:
            return -1, float("inf")
        return best, best_d

    def nearest_many(self, lat: NDArray[np.float64], lon: NDArray[np.float64],
                     max_m: float = float("inf")
                     ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Return nearest nodes and distances (``-1``, inf beyond ``max_m``) for arrays."""
        nodes = np.empty(len(lat), np.int64)
        dist = np.empty(len(lat), np.float64)
        for i, (a, b) in enumerate(zip(lat.tolist(), lon.tolist(), strict=True)):
            nodes[i], dist[i] = self.nearest(a, b, max_m)
        return nodes, dist

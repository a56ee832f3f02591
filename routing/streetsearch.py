"""Shortest paths on the street network: bounded Dijkstra over the CSR edges."""

from __future__ import annotations

import heapq

import numba as nb
import numpy as np
from numpy.typing import NDArray

from transit.streets import StreetNetwork


@nb.njit(cache=True, nogil=True)
def _dijkstra(offsets, to_node, weight, flags, flag, sources, source_cost, limit, dist, pred,
              touched):
    """Multi-source Dijkstra; ``dist`` must be +inf and ``pred`` -1 on entry.

    Returns the number of nodes written into ``touched`` (so the caller can reset).
    """
    heap = [(0.0, np.int64(0))]
    heap.pop()
    n_t = 0
    for i in range(sources.shape[0]):
        s = sources[i]
        c = source_cost[i]
        if c < dist[s]:
            if dist[s] == np.inf:
                touched[n_t] = s
                n_t += 1
            dist[s] = c
            pred[s] = -1
            heapq.heappush(heap, (c, np.int64(s)))
    while len(heap) > 0:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for j in range(offsets[u], offsets[u + 1]):
            if (flags[j] & flag) == 0:
                continue
            v = to_node[j]
            nd = d + weight[j]
            if nd <= limit and nd < dist[v]:
                if dist[v] == np.inf:
                    touched[n_t] = v
                    n_t += 1
                dist[v] = nd
                pred[v] = j
                heapq.heappush(heap, (nd, np.int64(v)))
    return n_t


class StreetSearch:
    """Reusable bounded Dijkstra on one network, walking (lengths) or driving (seconds)."""

    def __init__(self, net: StreetNetwork, flag: int) -> None:
        self.net = net
        self.flag = np.uint8(flag)
        if flag & 2 and not flag & 1:
            speed = np.where(net.drive_speed_m_s > 0, net.drive_speed_m_s, np.inf)
            self.weight = np.ascontiguousarray(net.length_m / speed)
        else:
            self.weight = np.ascontiguousarray(net.length_m)
        self.dist = np.full(net.n_nodes, np.inf)
        self.pred = np.full(net.n_nodes, -1, np.int64)
        self.touched = np.empty(net.n_nodes, np.int64)
        self.tails = np.repeat(np.arange(net.n_nodes, dtype=np.int64), np.diff(net.offsets))
        self._n = 0

    def run(self, sources: NDArray[np.int64], source_cost: NDArray[np.float64],
            limit: float) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Return ``(nodes, cost)`` reached within ``limit``; predecessors kept for :meth:`path`."""
        self.dist[self.touched[:self._n]] = np.inf
        self.pred[self.touched[:self._n]] = -1
        n = _dijkstra(self.net.offsets, self.net.to_node, self.weight, self.net.flags,
                      self.flag, np.asarray(sources, np.int64),
                      np.asarray(source_cost, np.float64), float(limit), self.dist,
                      self.pred, self.touched)
        self._n = n
        nodes = self.touched[:n].copy()
        return nodes, self.dist[nodes].copy()

    def cost_to(self, nodes: NDArray[np.int64]) -> NDArray[np.float64]:
        """Return the cost of the last :meth:`run` at ``nodes`` (+inf where not reached)."""
        return self.dist[nodes]

    def path(self, node: int) -> list[int]:
        """Return the nodes from a source to ``node`` of the last :meth:`run`."""
        out = [node]
        while self.pred[out[-1]] >= 0:
            out.append(int(self.tails[self.pred[out[-1]]]))
        out.reverse()
        return out

    def path_length_m(self, node: int) -> float:
        """Return the street length of the path to ``node`` of the last :meth:`run`."""
        total = 0.0
        u = node
        while self.pred[u] >= 0:
            total += float(self.net.length_m[self.pred[u]])
            u = int(self.tails[self.pred[u]])
        return total

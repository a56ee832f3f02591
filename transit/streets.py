"""The street network: nodes with coordinates and directed edges in CSR form.

Built by ``routing.osm`` from an OpenStreetMap extract (or by any other
producer, e.g. the demo city). Walking uses edges with :data:`WALK` set (both
directions of every walkable way are stored); driving uses edges with
:data:`DRIVE` set and respects one-way streets. Lengths are metres, speeds
metres per second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from transit.errors import ModelError

#: Edge flags.
WALK = np.uint8(1)
DRIVE = np.uint8(2)


@dataclass(frozen=True, slots=True, eq=False)
class StreetNetwork:
    """Street nodes and directed edges (CSR by tail node).

    Attributes
    ----------
    node_lat, node_lon
        ``(V,)`` WGS84 coordinates.
    offsets
        ``(V + 1,)``: the edges leaving node ``u`` are ``offsets[u]:offsets[u + 1]``.
    to_node, length_m, flags, drive_speed_m_s
        ``(E,)`` head node, length, :data:`WALK` / :data:`DRIVE` bits and the
        car speed (0 where cars may not drive).
    """

    node_lat: NDArray[np.float64]
    node_lon: NDArray[np.float64]
    offsets: NDArray[np.int64]
    to_node: NDArray[np.int32]
    length_m: NDArray[np.float64]
    flags: NDArray[np.uint8]
    drive_speed_m_s: NDArray[np.float64]

    def __post_init__(self) -> None:
        v = len(self.node_lat)
        if len(self.node_lon) != v:
            raise ModelError(f"node_lon: length {len(self.node_lon)}, expected {v}")
        if len(self.offsets) != v + 1:
            raise ModelError(f"offsets: length {len(self.offsets)}, expected {v + 1}")
        e = int(self.offsets[-1])
        for name in ("to_node", "length_m", "flags", "drive_speed_m_s"):
            if len(getattr(self, name)) != e:
                raise ModelError(f"{name}: length {len(getattr(self, name))}, expected {e}")
        if e and (self.to_node.min() < 0 or self.to_node.max() >= v):
            raise ModelError("to_node: node index out of range")
        if e and self.length_m.min() < 0:
            raise ModelError("length_m: negative edge length")

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_lat)

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return len(self.to_node)

    @staticmethod
    def from_edges(node_lat: NDArray[np.float64], node_lon: NDArray[np.float64],
                   tail: NDArray[np.int64], head: NDArray[np.int64],
                   length_m: NDArray[np.float64], flags: NDArray[np.uint8],
                   drive_speed_m_s: NDArray[np.float64]) -> StreetNetwork:
        """Return a network from an unordered directed edge list."""
        v = len(node_lat)
        order = np.argsort(tail, kind="stable")
        offsets = np.zeros(v + 1, np.int64)
        offsets[1:] = np.cumsum(np.bincount(np.asarray(tail, np.int64), minlength=v))
        return StreetNetwork(
            node_lat=np.asarray(node_lat, np.float64),
            node_lon=np.asarray(node_lon, np.float64),
            offsets=offsets,
            to_node=np.ascontiguousarray(np.asarray(head, np.int32)[order]),
            length_m=np.ascontiguousarray(np.asarray(length_m, np.float64)[order]),
            flags=np.ascontiguousarray(np.asarray(flags, np.uint8)[order]),
            drive_speed_m_s=np.ascontiguousarray(np.asarray(drive_speed_m_s,
                                                            np.float64)[order]),
        )

"""Transfers between stops of one timetable, as a compressed sparse row graph.

A :class:`Footpaths` object says, for every stop, how long a change of vehicle
at that stop takes (``change_s``; ``-1`` when a rule forbids it) and which other
stops can be walked to, with the walk's duration and length. The edge set is
*closed*: when stop ``c`` can be reached from ``a`` by walking through ``b``
within the limit, there is a direct edge ``a -> c`` at least as short. A router
therefore relaxes at most one footpath between two vehicles.

``routing.footpaths`` builds these from ``transfers.txt`` and stop distances
(crow-fly or on the street network).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from transit.errors import ModelError


@dataclass(frozen=True, slots=True, eq=False)
class Footpaths:
    """Per-stop change times and stop-to-stop walking edges (CSR by origin stop).

    Attributes
    ----------
    change_s
        ``(N,)`` seconds needed to change vehicles at the stop itself; ``-1``
        when changing there is forbidden.
    offsets
        ``(N + 1,)`` edge offsets: the edges leaving stop ``s`` are
        ``offsets[s]:offsets[s + 1]``.
    to_stop, duration_s, distance_m
        ``(E,)`` destination stop, walking time and walked length of each edge.
    """

    change_s: NDArray[np.int32]
    offsets: NDArray[np.int64]
    to_stop: NDArray[np.int32]
    duration_s: NDArray[np.int32]
    distance_m: NDArray[np.float64]

    def __post_init__(self) -> None:
        n = len(self.change_s)
        if len(self.offsets) != n + 1:
            raise ModelError(f"offsets: length {len(self.offsets)}, expected {n + 1}")
        e = int(self.offsets[-1]) if len(self.offsets) else 0
        for name in ("to_stop", "duration_s", "distance_m"):
            if len(getattr(self, name)) != e:
                raise ModelError(f"{name}: length {len(getattr(self, name))}, expected {e}")
        if e and (self.to_stop.min() < 0 or self.to_stop.max() >= n):
            raise ModelError("to_stop: stop index out of range")
        if e and self.duration_s.min() < 0:
            raise ModelError("duration_s: negative walking time")

    @property
    def n_stops(self) -> int:
        """Number of stops the footpaths are defined on."""
        return len(self.change_s)

    @property
    def n_edges(self) -> int:
        """Number of stop-to-stop walking edges."""
        return len(self.to_stop)

    @staticmethod
    def same_stop_only(n_stops: int) -> Footpaths:
        """Return footpaths that allow only 0-second changes at the same stop."""
        return Footpaths(
            change_s=np.zeros(n_stops, np.int32),
            offsets=np.zeros(n_stops + 1, np.int64),
            to_stop=np.zeros(0, np.int32),
            duration_s=np.zeros(0, np.int32),
            distance_m=np.zeros(0, np.float64),
        )

    @staticmethod
    def from_edges(change_s: NDArray[np.int32], from_stop: NDArray[np.int32],
                   to_stop: NDArray[np.int32], duration_s: NDArray[np.int32],
                   distance_m: NDArray[np.float64]) -> Footpaths:
        """Return footpaths from an unordered edge list (sorted here by origin)."""
        n = len(change_s)
        order = np.lexsort((to_stop, from_stop))
        offsets = np.zeros(n + 1, np.int64)
        offsets[1:] = np.cumsum(np.bincount(np.asarray(from_stop, np.int64), minlength=n))
        return Footpaths(
            change_s=np.asarray(change_s, np.int32),
            offsets=offsets,
            to_stop=np.ascontiguousarray(np.asarray(to_stop, np.int32)[order]),
            duration_s=np.ascontiguousarray(np.asarray(duration_s, np.int32)[order]),
            distance_m=np.ascontiguousarray(np.asarray(distance_m, np.float64)[order]),
        )

    def edges_from(self, stop: int) -> tuple[NDArray[np.int32], NDArray[np.int32]]:
        """Return ``(to_stop, duration_s)`` of the edges leaving ``stop``."""
        a, b = int(self.offsets[stop]), int(self.offsets[stop + 1])
        return self.to_stop[a:b], self.duration_s[a:b]

    def reversed(self) -> Footpaths:
        """Return the same footpaths with every edge turned around."""
        counts = np.diff(self.offsets)
        from_stop = np.repeat(np.arange(self.n_stops, dtype=np.int32), counts)
        return Footpaths.from_edges(self.change_s, self.to_stop, from_stop,
                                    self.duration_s, self.distance_m)

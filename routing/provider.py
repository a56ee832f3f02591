"""What the RAPTOR core reads: a small Protocol over integer arrays.

The idea is OpenTripPlanner's ``RaptorTransitDataProvider``: the search never
sees a :class:`~transit.timetable.Timetable`, only :class:`RaptorData` — flat
arrays for patterns, stop events, the stop-to-pattern index, change times and
footpaths. :class:`TimetableProvider` adapts a compiled day plus its
:class:`~transit.footpaths.Footpaths`; tests may hand the core anything that
satisfies :class:`RaptorDataProvider`.

The *reverse* data (for arrive-by searches) is the same day run backwards:
stop sequences reversed, times negated, arrivals and departures swapped,
pick-up and drop-off swapped, trips in reverse order and footpaths turned
around. A forward earliest-arrival search on it is a latest-departure search
on the original, so one kernel serves both directions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from transit.errors import ModelError
from transit.footpaths import Footpaths
from transit.timetable import PICKUP_NONE, Timetable


@dataclass(frozen=True, slots=True, eq=False)
class RaptorData:
    """Everything one RAPTOR direction reads, as contiguous integer arrays.

    ``event_map[e]`` is the event of the original timetable that event ``e``
    stands for, and ``pattern_trips`` holds original trip indices. Patterns
    may be finer than the timetable's: trips whose pick-up/drop-off rules
    differ are split apart (see :func:`_forward_data`).
    """

    n_stops: int
    pattern_stop_offsets: NDArray[np.int64]
    pattern_stops: NDArray[np.int32]
    pattern_trip_offsets: NDArray[np.int64]
    pattern_trips: NDArray[np.int32]
    pattern_event_offsets: NDArray[np.int64]
    arrival_s: NDArray[np.int32]
    departure_s: NDArray[np.int32]
    can_board: NDArray[np.bool_]
    can_alight: NDArray[np.bool_]
    stop_pattern_offsets: NDArray[np.int64]
    stop_patterns: NDArray[np.int32]
    stop_pattern_positions: NDArray[np.int32]
    change_s: NDArray[np.int32]
    fp_offsets: NDArray[np.int64]
    fp_to_stop: NDArray[np.int32]
    fp_duration_s: NDArray[np.int32]
    event_map: NDArray[np.int64]
    reverse: bool = False


class RaptorDataProvider(Protocol):
    """The transit data a RAPTOR search needs, in both directions."""

    @property
    def n_stops(self) -> int:
        """Number of stops."""
        ...

    def forward(self) -> RaptorData:
        """Return the arrays for departure-time (earliest-arrival) searches."""
        ...

    def backward(self) -> RaptorData:
        """Return the arrays for arrive-by (latest-departure) searches."""
        ...


@dataclass(eq=False)
class TimetableProvider:
    """A :class:`RaptorDataProvider` over a compiled day and its footpaths.

    The arrays are built on first use and kept; the object is read-only
    afterwards and may be shared by threads or forked workers.
    """

    timetable: Timetable
    footpaths: Footpaths
    _forward: RaptorData | None = field(default=None, init=False, repr=False)
    _backward: RaptorData | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.footpaths.n_stops != self.timetable.n_stops:
            raise ModelError(
                f"footpaths: defined on {self.footpaths.n_stops} stops, "
                f"the timetable has {self.timetable.n_stops}")

    @property
    def n_stops(self) -> int:
        """Number of stops."""
        return self.timetable.n_stops

    def forward(self) -> RaptorData:
        """Return (and cache) the forward arrays."""
        if self._forward is None:
            self._forward = _forward_data(self.timetable, self.footpaths)
        return self._forward

    def backward(self) -> RaptorData:
        """Return (and cache) the reverse arrays."""
        if self._backward is None:
            self._backward = _backward_data(self.timetable, self.footpaths, self.forward())
        return self._backward


def _forward_data(tt: Timetable, fp: Footpaths) -> RaptorData:
    """Forward arrays, with patterns split so boarding rules are the same for all trips.

    ``transit`` groups trips by route and stop sequence; RAPTOR's "earliest trip
    is best" rule also needs every trip of a pattern to allow pick-up and drop-off
    at the same positions (as OTP's stop patterns do). Trips keep their order,
    so each part is still non-overtaking.
    """
    pso, pto, peo = tt.pattern_stop_offsets, tt.pattern_trip_offsets, tt.pattern_event_offsets
    board_all = tt.pickup_type != PICKUP_NONE
    alight_all = tt.drop_off_type != PICKUP_NONE
    parts: list[tuple[int, NDArray[np.int64]]] = []  # (pattern, local trips)
    for p in range(tt.n_patterns):
        n_s = int(pso[p + 1] - pso[p])
        n_t = int(pto[p + 1] - pto[p])
        a, b = int(peo[p]), int(peo[p + 1])
        sig = np.concatenate([board_all[a:b].reshape(n_t, n_s),
                              alight_all[a:b].reshape(n_t, n_s)], axis=1)
        if n_t <= 1 or not np.any(sig != sig[0]):
            parts.append((p, np.arange(n_t, dtype=np.int64)))
            continue
        groups: dict[bytes, list[int]] = {}
        for t in range(n_t):
            groups.setdefault(sig[t].tobytes(), []).append(t)
        for members in sorted(groups.values(), key=lambda m: m[0]):
            parts.append((p, np.asarray(members, np.int64)))
    n_parts = len(parts)
    n_s_of = np.array([int(pso[p + 1] - pso[p]) for p, _ in parts], np.int64)
    n_t_of = np.array([len(ts) for _, ts in parts], np.int64)
    stop_off = np.zeros(n_parts + 1, np.int64)
    stop_off[1:] = np.cumsum(n_s_of)
    trip_off = np.zeros(n_parts + 1, np.int64)
    trip_off[1:] = np.cumsum(n_t_of)
    event_off = np.zeros(n_parts + 1, np.int64)
    event_off[1:] = np.cumsum(n_s_of * n_t_of)
    stops = np.concatenate([tt.pattern_stops[pso[p]:pso[p + 1]] for p, _ in parts]
                           ).astype(np.int32) if n_parts else np.zeros(0, np.int32)
    trips = np.concatenate([tt.pattern_trips[pto[p] + ts] for p, ts in parts]
                           ).astype(np.int32) if n_parts else np.zeros(0, np.int32)
    event_map = np.concatenate(
        [(peo[p] + ts[:, None] * n_s + np.arange(n_s)[None, :]).ravel()
         for (p, ts), n_s in zip(parts, n_s_of.tolist(), strict=True)]
    ).astype(np.int64) if n_parts else np.zeros(0, np.int64)
    sp_off, sp, spp = _stop_index(tt.n_stops, stops, n_s_of)
    return RaptorData(
        n_stops=tt.n_stops,
        pattern_stop_offsets=stop_off,
        pattern_stops=stops,
        pattern_trip_offsets=trip_off,
        pattern_trips=trips,
        pattern_event_offsets=event_off,
        arrival_s=np.ascontiguousarray(tt.arrival_s[event_map], np.int32),
        departure_s=np.ascontiguousarray(tt.departure_s[event_map], np.int32),
        can_board=np.ascontiguousarray(board_all[event_map]),
        can_alight=np.ascontiguousarray(alight_all[event_map]),
        stop_pattern_offsets=sp_off,
        stop_patterns=sp,
        stop_pattern_positions=spp,
        change_s=np.ascontiguousarray(fp.change_s, np.int32),
        fp_offsets=np.ascontiguousarray(fp.offsets, np.int64),
        fp_to_stop=np.ascontiguousarray(fp.to_stop, np.int32),
        fp_duration_s=np.ascontiguousarray(fp.duration_s, np.int32),
        event_map=event_map,
        reverse=False,
    )


def _stop_index(n_stops: int, pattern_stops: NDArray[np.int32], n_s_of: NDArray[np.int64]
                ) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.int32]]:
    """Return the stop -> (pattern, position) CSR index of a pattern layout."""
    n_pat = len(n_s_of)
    pat = np.repeat(np.arange(n_pat, dtype=np.int32), n_s_of)
    starts = np.zeros(n_pat, np.int64)
    if n_pat > 1:
        starts[1:] = np.cumsum(n_s_of)[:-1]
    pos = (np.arange(len(pattern_stops), dtype=np.int64) - np.repeat(starts, n_s_of)
           ).astype(np.int32)
    order = np.lexsort((pos, pat, pattern_stops))
    offsets = np.zeros(n_stops + 1, np.int64)
    offsets[1:] = np.cumsum(np.bincount(pattern_stops, minlength=n_stops))
    return offsets, np.ascontiguousarray(pat[order]), np.ascontiguousarray(pos[order])


def _backward_data(tt: Timetable, fp: Footpaths, fwd: RaptorData) -> RaptorData:
    """The forward arrays run backwards (see the module docstring)."""
    pso, pto, peo = fwd.pattern_stop_offsets, fwd.pattern_trip_offsets, fwd.pattern_event_offsets
    n_pat = len(pso) - 1
    local = np.empty(len(fwd.arrival_s), np.int64)  # backward event -> forward event
    pattern_stops = np.empty_like(fwd.pattern_stops)
    pattern_trips = np.empty_like(fwd.pattern_trips)
    for p in range(n_pat):
        n_s = int(pso[p + 1] - pso[p])
        n_t = int(pto[p + 1] - pto[p])
        pattern_stops[pso[p]:pso[p + 1]] = fwd.pattern_stops[pso[p]:pso[p + 1]][::-1]
        pattern_trips[pto[p]:pto[p + 1]] = fwd.pattern_trips[pto[p]:pto[p + 1]][::-1]
        block = np.arange(peo[p], peo[p + 1], dtype=np.int64).reshape(n_t, n_s)
        local[peo[p]:peo[p + 1]] = block[::-1, ::-1].ravel()
    n_stops_of = np.diff(pso).astype(np.int32)
    positions = (n_stops_of[fwd.stop_patterns] - 1 - fwd.stop_pattern_positions).astype(np.int32)
    rfp = fp.reversed()
    return RaptorData(
        n_stops=tt.n_stops,
        pattern_stop_offsets=pso,
        pattern_stops=pattern_stops,
        pattern_trip_offsets=pto,
        pattern_trips=pattern_trips,
        pattern_event_offsets=peo,
        arrival_s=np.ascontiguousarray(-fwd.departure_s[local], np.int32),
        departure_s=np.ascontiguousarray(-fwd.arrival_s[local], np.int32),
        can_board=np.ascontiguousarray(fwd.can_alight[local]),
        can_alight=np.ascontiguousarray(fwd.can_board[local]),
        stop_pattern_offsets=fwd.stop_pattern_offsets,
        stop_patterns=fwd.stop_patterns,
        stop_pattern_positions=positions,
        change_s=np.ascontiguousarray(rfp.change_s, np.int32),
        fp_offsets=np.ascontiguousarray(rfp.offsets, np.int64),
        fp_to_stop=np.ascontiguousarray(rfp.to_stop, np.int32),
        fp_duration_s=np.ascontiguousarray(rfp.duration_s, np.int32),
        event_map=np.ascontiguousarray(fwd.event_map[local]),
        reverse=True,
    )

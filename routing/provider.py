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

from transit.footpaths import Footpaths
from transit.timetable import PICKUP_NONE, Timetable


@dataclass(frozen=True, slots=True, eq=False)
class RaptorData:
    """Everything one RAPTOR direction reads, as contiguous integer arrays.

    ``event_map[e]`` is the event of the original timetable that event ``e``
    stands for (the identity for forward data), and ``trip_map[p][t]`` likewise
    for trips (``pattern_trips`` of the original, reversed per pattern for
    reverse data).
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
            raise ValueError(
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
            self._backward = _backward_data(self.timetable, self.footpaths)
        return self._backward


def _forward_data(tt: Timetable, fp: Footpaths) -> RaptorData:
    return RaptorData(
        n_stops=tt.n_stops,
        pattern_stop_offsets=np.ascontiguousarray(tt.pattern_stop_offsets, np.int64),
        pattern_stops=np.ascontiguousarray(tt.pattern_stops, np.int32),
        pattern_trip_offsets=np.ascontiguousarray(tt.pattern_trip_offsets, np.int64),
        pattern_trips=np.ascontiguousarray(tt.pattern_trips, np.int32),
        pattern_event_offsets=np.ascontiguousarray(tt.pattern_event_offsets, np.int64),
        arrival_s=np.ascontiguousarray(tt.arrival_s, np.int32),
        departure_s=np.ascontiguousarray(tt.departure_s, np.int32),
        can_board=np.ascontiguousarray(tt.pickup_type != PICKUP_NONE),
        can_alight=np.ascontiguousarray(tt.drop_off_type != PICKUP_NONE),
        stop_pattern_offsets=np.ascontiguousarray(tt.stop_pattern_offsets, np.int64),
        stop_patterns=np.ascontiguousarray(tt.stop_patterns, np.int32),
        stop_pattern_positions=np.ascontiguousarray(tt.stop_pattern_positions, np.int32),
        change_s=np.ascontiguousarray(fp.change_s, np.int32),
        fp_offsets=np.ascontiguousarray(fp.offsets, np.int64),
        fp_to_stop=np.ascontiguousarray(fp.to_stop, np.int32),
        fp_duration_s=np.ascontiguousarray(fp.duration_s, np.int32),
        event_map=np.arange(tt.n_events, dtype=np.int64),
        reverse=False,
    )


def _backward_data(tt: Timetable, fp: Footpaths) -> RaptorData:
    n_pat = tt.n_patterns
    pso, pto, peo = tt.pattern_stop_offsets, tt.pattern_trip_offsets, tt.pattern_event_offsets
    event_map = np.empty(tt.n_events, np.int64)
    pattern_stops = np.empty_like(tt.pattern_stops)
    pattern_trips = np.empty_like(tt.pattern_trips)
    for p in range(n_pat):
        n_s = int(pso[p + 1] - pso[p])
        n_t = int(pto[p + 1] - pto[p])
        pattern_stops[pso[p]:pso[p + 1]] = tt.pattern_stops[pso[p]:pso[p + 1]][::-1]
        pattern_trips[pto[p]:pto[p + 1]] = tt.pattern_trips[pto[p]:pto[p + 1]][::-1]
        block = np.arange(peo[p], peo[p + 1], dtype=np.int64).reshape(n_t, n_s)
        event_map[peo[p]:peo[p + 1]] = block[::-1, ::-1].ravel()
    # stop -> (pattern, position): positions mirror
    n_stops_of = np.diff(pso).astype(np.int32)
    positions = (n_stops_of[tt.stop_patterns] - 1 - tt.stop_pattern_positions).astype(np.int32)
    rfp = fp.reversed()
    return RaptorData(
        n_stops=tt.n_stops,
        pattern_stop_offsets=np.ascontiguousarray(pso, np.int64),
        pattern_stops=pattern_stops,
        pattern_trip_offsets=np.ascontiguousarray(pto, np.int64),
        pattern_trips=pattern_trips,
        pattern_event_offsets=np.ascontiguousarray(peo, np.int64),
        arrival_s=np.ascontiguousarray(-tt.departure_s[event_map], np.int32),
        departure_s=np.ascontiguousarray(-tt.arrival_s[event_map], np.int32),
        can_board=np.ascontiguousarray(tt.drop_off_type[event_map] != PICKUP_NONE),
        can_alight=np.ascontiguousarray(tt.pickup_type[event_map] != PICKUP_NONE),
        stop_pattern_offsets=np.ascontiguousarray(tt.stop_pattern_offsets, np.int64),
        stop_patterns=np.ascontiguousarray(tt.stop_patterns, np.int32),
        stop_pattern_positions=positions,
        change_s=np.ascontiguousarray(rfp.change_s, np.int32),
        fp_offsets=np.ascontiguousarray(rfp.offsets, np.int64),
        fp_to_stop=np.ascontiguousarray(rfp.to_stop, np.int32),
        fp_duration_s=np.ascontiguousarray(rfp.duration_s, np.int32),
        event_map=event_map,
        reverse=True,
    )

"""The compiled timetable of one service day, as contiguous integer arrays.

A :class:`Timetable` is what RAPTOR, the itinerary builder, the planners'
scenarios and ``tsunagu feed info`` read. It is built once per feed and date by
``gtfs.compile`` and never changed afterwards.

Layout
------
* Stops, routes, trips and patterns are numbered ``0..n-1``; strings (GTFS ids,
  names) live only in tuples used at the edges.
* Times are ``int32`` seconds after the service day's midnight ("noon minus
  12 h"); times past 24:00 are kept as they are (``25:10:00`` is ``90600``), and
  trips of the previous service day still running after midnight are shifted by
  ``-86400`` so that every time is in the same frame.
* A *pattern* is a sequence of stops served by a set of trips which are totally
  ordered: for every two trips ``a`` before ``b`` of a pattern and every stop
  position ``i``, ``arr[a, i] <= arr[b, i]`` and ``dep[a, i] <= dep[b, i]``
  (no overtaking). A stop may occur twice in a pattern (loops).
* Stop events of pattern ``p`` form a trips x stops block, row-major, starting at
  ``pattern_event_offsets[p]``: the event of local trip ``t`` at stop position
  ``i`` is ``pattern_event_offsets[p] + t * n_stops(p) + i``.
* ``stop_patterns`` lists, per stop, every (pattern, position) at which the stop
  occurs; a loop pattern appears once per visit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from transit.errors import ModelError

IntArray = NDArray[np.int32]
OffsetArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
SmallIntArray = NDArray[np.int8]

#: GTFS ``pickup_type`` / ``drop_off_type`` values.
PICKUP_REGULAR = 0
PICKUP_NONE = 1
PICKUP_PHONE = 2
PICKUP_COORDINATE_WITH_DRIVER = 3

#: GTFS ``transfer_type`` values.
TRANSFER_RECOMMENDED = 0
TRANSFER_TIMED = 1
TRANSFER_MIN_TIME = 2
TRANSFER_FORBIDDEN = 3


@dataclass(frozen=True, slots=True, eq=False)
class Timetable:
    """A compiled service day: stops, routes, trips, patterns and stop events.

    Build it with ``gtfs.compile.compile_service_day``; the constructor only
    checks shapes (see :meth:`validate` for the full invariants).
    """

    service_date: date
    timezone: str
    utc_offset_s: int
    agency_names: tuple[str, ...]

    # stops (N)
    stop_ids: tuple[str, ...]
    stop_names: tuple[str, ...]
    stop_lat: FloatArray
    stop_lon: FloatArray

    # routes (R)
    route_ids: tuple[str, ...]
    route_short_names: tuple[str, ...]
    route_long_names: tuple[str, ...]
    route_types: IntArray

    # trips (T): compiled trip instances; frequency copies share a GTFS trip_id
    trip_ids: tuple[str, ...]
    trip_headsigns: tuple[str, ...]
    trip_route: IntArray
    trip_pattern: IntArray
    trip_shape: IntArray  # -1 when the trip has no shape
    trip_day_offset: SmallIntArray  # 0: runs on the service date; -1: the day before

    # patterns (P)
    pattern_route: IntArray
    pattern_stop_offsets: OffsetArray  # P + 1
    pattern_stops: IntArray
    pattern_trip_offsets: OffsetArray  # P + 1
    pattern_trips: IntArray  # trips of each pattern, in order
    pattern_event_offsets: OffsetArray  # P + 1

    # stop events (E), trips x stops blocks per pattern
    arrival_s: IntArray
    departure_s: IntArray
    pickup_type: SmallIntArray
    drop_off_type: SmallIntArray
    shape_dist_m: FloatArray  # distance along the trip's shape, NaN when unknown

    # stop -> (pattern, position)
    stop_pattern_offsets: OffsetArray  # N + 1
    stop_patterns: IntArray
    stop_pattern_positions: IntArray

    # transfers.txt, stop to stop
    transfer_from_stop: IntArray
    transfer_to_stop: IntArray
    transfer_type: SmallIntArray
    transfer_min_s: IntArray  # -1 when not given

    # shapes (Sh)
    shape_ids: tuple[str, ...] = ()
    shape_point_offsets: OffsetArray = field(
        default_factory=lambda: np.zeros(1, dtype=np.int64)
    )
    shape_lat: FloatArray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    shape_lon: FloatArray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    shape_point_dist_m: FloatArray = field(
        default_factory=lambda: np.zeros(0, dtype=np.float64)
    )

    stop_index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.stop_ids)
        _check_len("stop_names", self.stop_names, n)
        _check_len("stop_lat", self.stop_lat, n)
        _check_len("stop_lon", self.stop_lon, n)
        _check_len("stop_pattern_offsets", self.stop_pattern_offsets, n + 1)
        r = len(self.route_ids)
        for name in ("route_short_names", "route_long_names", "route_types"):
            _check_len(name, getattr(self, name), r)
        t = len(self.trip_ids)
        for name in ("trip_headsigns", "trip_route", "trip_pattern", "trip_shape",
                     "trip_day_offset"):
            _check_len(name, getattr(self, name), t)
        p = len(self.pattern_route)
        for name in ("pattern_stop_offsets", "pattern_trip_offsets", "pattern_event_offsets"):
            _check_len(name, getattr(self, name), p + 1)
        e = len(self.arrival_s)
        for name in ("departure_s", "pickup_type", "drop_off_type", "shape_dist_m"):
            _check_len(name, getattr(self, name), e)
        _check_len("stop_pattern_positions", self.stop_pattern_positions,
                   len(self.stop_patterns))
        k = len(self.transfer_from_stop)
        for name in ("transfer_to_stop", "transfer_type", "transfer_min_s"):
            _check_len(name, getattr(self, name), k)
        _check_len("shape_point_offsets", self.shape_point_offsets, len(self.shape_ids) + 1)
        index = {sid: i for i, sid in enumerate(self.stop_ids)}
        if len(index) != n:
            raise ModelError("stop_ids: stop ids are not unique")
        object.__setattr__(self, "stop_index", index)

    # -- sizes -------------------------------------------------------------

    @property
    def n_stops(self) -> int:
        """Number of stops."""
        return len(self.stop_ids)

    @property
    def n_routes(self) -> int:
        """Number of routes."""
        return len(self.route_ids)

    @property
    def n_trips(self) -> int:
        """Number of compiled trips (frequency copies counted one by one)."""
        return len(self.trip_ids)

    @property
    def n_patterns(self) -> int:
        """Number of patterns."""
        return len(self.pattern_route)

    @property
    def n_events(self) -> int:
        """Number of stop events (one per trip and stop visit)."""
        return len(self.arrival_s)

    @property
    def n_connections(self) -> int:
        """Number of elementary connections (consecutive stop pairs of a trip)."""
        stops = np.diff(self.pattern_stop_offsets)
        trips = np.diff(self.pattern_trip_offsets)
        return int(np.sum(trips * np.maximum(stops - 1, 0)))

    # -- accessors ---------------------------------------------------------

    def pattern_stop_ids(self, pattern: int) -> IntArray:
        """Return the stop indices of ``pattern`` in order of travel."""
        a, b = self.pattern_stop_offsets[pattern], self.pattern_stop_offsets[pattern + 1]
        return self.pattern_stops[a:b]

    def pattern_trip_ids(self, pattern: int) -> IntArray:
        """Return the trip indices of ``pattern``, earliest first."""
        a, b = self.pattern_trip_offsets[pattern], self.pattern_trip_offsets[pattern + 1]
        return self.pattern_trips[a:b]

    def pattern_block(self, pattern: int, array: NDArray[Any]) -> NDArray[Any]:
        """Return the trips x stops view of an event ``array`` for ``pattern``."""
        n_s = int(self.pattern_stop_offsets[pattern + 1] - self.pattern_stop_offsets[pattern])
        n_t = int(self.pattern_trip_offsets[pattern + 1] - self.pattern_trip_offsets[pattern])
        a = int(self.pattern_event_offsets[pattern])
        return array[a:a + n_s * n_t].reshape(n_t, n_s)

    def trip_event_range(self, trip: int) -> tuple[int, int]:
        """Return ``(first, stop)`` event indices of ``trip`` (a half-open range)."""
        p = int(self.trip_pattern[trip])
        n_s = int(self.pattern_stop_offsets[p + 1] - self.pattern_stop_offsets[p])
        trips = self.pattern_trip_ids(p)
        local = int(np.flatnonzero(trips == trip)[0])
        first = int(self.pattern_event_offsets[p]) + local * n_s
        return first, first + n_s

    def stop_lookup(self, stop_id: str) -> int:
        """Return the index of GTFS ``stop_id``.

        Raises
        ------
        ModelError
            If the feed has no such stop.
        """
        try:
            return self.stop_index[stop_id]
        except KeyError:
            raise ModelError(f"stop_id: no stop {stop_id!r} in the timetable") from None

    # -- invariants --------------------------------------------------------

    def validate(self) -> None:
        """Check every invariant of the layout; raise :class:`ModelError` if one fails."""
        n = self.n_stops
        if self.pattern_stops.size and (
            self.pattern_stops.min() < 0 or self.pattern_stops.max() >= n
        ):
            raise ModelError("pattern_stops: stop index out of range")
        for p in range(self.n_patterns):
            stops = self.pattern_stop_ids(p)
            if len(stops) < 2:
                raise ModelError(f"pattern {p}: fewer than two stops")
            arr = self.pattern_block(p, self.arrival_s)
            dep = self.pattern_block(p, self.departure_s)
            if np.any(dep < arr):
                raise ModelError(f"pattern {p}: a departure before its arrival")
            if np.any(arr[:, 1:] < dep[:, :-1]):
                raise ModelError(f"pattern {p}: a trip goes back in time")
            if np.any(np.diff(arr, axis=0) < 0) or np.any(np.diff(dep, axis=0) < 0):
                raise ModelError(f"pattern {p}: trips overtake each other")
            trips = self.pattern_trip_ids(p)
            if np.any(self.trip_pattern[trips] != p):
                raise ModelError(f"pattern {p}: trip_pattern disagrees")
        counts = np.bincount(self.pattern_trips, minlength=self.n_trips)
        if np.any(counts != 1):
            raise ModelError("pattern_trips: a trip is in no pattern or in several")
        for s in range(n):
            a, b = self.stop_pattern_offsets[s], self.stop_pattern_offsets[s + 1]
            for p, pos in zip(self.stop_patterns[a:b], self.stop_pattern_positions[a:b],
                              strict=True):
                if self.pattern_stop_ids(int(p))[pos] != s:
                    raise ModelError(f"stop {s}: stop_patterns points at another stop")


def _check_len(name: str, value: Any, expected: int) -> None:
    if len(value) != expected:
        raise ModelError(f"{name}: length {len(value)}, expected {expected}")

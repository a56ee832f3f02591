"""Tests for transit.build: grouping trips into non-overtaking patterns."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from transit.build import RouteTable, StopTable, TripEvents, build_timetable, concat_ranges
from transit.errors import ModelError


def _tt(trip_stops: list[list[int]], trip_times: list[list[int]], routes: list[int] | None = None):
    n_t = len(trip_stops)
    offsets = np.zeros(n_t + 1, np.int64)
    offsets[1:] = np.cumsum([len(s) for s in trip_stops])
    stops = np.concatenate([np.asarray(s, np.int32) for s in trip_stops])
    times = np.concatenate([np.asarray(t, np.int32) for t in trip_times])
    n_e = len(stops)
    trips = TripEvents(
        trip_ids=tuple(f"T{i}" for i in range(n_t)),
        trip_headsigns=("",) * n_t,
        trip_route=np.asarray(routes or [0] * n_t, np.int32),
        trip_shape=np.full(n_t, -1, np.int32),
        trip_day_offset=np.zeros(n_t, np.int8),
        event_trip_offsets=offsets,
        event_stop=stops,
        event_arrival_s=times,
        event_departure_s=times.copy(),
        event_pickup_type=np.zeros(n_e, np.int8),
        event_drop_off_type=np.zeros(n_e, np.int8),
        event_shape_dist_m=np.full(n_e, np.nan),
    )
    n_s = int(stops.max()) + 1
    st = StopTable(tuple(f"S{i}" for i in range(n_s)), tuple(f"Stop {i}" for i in range(n_s)),
                   np.zeros(n_s), np.zeros(n_s))
    rt = RouteTable(("R0", "R1"), ("0", "1"), ("", ""), np.array([3, 3], np.int32))
    return build_timetable(service_date=date(2026, 1, 5), timezone="Asia/Tokyo",
                           utc_offset_s=32400, agency_names=("A",), stops=st, routes=rt,
                           trips=trips)


def test_same_sequence_same_route_shares_pattern() -> None:
    """Two ordered trips over the same stops form one pattern, earliest first."""
    tt = _tt([[0, 1, 2], [0, 1, 2]], [[200, 300, 400], [100, 200, 300]])
    tt.validate()
    assert tt.n_patterns == 1
    assert list(tt.pattern_trip_ids(0)) == [1, 0]
    assert tt.pattern_block(0, tt.arrival_s).tolist() == [[100, 200, 300], [200, 300, 400]]


def test_overtaking_trips_are_split() -> None:
    """A trip that overtakes another lands in a pattern of its own."""
    tt = _tt([[0, 1, 2], [0, 1, 2]], [[100, 500, 900], [200, 300, 400]])
    tt.validate()
    assert tt.n_patterns == 2


def test_other_route_or_sequence_is_another_pattern() -> None:
    """Different routes or stop sequences never share a pattern."""
    tt = _tt([[0, 1], [0, 1], [1, 0]], [[0, 60], [10, 70], [0, 60]], routes=[0, 1, 0])
    tt.validate()
    assert tt.n_patterns == 3


def test_loop_trip_indexes_both_visits() -> None:
    """A stop visited twice by a loop appears twice in the stop index."""
    tt = _tt([[0, 1, 2, 0]], [[0, 60, 120, 180]])
    tt.validate()
    a, b = tt.stop_pattern_offsets[0], tt.stop_pattern_offsets[1]
    assert sorted(tt.stop_pattern_positions[a:b].tolist()) == [0, 3]


def test_trip_going_back_in_time_is_refused() -> None:
    """A trip whose times decrease raises ModelError naming the trip."""
    with pytest.raises(ModelError, match=r"T0.*back in time"):
        _tt([[0, 1, 2]], [[100, 50, 200]])


def test_single_event_trip_is_refused() -> None:
    """A trip with one stop event cannot be a pattern."""
    with pytest.raises(ModelError, match="fewer than two"):
        _tt([[0]], [[100]])


def test_trip_event_range_points_at_its_row() -> None:
    """trip_event_range returns the row of the trip inside its pattern block."""
    tt = _tt([[0, 1, 2], [0, 1, 2]], [[200, 300, 400], [100, 200, 300]])
    a, b = tt.trip_event_range(0)
    assert tt.arrival_s[a:b].tolist() == [200, 300, 400]


def test_concat_ranges_against_a_loop() -> None:
    """concat_ranges equals the concatenated Python ranges, empty runs included."""
    starts = np.array([5, 0, 9, 2], np.int64)
    lengths = np.array([3, 0, 1, 4], np.int64)
    expected = [i for s, n in zip(starts, lengths, strict=True) for i in range(s, s + n)]
    assert concat_ranges(starts, lengths).tolist() == expected
    assert concat_ranges(np.zeros(0, np.int64), np.zeros(0, np.int64)).tolist() == []

"""routing.provider: forward and backward RAPTOR arrays."""

from __future__ import annotations

import numpy as np

from routing.provider import TimetableProvider
from tests.routing.tinyfeed import TinyFeed, Trip
from transit.footpaths import Footpaths

STOPS = {"A": (0, 0), "B": (1000, 0), "C": (2000, 0)}


def _hm(h: int, m: int) -> int:
    return h * 3600 + m * 60


def test_backward_data_is_the_day_run_backwards() -> None:
    """Reverse patterns: stops reversed, times negated and swapped, trips latest first."""
    tf = TinyFeed(STOPS, [Trip("1", [("A", "08:00"), ("B", "08:05", "08:06"), ("C", "08:10")]),
                          Trip("1", [("A", "09:00"), ("B", "09:05", "09:06"), ("C", "09:10")])])
    tt = tf.build()
    b = TimetableProvider(tt, Footpaths.same_stop_only(tt.n_stops)).backward()
    assert b.reverse and b.pattern_stops.tolist() == [2, 1, 0]
    assert b.departure_s[:3].tolist() == [-_hm(9, 10), -_hm(9, 5), -_hm(9, 0)]
    assert b.arrival_s[:3].tolist() == [-_hm(9, 10), -_hm(9, 6), -_hm(9, 0)]
    assert np.all(tt.departure_s[b.event_map] == -b.arrival_s)
    assert np.all(np.diff(b.departure_s.reshape(-1, 3), axis=0) >= 0)  # non-overtaking
    assert b.stop_pattern_positions.tolist() == [2, 1, 0]  # A, B, C


def test_patterns_split_by_pickup_and_drop_off_rules() -> None:
    """Trips with other boarding rules get their own pattern; backward swaps the rules."""
    tf = TinyFeed(STOPS, [Trip("1", [("A", "08:00"), ("B", "08:05"), ("C", "08:10")],
                               no_drop_off=["B"]),
                          Trip("1", [("A", "09:00"), ("B", "09:05"), ("C", "09:10")]),
                          Trip("1", [("A", "10:00"), ("B", "10:05"), ("C", "10:10")],
                               no_drop_off=["B"])])
    tt = tf.build()
    assert tt.n_patterns == 1
    prov = TimetableProvider(tt, Footpaths.same_stop_only(tt.n_stops))
    f = prov.forward()
    assert np.diff(f.pattern_trip_offsets).tolist() == [2, 1]
    assert [tt.trip_ids[t] for t in f.pattern_trips] == ["T0", "T2", "T1"]
    assert f.can_alight.reshape(-1, 3)[:, 1].tolist() == [False, False, True]
    assert np.all(tt.arrival_s[f.event_map] == f.arrival_s)
    assert sorted(f.stop_patterns.tolist()) == [0, 0, 0, 1, 1, 1]
    b = prov.backward()
    assert b.can_board.reshape(-1, 3)[:, 1].tolist() == [False, False, True]

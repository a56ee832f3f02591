"""routing.provider: forward and backward RAPTOR arrays."""

from __future__ import annotations

import numpy as np

from routing.provider import TimetableProvider
from tests.routing.tinyfeed import TinyFeed, Trip
from transit.footpaths import Footpaths


def test_backward_data_is_the_day_run_backwards() -> None:
    """Reverse patterns: stops reversed, times negated and swapped, pickup/drop-off swapped."""
    tf = TinyFeed({"A": (0, 0), "B": (1000, 0), "C": (2000, 0)},
                  [Trip("1", [("A", "08:00"), ("B", "08:05", "08:06"), ("C", "08:10")],
                        no_pickup=["B"]),
                   Trip("1", [("A", "09:00"), ("B", "09:05", "09:06"), ("C", "09:10")])])
    tt = tf.build()
    prov = TimetableProvider(tt, Footpaths.same_stop_only(tt.n_stops))
    b = prov.backward()
    assert b.reverse and b.pattern_stops.tolist() == [2, 1, 0]
    # first reversed trip is the latest forward trip; its first event is C 09:10
    assert b.departure_s[:3].tolist() == [-hms_(9, 10), -hms_(9, 5), -hms_(9, 0)]
    assert b.arrival_s[:3].tolist() == [-hms_(9, 10), -hms_(9, 6), -hms_(9, 0)]
    # the 08:00 trip may not pick up at B: backwards, nobody may alight there
    assert b.can_alight[3:6].tolist() == [True, False, True]
    assert np.all(tt.departure_s[b.event_map] == -b.arrival_s)
    n_s = 3
    blk = b.departure_s.reshape(-1, n_s)
    assert np.all(np.diff(blk, axis=0) >= 0)  # still non-overtaking
    assert b.stop_pattern_positions.tolist() == [2, 1, 0]  # A, B, C


def hms_(h: int, m: int) -> int:
    """Seconds of h:m."""
    return h * 3600 + m * 60

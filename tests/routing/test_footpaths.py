"""routing.footpaths and transit.footpaths: building, closing and turning footpaths."""

from __future__ import annotations

import numpy as np
import pytest

from routing.errors import QueryError
from routing.footpaths import build_footpaths, nearby_pairs
from routing.geo import haversine_m
from tests.routing.tinyfeed import TinyFeed, Trip
from transit.errors import ModelError
from transit.footpaths import Footpaths


def _tt(stops, transfers=()):  # type: ignore[no-untyped-def]
    ids = list(stops)
    return TinyFeed(stops, [Trip("1", [(ids[0], "08:00"), (ids[1], "08:10")])],
                    transfers=list(transfers)).build()


def test_nearby_pairs_equal_brute_force() -> None:
    """The grid finds exactly the pairs within the radius."""
    rng = np.random.default_rng(1)
    lat = 35 + rng.random(400) * 0.03
    lon = 139 + rng.random(400) * 0.03
    a, b = nearby_pairs(lat, lon, 250.0)
    got = set(zip(a.tolist(), b.tolist(), strict=True))
    d = haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    want = {(i, j) for i, j in zip(*np.nonzero(d <= 250.0), strict=True) if i != j}
    assert got == want


def test_walk_mode_radius_speed_and_detour() -> None:
    """300 m apart -> an edge of 390 m, 325 s; 500 m apart -> none."""
    tt = _tt({"A": (0, 0), "B": (300, 0), "C": (800, 0)})
    fp = build_footpaths(tt, mode="walk")
    to, dur = fp.edges_from(0)
    assert to.tolist() == [1] and dur.tolist() == [325]
    assert fp.distance_m[0] == pytest.approx(390.0, rel=2e-3)
    assert fp.change_s.tolist() == [0, 0, 0]


def test_none_mode_ignores_transfers_txt() -> None:
    """transfers none: 0-second changes everywhere, no edges, rules not read."""
    tt = _tt({"A": (0, 0), "B": (100, 0)}, [("A", "A", 3, -1), ("A", "B", 2, 60)])
    fp = build_footpaths(tt, mode="none")
    assert fp.n_edges == 0 and fp.change_s.tolist() == [0, 0]


def test_rules_change_times_and_forbid() -> None:
    """Type 2 at a stop sets its change time, type 3 forbids, type 3 between stops removes."""
    tt = _tt({"A": (0, 0), "B": (100, 0), "C": (5000, 0)},
             [("A", "A", 2, 90), ("B", "B", 3, -1), ("A", "B", 3, -1), ("C", "A", 0, -1)])
    fp = build_footpaths(tt, mode="walk")
    assert fp.change_s.tolist() == [90, -1, 0]
    assert fp.edges_from(0)[0].tolist() == []
    assert fp.edges_from(1)[0].tolist() == [0]
    to, dur = fp.edges_from(2)  # a transfers.txt edge 5 km long is kept, walked at 1.2 m/s
    assert to.tolist() == [0] and dur[0] == pytest.approx(5000 * 1.3 / 1.2, rel=2e-3)


def test_unknown_mode_and_bad_parameters() -> None:
    """Bad options raise QueryError naming the option."""
    tt = _tt({"A": (0, 0), "B": (100, 0)})
    with pytest.raises(QueryError, match="transfers"):
        build_footpaths(tt, mode="teleport")
    with pytest.raises(QueryError, match="radius_m"):
        build_footpaths(tt, radius_m=0)


def test_reversed_and_checks() -> None:
    """reversed() turns every edge around; bad arrays raise ModelError."""
    fp = Footpaths.from_edges(np.zeros(3, np.int32), np.array([0, 0, 2], np.int32),
                              np.array([1, 2, 1], np.int32), np.array([5, 6, 7], np.int32),
                              np.array([1.0, 2.0, 3.0]))
    r = fp.reversed()
    assert r.edges_from(1)[0].tolist() == [0, 2] and r.edges_from(1)[1].tolist() == [5, 7]
    with pytest.raises(ModelError, match="to_stop"):
        Footpaths(fp.change_s, fp.offsets, fp.to_stop + 5, fp.duration_s, fp.distance_m)

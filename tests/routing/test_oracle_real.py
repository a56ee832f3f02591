"""RAPTOR against the connection-scan oracle on the real feeds (>= 500 random queries)."""

from __future__ import annotations

import itertools
import zlib
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from gtfs.compile import compile_feed_file
from routing.planner import Place, Planner, PlannerConfig
from routing.raptor import pareto_filter
from tests.conftest import shared_path
from tests.routing.oracle import connections, earliest_by_rides, pareto_from_rounds
from transit.timetable import Timetable

FEEDS = {
    "muroran": ("gtfs_jp_donanbus_muroran/donanbus_muroran_gtfs_jp.zip", date(2020, 4, 1)),
    "yamanashi": ("gtfs_jp_yamanashi/yamanashi_gtfs.zip", date(2019, 8, 26)),
    "hart": ("gtfs_large_hart_tampa/hart_tampa_gtfs.zip", date(2020, 12, 2)),
    "nyc": ("gtfs_large_nyc_subway/nyc_subway_gtfs.zip", date(2018, 7, 11)),
}
QUERIES_PER_FEED_AND_MODE = 70  # 4 feeds x 2 modes x 70 = 560 queries
MAX_TRANSFERS = 8

pytestmark = [pytest.mark.shared, pytest.mark.slow]

_cache: dict[str, Timetable] = {}


def _timetable(name: str, tmp_path_factory: pytest.TempPathFactory) -> Timetable:
    if name not in _cache:
        rel, day = FEEDS[name]
        path = shared_path(rel)
        _cache[name] = compile_feed_file(path, day,
                                         cache_dir=Path(tmp_path_factory.getbasetemp()) / "tt")
    return _cache[name]


@pytest.mark.parametrize("mode", ["none", "walk"])
@pytest.mark.parametrize("feed", list(FEEDS))
def test_earliest_arrival_agrees_with_connection_scan(
        feed: str, mode: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Per round, RAPTOR's Pareto set over (arrival, rides) equals the CSA oracle's."""
    tt = _timetable(feed, tmp_path_factory)
    planner = Planner(tt, config=PlannerConfig(transfers=mode, max_transfers=MAX_TRANSFERS))
    conn = connections(tt)
    rng = np.random.default_rng(zlib.crc32(f"{feed}-{mode}".encode()))
    served = np.unique(tt.pattern_stops)
    reached = 0
    for _ in range(QUERIES_PER_FEED_AND_MODE):
        if mode == "walk" and rng.random() < 0.3:
            # a coordinate near a random stop: access and egress on foot
            a, b = rng.choice(served, 2, replace=False)
            o = Place(lat=float(tt.stop_lat[a]) + rng.normal(0, 0.002),
                      lon=float(tt.stop_lon[a]) + rng.normal(0, 0.002))
            d = Place(lat=float(tt.stop_lat[b]) + rng.normal(0, 0.002),
                      lon=float(tt.stop_lon[b]) + rng.normal(0, 0.002))
        else:
            a, b = rng.choice(served, 2, replace=False)
            if rng.random() < 0.5:  # half the pairs: b further along a pattern through a
                b = _downstream(tt, int(a), rng) or b
            o, d = Place(stop=int(a)), Place(stop=int(b))
        t0 = int(rng.integers(7 * 3600, 20 * 3600))
        access, egress = planner.access(o), planner.egress(d)
        journeys = [j for j in planner.depart_at(o, d, t0) if j.n_rides > 0]
        got = [(j.arrival_s, j.n_rides) for j in journeys]
        best = earliest_by_rides(conn, planner.footpaths, access.as_dict(), egress.as_dict(),
                                 t0, MAX_TRANSFERS + 1)
        want = pareto_from_rounds(best)
        assert got == want, f"{feed} {mode} {o} -> {d} at {t0}"
        if o.is_stop:  # the batch fast path agrees too (coordinates may add a direct walk)
            fast = planner.arrival_time(o, d, t0)
            assert fast == ((want[-1][0], want[-1][1] - 1) if want else (-1, -1))
        for j in journeys:
            assert j.departure_s >= t0
            _check_legs(tt, j)
        reached += bool(got)
    assert reached >= QUERIES_PER_FEED_AND_MODE // 3, "too few reachable pairs to mean much"


def _events_at(tt: Timetable, stop: int) -> list[int]:
    """Return every stop event at ``stop`` (all patterns, all trips)."""
    out = []
    a, b = int(tt.stop_pattern_offsets[stop]), int(tt.stop_pattern_offsets[stop + 1])
    for p, pos in zip(tt.stop_patterns[a:b].tolist(), tt.stop_pattern_positions[a:b].tolist(),
                      strict=True):
        n_s = len(tt.pattern_stop_ids(p))
        n_t = len(tt.pattern_trip_ids(p))
        first = int(tt.pattern_event_offsets[p])
        out += [first + t * n_s + pos for t in range(n_t)]
    return out


def _downstream(tt: Timetable, stop: int, rng: np.random.Generator) -> int:
    """Return a stop after ``stop`` on a random pattern through it (0 if none)."""
    a, b = int(tt.stop_pattern_offsets[stop]), int(tt.stop_pattern_offsets[stop + 1])
    j = int(rng.integers(a, b))
    stops = tt.pattern_stop_ids(int(tt.stop_patterns[j]))
    later = [int(s) for s in stops[int(tt.stop_pattern_positions[j]) + 1:] if s != stop]
    return int(rng.choice(later)) if later else 0


def _check_legs(tt: Timetable, j: object) -> None:
    legs = j.legs  # type: ignore[attr-defined]
    for prev, nxt in itertools.pairwise(legs):
        assert prev.arrival_s <= nxt.departure_s
    for leg in legs:
        if leg.kind == "RIDE":
            assert int(tt.departure_s[leg.board_event]) == leg.departure_s
            assert int(tt.arrival_s[leg.alight_event]) == leg.arrival_s
            assert int(tt.pickup_type[leg.board_event]) != 1
            assert int(tt.drop_off_type[leg.alight_event]) != 1


@pytest.mark.parametrize("feed", ["hart", "nyc"])
def test_range_and_mcraptor_are_pareto_and_hold_the_earliest(
        feed: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Range (60 min), arrive-by and McRAPTOR sets are optimal and hold the earliest arrival."""
    tt = _timetable(feed, tmp_path_factory)
    planner = Planner(tt)
    conn = connections(tt)
    rng = np.random.default_rng(7)
    served = np.unique(tt.pattern_stops)
    for _ in range(15):
        a, b = rng.choice(served, 2, replace=False)
        o, d = Place(stop=int(a)), Place(stop=int(b))
        t0 = int(rng.integers(7 * 3600, 19 * 3600))
        ea = planner.depart_at(o, d, t0)
        ranged = planner.depart_at(o, d, t0, window_s=3600)
        assert pareto_filter(ranged) == ranged
        if not ea:
            continue
        best = min(j.arrival_s for j in ea)
        assert min(j.arrival_s for j in ranged) == best
        for rj in ranged:  # every ranged journey is optimal for its own departure
            oracle = earliest_by_rides(conn, planner.footpaths, planner.access(o).as_dict(),
                                       planner.egress(d).as_dict(), rj.departure_s,
                                       MAX_TRANSFERS + 1)
            assert oracle[rj.n_rides] == rj.arrival_s
            # leaving later but within the window (at the next moment a vehicle can be
            # caught), that arrival is lost: the journey departs as late as possible
            acc = planner.access(o).as_dict()
            nxt = [int(tt.departure_s[e]) - a for s, a in acc.items()
                   for e in _events_at(tt, s)
                   if rj.departure_s < int(tt.departure_s[e]) - a <= t0 + 3600]
            if nxt:
                later = earliest_by_rides(conn, planner.footpaths, acc,
                                          planner.egress(d).as_dict(), min(nxt),
                                          MAX_TRANSFERS + 1)
                assert later[rj.n_rides] == -1 or later[rj.n_rides] > rj.arrival_s
        arrive = best + int(rng.integers(0, 1800))
        acc = planner.access(o).as_dict()
        for aj in planner.arrive_by(o, d, arrive):  # latest departures, per ride count
            assert aj.arrival_s <= arrive
            ok = earliest_by_rides(conn, planner.footpaths, acc, planner.egress(d).as_dict(),
                                   aj.departure_s, MAX_TRANSFERS + 1)
            assert 0 <= ok[aj.n_rides] <= arrive
            nxt = [int(tt.departure_s[e]) - a for s, a in acc.items()
                   for e in _events_at(tt, s) if int(tt.departure_s[e]) - a > aj.departure_s]
            if nxt:
                late = earliest_by_rides(conn, planner.footpaths, acc,
                                         planner.egress(d).as_dict(), min(nxt),
                                         MAX_TRANSFERS + 1)
                assert late[aj.n_rides] == -1 or late[aj.n_rides] > arrive
        for crit in ("walk", "cost"):
            mc = planner.depart_at(o, d, t0, criterion=crit)
            assert min(j.arrival_s for j in mc) == best
            keys = [(j.arrival_s, j.n_rides, j.walk_s) for j in mc]
            if crit == "walk":
                for x in keys:
                    assert not any(y != x and y[0] <= x[0] and y[1] <= x[1] and y[2] <= x[2]
                                   for y in keys)

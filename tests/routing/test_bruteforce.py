"""RAPTOR and McRAPTOR against exhaustive enumeration on random tiny timetables.

The enumerator tries every trip one may board (not only the first), every
alighting stop, every change and footpath, up to the ride limit, and keeps the
exact Pareto set — an oracle for the multi-criteria search that shares no code
with it.
"""

from __future__ import annotations

import numpy as np
import pytest

from routing.planner import Place, Planner, PlannerConfig
from tests.routing.tinyfeed import TinyFeed, Trip
from transit.footpaths import Footpaths
from transit.timetable import Timetable

MAX_RIDES = 3
PENALTY = 300


def _random_feed(rng: np.random.Generator) -> TinyFeed:
    n_stops = int(rng.integers(4, 8))
    stops = {f"S{i}": (float(rng.uniform(0, 900)), float(rng.uniform(0, 900)))
             for i in range(n_stops)}
    names = list(stops)
    trips = []
    for r in range(int(rng.integers(2, 5))):
        length = int(rng.integers(2, min(5, n_stops) + 1))
        seq = [names[i] for i in rng.choice(n_stops, length, replace=False)]
        if rng.random() < 0.2:
            seq.append(seq[0])  # a loop
        for _ in range(int(rng.integers(1, 4))):
            t = int(rng.integers(8 * 3600, 9 * 3600))
            calls = []
            for s in seq:
                calls.append((s, f"{t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}"))
                t += int(rng.integers(0, 600))
            no_pick = [s for s in seq if rng.random() < 0.1]
            no_drop = [s for s in seq if rng.random() < 0.1]
            trips.append(Trip(str(r), calls, no_pickup=no_pick, no_drop_off=no_drop))
    transfers = []
    for s in names:
        u = rng.random()
        if u < 0.15:
            transfers.append((s, s, 2, int(rng.integers(0, 400))))
        elif u < 0.22:
            transfers.append((s, s, 3, -1))
    return TinyFeed(stops, trips, transfers=transfers)


def _enumerate(tt: Timetable, fp: Footpaths, access: dict[int, int], egress: dict[int, int],
               t0: int, cost: bool) -> set[tuple[int, int, int]]:
    """Every (arrival, rides, criterion) reachable, then its Pareto set."""
    w = 2 if cost else 1
    trips = []
    for trip in range(tt.n_trips):
        a, b = tt.trip_event_range(trip)
        stops = tt.pattern_stop_ids(int(tt.trip_pattern[trip]))
        trips.append([(int(stops[i]), int(tt.arrival_s[a + i]), int(tt.departure_s[a + i]),
                       int(tt.pickup_type[a + i]) != 1, int(tt.drop_off_type[a + i]) != 1)
                      for i in range(b - a)])
    found: set[tuple[int, int, int]] = set()

    def ready(stop: int, time: int, rides: int, crit: int) -> None:
        if rides == MAX_RIDES:
            return
        for calls in trips:
            for i, (s, _, dep, board, _) in enumerate(calls):
                if s != stop or not board or dep < time:
                    continue
                for s2, arr, _, _, alight in calls[i + 1:]:
                    if not alight:
                        continue
                    c = crit + (arr - time if cost else 0) + (PENALTY if cost and rides else 0)
                    arrived(s2, arr, rides + 1, c)

    def arrived(stop: int, time: int, rides: int, crit: int) -> None:
        if stop in egress:
            found.add((time + egress[stop], rides, crit + w * egress[stop]))
        ch = int(fp.change_s[stop])
        if ch >= 0:
            ready(stop, time + ch, rides, crit + (ch if cost else 0))
        to, dur = fp.edges_from(stop)
        for q, d in zip(to.tolist(), dur.tolist(), strict=True):
            ready(q, time + d, rides, crit + w * d)

    for s, d in access.items():
        ready(s, t0 + d, 0, w * d)
    return {x for x in found
            if not any(y != x and y[0] <= x[0] and y[1] <= x[1] and y[2] <= x[2] for y in found)}


@pytest.mark.parametrize("seed", range(150))
def test_raptor_and_mcraptor_equal_exhaustive_search(seed: int) -> None:
    """On a random tiny day, every Pareto set equals the one found by enumeration."""
    rng = np.random.default_rng(seed)
    tf = _random_feed(rng)
    tt = tf.build()
    planner = Planner(tt, config=PlannerConfig(max_transfers=MAX_RIDES - 1,
                                               transfer_penalty_s=PENALTY))
    fp = planner.footpaths
    for _ in range(6):
        o, d = (int(x) for x in rng.choice(tt.n_stops, 2, replace=False))
        t0 = int(rng.integers(8 * 3600 - 600, 9 * 3600))
        po, pd = Place(stop=o), Place(stop=d)
        acc, egr = planner.access(po).as_dict(), planner.egress(pd).as_dict()
        # RAPTOR: best arrival per number of rides
        walk_set = _enumerate(tt, fp, acc, egr, t0, cost=False)
        best: dict[int, int] = {}
        for a, r, _ in walk_set:
            best[r] = min(best.get(r, a), a)
        by_rides: list[tuple[int, int]] = []
        for r in sorted(best):
            if not by_rides or best[r] < by_rides[-1][0]:
                by_rides.append((best[r], r))
        got = [(j.arrival_s, j.n_rides) for j in planner.depart_at(po, pd, t0)
               if j.n_rides > 0]
        assert got == by_rides, f"seed {seed}: {o}->{d} at {t0}"
        # McRAPTOR with walking time and with generalized cost
        for crit, cost in (("walk", False), ("cost", True)):
            want = _enumerate(tt, fp, acc, egr, t0, cost=cost)
            js = planner.depart_at(po, pd, t0, criterion=crit)
            keys = {(j.arrival_s, j.n_rides, _criterion(j, cost, t0)) for j in js if j.n_rides}
            assert keys == want, f"seed {seed} {crit}: {o}->{d} at {t0}"


def _criterion(j, cost: bool, t0: int) -> int:  # type: ignore[no-untyped-def]
    """Walk seconds, or seconds from t0 + walking again + a penalty per transfer."""
    if not cost:
        return int(j.walk_s)
    return int(j.arrival_s - t0 + j.walk_s + PENALTY * j.transfers)


@pytest.mark.parametrize("seed", range(50))
def test_arrive_by_equals_exhaustive_latest_departure(seed: int) -> None:
    """Arrive-by: per ride count, the latest departure found by enumeration over all departures."""
    rng = np.random.default_rng(1000 + seed)
    tt = _random_feed(rng).build()
    planner = Planner(tt, config=PlannerConfig(max_transfers=MAX_RIDES - 1))
    fp = planner.footpaths
    for _ in range(3):
        o, d = (int(x) for x in rng.choice(tt.n_stops, 2, replace=False))
        arrive = int(rng.integers(8 * 3600 + 1200, 9 * 3600 + 1800))
        po, pd = Place(stop=o), Place(stop=d)
        acc, egr = planner.access(po).as_dict(), planner.egress(pd).as_dict()
        cands = sorted({int(tt.departure_s[e]) - a for s, a in acc.items()
                        for e in range(tt.n_events) if _event_stop(tt, e) == s})
        latest: dict[int, int] = {}
        for t0 in cands:
            for arr, rides, _ in _enumerate(tt, fp, acc, egr, t0, cost=False):
                if arr <= arrive:
                    for k in range(rides, MAX_RIDES + 1):
                        latest[k] = max(latest.get(k, t0), t0)
        want: list[tuple[int, int]] = []
        for k in sorted(latest):
            if not want or latest[k] > want[-1][0]:
                want.append((latest[k], k))
        js = [j for j in planner.arrive_by(po, pd, arrive) if j.n_rides]
        assert [(j.departure_s, j.n_rides) for j in js] == want, f"seed {seed}: {o}->{d}"
        assert all(j.arrival_s <= arrive for j in js)


def _event_stop(tt: Timetable, e: int) -> int:
    p = int(np.searchsorted(tt.pattern_event_offsets, e, side="right") - 1)
    stops = tt.pattern_stop_ids(p)
    return int(stops[(e - int(tt.pattern_event_offsets[p])) % len(stops)])


@pytest.mark.parametrize("seed", range(40))
def test_arrive_by_mcraptor_walk_equals_exhaustive_search(seed: int) -> None:
    """Backward McRAPTOR (walk): Pareto over (latest departure, rides, walk) by enumeration."""
    rng = np.random.default_rng(2000 + seed)
    tt = _random_feed(rng).build()
    planner = Planner(tt, config=PlannerConfig(max_transfers=MAX_RIDES - 1))
    fp = planner.footpaths
    for _ in range(3):
        o, d = (int(x) for x in rng.choice(tt.n_stops, 2, replace=False))
        arrive = int(rng.integers(8 * 3600 + 1200, 9 * 3600 + 1800))
        po, pd = Place(stop=o), Place(stop=d)
        acc, egr = planner.access(po).as_dict(), planner.egress(pd).as_dict()
        cands = sorted({int(tt.departure_s[e]) - a for s, a in acc.items()
                        for e in range(tt.n_events) if _event_stop(tt, e) == s})
        found = {(t0, rides, walk) for t0 in cands
                 for arr, rides, walk in _enumerate(tt, fp, acc, egr, t0, cost=False)
                 if arr <= arrive}
        want = {x for x in found if not any(
            y != x and y[0] >= x[0] and y[1] <= x[1] and y[2] <= x[2] for y in found)}
        js = [j for j in planner.arrive_by(po, pd, arrive, criterion="walk") if j.n_rides]
        assert {(j.departure_s, j.n_rides, j.walk_s) for j in js} == want, f"seed {seed}"
        assert all(j.arrival_s <= arrive for j in js)

"""Real-time insertion: accept with window and ETA, reject with reasons, plans pass the checker."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from dispatch.checker import check_plan
from dispatch.errors import DispatchError
from dispatch.insertion import (
    REASON_CAPACITY,
    REASON_NO_SLACK,
    REASON_REQUEST,
    REASON_UNREACHABLE,
    Dispatcher,
)
from dispatch.model import (
    DROPOFF,
    LATEST_DROPOFF,
    PICKUP,
    Place,
    Plan,
    PlannedStop,
    RideRequest,
    Vehicle,
    VehiclePlan,
)
from dispatch.travel import CrowFlyTravelTimes, MatrixTravelTimes

MATRIX = np.abs(np.subtract.outer(np.arange(6), np.arange(6))) * 60
LINE = MatrixTravelTimes(MATRIX, lambda p: int(p.stop_index or 0))
P = [Place(36.6, 140.6 + 0.01 * i, stop_index=i) for i in range(6)]
NOW = 900


def vehicle(k: int = 1, **kw: object) -> Vehicle:
    base = Vehicle(k, seats=3, wheelchair_spaces=1, depot=P[0], shift_start_s=NOW,
                   shift_end_s=4000)
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def request(rid: int, a: int, b: int, t: int, **kw: object) -> RideRequest:
    base = RideRequest(rid, P[a], P[b], requested_time_s=t, window_s=300, service_s=30)
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def test_accept_returns_window_eta_and_a_checked_plan() -> None:
    """An easy request is accepted with its pickup window and ETAs inside it."""
    d = Dispatcher([vehicle()], LINE, now_s=NOW)
    res = d.insert(request(1, 2, 4, 1000))
    assert res.accepted and res.vehicle_id == 1 and res.reason == ""
    assert res.pickup_window_s == (1000, 1300)
    assert res.pickup_eta_s == 900 + 120 and res.dropoff_eta_s == 1020 + 30 + 120
    assert res.added_travel_s == pytest.approx(120 + 120 + 240, abs=0.01)
    plan = d.plan()
    assert [(s.request_id, s.kind) for s in plan.routes[0].stops] == [(1, PICKUP), (1, DROPOFF)]
    assert check_plan(plan, d.vehicles, [request(1, 2, 4, 1000)], LINE, now_s=NOW,
                      promises=d.promises) == []


def test_shared_ride_on_the_way() -> None:
    """A second request on the way costs no extra travel and shares the vehicle."""
    d = Dispatcher([vehicle(), vehicle(2, depot=P[5])], LINE, now_s=NOW)
    r1, r2 = request(1, 1, 5, 960), request(2, 2, 4, 1000)
    res1 = d.insert(r1)
    assert res1.vehicle_id == 2 and res1.added_travel_s == pytest.approx(240 + 240, abs=0.01)
    res = d.insert(r2)
    assert res.accepted and res.vehicle_id == 2
    assert res.added_travel_s == pytest.approx(0.0, abs=0.01)
    kinds = [(s.request_id, s.kind) for s in d.plan().route_of(2).stops]
    assert kinds == [(2, PICKUP), (1, PICKUP), (2, DROPOFF), (1, DROPOFF)]
    assert [s.load for s in d.plan().route_of(2).stops] == [(1, 0), (2, 0), (1, 0), (0, 0)]
    assert check_plan(d.plan(), d.vehicles, [r1, r2], LINE, now_s=NOW, promises=d.promises) == []


def test_reject_reasons() -> None:
    """Capacity, impossible request, unreachable pickup and no-slack rejections name why."""
    d = Dispatcher([vehicle(wheelchair_spaces=0)], LINE, now_s=NOW)
    assert d.insert(request(1, 1, 2, 1000, wheelchair=True)).reason == REASON_CAPACITY
    late = request(2, 1, 5, 1000, time_kind=LATEST_DROPOFF)
    assert d.insert(late).reason == REASON_REQUEST
    assert d.insert(request(3, 5, 4, NOW, window_s=60)).reason == REASON_UNREACHABLE
    assert d.insert(request(4, 4, 0, 1200, window_s=10)).accepted
    res = d.insert(request(5, 1, 0, 900, window_s=100))
    assert not res.accepted and res.reason == REASON_NO_SLACK and res.vehicle_id is None
    assert set(d.promises) == {4}


def test_latest_dropoff_request() -> None:
    """A latest-drop-off request gets a pickup window that lets it arrive in time."""
    d = Dispatcher([vehicle()], LINE, now_s=NOW)
    r = request(1, 1, 4, 2000, time_kind=LATEST_DROPOFF)
    res = d.insert(r)
    assert res.accepted and res.pickup_window_s == (2000 - 30 - 180 - 300, 2000 - 30 - 180)
    assert res.dropoff_eta_s is not None and res.dropoff_eta_s <= 2000
    assert check_plan(d.plan(), d.vehicles, [r], LINE, now_s=NOW, promises=d.promises) == []


def test_duplicate_request_and_unknown_stop() -> None:
    """Known request ids and plans naming unknown requests are DispatchErrors."""
    d = Dispatcher([vehicle()], LINE, now_s=NOW)
    d.insert(request(1, 1, 2, 1000))
    with pytest.raises(DispatchError, match="request_id=1"):
        d.insert(request(1, 1, 2, 1000))
    bad = Plan((VehiclePlan(1, NOW, (PlannedStop(9, PICKUP, P[1], 1000, (1, 0)),), 1200),))
    with pytest.raises(DispatchError, match="request_id=9"):
        Dispatcher([vehicle()], LINE, now_s=NOW, plan=bad)


def _random_fleet(seed: int, n_vehicles: int) -> tuple[list[Vehicle], CrowFlyTravelTimes,
                                                        np.random.Generator]:
    rng = np.random.default_rng(seed)
    travel = CrowFlyTravelTimes()
    vehicles = [Vehicle(k, seats=4, wheelchair_spaces=1,
                        depot=Place(36.55 + rng.random() * 0.05, 140.6 + rng.random() * 0.08),
                        shift_start_s=NOW, shift_end_s=NOW + 5 * 3600)
                for k in range(n_vehicles)]
    return vehicles, travel, rng


def _brute_force_best(d: Dispatcher, r: RideRequest) -> float:
    """Cheapest insertion by enumeration, each candidate checked by the checker."""
    best = np.inf
    plan = d.plan()
    direct = int(d.travel.durations_s([r.pickup], [r.dropoff])[0, 0])
    requests = [*d.pending(), r]
    promises = {**d.promises, r.request_id: r.pickup_window_s(direct)}
    for v in d.vehicles:
        route = plan.route_of(v.vehicle_id)
        stops = list(route.stops)
        current = _earliest(d, v, stops, {q.request_id: q for q in requests}, promises)[1]
        for i in range(len(stops) + 1):
            for j in range(i, len(stops) + 1):
                new = [*stops[:i], PlannedStop(r.request_id, PICKUP, r.pickup, 0, (0, 0)),
                       *stops[i:j], PlannedStop(r.request_id, DROPOFF, r.dropoff, 0, (0, 0)),
                       *stops[j:]]
                timed, total = _earliest(d, v, new, {q.request_id: q for q in requests},
                                         promises)
                trial = Plan(tuple(VehiclePlan(v.vehicle_id, route.start_time_s,
                                               tuple(timed[:-1]), timed[-1].time_s)
                                   if x.vehicle_id == v.vehicle_id else x
                                   for x in plan.routes))
                if check_plan(trial, d.vehicles, requests, d.travel, now_s=NOW,
                              promises=promises) == []:
                    best = min(best, total - current)
    return best


def _earliest(d: Dispatcher, v: Vehicle, stops: list[PlannedStop],
              requests: dict[int, RideRequest],
              promises: dict[int, tuple[int, int]]) -> tuple[list[PlannedStop], float]:
    t = float(v.start_time_s(NOW))
    place, svc, load = v.start_place, 0, [0, 0]
    out, total = [], 0.0
    for s in stops:
        q = requests[s.request_id]
        leg = float(d.travel.durations_s([place], [s.place])[0, 0])
        total += leg
        t = t + svc + leg
        if s.kind == PICKUP:
            t = max(t, promises[s.request_id][0])
            load = [load[0] + q.load[0], load[1] + q.load[1]]
        else:
            load = [load[0] - q.load[0], load[1] - q.load[1]]
        out.append(dataclasses.replace(s, time_s=int(t), load=(load[0], load[1])))
        place, svc = s.place, q.service_s
    leg = float(d.travel.durations_s([place], [v.depot])[0, 0])
    total += leg
    out.append(PlannedStop(-1, DROPOFF, v.depot, int(t + svc + leg), (0, 0)))
    return out, total


def test_insertion_matches_brute_force_and_passes_checker() -> None:
    """On random small fleets the kernel's choice equals brute-force enumeration."""
    vehicles, travel, rng = _random_fleet(11, 3)
    d = Dispatcher(vehicles, travel, now_s=NOW)
    requests: list[RideRequest] = []
    compared = 0
    for rid in range(1, 31):
        r = RideRequest(rid, Place(36.55 + rng.random() * 0.05, 140.6 + rng.random() * 0.08),
                        Place(36.55 + rng.random() * 0.05, 140.6 + rng.random() * 0.08),
                        requested_time_s=NOW + int(rng.integers(0, 5400)),
                        passengers=int(rng.integers(1, 3)), ride_alpha=2.0, ride_beta_s=900)
        brute = _brute_force_best(d, r)
        res = d.insert(r)
        if res.accepted:
            requests.append(r)
            assert res.added_travel_s is not None
            assert res.added_travel_s == pytest.approx(brute, abs=1.0)
        else:
            assert brute == np.inf
        compared += 1
        assert check_plan(d.plan(), vehicles, requests, travel, now_s=NOW,
                          promises=d.promises) == []
    assert compared == 30 and len(requests) >= 10


def test_reoptimization_keeps_promises() -> None:
    """Periodic re-optimization never breaks a promised window and never costs more."""
    vehicles, travel, rng = _random_fleet(4, 4)
    d = Dispatcher(vehicles, travel, now_s=NOW)
    accepted = []
    for rid in range(1, 26):
        r = RideRequest(rid, Place(36.55 + rng.random() * 0.05, 140.6 + rng.random() * 0.08),
                        Place(36.55 + rng.random() * 0.05, 140.6 + rng.random() * 0.08),
                        requested_time_s=NOW + int(rng.integers(0, 3600)))
        if d.insert(r).accepted:
            accepted.append(r)
    before = d.travel_time_s()
    promises = dict(d.promises)
    d.reoptimize(time_limit_s=1.0, seed=2)
    assert d.travel_time_s() <= before + 1e-6
    assert d.promises == promises
    assert check_plan(d.plan(), vehicles, accepted, travel, now_s=NOW, promises=promises) == []


def test_quote_narrowed_to_a_pickup_window_changes_nothing() -> None:
    """quote(pickup_window_s=...) clips the window and leaves the plan as it was."""
    d = Dispatcher([vehicle()], LINE, now_s=NOW)
    d.insert(request(1, 1, 5, 960))
    before = (d.plan(), dict(d.promises))
    res = d.quote(request(2, 2, 4, 1000), pickup_window_s=(1100, 1200))
    assert res.accepted and res.pickup_window_s == (1100, 1200)
    assert res.pickup_eta_s is not None and 1100 <= res.pickup_eta_s <= 1200
    assert (d.plan(), dict(d.promises)) == before and d.keeps_promises()
    miss = d.quote(request(3, 2, 4, 1000), pickup_window_s=(2000, 2100))  # outside its own
    assert not miss.accepted and miss.reason == REASON_REQUEST
    assert (d.plan(), dict(d.promises)) == before

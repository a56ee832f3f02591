"""Batch optimization of the live model: on-board passengers, committed stops, promises."""

from __future__ import annotations

import numpy as np
import pytest

from dispatch.batch import build_problem, optimize_plan
from dispatch.checker import check_plan
from dispatch.errors import DispatchError
from dispatch.model import DROPOFF, PICKUP, OnBoard, Place, RideRequest, StopRef, Vehicle
from dispatch.travel import CrowFlyTravelTimes

NOW = 8 * 3600


def _scenario(seed: int = 3) -> tuple[list[Vehicle], list[RideRequest], CrowFlyTravelTimes]:
    rng = np.random.default_rng(seed)

    def place() -> Place:
        return Place(36.55 + rng.random() * 0.05, 140.6 + rng.random() * 0.08)

    requests = [RideRequest(i, place(), place(), NOW + int(rng.integers(0, 3600)),
                            passengers=int(rng.integers(1, 3)), wheelchair=i % 9 == 0)
                for i in range(24)]
    rider = RideRequest(100, place(), place(), NOW - 300)
    vehicles = [Vehicle(k, 4, 1, place(), NOW, NOW + 6 * 3600) for k in range(6)]
    vehicles[0] = Vehicle(0, 4, 1, place(), NOW, NOW + 6 * 3600, position=rider.pickup,
                          position_time_s=NOW + 60, onboard=(OnBoard(rider, NOW),))
    vehicles[1] = Vehicle(1, 4, 1, place(), NOW, NOW + 6 * 3600,
                          committed=(StopRef(5, PICKUP),))
    return vehicles, requests, CrowFlyTravelTimes()


def test_batch_plan_passes_checker_and_keeps_commitments() -> None:
    """The optimizer drops the rider on board, serves committed stops first, passes the checker."""
    vehicles, requests, travel = _scenario()
    plan = optimize_plan(vehicles, requests, travel, now_s=NOW, time_limit_s=1.5, seed=1)
    assert check_plan(plan, vehicles, requests, travel, now_s=NOW) == []
    assert plan.route_of(1).stops[0].request_id == 5
    assert (100, DROPOFF) in {(s.request_id, s.kind) for s in plan.route_of(0).stops}
    assert plan.route_of(0).start_time_s >= NOW + 60
    assert len(plan.rejected) <= 4


def test_late_passenger_on_board_is_still_delivered() -> None:
    """A passenger whose ride limit is already out of reach is delivered, flagged by the checker."""
    vehicles, requests, travel = _scenario()
    rider = vehicles[0].onboard[0].request
    far = Place(36.70, 140.80)
    vehicles[0] = Vehicle(0, 4, 1, far, NOW, NOW + 6 * 3600, position=far,
                          position_time_s=NOW, onboard=(OnBoard(rider, NOW - 3000),))
    vehicles[1] = Vehicle(1, 4, 1, far, NOW, NOW + 6 * 3600)
    plan = optimize_plan(vehicles, requests[:4], travel, now_s=NOW, time_limit_s=0.5)
    assert (100, DROPOFF) in {(s.request_id, s.kind) for s in plan.route_of(0).stops}
    kinds = {v.kind for v in check_plan(plan, vehicles, requests[:4], travel, now_s=NOW)}
    assert kinds <= {"ride_time", "window"} and "ride_time" in kinds


def test_promised_requests_are_mandatory_and_windows_hard() -> None:
    """Promised windows become the pickup windows and promised requests are never rejected."""
    vehicles, requests, travel = _scenario()
    promises = {0: (NOW + 600, NOW + 700)}
    problem, nodes = build_problem(vehicles, requests, travel, now_s=NOW, promises=promises)
    p = next(i for i, nd in enumerate(nodes) if nd.request_id == 0 and nd.kind == PICKUP)
    assert (problem.tw_start[p], problem.tw_end[p]) == (NOW + 600, NOW + 700)
    assert problem.penalty[0] == np.inf and np.isfinite(problem.penalty[1])
    plan = optimize_plan(vehicles, requests, travel, now_s=NOW, time_limit_s=1.0,
                         promises=promises)
    assert 0 not in plan.rejected
    assert check_plan(plan, vehicles, requests, travel, now_s=NOW, promises=promises) == []


def test_bad_batch_inputs() -> None:
    """Unknown committed requests and duplicate ids are DispatchErrors naming them."""
    vehicles, requests, travel = _scenario()
    with pytest.raises(DispatchError, match="request 5"):
        build_problem(vehicles, [r for r in requests if r.request_id != 5], travel, now_s=NOW)
    with pytest.raises(DispatchError, match="twice"):
        build_problem(vehicles, [*requests, requests[0]], travel, now_s=NOW)

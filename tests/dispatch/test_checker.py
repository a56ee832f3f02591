"""The independent checker catches every violation type on hand-made plans."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from dispatch.checker import check_darp_solution, check_plan, solution_cost
from dispatch.instances import DarpInstance
from dispatch.model import (
    DROPOFF,
    PICKUP,
    OnBoard,
    Place,
    Plan,
    PlannedStop,
    RideRequest,
    StopRef,
    Vehicle,
    VehiclePlan,
)
from dispatch.travel import MatrixTravelTimes

# depot (0,0); request 1: (1,0) -> (3,0); request 2: (2,0) -> (4,0)
INST = DarpInstance(
    name="tiny", kind="cordeau", node_ids=(0, 1, 2, 3, 4, 5),
    x=(0.0, 1.0, 2.0, 3.0, 4.0, 0.0), y=(0.0,) * 6, service=(0.0, 1, 1, 1, 1, 0.0),
    load=(0, 1, 1, -1, -1, 0), tw_start=(0.0,) * 6, tw_end=(100.0,) * 6,
    requests=((1, 3), (2, 4)), vehicles=2, capacity=1, max_ride=5.0,
    max_route_duration=20.0)
GOOD = [[(0, 0.0), (1, 1.0), (3, 4.0), (2, 6.0), (4, 9.0), (5, 14.0)]]


def kinds(routes: list[list[tuple[int, float]]], inst: DarpInstance = INST) -> set[str]:
    return {v.kind for v in check_darp_solution(inst, routes)}


def test_good_route_passes_and_costs() -> None:
    """A hand-checked feasible route has no violation and costs 1+2+1+2+4."""
    assert check_darp_solution(INST, GOOD) == []
    assert solution_cost(INST, GOOD) == pytest.approx(10.0)


def test_window_violation() -> None:
    """Service after a window's end is a window violation."""
    inst = dataclasses.replace(INST, tw_end=(100.0, 100, 5, 100, 100, 100.0))
    assert kinds(GOOD, inst) == {"window"}


def test_travel_violation() -> None:
    """Arriving faster than the Euclidean distance allows is a travel violation."""
    bad = [[(0, 0.0), (1, 1.0), (3, 3.5), (2, 6.0), (4, 9.0), (5, 14.0)]]
    assert kinds(bad) == {"travel"}


def test_ride_time_violation() -> None:
    """Waiting with a passenger on board past the maximum ride time is caught."""
    bad = [[(0, 0.0), (1, 1.0), (3, 8.0), (2, 10.0), (4, 13.0), (5, 18.0)]]
    assert kinds(bad) == {"ride_time"}


def test_capacity_violation() -> None:
    """Two passengers in a one-seat vehicle is a capacity violation."""
    bad = [[(0, 0.0), (1, 1.0), (2, 3.0), (3, 5.0), (4, 7.0), (5, 12.0)]]
    assert kinds(bad) == {"capacity"}


def test_pairing_violation() -> None:
    """Pickup and drop-off on different routes is a pairing violation."""
    bad = [[(0, 0.0), (1, 1.0), (4, 10.0), (5, 20.0)],
           [(0, 0.0), (2, 2.0), (3, 4.0), (5, 8.0)]]
    assert "pairing" in kinds(bad)


def test_order_violation() -> None:
    """A drop-off before its pickup is an order violation."""
    bad = [[(0, 0.0), (3, 3.0), (1, 6.0), (2, 8.0), (4, 11.0), (5, 16.0)]]
    assert "order" in kinds(bad)


def test_duration_violation() -> None:
    """A route longer than T is a duration violation."""
    bad = [[(0, 0.0), (1, 1.0), (3, 4.0), (2, 6.0), (4, 9.0), (5, 25.0)]]
    assert kinds(bad) == {"duration"}


def test_visits_and_depot_violations() -> None:
    """Missing nodes, nodes served twice and routes off the depots are caught."""
    assert "visits" in kinds([[(0, 0.0), (1, 1.0), (3, 4.0), (5, 8.0)]])
    twice = [[(0, 0.0), (1, 1.0), (3, 4.0), (2, 6.0), (4, 9.0), (5, 14.0)],
             [(0, 0.0), (1, 1.0), (3, 4.0), (5, 8.0)]]
    assert "visits" in kinds(twice)
    assert "depot" in kinds([[(1, 1.0), (3, 4.0), (2, 6.0), (4, 9.0), (5, 14.0)]])


def test_unserved_requests_are_allowed_when_listed() -> None:
    """A request listed as unserved must not be visited, and is then not missing."""
    part = [[(0, 0.0), (1, 1.0), (3, 4.0), (5, 8.0)]]
    assert check_darp_solution(INST, part, unserved=[2]) == []
    assert "pairing" in {v.kind for v in check_darp_solution(INST, GOOD, unserved=[2])}


# ---- live plans ---------------------------------------------------------------------------
# places 0..4 on a line, 60 s apart
MATRIX = np.abs(np.subtract.outer(np.arange(5), np.arange(5))) * 60
TRAVEL = MatrixTravelTimes(MATRIX, lambda p: int(p.stop_index or 0))
P = [Place(36.6, 140.6 + 0.01 * i, stop_index=i) for i in range(5)]
REQ = RideRequest(1, P[1], P[3], requested_time_s=1000, window_s=300, ride_alpha=1.5,
                  ride_beta_s=60, service_s=30)  # direct 120 -> max ride 240
VEH = Vehicle(7, seats=1, wheelchair_spaces=0, depot=P[0], shift_start_s=900,
              shift_end_s=2000)


def plan_with(pick_t: int, drop_t: int, end_t: int | None = None, *, load: int = 1) -> Plan:
    end_t = drop_t + 30 + 180 if end_t is None else end_t
    stops = (PlannedStop(1, PICKUP, P[1], pick_t, (load, 0)),
             PlannedStop(1, DROPOFF, P[3], drop_t, (0, 0)))
    return Plan((VehiclePlan(7, 900, stops, end_t),))


def live_kinds(plan: Plan, vehicles: list[Vehicle] | None = None,
               requests: list[RideRequest] | None = None) -> set[str]:
    return {v.kind for v in check_plan(plan, vehicles or [VEH], requests or [REQ], TRAVEL,
                                       now_s=900)}


def test_live_plan_good() -> None:
    """A feasible live plan passes."""
    assert check_plan(plan_with(1000, 1150), [VEH], [REQ], TRAVEL, now_s=900) == []


def test_live_plan_window_ride_travel_duration() -> None:
    """Late pickups, long rides, impossible hops and late returns are each caught."""
    assert live_kinds(plan_with(1400, 1550)) == {"window"}
    assert "ride_time" in live_kinds(plan_with(1000, 1290))
    assert live_kinds(plan_with(1000, 1100)) == {"travel"}
    assert live_kinds(plan_with(1000, 1150, end_t=2100)) == {"duration"}


def test_live_plan_capacity_and_declared_load() -> None:
    """A wheelchair user in a vehicle without wheelchair space breaks capacity."""
    chair = dataclasses.replace(REQ, wheelchair=True)
    assert "capacity" in live_kinds(plan_with(1000, 1150), requests=[chair])
    assert live_kinds(plan_with(1000, 1150, load=2)) == {"capacity"}


def test_live_plan_committed_order_and_onboard() -> None:
    """Committed stops must come first; passengers on board must be dropped by their vehicle."""
    rider = RideRequest(9, P[2], P[4], requested_time_s=800, service_s=30)
    veh = dataclasses.replace(VEH, seats=2, onboard=(OnBoard(rider, 850),),
                              committed=(StopRef(9, DROPOFF),))
    stops = (PlannedStop(1, PICKUP, P[1], 1000, (2, 0)),
             PlannedStop(1, DROPOFF, P[3], 1150, (1, 0)),
             PlannedStop(9, DROPOFF, P[4], 1240, (0, 0)))
    plan = Plan((VehiclePlan(7, 900, stops, 1600),))
    assert live_kinds(plan, [veh]) == {"order"}
    missing = Plan((VehiclePlan(7, 900, stops[:2], 1500),))
    assert "visits" in live_kinds(missing, [veh])


def test_live_plan_pairing_and_rejection_of_promise() -> None:
    """Split pickup/drop-off vehicles and rejected promises are violations."""
    other = dataclasses.replace(VEH, vehicle_id=8)
    plan = Plan((VehiclePlan(7, 900, (PlannedStop(1, PICKUP, P[1], 1000, (1, 0)),), 1300),
                 VehiclePlan(8, 900, (PlannedStop(1, DROPOFF, P[3], 1150, (-1, 0)),), 1400)))
    assert "pairing" in live_kinds(plan, [VEH, other])
    rejected = Plan((VehiclePlan(7, 900, (), 900),), rejected=(1,))
    assert check_plan(rejected, [VEH], [REQ], TRAVEL, now_s=900) == []
    assert "visits" in {v.kind for v in check_plan(rejected, [VEH], [REQ], TRAVEL, now_s=900,
                                                   promises={1: (1000, 1300)})}

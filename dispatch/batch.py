"""Batch dispatch: turn vehicles and ride requests into a :class:`Plan`.

The live model is translated into a :class:`~dispatch.problem.RoutingProblem`
(one start node per vehicle at its current place and time, one end node at
its depot, a drop-off node per passenger on board, a pickup and a drop-off
node per request), solved by OR-Tools (:func:`dispatch.optimizer.solve`) and
improved by LNS (:func:`dispatch.improve.improve`).  Requests already promised
keep their promised pickup window as a hard window and cannot be rejected;
new requests may be rejected at ``rejection_penalty_s``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from dispatch.errors import DispatchError
from dispatch.improve import improve
from dispatch.model import (
    DROPOFF,
    PICKUP,
    Place,
    Plan,
    PlannedStop,
    RideRequest,
    Vehicle,
    VehiclePlan,
)
from dispatch.optimizer import Clock, RoutingSolution, solve
from dispatch.problem import RoutingProblem
from dispatch.travel import TravelTimes


@dataclass(frozen=True, slots=True)
class _Node:
    place: Place
    request_id: int  # -1 for vehicle start/end nodes
    kind: str  # "start", "end", PICKUP, DROPOFF


def build_problem(vehicles: Sequence[Vehicle], requests: Sequence[RideRequest],
                  travel: TravelTimes, *, now_s: int,
                  promises: Mapping[int, tuple[int, int]] | None = None,
                  rejection_penalty_s: float = 7200.0,
                  ) -> tuple[RoutingProblem, list[_Node]]:
    """Translate the live state into a routing problem (and the node table)."""
    promises = promises or {}
    if not vehicles:
        raise DispatchError("vehicles is empty")
    by_id = {r.request_id: r for r in requests}
    if len(by_id) != len(requests):
        raise DispatchError("requests contains a request_id twice")
    nodes: list[_Node] = []
    starts: list[int] = []
    ends: list[int] = []
    for v in vehicles:
        starts.append(len(nodes))
        nodes.append(_Node(v.start_place, -1, "start"))
        ends.append(len(nodes))
        nodes.append(_Node(v.depot, -1, "end"))
    onboard_nodes: list[list[int]] = []
    onboard_ids: set[int] = set()
    for v in vehicles:
        mine = []
        for ob in v.onboard:
            if ob.request.request_id in by_id or ob.request.request_id in onboard_ids:
                raise DispatchError(f"request {ob.request.request_id} is both on board "
                                    "and pending (or on board twice)")
            onboard_ids.add(ob.request.request_id)
            mine.append(len(nodes))
            nodes.append(_Node(ob.request.dropoff, ob.request.request_id, DROPOFF))
        onboard_nodes.append(mine)
    pair_nodes: list[tuple[int, int]] = []
    for r in requests:
        pair_nodes.append((len(nodes), len(nodes) + 1))
        nodes.append(_Node(r.pickup, r.request_id, PICKUP))
        nodes.append(_Node(r.dropoff, r.request_id, DROPOFF))
    places = [nd.place for nd in nodes]
    tt = np.asarray(travel.durations_s(places, places), dtype=np.float64)
    n = len(nodes)
    service = np.zeros(n)
    lo = np.zeros(n)
    hi = np.full(n, float(max(v.shift_end_s for v in vehicles)))
    demand = np.zeros((n, 2), dtype=np.int64)
    for k, v in enumerate(vehicles):
        t0 = v.start_time_s(now_s)
        lo[starts[k]] = hi[starts[k]] = t0
        lo[ends[k]] = t0
        hi[ends[k]] = v.shift_end_s
        if t0 > v.shift_end_s:
            raise DispatchError(f"vehicle {v.vehicle_id} starts at {t0} after its shift end "
                                f"{v.shift_end_s}")
        for ob, node in zip(v.onboard, onboard_nodes[k], strict=True):
            rq = ob.request
            service[node] = rq.service_s
            hi[node] = ob.dropoff_deadline_s(_direct(travel, rq),
                                             reachable_s=t0 + tt[starts[k], node])
            demand[node] = [-x for x in rq.load]
    max_ride = np.full(len(requests), math.inf)
    penalty = np.full(len(requests), float(rejection_penalty_s))
    for idx, r in enumerate(requests):
        p, d = pair_nodes[idx]
        direct = int(tt[p, d])
        plo, phi = promises.get(r.request_id, r.pickup_window_s(direct))
        lo[p], hi[p] = plo, phi
        lo[d], hi[d] = 0.0, r.dropoff_deadline_s(direct)
        service[p] = service[d] = r.service_s
        demand[p] = r.load
        demand[d] = [-x for x in r.load]
        max_ride[idx] = r.max_ride_s(direct)
        if r.request_id in promises:
            penalty[idx] = math.inf
        if hi[p] < lo[p]:
            raise DispatchError(f"request {r.request_id} has an empty pickup window "
                                f"[{lo[p]:.0f}, {hi[p]:.0f}]")
    committed: list[tuple[int, ...]] = []
    node_of_stop = _node_of_stop(nodes)
    for v in vehicles:
        seq = []
        for ref in v.committed:
            key = (ref.request_id, ref.kind)
            if key not in node_of_stop:
                raise DispatchError(f"vehicle {v.vehicle_id} commits to {ref.kind} of "
                                    f"request {ref.request_id}, which is not known")
            seq.append(node_of_stop[key])
        committed.append(tuple(seq))
    problem = RoutingProblem(
        travel=tt, cost=tt, service=service, tw_start=lo, tw_end=hi,
        demand=demand, pairs=np.asarray(pair_nodes, dtype=np.int64).reshape(-1, 2),
        max_ride=max_ride, penalty=penalty, starts=tuple(starts), ends=tuple(ends),
        capacity=np.array([v.capacity for v in vehicles], dtype=np.int64).reshape(-1, 2),
        start_load=np.array([[sum(o.request.load[0] for o in v.onboard),
                              sum(o.request.load[1] for o in v.onboard)] for v in vehicles],
                            dtype=np.int64).reshape(-1, 2),
        max_duration=np.full(len(vehicles), math.inf),
        onboard=tuple(tuple(x) for x in onboard_nodes), committed=tuple(committed))
    return problem, nodes


def _node_of_stop(nodes: Sequence[_Node]) -> dict[tuple[int, str], int]:
    """Node index of each request stop ``(request_id, kind)``."""
    return {(nd.request_id, nd.kind): i for i, nd in enumerate(nodes) if nd.request_id >= 0}


def _direct(travel: TravelTimes, request: RideRequest) -> int:
    return int(travel.durations_s([request.pickup], [request.dropoff])[0, 0])


def plan_from_solution(vehicles: Sequence[Vehicle], problem: RoutingProblem,
                       nodes: Sequence[_Node], solution: RoutingSolution,
                       requests: Sequence[RideRequest]) -> Plan:
    """Express a routing solution as a :class:`Plan`."""
    routes = []
    for k, v in enumerate(vehicles):
        load = problem.start_load[k].copy()
        stops = []
        times = solution.times[k]
        for pos, node in enumerate(solution.routes[k]):
            load = load + problem.demand[node]
            nd = nodes[node]
            stops.append(PlannedStop(nd.request_id, nd.kind, nd.place,
                                     round(times[pos + 1]), (int(load[0]), int(load[1]))))
        routes.append(VehiclePlan(v.vehicle_id, round(times[0]), tuple(stops),
                                  round(times[-1])))
    rejected = tuple(requests[r].request_id for r in solution.unserved)
    return Plan(tuple(routes), rejected)


def initial_routes(plan: Plan, vehicles: Sequence[Vehicle],
                   nodes: Sequence[_Node]) -> list[list[int]]:
    """Node sequences of ``plan`` for a warm start (unknown stops are dropped)."""
    node_of_stop = _node_of_stop(nodes)
    routes: list[list[int]] = []
    for v in vehicles:
        try:
            route = plan.route_of(v.vehicle_id)
        except DispatchError:
            routes.append([])
            continue
        routes.append([node_of_stop[(s.request_id, s.kind)] for s in route.stops
                       if (s.request_id, s.kind) in node_of_stop])
    return routes


def optimize_plan(vehicles: Sequence[Vehicle], requests: Sequence[RideRequest],
                  travel: TravelTimes, *, now_s: int, time_limit_s: float, seed: int = 0,
                  promises: Mapping[int, tuple[int, int]] | None = None,
                  initial: Plan | None = None, rejection_penalty_s: float = 7200.0,
                  ortools_share: float = 0.3, clock: Clock = time.monotonic) -> Plan:
    """Batch-optimize the routes of ``vehicles`` for the pending ``requests``.

    Parameters
    ----------
    vehicles : sequence of Vehicle
        Fleet with current positions, passengers on board and committed stops.
    requests : sequence of RideRequest
        Requests not yet picked up (promised or new).
    travel : TravelTimes
        Travel time source.
    now_s : int
        Current time; no vehicle leaves earlier.
    time_limit_s : float
        Budget (OR-Tools gets ``ortools_share`` of it, LNS the rest).
    seed : int
        Seed of the LNS.
    promises : mapping of request_id to (earliest, latest), optional
        Promised pickup windows; these requests are mandatory.
    initial : Plan, optional
        Current plan, used as a warm start.
    rejection_penalty_s : float
        Cost (in travel seconds) of rejecting a new request.
    clock : callable
        Returns seconds.

    Returns
    -------
    Plan
        Routes of every vehicle (times = earliest feasible schedule) and the
        ids of rejected requests.
    """
    started = clock()
    problem, nodes = build_problem(vehicles, requests, travel, now_s=now_s, promises=promises,
                                   rejection_penalty_s=rejection_penalty_s)
    warm = initial_routes(initial, vehicles, nodes) if initial is not None else None
    solution = solve(problem, time_limit_s=max(0.1, time_limit_s * ortools_share), seed=seed,
                     initial_routes=warm, clock=clock)
    remaining = time_limit_s - (clock() - started)
    if remaining > 0.05:
        solution = improve(problem, solution, time_limit_s=remaining, seed=seed, clock=clock)
    return plan_from_solution(vehicles, problem, nodes, solution, requests)

"""An independent feasibility checker for dispatch plans and benchmark solutions.

It shares no code with the solvers: it recomputes everything from the input
data and the times written in the plan, and reports every violation it finds
(an empty list means feasible).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dispatch.instances import DarpInstance
from dispatch.model import Plan, RideRequest, Vehicle
from dispatch.travel import TravelTimes

#: Absolute tolerance on times and durations (benchmark units or seconds).
TOLERANCE = 1e-6

KINDS = ("visits", "depot", "pairing", "order", "travel", "window", "ride_time",
         "capacity", "duration")


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    route : int
        Index of the route (vehicle) where it happens, ``-1`` when global.
    node : int
        Node (benchmark) or request id (plan) concerned, ``-1`` when none.
    detail : str
        Human-readable explanation with the offending values.
    """

    kind: str
    route: int
    node: int
    detail: str


Stop = tuple[int, float]


def check_darp_solution(instance: DarpInstance, routes: Sequence[Sequence[Stop]], *,
                        unserved: Sequence[int] = (),
                        tolerance: float = TOLERANCE) -> list[Violation]:
    """Check benchmark routes given as ``(internal node, start of service)`` lists.

    Each route must run from the start depot to the end depot.  Checks every
    node served exactly once (or its request listed in ``unserved`` by pickup
    node), pickup and drop-off on the same route in that order, travel times
    between consecutive stops, time windows, maximum ride time, capacity and
    maximum route duration.
    """
    out: list[Violation] = []
    seen: dict[int, tuple[int, int]] = {}
    if len(routes) > instance.vehicles:
        out.append(Violation("visits", -1, -1,
                             f"{len(routes)} routes but only {instance.vehicles} vehicles"))
    for r, route in enumerate(routes):
        if len(route) < 2 or route[0][0] != instance.start_depot \
                or route[-1][0] != instance.end_depot:
            out.append(Violation("depot", r, -1, "route must start at the start depot "
                                 "and end at the end depot"))
            continue
        load = 0
        for pos, (node, time) in enumerate(route):
            if 0 < pos < len(route) - 1:
                if node in (instance.start_depot, instance.end_depot) \
                        or not 0 <= node < instance.n_nodes:
                    out.append(Violation("depot", r, node, f"depot or unknown node {node} "
                                         f"inside the route at position {pos}"))
                    continue
                if node in seen:
                    out.append(Violation("visits", r, node, f"node {node} served twice"))
                seen[node] = (r, pos)
            if time < instance.tw_start[node] - tolerance \
                    or time > instance.tw_end[node] + tolerance:
                out.append(Violation("window", r, node, f"service at {time:.4f} outside "
                                     f"[{instance.tw_start[node]}, {instance.tw_end[node]}]"))
            if pos > 0:
                prev, prev_time = route[pos - 1]
                earliest = prev_time + instance.service[prev] + instance.distance(prev, node)
                if time < earliest - tolerance:
                    out.append(Violation("travel", r, node, f"service at {time:.4f} before "
                                         f"the earliest arrival {earliest:.4f} from {prev}"))
            load += instance.load[node]
            if load > instance.capacity or load < 0:
                out.append(Violation("capacity", r, node,
                                     f"load {load} outside [0, {instance.capacity}]"))
        duration = route[-1][1] - route[0][1]
        if instance.max_route_duration is not None \
                and duration > instance.max_route_duration + tolerance:
            out.append(Violation("duration", r, -1, f"route duration {duration:.4f} > "
                                 f"{instance.max_route_duration}"))
    times = {node: t for route in routes for node, t in route}
    skipped = set(unserved)
    for p, d in instance.requests:
        if p in skipped:
            if p in seen or d in seen:
                out.append(Violation("pairing", -1, p, f"request {p} listed unserved "
                                     "but visited"))
            continue
        if p not in seen or d not in seen:
            missing = p if p not in seen else d
            out.append(Violation("visits", -1, missing, f"node {missing} is not served"))
            continue
        (rp, pp), (rd, pd) = seen[p], seen[d]
        if rp != rd:
            out.append(Violation("pairing", rp, p, f"pickup {p} on route {rp} but "
                                 f"drop-off {d} on route {rd}"))
        elif pd < pp:
            out.append(Violation("order", rp, p, f"drop-off {d} before pickup {p}"))
        elif instance.max_ride is not None:
            ride = times[d] - (times[p] + instance.service[p])
            if ride > instance.max_ride + tolerance:
                out.append(Violation("ride_time", rp, p, f"ride of request {p} is "
                                     f"{ride:.4f} > {instance.max_ride}"))
    return out


def solution_cost(instance: DarpInstance, routes: Sequence[Sequence[Stop]]) -> float:
    """Return the unrounded Euclidean length of all routes."""
    total = 0.0
    for route in routes:
        for (a, _), (b, _) in itertools.pairwise(route):
            total += math.hypot(instance.x[a] - instance.x[b], instance.y[a] - instance.y[b])
    return total


def check_plan(plan: Plan, vehicles: Sequence[Vehicle], requests: Sequence[RideRequest],
               travel: TravelTimes, *, now_s: int,
               promises: Mapping[int, tuple[int, int]] | None = None) -> list[Violation]:
    """Check a live :class:`Plan` against vehicles, requests and travel times.

    ``requests`` are the requests not yet picked up; each must be served once
    unless listed in ``plan.rejected`` (promised ones may not be rejected).
    Passengers on board must be dropped by their own vehicle.  Pickups must
    start inside their promised window (or the request's own window),
    drop-offs by their deadline and within the maximum ride time; loads stay
    within seats and wheelchair spaces; committed stops come first in order;
    each vehicle is back at its depot by its shift end.  ``Violation.route``
    is the vehicle id and ``Violation.node`` the request id.
    """
    promises = promises or {}
    out: list[Violation] = []
    by_id = {r.request_id: r for r in requests}
    onboard = {ob.request.request_id: (v.vehicle_id, ob) for v in vehicles for ob in v.onboard}
    seen: dict[tuple[int, str], tuple[int, int, int]] = {}
    routes = {r.vehicle_id: r for r in plan.routes}

    def direct_s(r: RideRequest) -> int:
        return int(travel.durations_s([r.pickup], [r.dropoff])[0, 0])

    for v in vehicles:
        route = routes.get(v.vehicle_id)
        if route is None:
            if v.onboard or v.committed:
                out.append(Violation("visits", v.vehicle_id, -1, "vehicle with passengers "
                                     "or committed stops has no route"))
            continue
        earliest_start = max(now_s, v.shift_start_s,
                             v.position_time_s if v.position_time_s is not None else 0)
        if route.start_time_s < earliest_start:
            out.append(Violation("depot", v.vehicle_id, -1, f"route starts at "
                                 f"{route.start_time_s} before {earliest_start}"))
        for pos, ref in enumerate(v.committed):
            if pos >= len(route.stops) or (route.stops[pos].request_id,
                                           route.stops[pos].kind) != (ref.request_id, ref.kind):
                out.append(Violation("order", v.vehicle_id, ref.request_id,
                                     f"committed {ref.kind} of request {ref.request_id} is "
                                     f"not stop {pos} of the route"))
        seats = sum(o.request.passengers - int(o.request.wheelchair) for o in v.onboard)
        chairs = sum(int(o.request.wheelchair) for o in v.onboard)
        prev_place = v.position if v.position is not None else v.depot
        prev_time = float(route.start_time_s)
        prev_service = 0
        for pos, stop in enumerate(route.stops):
            rid = stop.request_id
            r = by_id.get(rid) or (onboard[rid][1].request if rid in onboard else None)
            if r is None:
                out.append(Violation("visits", v.vehicle_id, rid, f"unknown request {rid}"))
                continue
            key = (rid, stop.kind)
            if key in seen:
                out.append(Violation("visits", v.vehicle_id, rid,
                                     f"{stop.kind} of request {rid} planned twice"))
            seen[key] = (v.vehicle_id, pos, stop.time_s)
            expected_place = r.pickup if stop.kind == "pickup" else r.dropoff
            if stop.place != expected_place:
                out.append(Violation("visits", v.vehicle_id, rid,
                                     f"{stop.kind} of request {rid} at the wrong place"))
            need = prev_time + prev_service + float(
                travel.durations_s([prev_place], [stop.place])[0, 0])
            if stop.time_s < need - TOLERANCE:
                out.append(Violation("travel", v.vehicle_id, rid, f"{stop.kind} at "
                                     f"{stop.time_s} before the earliest arrival {need:.0f}"))
            direct = direct_s(r)
            if stop.kind == "pickup":
                lo, hi = promises.get(rid, r.pickup_window_s(direct))
                if not lo - TOLERANCE <= stop.time_s <= hi + TOLERANCE:
                    out.append(Violation("window", v.vehicle_id, rid, f"pickup at "
                                         f"{stop.time_s} outside [{lo}, {hi}]"))
                seats += r.passengers - int(r.wheelchair)
                chairs += int(r.wheelchair)
            else:
                deadline = r.dropoff_deadline_s(direct)
                if stop.time_s > deadline + TOLERANCE:
                    out.append(Violation("window", v.vehicle_id, rid, f"drop-off at "
                                         f"{stop.time_s} after deadline {deadline}"))
                seats -= r.passengers - int(r.wheelchair)
                chairs -= int(r.wheelchair)
            if not (0 <= seats <= v.seats and 0 <= chairs <= v.wheelchair_spaces):
                out.append(Violation("capacity", v.vehicle_id, rid, f"after {stop.kind} of "
                                     f"{rid}: {seats} seats, {chairs} wheelchairs on board "
                                     f"(capacity {v.seats}, {v.wheelchair_spaces})"))
            if tuple(stop.load) != (seats, chairs):
                out.append(Violation("capacity", v.vehicle_id, rid, f"declared load "
                                     f"{stop.load} but {(seats, chairs)} on board"))
            prev_place, prev_time, prev_service = stop.place, float(stop.time_s), r.service_s
        back = prev_time + prev_service + float(travel.durations_s([prev_place], [v.depot])[0, 0])
        if route.end_time_s < back - TOLERANCE:
            out.append(Violation("travel", v.vehicle_id, -1, f"back at depot at "
                                 f"{route.end_time_s}, before {back:.0f}"))
        if max(back, route.end_time_s) > v.shift_end_s + TOLERANCE:
            out.append(Violation("duration", v.vehicle_id, -1, f"back at depot at "
                                 f"{max(back, route.end_time_s):.0f}, after shift end "
                                 f"{v.shift_end_s}"))
    rejected = set(plan.rejected)
    for rid, (vid, ob) in onboard.items():
        got = seen.get((rid, "dropoff"))
        if got is None:
            out.append(Violation("visits", vid, rid, f"passenger {rid} on board is not "
                                 "dropped off"))
            continue
        if got[0] != vid:
            out.append(Violation("pairing", got[0], rid, f"passenger {rid} on board vehicle "
                                 f"{vid} dropped by vehicle {got[0]}"))
        if (rid, "pickup") in seen:
            out.append(Violation("visits", got[0], rid, f"passenger {rid} on board is "
                                 "picked up again"))
        r = ob.request
        ride = got[2] - (ob.picked_up_s + r.service_s)
        limit = r.max_ride_s(direct_s(r))
        if ride > limit + TOLERANCE:
            out.append(Violation("ride_time", vid, rid, f"ride {ride} s > {limit} s"))
        deadline = r.dropoff_deadline_s(direct_s(r))
        if got[2] > deadline + TOLERANCE:
            out.append(Violation("window", vid, rid, f"drop-off at {got[2]} after deadline "
                                 f"{deadline}"))
    for rid, r in by_id.items():
        p = seen.get((rid, "pickup"))
        d = seen.get((rid, "dropoff"))
        if rid in rejected:
            if rid in promises:
                out.append(Violation("visits", -1, rid, f"promised request {rid} rejected"))
            if p or d:
                out.append(Violation("pairing", -1, rid, f"rejected request {rid} is planned"))
            continue
        if p is None or d is None:
            out.append(Violation("visits", -1, rid, f"request {rid} is not served"))
            continue
        if p[0] != d[0]:
            out.append(Violation("pairing", p[0], rid, f"request {rid} picked up by vehicle "
                                 f"{p[0]} but dropped by {d[0]}"))
            continue
        if d[1] < p[1]:
            out.append(Violation("order", p[0], rid, f"request {rid} dropped before pickup"))
            continue
        limit = r.max_ride_s(direct_s(r))
        ride = d[2] - (p[2] + r.service_s)
        if ride > limit + TOLERANCE:
            out.append(Violation("ride_time", p[0], rid, f"ride {ride} s > {limit} s"))
    return out

"""An independent feasibility checker for dispatch plans and benchmark solutions.

It shares no code with the solvers: it recomputes everything from the input
data and the times written in the plan, and reports every violation it finds
(an empty list means feasible).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from dispatch.instances import DarpInstance

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
        for (a, _), (b, _) in zip(route, route[1:], strict=False):
            total += math.hypot(instance.x[a] - instance.x[b], instance.y[a] - instance.y[b])
    return total

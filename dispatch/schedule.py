"""Earliest feasible schedule of one fixed route (solver side).

Every constraint on a fixed sequence is a difference constraint between
service start times (travel, window, ride time, route duration), so the least
solution is found by label-correcting longest paths; a bound above a window's
end means the sequence is infeasible.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dispatch.problem import RoutingProblem

EPS = 1e-9


def route_schedule(problem: RoutingProblem, vehicle: int, route: Sequence[int],
                   *, start_time: float | None = None) -> list[float] | None:
    """Return start-of-service times for ``[start, *route, end]`` or ``None``.

    The schedule is the earliest one meeting travel times, windows, maximum
    ride times of requests picked up and dropped on this route and the
    vehicle's maximum route duration.  ``start_time`` fixes the departure.
    """
    nodes = [problem.starts[vehicle], *route, problem.ends[vehicle]]
    k = len(nodes)
    lo = problem.tw_start
    hi = problem.tw_end
    times = [float(lo[x]) for x in nodes]
    if start_time is not None:
        if start_time > hi[nodes[0]] + EPS:
            return None
        times[0] = max(times[0], start_time)
    # ride-time links: pickup position -> (drop-off position, max ride + service)
    links: list[tuple[int, int, float]] = []
    pos = {x: i for i, x in enumerate(nodes)}
    for r, (p, d) in enumerate(problem.pairs):
        ride = problem.max_ride[r]
        if ride == np.inf:
            continue
        ip = pos.get(int(p))
        idd = pos.get(int(d))
        if ip is not None and idd is not None and 0 < ip < idd:
            links.append((ip, idd, float(ride + problem.service[p])))
    max_dur = float(problem.max_duration[vehicle])
    travel = problem.travel
    service = problem.service
    for _ in range(4 * k + 4):
        for i in range(1, k):
            a, b = nodes[i - 1], nodes[i]
            t = times[i - 1] + service[a] + travel[a, b]
            if t > times[i]:
                times[i] = t
            if times[i] > hi[b] + EPS:
                return None
        changed = False
        for ip, idd, limit in links:
            need = times[idd] - limit
            if need > times[ip] + EPS:
                times[ip] = need
                changed = True
        if max_dur != np.inf and start_time is None:
            need = times[-1] - max_dur
            if need > times[0] + EPS:
                times[0] = need
                changed = True
        if not changed:
            if max_dur != np.inf and times[-1] - times[0] > max_dur + EPS:
                return None
            return times
        for i in range(k):
            if times[i] > hi[nodes[i]] + EPS:
                return None
    return None

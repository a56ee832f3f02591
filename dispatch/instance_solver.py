"""Solve one benchmark instance end to end and express the answer in file ids."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from dispatch.checker import Violation, check_darp_solution, solution_cost
from dispatch.errors import DispatchError
from dispatch.improve import improve, warm_up
from dispatch.instances import DarpInstance
from dispatch.optimizer import Clock, RoutingSolution, solve
from dispatch.problem import problem_from_instance


@dataclass(frozen=True, slots=True)
class InstanceSolution:
    """A checked benchmark solution.

    Attributes
    ----------
    instance : DarpInstance
        The solved instance.
    routes : tuple of tuple of (int, float)
        Non-empty routes as ``(internal node, start of service)``, depot to depot.
    unserved : tuple of int
        Internal pickup nodes of requests left out.
    cost : float
        Unrounded Euclidean length of all routes.
    violations : tuple of Violation
        What the independent checker found (empty when feasible).
    elapsed_s : float
        Solve time measured with the injected clock.
    """

    instance: DarpInstance
    routes: tuple[tuple[tuple[int, float], ...], ...]
    unserved: tuple[int, ...]
    cost: float
    violations: tuple[Violation, ...]
    elapsed_s: float

    @property
    def vehicles(self) -> int:
        """Number of vehicles used."""
        return len(self.routes)

    def to_json(self) -> dict[str, Any]:
        """Return the CLI's JSON shape with node ids as in the file."""
        ids = self.instance.node_ids
        end_id = ids[self.instance.end_depot]
        return {
            "instance": self.instance.name,
            "cost": round(self.cost, 6),
            "vehicles": self.vehicles,
            "routes": [
                {"vehicle": k,
                 "stops": [{"node": end_id if pos == len(route) - 1 else ids[node],
                            "time": round(t, 6)}
                           for pos, (node, t) in enumerate(route)]}
                for k, route in enumerate(self.routes)],
            "unserved": [ids[p] for p in self.unserved],
            "feasible": not self.violations,
        }


def solve_instance(instance: DarpInstance, *, time_limit_s: float, seed: int = 0,
                   ortools_share: float = 0.05, start_temperature: float = 0.05,
                   clock: Clock = time.monotonic) -> InstanceSolution:
    """Solve a benchmark instance within ``time_limit_s`` and check the result.

    The OR-Tools model gets ``ortools_share`` of the budget (at least 1 s or
    30 % of it), then :func:`dispatch.improve.improve` (LNS) spends the rest.
    """
    if not time_limit_s > 0:
        raise DispatchError(f"time_limit_s={time_limit_s!r} must be positive")
    problem = problem_from_instance(instance)
    warm_up(problem)  # JIT compilation is not search time
    started = clock()
    ortools_s = max(time_limit_s * ortools_share, min(1.0, 0.3 * time_limit_s))
    solution: RoutingSolution = solve(problem, time_limit_s=ortools_s, seed=seed, clock=clock)
    remaining = time_limit_s - (clock() - started)
    if remaining > 0.5:
        solution = improve(problem, solution, time_limit_s=remaining, seed=seed, clock=clock,
                           start_temperature=start_temperature)
    routes = tuple(
        tuple([(problem.starts[v], solution.times[v][0]),
               *[(node, solution.times[v][i + 1]) for i, node in enumerate(route)],
               (problem.ends[v], solution.times[v][-1])])
        for v, route in enumerate(solution.routes) if route)
    unserved = tuple(int(problem.pairs[r][0]) for r in solution.unserved)
    violations = tuple(check_darp_solution(instance, routes, unserved=unserved))
    return InstanceSolution(instance=instance, routes=routes, unserved=unserved,
                            cost=solution_cost(instance, routes), violations=violations,
                            elapsed_s=clock() - started)

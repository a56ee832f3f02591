"""Batch optimizer: the OR-Tools routing model of a :class:`RoutingProblem`.

Pickup-and-delivery pairs on one vehicle in order, time windows with service
times, capacity in every dimension, maximum ride time per request, maximum
route duration, vehicles starting where they are with passengers on board and
committed stops first, optional requests with rejection penalties
(disjunctions), warm start from given routes, and a time limit.  Costs and
times are scaled to integers (:data:`SCALE`) with travel rounded *up*, so
every integer schedule is feasible in floating point; the reported cost and
times are recomputed in floating point.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from dispatch.errors import DispatchError
from dispatch.problem import SCALE, RoutingProblem
from dispatch.schedule import route_schedule

Clock = Callable[[], float]

FIRST_SOLUTIONS = {
    "parallel_cheapest_insertion":
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION,
    "local_cheapest_insertion":
        routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION,
    "savings": routing_enums_pb2.FirstSolutionStrategy.SAVINGS,
    "automatic": routing_enums_pb2.FirstSolutionStrategy.AUTOMATIC,
}
METAHEURISTICS = {
    "guided_local_search":
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH,
    "simulated_annealing":
        routing_enums_pb2.LocalSearchMetaheuristic.SIMULATED_ANNEALING,
    "tabu_search": routing_enums_pb2.LocalSearchMetaheuristic.TABU_SEARCH,
    "greedy_descent": routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT,
}


@dataclass(frozen=True, slots=True)
class RoutingSolution:
    """Routes of a :class:`RoutingProblem`.

    Attributes
    ----------
    routes : tuple of tuple of int
        Per vehicle, the nodes served between its start and end nodes.
    times : tuple of tuple of float
        Per vehicle, start of service at ``[start, *route, end]``.
    unserved : tuple of int
        Indices (into ``problem.pairs``) of requests left out.
    travel_cost : float
        Sum of arc costs, unrounded.
    objective : float
        ``travel_cost`` + fixed vehicle costs + penalties of unserved requests.
    vehicles_used : int
        Number of non-empty routes.
    """

    routes: tuple[tuple[int, ...], ...]
    times: tuple[tuple[float, ...], ...]
    unserved: tuple[int, ...]
    travel_cost: float
    objective: float
    vehicles_used: int


def evaluate(problem: RoutingProblem,
             routes: Sequence[Sequence[int]]) -> RoutingSolution | None:
    """Schedule ``routes`` and cost them; ``None`` if a route is infeasible."""
    times: list[tuple[float, ...]] = []
    served: set[int] = set()
    travel = 0.0
    used = 0
    for v, route in enumerate(routes):
        sched = route_schedule(problem, v, route)
        if sched is None or not _capacity_ok(problem, v, route):
            return None
        times.append(tuple(sched))
        nodes = [problem.starts[v], *route, problem.ends[v]]
        travel += float(sum(problem.cost[a, b] for a, b in itertools.pairwise(nodes)))
        served.update(route)
        if route:
            used += 1
    unserved = tuple(r for r, (p, _d) in enumerate(problem.pairs) if int(p) not in served)
    penalty = sum(float(problem.penalty[r]) for r in unserved)
    return RoutingSolution(
        routes=tuple(tuple(int(x) for x in r) for r in routes), times=tuple(times),
        unserved=unserved, travel_cost=travel,
        objective=travel + penalty + used * problem.vehicle_fixed_cost, vehicles_used=used)


def _capacity_ok(problem: RoutingProblem, vehicle: int, route: Sequence[int]) -> bool:
    load = problem.start_load[vehicle].copy()
    cap = problem.capacity[vehicle]
    for x in route:
        load += problem.demand[x]
        if np.any(load > cap) or np.any(load < 0):
            return False
    return True


def _penalty_int(value: float, big: int) -> int:
    return big if value == math.inf else round(value * SCALE)


def solve(problem: RoutingProblem, *, time_limit_s: float, seed: int = 0,
          initial_routes: Sequence[Sequence[int]] | None = None,
          first_solution: str = "parallel_cheapest_insertion",
          metaheuristic: str = "guided_local_search",
          clock: Clock = time.monotonic) -> RoutingSolution:
    """Optimize ``problem`` with OR-Tools routing within ``time_limit_s`` seconds.

    Parameters
    ----------
    problem : RoutingProblem
        The problem; mandatory requests get a penalty larger than any route
        cost so a first solution always exists.
    time_limit_s : float
        Wall-clock budget of the search.
    seed : int
        Seed of the randomized parts (kept for reproducible comparisons; the
        OR-Tools search itself is deterministic).
    initial_routes : sequence of sequence of int, optional
        Warm start (e.g. the current plan); infeasible warm starts are ignored.
    first_solution, metaheuristic : str
        Keys of :data:`FIRST_SOLUTIONS` and :data:`METAHEURISTICS`.
    clock : callable
        Returns seconds; used to account the time spent.

    Returns
    -------
    RoutingSolution
        Best solution found, with floating-point times and costs.
    """
    if not time_limit_s > 0:
        raise DispatchError(f"time_limit_s={time_limit_s!r} must be positive")
    if first_solution not in FIRST_SOLUTIONS:
        raise DispatchError(f"first_solution={first_solution!r} is not one of "
                            f"{sorted(FIRST_SOLUTIONS)}")
    if metaheuristic not in METAHEURISTICS:
        raise DispatchError(f"metaheuristic={metaheuristic!r} is not one of "
                            f"{sorted(METAHEURISTICS)}")
    problem.validate()
    del seed  # OR-Tools routing is deterministic for a fixed model
    started = clock()
    model = _OrToolsModel(problem)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = FIRST_SOLUTIONS[first_solution]
    params.local_search_metaheuristic = METAHEURISTICS[metaheuristic]
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    params.use_full_propagation = False
    assignment = None
    if initial_routes is not None:
        initial = model.routing.ReadAssignmentFromRoutes(
            [[model.manager.NodeToIndex(int(x)) for x in r] for r in initial_routes], True)
        if initial is not None:
            assignment = model.routing.SolveFromAssignmentWithParameters(initial, params)
    if assignment is None:
        assignment = model.routing.SolveWithParameters(params)
    if assignment is None:
        raise DispatchError("OR-Tools found no solution (check that every vehicle's "
                            "committed stops and on-board drop-offs are feasible)")
    routes = model.read_routes(assignment)
    solution = evaluate(problem, routes)
    if solution is None:
        raise DispatchError("OR-Tools returned routes the float scheduler rejects "
                            f"(after {clock() - started:.1f} s)")
    return solution


class _OrToolsModel:
    """The OR-Tools routing model of one problem (built once per solve)."""

    def __init__(self, problem: RoutingProblem) -> None:
        self.problem = problem
        p = problem
        n, v = p.n_nodes, p.n_vehicles
        self.manager = pywrapcp.RoutingIndexManager(n, v, list(p.starts), list(p.ends))
        self.routing = routing = pywrapcp.RoutingModel(self.manager)
        manager = self.manager
        cost_int = np.rint(p.cost * SCALE).astype(np.int64)
        transit_int = np.ceil((p.travel + p.service[:, None]) * SCALE - 1e-6).astype(np.int64)
        np.fill_diagonal(transit_int, 0)
        cost_rows = cost_int.tolist()
        transit_rows = transit_int.tolist()
        node_of = [manager.IndexToNode(i) for i in range(manager.GetNumberOfIndices())]

        def cost_cb(i: int, j: int) -> int:
            return cost_rows[node_of[i]][node_of[j]]

        def transit_cb(i: int, j: int) -> int:
            return transit_rows[node_of[i]][node_of[j]]

        self._callbacks = (cost_cb, transit_cb)
        cost_idx = routing.RegisterTransitCallback(cost_cb)
        routing.SetArcCostEvaluatorOfAllVehicles(cost_idx)
        if p.vehicle_fixed_cost:
            routing.SetFixedCostOfAllVehicles(round(p.vehicle_fixed_cost * SCALE))
        time_idx = routing.RegisterTransitCallback(transit_cb)
        horizon = math.floor(float(np.max(p.tw_end)) * SCALE) + 1
        routing.AddDimension(time_idx, horizon, horizon, False, "time")
        tdim = routing.GetDimensionOrDie("time")
        self.tdim = tdim
        for node in range(n):
            if node in p.starts or node in p.ends:
                continue
            index = manager.NodeToIndex(node)
            tdim.CumulVar(index).SetRange(math.ceil(p.tw_start[node] * SCALE - 1e-6),
                                          math.floor(p.tw_end[node] * SCALE + 1e-6))
        for veh in range(v):
            for index, node in ((routing.Start(veh), p.starts[veh]),
                                (routing.End(veh), p.ends[veh])):
                tdim.CumulVar(index).SetRange(
                    math.ceil(p.tw_start[node] * SCALE - 1e-6),
                    math.floor(p.tw_end[node] * SCALE + 1e-6))
            if p.max_duration[veh] != math.inf:
                tdim.SetSpanUpperBoundForVehicle(
                    math.floor(p.max_duration[veh] * SCALE + 1e-6), veh)
        solver = routing.solver()
        # capacity, one dimension per column
        self._demand_cbs = []
        for dim in range(p.demand.shape[1]):
            col = [int(x) for x in p.demand[:, dim]]

            def demand_cb(i: int, col: list[int] = col) -> int:
                return col[node_of[i]]

            self._demand_cbs.append(demand_cb)
            didx = routing.RegisterUnaryTransitCallback(demand_cb)
            caps = [int(c) for c in p.capacity[:, dim]]
            routing.AddDimensionWithVehicleCapacity(didx, 0, caps, False, f"load{dim}")
            ldim = routing.GetDimensionOrDie(f"load{dim}")
            for veh in range(v):
                ldim.CumulVar(routing.Start(veh)).SetValue(int(p.start_load[veh, dim]))
        max_cost = int(np.max(cost_int)) if n else 1
        big = max(1, max_cost) * (n + 2) * 10 + round(p.vehicle_fixed_cost * SCALE) * (v + 1)
        for r, (pick, drop) in enumerate(p.pairs):
            pi = manager.NodeToIndex(int(pick))
            di = manager.NodeToIndex(int(drop))
            routing.AddPickupAndDelivery(pi, di)
            solver.Add(routing.VehicleVar(pi) == routing.VehicleVar(di))
            solver.Add(tdim.CumulVar(pi) <= tdim.CumulVar(di))
            pen = _penalty_int(float(p.penalty[r]), big)
            routing.AddDisjunction([pi], pen)
            routing.AddDisjunction([di], pen)
            solver.Add(routing.ActiveVar(pi) == routing.ActiveVar(di))
            if p.max_ride[r] != math.inf:
                limit = math.floor((p.max_ride[r] + p.service[pick]) * SCALE + 1e-6)
                solver.Add(tdim.CumulVar(di) - tdim.CumulVar(pi) <= limit)
        for veh in range(v):
            for node in p.onboard[veh]:
                index = manager.NodeToIndex(node)
                routing.VehicleVar(index).SetValues([-1, veh])
                routing.AddDisjunction([index], big)
            committed = p.committed[veh]
            prev = routing.Start(veh)
            for node in committed:
                index = manager.NodeToIndex(node)
                routing.NextVar(prev).SetValues([index])
                prev = index
        for veh in range(v):
            routing.AddVariableMinimizedByFinalizer(tdim.CumulVar(routing.End(veh)))

    def read_routes(self, assignment: pywrapcp.Assignment) -> list[list[int]]:
        """Return the node sequence of every vehicle."""
        routes: list[list[int]] = []
        for veh in range(self.problem.n_vehicles):
            index = self.routing.Start(veh)
            route: list[int] = []
            index = assignment.Value(self.routing.NextVar(index))
            while not self.routing.IsEnd(index):
                route.append(self.manager.IndexToNode(index))
                index = assignment.Value(self.routing.NextVar(index))
            routes.append(route)
        return routes

"""OR-Tools model, LNS and benchmark solving: every solution passes the checker."""

from __future__ import annotations

import csv
import dataclasses
import math

import numpy as np
import pytest

from dispatch import lns_kernels as K
from dispatch.checker import check_darp_solution
from dispatch.errors import DispatchError
from dispatch.improve import improve
from dispatch.instance_solver import solve_instance
from dispatch.instances import read_cordeau, read_lilim
from dispatch.optimizer import evaluate, solve
from dispatch.problem import problem_from_instance
from dispatch.schedule import route_schedule
from tests.conftest import shared_path
from tests.dispatch.test_checker import INST


def _bks(name: str) -> float:
    path = shared_path("darp_cordeau2006/bks_cordeau2006.csv")
    with open(path, newline="", encoding="utf-8") as fh:
        return next(float(r["bks_total_routing_cost"]) for r in csv.DictReader(fh)
                    if r["instance"] == name)


def _routes(problem, solution):  # type: ignore[no-untyped-def]
    return [[(problem.starts[v], solution.times[v][0]),
             *[(x, solution.times[v][i + 1]) for i, x in enumerate(r)],
             (problem.ends[v], solution.times[v][-1])]
            for v, r in enumerate(solution.routes) if r]


def test_ortools_alone_solves_the_tiny_instance_optimally() -> None:
    """OR-Tools finds the hand-checked optimum of the tiny instance, which passes the checker."""
    problem = problem_from_instance(INST)
    sol = solve(problem, time_limit_s=1.0)
    assert sol.unserved == ()
    assert sol.travel_cost == pytest.approx(10.0)
    assert check_darp_solution(INST, _routes(problem, sol)) == []


def test_impossible_optional_request_is_rejected_with_its_penalty() -> None:
    """A request whose window cannot be reached is left out and its penalty paid."""
    inst = dataclasses.replace(INST, tw_end=(100.0, 100, 0.5, 100, 100, 100.0))
    problem = dataclasses.replace(problem_from_instance(inst), penalty=np.array([50.0, 50.0]))
    sol = solve(problem, time_limit_s=1.0)
    assert sol.unserved == (1,)
    assert sol.objective == pytest.approx(sol.travel_cost + 50.0)
    routes = _routes(problem, sol)
    assert check_darp_solution(inst, routes, unserved=[2]) == []


def test_warm_start_and_bad_options() -> None:
    """A warm start is accepted; bad options raise DispatchError naming them."""
    problem = problem_from_instance(INST)
    sol = solve(problem, time_limit_s=0.5, initial_routes=[[1, 3, 2, 4], []])
    assert sol.travel_cost == pytest.approx(10.0)
    with pytest.raises(DispatchError, match="time_limit_s=0"):
        solve(problem, time_limit_s=0)
    with pytest.raises(DispatchError, match="metaheuristic='x'"):
        solve(problem, time_limit_s=1, metaheuristic="x")


def test_schedule_delays_pickup_to_respect_ride_time() -> None:
    """The earliest schedule waits before a pickup when the drop-off window opens late."""
    inst = dataclasses.replace(INST, tw_start=(0.0, 0, 0, 20, 0, 0.0))
    problem = problem_from_instance(inst)
    times = route_schedule(problem, 0, [1, 3, 2, 4])
    assert times is not None
    assert times[2] == 20.0 and times[2] - (times[1] + 1) <= 5.0
    assert times[1] >= 14.0  # picked up late rather than riding too long
    assert route_schedule(problem, 0, [1, 2, 3, 4]) is not None  # times fit ...
    assert evaluate(problem, [[1, 2, 3, 4], []]) is None  # ... but two riders exceed Q=1


def test_numba_feasibility_agrees_with_python_schedule() -> None:
    """The LNS kernel's route test agrees with the Python scheduler on random routes of a2-16."""
    inst = read_cordeau(shared_path("darp_cordeau2006/instances/a2-16.txt"))
    problem = problem_from_instance(inst)
    rng = np.random.default_rng(5)
    n = problem.n_nodes
    ride = np.full(n, np.inf)
    partner = np.full(n, -1, dtype=np.int64)
    for r, (p, d) in enumerate(problem.pairs):
        ride[p] = problem.max_ride[r]
        partner[p], partner[d] = d, p
    posmark = np.zeros((n, 2), dtype=np.int64)
    stamp = np.zeros(1, dtype=np.int64)
    agree = feasible = 0
    for _ in range(300):
        reqs = rng.choice(len(problem.pairs), size=int(rng.integers(1, 4)), replace=False)
        route: list[int] = []
        for r in reqs:
            p, d = (int(x) for x in problem.pairs[r])
            i = int(rng.integers(0, len(route) + 1))
            route.insert(i, p)
            route.insert(int(rng.integers(i + 1, len(route) + 1)), d)
        nodes = np.array([0, *route, n - 1], dtype=np.int64)
        times = np.zeros(len(nodes))
        ok_k = K.route_feasible(nodes, len(nodes), 0, problem.travel, problem.service,
                                problem.tw_start, problem.tw_end, problem.demand,
                                problem.capacity, problem.start_load, problem.max_duration,
                                ride, partner, times, posmark, stamp)
        ok_py = evaluate(problem, [route, []]) is not None
        agree += ok_k == ok_py
        feasible += ok_py
    assert agree == 300 and 0 < feasible < 300


def test_lns_never_worsens_and_stays_feasible() -> None:
    """LNS after a short OR-Tools run is never worse and passes the checker."""
    inst = read_cordeau(shared_path("darp_cordeau2006/instances/a3-24.txt"))
    problem = problem_from_instance(inst)
    first = solve(problem, time_limit_s=0.3)
    better = improve(problem, first, time_limit_s=1.0, seed=3)
    assert better.objective <= first.objective + 1e-9
    assert check_darp_solution(inst, _routes(problem, better)) == []


class _WorkClock:
    """Advances ``step_s`` per reading, so an LNS budget is a number of moves, not CPU time.

    With CI's two xdist workers sharing two cores a wall-clock budget buys fewer moves
    and the quality asserted below could flake; counted moves do not depend on load.
    """

    def __init__(self, step_s: float) -> None:
        self.now_s = 0.0
        self.step_s = step_s

    def __call__(self) -> float:
        self.now_s += self.step_s
        return self.now_s


def test_small_cordeau_within_a_few_percent_of_bks() -> None:
    """a2-16 and b2-16 come within 2 % of the best known cost in a 3 s budget of ~3,500 moves."""
    for name in ("a2-16", "b2-16"):
        inst = read_cordeau(shared_path(f"darp_cordeau2006/instances/{name}.txt"))
        sol = solve_instance(inst, time_limit_s=3.0, seed=1, clock=_WorkClock(3.0 / 5000))
        assert sol.violations == () and sol.unserved == ()
        assert sol.cost <= _bks(name) * 1.02
        assert sol.cost >= _bks(name) * (1 - 1e-4)


def test_lilim_vehicle_count_matches_bks_on_lc101() -> None:
    """lc101 needs 10 vehicles and about 828.94 distance; the solution is checked."""
    inst = read_lilim(shared_path("pdptw_li_lim_100/instances/lc101.txt"))
    sol = solve_instance(inst, time_limit_s=3.0, clock=_WorkClock(3.0 / 5000))
    assert sol.violations == () and sol.vehicles == 10
    assert math.isclose(sol.cost, 828.9369, rel_tol=0.02)
    assert sol.to_json()["routes"][0]["stops"][-1]["node"] == 0


def test_warm_up_compiles_the_lns_kernels() -> None:
    """warm_up leaves every LNS kernel compiled, so a timed search spends no budget on JIT."""
    from dispatch.improve import warm_up
    from dispatch.instances import read_instance
    from dispatch.problem import problem_from_instance

    instance = read_instance(shared_path("darp_cordeau2006/instances/a2-16.txt"), "cordeau")
    warm_up(problem_from_instance(instance))
    kernels = [K.destroy, K.repair, K.refresh_times]
    assert all(kernel.signatures for kernel in kernels)

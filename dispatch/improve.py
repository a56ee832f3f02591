"""Large-neighbourhood search around an OR-Tools solution.

Adaptive-free LNS in the style of Ropke & Pisinger (2006): each iteration
removes ``q`` requests (random, related or worst removal), reinserts them with
greedy or regret-2 insertion (optionally with noise) and accepts the result by
simulated annealing on ``travel cost + penalties of unserved requests``.  With
a vehicle fixed cost (Li & Lim's hierarchical objective) the first part of the
budget tries to empty whole routes: a route is removed, its vehicle disabled,
and the search runs until every request is back in the other routes.

Every route the search keeps has passed the exact feasibility test of
:mod:`dispatch.lns_kernels`; the result is rescheduled by
:func:`dispatch.optimizer.evaluate` and never worse than the input.
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np

from dispatch import lns_kernels as K
from dispatch.errors import DispatchError
from dispatch.optimizer import Clock, RoutingSolution, evaluate
from dispatch.problem import RoutingProblem


class _Arrays:
    """Constant arrays of one problem in the layout the kernels read."""

    def __init__(self, problem: RoutingProblem) -> None:
        n = problem.n_nodes
        self.travel = np.ascontiguousarray(problem.travel, dtype=np.float64)
        self.cost = np.ascontiguousarray(problem.cost, dtype=np.float64)
        self.service = np.ascontiguousarray(problem.service, dtype=np.float64)
        self.lo = np.ascontiguousarray(problem.tw_start, dtype=np.float64)
        self.hi = np.ascontiguousarray(problem.tw_end, dtype=np.float64)
        self.demand = np.ascontiguousarray(problem.demand, dtype=np.int64)
        self.capacity = np.ascontiguousarray(problem.capacity, dtype=np.int64)
        self.start_load = np.ascontiguousarray(problem.start_load, dtype=np.int64)
        self.max_dur = np.ascontiguousarray(problem.max_duration, dtype=np.float64)
        self.pairs = np.ascontiguousarray(problem.pairs, dtype=np.int64).reshape(-1, 2)
        m = self.pairs.shape[0]
        self.ride_of_pick = np.full(n, np.inf)
        self.partner = np.full(n, -1, dtype=np.int64)
        for r in range(m):
            p, d = int(self.pairs[r, 0]), int(self.pairs[r, 1])
            self.ride_of_pick[p] = float(problem.max_ride[r])
            self.partner[p] = d
            self.partner[d] = p
        committed = {x for c in problem.committed for x in c}
        self.removable = np.array([int(self.pairs[r, 0]) not in committed
                                   and int(self.pairs[r, 1]) not in committed
                                   for r in range(m)], dtype=np.bool_)
        self.locked = np.array([len(c) for c in problem.committed], dtype=np.int64)
        big = float(np.max(self.cost)) * (n + 2) * 10.0 + 1.0
        self.penalty = np.array([big if not math.isfinite(x) else float(x)
                                 for x in problem.penalty], dtype=np.float64)
        self.posmark = np.zeros((n, 2), dtype=np.int64)
        self.stamp = np.zeros(1, dtype=np.int64)
        self.max_len = n + 2

    def feasible(self, routes: np.ndarray, lens: np.ndarray, times: np.ndarray, v: int) -> bool:
        return bool(K.refresh_times(v, routes, lens, times, self.travel, self.service, self.lo,
                                    self.hi, self.demand, self.capacity, self.start_load,
                                    self.max_dur, self.ride_of_pick, self.partner,
                                    self.posmark, self.stamp))


class _State:
    """A mutable solution: route rows, lengths, schedules and the request bank."""

    def __init__(self, routes: np.ndarray, lens: np.ndarray, times: np.ndarray,
                 bank: np.ndarray, nbank: int, enabled: np.ndarray) -> None:
        self.routes, self.lens, self.times = routes, lens, times
        self.bank, self.nbank, self.enabled = bank, nbank, enabled

    def copy(self) -> _State:
        return _State(self.routes.copy(), self.lens.copy(), self.times.copy(),
                      self.bank.copy(), self.nbank, self.enabled.copy())

    def travel(self, arr: _Arrays) -> float:
        return float(sum(K.route_cost(self.routes[v], self.lens[v], arr.cost)
                         for v in range(len(self.lens))))

    def objective(self, arr: _Arrays) -> float:
        return self.travel(arr) + float(arr.penalty[self.bank[:self.nbank]].sum())

    def used(self) -> int:
        return int(np.sum(self.lens > 2))

    def node_routes(self) -> list[list[int]]:
        return [[int(x) for x in self.routes[v, 1:self.lens[v] - 1]]
                for v in range(len(self.lens))]


def _state_from(problem: RoutingProblem, arr: _Arrays, solution: RoutingSolution) -> _State:
    v_count = problem.n_vehicles
    routes = np.zeros((v_count, arr.max_len), dtype=np.int64)
    lens = np.zeros(v_count, dtype=np.int64)
    for v in range(v_count):
        row = [problem.starts[v], *solution.routes[v], problem.ends[v]]
        routes[v, :len(row)] = row
        lens[v] = len(row)
    times = np.zeros((v_count, arr.max_len), dtype=np.float64)
    for v in range(v_count):
        if not arr.feasible(routes, lens, times, v):
            raise DispatchError(f"route of vehicle {v} in the start solution is infeasible")
    m = arr.pairs.shape[0]
    bank = np.zeros(m, dtype=np.int64)
    bank[:len(solution.unserved)] = solution.unserved
    return _State(routes, lens, times, bank, len(solution.unserved),
                  np.ones(v_count, dtype=np.bool_))


def _lns_step(arr: _Arrays, state: _State, rng: np.random.Generator, q: int,
              kind: int, noise: float, regret: bool) -> None:
    m = arr.pairs.shape[0]
    route_of_pair = np.full(m, -1, dtype=np.int64)
    pos_buf = np.zeros(arr.travel.shape[0], dtype=np.int64)
    state.nbank = int(K.destroy(kind, q, state.routes, state.lens, arr.locked, arr.removable,
                                route_of_pair, arr.pairs, state.bank, state.nbank,
                                arr.travel, arr.cost, arr.lo, state.times, pos_buf))
    for v in range(len(state.lens)):
        arr.feasible(state.routes, state.lens, state.times, v)
    order = rng.permutation(state.nbank)
    state.bank[:state.nbank] = state.bank[:state.nbank][order]
    state.nbank = int(K.repair(state.bank, state.nbank, state.routes, state.lens, arr.locked,
                               state.enabled, state.times, arr.travel, arr.cost, arr.service,
                               arr.lo, arr.hi, arr.demand, arr.capacity, arr.start_load,
                               arr.max_dur, arr.ride_of_pick, arr.partner, arr.pairs,
                               arr.posmark, arr.stamp, noise, regret))


def improve(problem: RoutingProblem, solution: RoutingSolution, *, time_limit_s: float,
            seed: int = 0, clock: Clock = time.monotonic,
            vehicle_phase_share: float = 0.6,
            start_temperature: float = 0.05) -> RoutingSolution:
    """Return ``solution`` improved by LNS within ``time_limit_s`` (never worse).

    Parameters
    ----------
    problem : RoutingProblem
        The problem ``solution`` solves.
    solution : RoutingSolution
        Feasible start (unserved requests are retried).
    time_limit_s : float
        Budget measured with ``clock``.
    seed : int
        Seed of every random choice.
    clock : callable
        Returns seconds.
    vehicle_phase_share : float
        Share of the budget spent removing whole routes when the problem has a
        vehicle fixed cost.
    start_temperature : float
        A solution this much (relative) worse is accepted with probability 1/2
        at the start; the temperature decays to 0.2 % of it.
    """
    if not time_limit_s > 0:
        raise DispatchError(f"time_limit_s={time_limit_s!r} must be positive")
    started = clock()
    deadline = started + time_limit_s
    arr = _Arrays(problem)
    m = arr.pairs.shape[0]
    n_removable = int(arr.removable.sum())
    if n_removable == 0 and len(solution.unserved) == 0:
        return solution
    rng = np.random.default_rng(seed)
    K.seed_rng(seed)
    cur = _state_from(problem, arr, solution)
    best = cur.copy()
    fixed = problem.vehicle_fixed_cost

    def score(s: _State) -> float:
        return s.objective(arr) + fixed * s.used()

    cur_obj = score(cur)
    best_score = score(best)
    travel0 = max(cur.travel(arr), 1e-9)
    t0 = start_temperature * travel0 / math.log(2.0)
    q_lo = max(1, min(n_removable, max(2, int(0.05 * m))))
    q_hi = max(q_lo, min(n_removable, max(4, int(0.35 * m)), 40))
    max_cost = float(np.max(arr.cost))
    vehicle_phase = fixed > 0
    reduced: _State | None = None  # best complete solution during the vehicle phase
    phase_start, phase_end = started, deadline
    if vehicle_phase:
        phase_end = started + vehicle_phase_share * time_limit_s
    while True:
        now = clock()
        if now >= deadline:
            break
        if vehicle_phase and now >= phase_end:
            vehicle_phase = False
            phase_start, phase_end = now, deadline  # the distance phase anneals afresh
            # continue from the best complete solution (fewest vehicles, then distance)
            if reduced is not None and score(reduced) < best_score:
                best, best_score = reduced.copy(), score(reduced)
            cur = best.copy()
            cur.enabled = cur.lens > 2
            cur_obj = score(cur)
        if vehicle_phase and cur.nbank == 0 and cur.used() > 1:
            snapshot = cur.copy()
            if reduced is None or score(snapshot) < score(reduced):
                reduced = snapshot
            K.destroy(3, m, cur.routes, cur.lens, arr.locked, arr.removable,
                      np.full(m, -1, dtype=np.int64), arr.pairs, cur.bank, 0,
                      arr.travel, arr.cost, arr.lo, cur.times,
                      np.zeros(arr.travel.shape[0], dtype=np.int64))
            cur.nbank = _bank_size(cur, arr)
            cur.enabled = cur.lens > 2
            for v in range(len(cur.lens)):
                arr.feasible(cur.routes, cur.lens, cur.times, v)
            cur_obj = score(cur)
        frac = min(1.0, (now - phase_start) / max(phase_end - phase_start, 1e-9))
        temperature = t0 * (0.002 ** frac)
        cand = cur.copy()
        q = int(rng.integers(q_lo, q_hi + 1))
        kind = int(rng.integers(0, 3))
        noise = 0.025 * max_cost if rng.random() < 0.5 else 0.0
        _lns_step(arr, cand, rng, q, kind, noise, bool(rng.random() < 0.5))
        obj = score(cand)
        if obj < cur_obj - 1e-9 or rng.random() < math.exp(-(obj - cur_obj) / temperature):
            cur, cur_obj = cand, obj
            if obj < best_score - 1e-9:
                best, best_score = cur.copy(), obj
    if reduced is not None and score(reduced) < best_score:
        best = reduced
    result = evaluate(problem, best.node_routes())
    if result is None or result.objective > solution.objective + 1e-9:
        return solution
    return result


def warm_up(problem: RoutingProblem) -> None:
    """Compile the numba kernels of :func:`improve` before a timed search starts.

    numba compiles a kernel on its first call (or loads it from its on-disk
    cache); on a cold cache that takes seconds which would otherwise come out of
    the search budget. This runs a few LNS steps from the all-unserved solution
    of ``problem`` under a clock that advances a fixed step per reading, so it
    costs a handful of iterations plus the compilation and nothing else.
    """
    empty = evaluate(problem, [[] for _ in range(len(problem.starts))])
    if empty is None:
        return
    ticks = itertools.count()
    improve(problem, empty, time_limit_s=1.0, seed=0, clock=lambda: 0.2 * next(ticks))


def _bank_size(state: _State, arr: _Arrays) -> int:
    """Number of requests not served by any route of ``state`` (rebuilds the bank)."""
    served = np.zeros(arr.travel.shape[0], dtype=np.bool_)
    for v in range(len(state.lens)):
        served[state.routes[v, 1:state.lens[v] - 1]] = True
    missing = [r for r in range(arr.pairs.shape[0]) if not served[arr.pairs[r, 0]]]
    state.bank[:] = 0
    state.bank[:len(missing)] = missing
    return len(missing)

"""The solver's view of a pickup-and-delivery problem: integer node arrays only.

Both the benchmark instances and the live dispatch model are translated into a
:class:`RoutingProblem`; the optimizer, the improver and the scheduler read
nothing else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dispatch.errors import DispatchError
from dispatch.instances import DarpInstance


@dataclass(frozen=True, slots=True)
class RoutingProblem:
    """Nodes, pairs and vehicles of one pickup-and-delivery problem.

    Attributes
    ----------
    travel : ndarray, float, (n, n)
        Travel time between nodes.
    cost : ndarray, float, (n, n)
        Arc cost (often the same array as ``travel``).
    service : ndarray, float, (n,)
        Service duration at each node.
    tw_start, tw_end : ndarray, float, (n,)
        Window on the start of service.
    demand : ndarray, int, (n, d)
        Load change at each node in each capacity dimension.
    pairs : ndarray, int, (m, 2)
        (pickup, drop-off) nodes of each request.
    max_ride : ndarray, float, (m,)
        Maximum ride time (drop-off start minus pickup end); ``inf`` when none.
    penalty : ndarray, float, (m,)
        Cost of leaving a request unserved; ``inf`` makes it mandatory.
    starts, ends : tuple of int
        Start and end node of each vehicle.
    capacity : ndarray, int, (v, d)
        Capacity of each vehicle in each dimension.
    start_load : ndarray, int, (v, d)
        Load on board at the start node.
    max_duration : ndarray, float, (v,)
        Maximum route duration; ``inf`` when none.
    onboard : tuple of tuple of int
        Per vehicle, drop-off nodes (without pickup) of passengers already on board.
    committed : tuple of tuple of int
        Per vehicle, nodes that must be served first, in this order.
    vehicle_fixed_cost : float
        Cost of using a vehicle (Li & Lim's hierarchical objective).
    """

    travel: np.ndarray
    cost: np.ndarray
    service: np.ndarray
    tw_start: np.ndarray
    tw_end: np.ndarray
    demand: np.ndarray
    pairs: np.ndarray
    max_ride: np.ndarray
    penalty: np.ndarray
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    capacity: np.ndarray
    start_load: np.ndarray
    max_duration: np.ndarray
    onboard: tuple[tuple[int, ...], ...]
    committed: tuple[tuple[int, ...], ...]
    vehicle_fixed_cost: float = 0.0

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.travel.shape[0])

    @property
    def n_vehicles(self) -> int:
        """Number of vehicles."""
        return len(self.starts)

    def validate(self) -> None:
        """Raise :class:`DispatchError` when the arrays do not fit together."""
        n = self.n_nodes
        if self.travel.shape != (n, n) or self.cost.shape != (n, n):
            raise DispatchError(f"travel/cost shapes {self.travel.shape}/{self.cost.shape} "
                                f"are not ({n}, {n})")
        for name in ("service", "tw_start", "tw_end"):
            if getattr(self, name).shape != (n,):
                raise DispatchError(f"{name} has shape {getattr(self, name).shape}, "
                                    f"expected ({n},)")
        if self.demand.ndim != 2 or self.demand.shape[0] != n:
            raise DispatchError(f"demand has shape {self.demand.shape}, expected ({n}, d)")
        v = self.n_vehicles
        if len(self.ends) != v or self.capacity.shape != (v, self.demand.shape[1]):
            raise DispatchError(f"capacity shape {self.capacity.shape} does not fit "
                                f"{v} vehicles and {self.demand.shape[1]} dimensions")
        if self.pairs.ndim != 2 or self.pairs.shape[1] != 2:
            raise DispatchError(f"pairs has shape {self.pairs.shape}, expected (m, 2)")
        if np.any(self.tw_start > self.tw_end):
            bad = int(np.argmax(self.tw_start > self.tw_end))
            raise DispatchError(f"node {bad} has an empty window "
                                f"[{self.tw_start[bad]}, {self.tw_end[bad]}]")


SCALE = 1000.0


def problem_from_instance(instance: DarpInstance, *,
                          hierarchical: bool | None = None) -> RoutingProblem:
    """Translate a benchmark instance into a :class:`RoutingProblem`.

    Li & Lim instances (or ``hierarchical=True``) get a vehicle fixed cost above
    any possible total distance, so fewer vehicles always win.
    """
    dist = instance.distance_matrix()
    n = instance.n_nodes
    pairs = np.asarray(instance.requests, dtype=np.int64).reshape(-1, 2)
    m = pairs.shape[0]
    v = instance.vehicles
    ride = math.inf if instance.max_ride is None else instance.max_ride
    duration = math.inf if instance.max_route_duration is None else instance.max_route_duration
    if hierarchical is None:
        hierarchical = instance.kind == "lilim"
    fixed = 0.0
    if hierarchical:
        fixed = float(np.max(dist)) * (n + 1)
    return RoutingProblem(
        travel=dist, cost=dist,
        service=np.asarray(instance.service, dtype=float),
        tw_start=np.asarray(instance.tw_start, dtype=float),
        tw_end=np.asarray(instance.tw_end, dtype=float),
        demand=np.asarray(instance.load, dtype=np.int64).reshape(n, 1),
        pairs=pairs, max_ride=np.full(m, ride), penalty=np.full(m, math.inf),
        starts=(instance.start_depot,) * v, ends=(instance.end_depot,) * v,
        capacity=np.full((v, 1), instance.capacity, dtype=np.int64),
        start_load=np.zeros((v, 1), dtype=np.int64),
        max_duration=np.full(v, duration),
        onboard=((),) * v, committed=((),) * v, vehicle_fixed_cost=fixed)

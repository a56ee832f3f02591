"""Real-time insertion of one new ride request into the current plan.

:class:`Dispatcher` keeps every vehicle's route with its earliest schedule
``B`` and, per position, the waiting ``W`` before service, the deadline ``D``
(promised window end, drop-off deadline, or ride-time deadline
``B[pickup] + service + max ride`` of a passenger picked up earlier) and the
forward time slack ``F[i] = min(D[i] - B[i], W[i+1] + F[i+1])`` (Savelsbergh).
A delay ``δ`` at position ``i`` is feasible for the rest of the route iff
``δ <= F[i]``, so each (pickup, drop-off) position pair is checked in O(1)
amortized (one numba kernel over all vehicles).  The ride-time deadline uses
the current pickup time, which only grows when the pickup is delayed, so the
check is conservative: an accepted insertion never breaks a promise.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit

from dispatch.batch import optimize_plan
from dispatch.errors import DispatchError
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
from dispatch.optimizer import Clock
from dispatch.travel import TravelTimes

REASON_CAPACITY = "no vehicle has enough seats or wheelchair spaces"
REASON_REQUEST = "the request cannot be served in time even by a direct ride"
REASON_UNREACHABLE = "no vehicle can reach the pickup within its window"
REASON_NO_SLACK = ("no insertion keeps every promise (pickup windows, ride times, seats, "
                   "shift ends)")


@dataclass(frozen=True, slots=True)
class InsertionResult:
    """Answer to one new request.

    Attributes
    ----------
    accepted : bool
        Whether the request was inserted.
    request_id : int
        The request.
    vehicle_id : int or None
        Vehicle that will serve it.
    pickup_window_s : tuple of int or None
        Promised (earliest, latest) pickup.
    pickup_eta_s, dropoff_eta_s : int or None
        Planned starts of pickup and drop-off.
    added_travel_s : float or None
        Extra vehicle travel time caused by the insertion.
    reason : str
        Why it was rejected (empty when accepted).
    """

    accepted: bool
    request_id: int
    vehicle_id: int | None = None
    pickup_window_s: tuple[int, int] | None = None
    pickup_eta_s: int | None = None
    dropoff_eta_s: int | None = None
    added_travel_s: float | None = None
    reason: str = ""


@dataclass(slots=True)
class _Stop:
    request_id: int
    kind: str
    place: Place
    lo: int
    hi: int
    service_s: int
    load: tuple[int, int]
    max_ride_s: int  # drop-off of a request picked up on this route: its limit


@njit(cache=True)
def _best_insertion(lens, locked, place, B, S, D, W, F, leg, load, cap, to_p, from_p, to_d,
                    from_d, t_pd, lo_p, hi_p, hi_d, s_p, s_d, ld0, ld1, max_ride):
    """Return (vehicle, i, j, cost, reached) of the cheapest feasible insertion."""
    best_v = -1
    best_i = -1
    best_j = -1
    best_c = np.inf
    reached = False
    eps = 1e-9
    for v in range(lens.shape[0]):
        k = lens[v]
        if cap[v, 0] < ld0 or cap[v, 1] < ld1:
            continue
        for i in range(locked[v], k - 1):
            if B[v, i] > hi_p + eps:
                break
            if load[v, i, 0] + ld0 > cap[v, 0] or load[v, i, 1] + ld1 > cap[v, 1]:
                continue
            a_p = B[v, i] + S[v, i] + to_p[place[v, i]]
            if a_p > hi_p + eps:
                continue
            reached = True
            b_p = max(lo_p, a_p)
            nxt = place[v, i + 1]
            # drop-off right after the pickup
            b_d = b_p + s_p + t_pd
            if b_d <= hi_d + eps and b_d - b_p - s_p <= max_ride + eps:
                delay = max(0.0, b_d + s_d + from_d[nxt] - B[v, i + 1])
                if delay <= F[v, i + 1] + eps:
                    c = to_p[place[v, i]] + t_pd + from_d[nxt] - leg[v, i + 1]
                    c += 1e-6 * b_p
                    if c < best_c:
                        best_c, best_v, best_i, best_j = c, v, i, i
            base = to_p[place[v, i]] + from_p[nxt] - leg[v, i + 1]
            delay = max(0.0, b_p + s_p + from_p[nxt] - B[v, i + 1])
            for j in range(i + 1, k - 1):
                if delay > D[v, j] - B[v, j] + eps:
                    break
                if load[v, j, 0] + ld0 > cap[v, 0] or load[v, j, 1] + ld1 > cap[v, 1]:
                    break
                bj = B[v, j] + delay
                if bj > hi_d + eps or bj + S[v, j] - b_p - s_p > max_ride + eps:
                    break
                b_d = bj + S[v, j] + to_d[place[v, j]]
                if b_d <= hi_d + eps and b_d - b_p - s_p <= max_ride + eps:
                    nj = place[v, j + 1]
                    d2 = max(0.0, b_d + s_d + from_d[nj] - B[v, j + 1])
                    if d2 <= F[v, j + 1] + eps:
                        c = base + to_d[place[v, j]] + from_d[nj] - leg[v, j + 1] + 1e-6 * b_p
                        if c < best_c:
                            best_c, best_v, best_i, best_j = c, v, i, j
                delay = max(0.0, delay - W[v, j + 1])
    return best_v, best_i, best_j, best_c, reached


class Dispatcher:
    """Routes of a fleet, open to real-time insertion and periodic re-optimization.

    Parameters
    ----------
    vehicles : sequence of Vehicle
        The fleet in its current state (on-board passengers and committed
        stops are kept first).
    travel : TravelTimes
        Travel time source.
    now_s : int
        Current time.
    requests : sequence of RideRequest
        Requests already promised and not yet picked up.
    promises : mapping of request_id to (earliest, latest), optional
        Their promised pickup windows (default: each request's own window).
    plan : Plan, optional
        Current routes; requests of ``requests`` missing from it are inserted.
    """

    def __init__(self, vehicles: Sequence[Vehicle], travel: TravelTimes, *, now_s: int,
                 requests: Sequence[RideRequest] = (),
                 promises: Mapping[int, tuple[int, int]] | None = None,
                 plan: Plan | None = None) -> None:
        if not vehicles:
            raise DispatchError("vehicles is empty")
        ids = [v.vehicle_id for v in vehicles]
        if len(set(ids)) != len(ids):
            raise DispatchError("vehicles contains a vehicle_id twice")
        self.travel = travel
        self.now_s = now_s
        self.vehicles = list(vehicles)
        self._index = {v.vehicle_id: k for k, v in enumerate(self.vehicles)}
        self.requests: dict[int, RideRequest] = {}
        self.promises: dict[int, tuple[int, int]] = {}
        self._direct: dict[int, int] = {}
        self._places: list[Place] = []
        self._place_ids: dict[Place, int] = {}
        self._routes: list[list[_Stop]] = [[] for _ in self.vehicles]
        self._onboard: dict[int, int] = {}
        for k, v in enumerate(self.vehicles):
            for ob in v.onboard:
                self._register(ob.request)
                self._onboard[ob.request.request_id] = k
        for r in requests:
            if r.request_id in self.requests:
                raise DispatchError(f"request {r.request_id} is given twice")
            self._register(r)
            self.promises[r.request_id] = (promises or {}).get(
                r.request_id, r.pickup_window_s(self._direct[r.request_id]))
        self._rows_alloc(8)
        placed: set[tuple[int, str]] = set()
        for k, v in enumerate(self.vehicles):
            seq: list[tuple[int, str]] = [(c.request_id, c.kind) for c in v.committed]
            if plan is not None:
                with contextlib.suppress(DispatchError):
                    seq += [(s.request_id, s.kind) for s in plan.route_of(v.vehicle_id).stops]
            seq += [(ob.request.request_id, DROPOFF) for ob in v.onboard]
            stops = []
            for key in seq:
                if key in placed:
                    continue
                placed.add(key)
                stops.append(self._make_stop(k, *key))
            self._routes[k] = stops
            self._refresh(k)
        for r in requests:
            if (r.request_id, PICKUP) not in placed:
                res = self._insert(r, self.promises[r.request_id])
                if not res.accepted:
                    raise DispatchError(f"promised request {r.request_id} does not fit any "
                                        f"route: {res.reason}")

    # -- bookkeeping -------------------------------------------------------------------
    def _register(self, r: RideRequest) -> None:
        self.requests[r.request_id] = r
        self._direct[r.request_id] = int(self.travel.durations_s([r.pickup], [r.dropoff])[0, 0])
        self._place_id(r.pickup)
        self._place_id(r.dropoff)

    def _place_id(self, place: Place) -> int:
        pid = self._place_ids.get(place)
        if pid is None:
            pid = len(self._places)
            self._places.append(place)
            self._place_ids[place] = pid
        return pid

    def _make_stop(self, k: int, request_id: int, kind: str) -> _Stop:
        r = self.requests.get(request_id)
        if r is None:
            raise DispatchError(f"request_id={request_id!r} is not known to the dispatcher")
        direct = self._direct[request_id]
        max_ride = r.max_ride_s(direct)
        if kind == PICKUP:
            lo, hi = self.promises.get(request_id, r.pickup_window_s(direct))
            return _Stop(request_id, PICKUP, r.pickup, lo, hi, r.service_s, r.load, 0)
        hi = r.dropoff_deadline_s(direct)
        if request_id in self._onboard:
            ob = next(o for o in self.vehicles[k].onboard if o.request.request_id == request_id)
            veh = self.vehicles[k]
            direct_now = int(self.travel.durations_s([veh.start_place], [r.dropoff])[0, 0])
            hi = int(ob.dropoff_deadline_s(
                direct, reachable_s=veh.start_time_s(self.now_s) + direct_now))
        load = (-r.load[0], -r.load[1])
        return _Stop(request_id, DROPOFF, r.dropoff, 0, hi, r.service_s, load, max_ride)

    def _rows_alloc(self, width: int) -> None:
        nv = len(self.vehicles)
        self._width = width
        self._lens = np.zeros(nv, np.int64)
        self._locked = np.zeros(nv, np.int64)
        self._place = np.zeros((nv, width), np.int64)
        self._B = np.zeros((nv, width))
        self._S = np.zeros((nv, width))
        self._D = np.zeros((nv, width))
        self._W = np.zeros((nv, width))
        self._F = np.zeros((nv, width))
        self._leg = np.zeros((nv, width))
        self._load = np.zeros((nv, width, 2), np.int64)
        self._cap = np.array([v.capacity for v in self.vehicles], np.int64).reshape(nv, 2)

    def _refresh(self, k: int) -> None:
        """Recompute schedule, deadlines and slack of vehicle ``k``."""
        v = self.vehicles[k]
        stops = self._routes[k]
        n = len(stops) + 2
        if n > self._width:
            old = (self._lens, self._locked, self._place, self._B, self._S, self._D, self._W,
                   self._F, self._leg, self._load)
            self._rows_alloc(max(n, 2 * self._width))
            for name, arr in zip(("_lens", "_locked", "_place", "_B", "_S", "_D", "_W", "_F",
                                  "_leg", "_load"), old, strict=True):
                target = getattr(self, name)
                if arr.ndim == 1:
                    target[:] = arr
                else:
                    target[:, :arr.shape[1]] = arr
        places = [v.start_place, *[s.place for s in stops], v.depot]
        legs = self.travel.durations_s(places[:-1], places[1:])
        leg = np.zeros(n)
        leg[1:] = np.diagonal(legs)
        lo = np.array([0, *[s.lo for s in stops], 0], dtype=float)
        hi = np.array([math.inf, *[s.hi for s in stops], v.shift_end_s], dtype=float)
        svc = np.array([0, *[s.service_s for s in stops], 0], dtype=float)
        links = []
        pos_of_pickup = {s.request_id: i + 1 for i, s in enumerate(stops) if s.kind == PICKUP}
        for i, s in enumerate(stops):
            if s.kind == DROPOFF and s.request_id in pos_of_pickup:
                links.append((pos_of_pickup[s.request_id], i + 1, s.max_ride_s))
        t0 = float(v.start_time_s(self.now_s))
        # scalar loops on Python floats: numpy element access costs ~10x more
        b, lo_l, svc_l, leg_l = [t0] + [0.0] * (n - 1), lo.tolist(), svc.tolist(), leg.tolist()
        for _ in range(n + 2):
            for i in range(1, n):
                b[i] = max(b[i], lo_l[i], b[i - 1] + svc_l[i - 1] + leg_l[i])
            changed = False
            for p, d, ride in links:
                need = b[d] - ride - svc_l[p]
                if need > b[p] + 1e-9:
                    b[p] = need
                    changed = True
            if not changed:
                break
        B = np.array(b)
        arrival = np.zeros(n)
        arrival[0] = t0
        arrival[1:] = B[:-1] + svc[:-1] + leg[1:]
        W = B - arrival
        D = hi.copy()
        for p, d, ride in links:
            D[d] = min(D[d], B[p] + svc[p] + ride)
        slack, wait = (D - B).tolist(), W.tolist()
        f = [0.0] * n
        f[n - 1] = slack[n - 1]
        for i in range(n - 2, -1, -1):
            f[i] = min(slack[i], wait[i + 1] + f[i + 1])
        F = np.array(f)
        delta = np.zeros((n, 2), np.int64)
        delta[0] = (sum(o.request.load[0] for o in v.onboard),
                    sum(o.request.load[1] for o in v.onboard))
        if stops:
            delta[1:n - 1] = [s.load for s in stops]
        load = np.cumsum(delta, axis=0)
        self._lens[k] = n
        self._locked[k] = len(v.committed)
        self._place[k, :n] = [self._place_id(p) for p in places]
        self._B[k, :n] = B
        self._S[k, :n] = svc
        self._D[k, :n] = D
        self._W[k, :n] = W
        self._F[k, :n] = F
        self._leg[k, :n] = leg
        self._load[k, :n] = load

    # -- public API ------------------------------------------------------------------------
    def insert(self, request: RideRequest) -> InsertionResult:
        """Insert ``request`` at its cheapest feasible position, or reject it with a reason.

        The accepted request's pickup window becomes a promise kept by every
        later insertion and re-optimization.
        """
        if request.request_id in self.requests:
            raise DispatchError(f"request_id={request.request_id!r} is already known")
        direct = int(self.travel.durations_s([request.pickup], [request.dropoff])[0, 0])
        return self._insert(request, request.pickup_window_s(direct), direct=direct)

    def quote(self, request: RideRequest, *,
              pickup_window_s: tuple[int, int] | None = None) -> InsertionResult:
        """Answer as :meth:`insert` would, leaving every route and promise unchanged.

        The request is inserted tentatively (to read its planned times) and
        taken out again; not thread-safe (callers share a dispatcher under a lock).
        ``pickup_window_s`` narrows the request's own pickup window (e.g. to a
        vehicle run's hours); the drop-off deadline stays the request's.
        """
        rid = request.request_id
        if rid in self.requests:
            raise DispatchError(f"request_id={rid!r} is already known")
        saved = [list(r) for r in self._routes]
        if pickup_window_s is None:
            res = self.insert(request)
        else:
            direct = int(self.travel.durations_s([request.pickup], [request.dropoff])[0, 0])
            lo, hi = request.pickup_window_s(direct)
            window = (max(lo, pickup_window_s[0]), min(hi, pickup_window_s[1]))
            if window[1] < window[0]:
                return InsertionResult(False, rid, reason=REASON_REQUEST)
            res = self._insert(request, window, direct=direct)
        if res.accepted:
            self.requests.pop(rid, None)
            self._direct.pop(rid, None)
            self.promises.pop(rid, None)
            for k, old in enumerate(saved):
                if len(old) != len(self._routes[k]):
                    self._routes[k] = old
                    self._refresh(k)
        return res

    def _insert(self, request: RideRequest, window: tuple[int, int], *,
                direct: int | None = None) -> InsertionResult:
        rid = request.request_id
        if direct is None:
            direct = self._direct[rid]
        lo_p, hi_p = window
        hi_d = request.dropoff_deadline_s(direct)
        max_ride = request.max_ride_s(direct)
        ld = request.load
        if not np.any((self._cap[:, 0] >= ld[0]) & (self._cap[:, 1] >= ld[1])):
            return InsertionResult(False, rid, reason=REASON_CAPACITY)
        if hi_p < lo_p or max(lo_p, self.now_s) + request.service_s + direct > hi_d \
                or direct > max_ride:
            return InsertionResult(False, rid, reason=REASON_REQUEST)
        self._place_id(request.pickup)
        self._place_id(request.dropoff)
        places = self._places
        both = [request.pickup, request.dropoff]
        into = self.travel.durations_s(places, both).astype(np.float64)
        out = self.travel.durations_s(both, places).astype(np.float64)
        v, i, j, cost, reached = _best_insertion(
            self._lens, self._locked, self._place, self._B, self._S, self._D, self._W,
            self._F, self._leg, self._load, self._cap, np.ascontiguousarray(into[:, 0]),
            np.ascontiguousarray(out[0]), np.ascontiguousarray(into[:, 1]),
            np.ascontiguousarray(out[1]), float(direct), float(lo_p), float(hi_p),
            float(hi_d), float(request.service_s), float(request.service_s), int(ld[0]),
            int(ld[1]), float(max_ride))
        if v < 0:
            return InsertionResult(False, rid,
                                   reason=REASON_NO_SLACK if reached else REASON_UNREACHABLE)
        self.requests[rid] = request
        self._direct[rid] = direct
        self.promises[rid] = (int(lo_p), int(hi_p))
        k = int(v)
        stops = self._routes[k]
        pick = self._make_stop(k, rid, PICKUP)
        drop = self._make_stop(k, rid, DROPOFF)
        stops.insert(int(j), drop)  # after position j (positions count the start)
        stops.insert(int(i), pick)
        self._refresh(k)
        pos_p = next(x for x, s in enumerate(stops) if s.request_id == rid and s.kind == PICKUP)
        pos_d = next(x for x, s in enumerate(stops) if s.request_id == rid and s.kind == DROPOFF)
        return InsertionResult(True, rid, vehicle_id=self.vehicles[k].vehicle_id,
                               pickup_window_s=(int(lo_p), int(hi_p)),
                               pickup_eta_s=round(self._B[k, pos_p + 1]),
                               dropoff_eta_s=round(self._B[k, pos_d + 1]),
                               added_travel_s=float(round(cost, 3)))

    def plan(self) -> Plan:
        """The current routes as a :class:`Plan`."""
        routes = []
        for k, v in enumerate(self.vehicles):
            n = int(self._lens[k])
            stops = tuple(
                PlannedStop(s.request_id, s.kind, s.place, round(self._B[k, x + 1]),
                            (int(self._load[k, x + 1, 0]), int(self._load[k, x + 1, 1])))
                for x, s in enumerate(self._routes[k]))
            routes.append(VehiclePlan(v.vehicle_id, round(self._B[k, 0]), stops,
                                      round(self._B[k, n - 1])))
        return Plan(tuple(routes))

    def keeps_promises(self) -> bool:
        """Whether every route keeps its promises (no negative forward slack)."""
        return bool(np.all(self._F[:, 0] >= -1e-6))

    def travel_time_s(self) -> float:
        """Total planned vehicle travel time."""
        return float(sum(self._leg[k, :self._lens[k]].sum() for k in range(len(self.vehicles))))

    def pending(self) -> list[RideRequest]:
        """Promised requests not yet picked up."""
        return [r for rid, r in self.requests.items() if rid not in self._onboard]

    def reoptimize(self, *, time_limit_s: float, seed: int = 0,
                   clock: Clock = time.monotonic) -> bool:
        """Re-optimize every route with promised windows hard; keep it only if cheaper.

        Returns whether the new plan was adopted.
        """
        plan = optimize_plan(self.vehicles, self.pending(), self.travel, now_s=self.now_s,
                             time_limit_s=time_limit_s, seed=seed, promises=self.promises,
                             initial=self.plan(), clock=clock)
        if plan.rejected:
            return False
        before = self.travel_time_s()
        old = [list(r) for r in self._routes]
        for k, v in enumerate(self.vehicles):
            self._routes[k] = [self._make_stop(k, s.request_id, s.kind)
                               for s in plan.route_of(v.vehicle_id).stops]
            self._refresh(k)
        if self.travel_time_s() > before + 1e-9 or not self.keeps_promises():
            for k in range(len(self.vehicles)):
                self._routes[k] = old[k]
                self._refresh(k)
            return False
        return True

"""The live plans of one on-demand zone: one source of truth for quotes and bookings.

:class:`DrtState` holds, for every vehicle run of a zone on the loaded day, a
:class:`dispatch.insertion.Dispatcher` whose single vehicle is the run and
whose requests are the run's pending bookings (request ids ``1..n`` in the
order the store lists them). Both the booking check
(:class:`web.services.booking.InsertionCheck`, called by
``BookingStore.quote``/``book``) and the journey planner's on-demand provider
(:class:`web.services.ondemand_provider.DispatchOnDemandProvider`, through
:meth:`DrtState.quote`) read these plans, so a ride quoted by ``/plan`` is
quoted against exactly the routes a booking is inserted into.

The durable store stays the source of truth; the plans are a cache built from
it: a run's plan is rebuilt on first use from its pending bookings in the
run's saved stop order (``BookingStore.stop_order``, revision 0002), rides
missing from the order inserted at their cheapest feasible place with their
promised windows, and the new order saved back. Every route-changing action
(book, cancel, status moves, reassign, override, re-optimize) holds
:attr:`DrtState.lock` and calls :meth:`DrtState.refresh` on the runs it touched.
Because the saved order is kept, cancelling a ride in the middle of a route
just removes its two stops: the rest keeps its (still feasible) order.

A booking's promise is its confirmed pickup window and, for a ride timed to a
bus, its drop-off deadline (``RideRequest.latest_dropoff_s``, revision 0003):
every rebuilt run models it as a hard drop-off window (:meth:`DrtState.request`),
so a saved order that would make the rider miss the bus is not kept, a
re-optimization cannot adopt one, and a later booking is only inserted where
every deadline still holds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from dispatch.booking import Booking, BookingStatus, ServiceRun
from dispatch.booking import RideRequest as StoreRequest
from dispatch.errors import DispatchError
from dispatch.insertion import Dispatcher, InsertionResult
from dispatch.model import LATEST_DROPOFF, Plan, PlannedStop, Vehicle, VehiclePlan
from dispatch.model import Place as DPlace
from dispatch.model import RideRequest as DRequest
from dispatch.store import BookingStore
from dispatch.travel import TravelTimes
from web.services.drt import DrtService

PENDING = (BookingStatus.BOOKED, BookingStatus.ASSIGNED, BookingStatus.EN_ROUTE)


@dataclass(frozen=True, slots=True)
class RunPlan:
    """A run's live route: the dispatcher (``None`` if it cannot be rebuilt) and its bookings.

    Request id ``i`` of the dispatcher is ``bookings[i - 1]``.
    """

    run: ServiceRun
    bookings: tuple[Booking, ...]
    dispatcher: Dispatcher | None
    problem: str | None = None

    def booking_of(self, request_id: int) -> Booking:
        """Return the booking behind a dispatcher request id."""
        return self.bookings[request_id - 1]


class DrtState:
    """The live vehicle plans of one zone (see the module docstring).

    Parameters
    ----------
    service : DrtService
        The zone's service (fleet, depot, boarding time, ride factor).
    service_date : date
        The loaded day.
    store : BookingStore
        The durable store the plans are rebuilt from.
    node_place : callable
        Street node index -> dispatch place.
    travel : TravelTimes
        Vehicle travel times of the zone.
    lock : threading.RLock, optional
        Held by every reader and writer of the plans (share one across zones so
        a booking service's actions are serialised).
    """

    def __init__(self, service: DrtService, service_date: date, store: BookingStore,
                 node_place: Callable[[int], DPlace], travel: TravelTimes, *,
                 lock: threading.RLock | None = None) -> None:
        self.service = service
        self.service_date = service_date
        self.store = store
        self.node_place = node_place
        self.travel = travel
        self.lock = lock if lock is not None else threading.RLock()
        self._fleet = {v.vehicle_id: v for v in service.fleet}
        self._plans: dict[str, RunPlan] = {}

    # -- building ----------------------------------------------------------------------

    def serves(self, run: ServiceRun) -> bool:
        """Whether the run is one of this zone's vehicles'."""
        return run.vehicle_id in self._fleet

    def dropoff_deadline_s(self, r: StoreRequest) -> int | None:
        """Return the latest start of a ride's drop-off stop, or ``None`` without a deadline.

        The rider must be out of the vehicle by ``r.latest_dropoff_s``; the dispatcher
        spends the service's boarding time at every stop, so the drop-off starts that
        much earlier at the latest.
        """
        if r.latest_dropoff_s is None:
            return None
        return r.latest_dropoff_s - self.service.boarding_s

    def request(self, rid: int, r: StoreRequest, lo: int, hi: int) -> DRequest:
        """Return the dispatch request of a store request with pickup window ``[lo, hi]``.

        A ride with a drop-off deadline (``latest_dropoff_s``, a ride timed to a bus) is a
        ``latest_dropoff`` request whose drop-off deadline is hard; its own pickup window
        is ``[lo, latest pickup that still makes the deadline]``, so callers pass
        ``[lo, hi]`` as the promise (``Dispatcher(promises=...)``) or as
        ``Dispatcher.quote(pickup_window_s=...)``. Without a deadline: an earliest-pickup
        request with window ``[lo, hi]``.
        """
        pickup, dropoff = self.node_place(r.origin), self.node_place(r.destination)
        ride_alpha = max(1.0, self.service.max_ride_factor)
        service_s = self.service.boarding_s
        deadline = self.dropoff_deadline_s(r)
        if deadline is None:
            return DRequest(rid, pickup, dropoff, lo, window_s=hi - lo, passengers=r.seats,
                            ride_alpha=ride_alpha, service_s=service_s)
        direct = int(self.travel.durations_s([pickup], [dropoff])[0, 0])
        latest = deadline - service_s - direct  # the last pickup start that can make it
        return DRequest(rid, pickup, dropoff, deadline, LATEST_DROPOFF,
                        window_s=max(0, latest - lo), passengers=r.seats,
                        ride_alpha=ride_alpha, service_s=service_s)

    def vehicle(self, run: ServiceRun) -> Vehicle:
        """Return the run as a dispatch vehicle (id 0) at the depot from the run's start."""
        v = self._fleet[run.vehicle_id]
        return Vehicle(0, v.seats, v.wheelchair_spaces, DPlace(*self.service.depot),
                       run.start_s, run.end_s)

    def _build(self, run: ServiceRun, pending: Sequence[Booking],
               order: Sequence[tuple[str, str]] | None) -> Dispatcher:
        reqs = [self.request(i, b.request, b.offer.pickup_earliest_s, b.offer.pickup_latest_s)
                for i, b in enumerate(pending, start=1)]
        promises = {i: (b.offer.pickup_earliest_s, b.offer.pickup_latest_s)
                    for i, b in enumerate(pending, start=1)}
        plan = None
        if order:
            ids = {b.booking_id: i for i, b in enumerate(pending, start=1)}
            stops = tuple(PlannedStop(ids[bid], kind, reqs[ids[bid] - 1].pickup
                                      if kind == "pickup" else reqs[ids[bid] - 1].dropoff,
                                      0, (0, 0))
                          for bid, kind in order if bid in ids)
            plan = Plan((VehiclePlan(0, run.start_s, stops, run.end_s),))
        return Dispatcher([self.vehicle(run)], self.travel, now_s=run.start_s, requests=reqs,
                          promises=promises, plan=plan)

    def _rebuild(self, run: ServiceRun) -> RunPlan:
        pending = tuple(b for b in self.store.bookings(run_id=run.run_id) if b.status in PENDING)
        if not pending:
            return RunPlan(run, (), Dispatcher([self.vehicle(run)], self.travel,
                                               now_s=run.start_s))
        order = self.store.stop_order(run.run_id)
        d = None
        try:
            d = self._build(run, pending, order)
            if not d.keeps_promises():
                d = None
        except DispatchError:
            d = None
        if d is None and order:  # the saved order no longer fits: booking order
            try:
                d = self._build(run, pending, None)
            except DispatchError as exc:
                return RunPlan(run, pending, None, problem=str(exc))
        if d is None:
            return RunPlan(run, pending, None, problem="the route cannot be rebuilt from "
                                                       "its bookings")
        new_order = [(pending[s.request_id - 1].booking_id, s.kind)
                     for s in d.plan().route_of(0).stops]
        if new_order != list(order or []):
            self.store.set_stop_order(run.run_id, new_order)
        return RunPlan(run, pending, d)

    # -- reading -----------------------------------------------------------------------

    def plan_of(self, run: ServiceRun) -> RunPlan:
        """Return the run's live plan (rebuilt from the store when not cached)."""
        with self.lock:
            hit = self._plans.get(run.run_id)
            if hit is None or hit.run != run:
                hit = self._rebuild(run)
                self._plans[run.run_id] = hit
            return hit

    def runs(self) -> list[ServiceRun]:
        """Return the zone's runs of the loaded day (seats as the store has them now)."""
        return [r for r in self.store.runs(self.service_date) if self.serves(r)]

    def refresh(self, run_ids: Iterable[str]) -> None:
        """Forget the plans of runs whose bookings changed; rebuild them now (saves the order)."""
        with self.lock:
            for rid in run_ids:
                self._plans.pop(rid, None)
                run = self.store.run(rid)
                if self.serves(run):
                    self._plans[rid] = self._rebuild(run)

    def save_order(self, plan: RunPlan) -> None:
        """Save the current stop order of a plan's dispatcher (after a re-optimization)."""
        with self.lock:
            if plan.dispatcher is None:
                return
            order = [(plan.booking_of(s.request_id).booking_id, s.kind)
                     for s in plan.dispatcher.plan().route_of(0).stops]
            self.store.set_stop_order(plan.run.run_id, order)

    # -- the provider's view (routing's on-demand quotes) ---------------------------------

    def quote(self, request: DRequest, *,
              pickup_window_s: tuple[int, int] | None = None) -> InsertionResult:
        """Answer a ride over every run of the zone, leaving every plan unchanged.

        Each run with enough seats whose hours overlap the ride's pickup window is
        asked (:meth:`Dispatcher.quote`, the window clipped to the run); the earliest
        pickup wins, then the least added travel. The result's ``vehicle_id`` is the
        index of the winning run in :meth:`runs`.
        """
        best: tuple[int, float, InsertionResult] | None = None
        reasons: list[str] = []
        with self.lock:
            direct = int(self.travel.durations_s([request.pickup], [request.dropoff])[0, 0])
            lo, hi = request.pickup_window_s(direct)
            if pickup_window_s is not None:
                lo, hi = max(lo, pickup_window_s[0]), min(hi, pickup_window_s[1])
            for k, run in enumerate(self.runs()):
                if run.seats_left < request.passengers or run.start_s > hi or run.end_s <= lo:
                    continue
                a, b = max(lo, run.start_s), min(hi, run.end_s)
                if a > b:
                    continue
                plan = self.plan_of(run)
                if plan.dispatcher is None:
                    continue
                try:
                    res = plan.dispatcher.quote(request, pickup_window_s=(a, b))
                except DispatchError as exc:
                    reasons.append(str(exc))
                    continue
                if not res.accepted or res.pickup_eta_s is None:
                    reasons.append(res.reason)
                    continue
                key = (res.pickup_eta_s, res.added_travel_s or 0.0)
                if best is None or key < best[:2]:
                    best = (*key, InsertionResult(
                        True, res.request_id, vehicle_id=k, pickup_window_s=res.pickup_window_s,
                        pickup_eta_s=res.pickup_eta_s, dropoff_eta_s=res.dropoff_eta_s,
                        added_travel_s=res.added_travel_s))
        if best is None:
            why = sorted(set(reasons))[0] if reasons else "no vehicle run at that time"
            return InsertionResult(False, request.request_id, reason=why)
        return best[2]


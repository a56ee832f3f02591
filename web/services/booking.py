"""Quotes and bookings of on-demand rides: the API's side of the booking store.

:class:`BookingService` turns API bodies into :class:`dispatch.booking.RideRequest`
(places snapped to the street network's drivable nodes, a service whose zone
holds the ride), and answers with the store's outcome. What is sold are
vehicle *runs* of :data:`RUN_LENGTH_S` over each zone's ride windows on the loaded
day, one per vehicle and slot, offered for sale at start (``add_run`` is
idempotent).

:class:`InsertionCheck` is the :class:`~dispatch.booking.FeasibilityCheck`
the store calls: for each candidate run it asks the run's live route
(:class:`web.services.drt_state.DrtState`, the same plans ``/plan`` quotes
from) for a tentative insertion of the new ride; the earliest pick-up (then
the cheapest insertion) is the offer, the others are alternatives. A ride with a
drop-off deadline (``latestDropoff``: an ON_DEMAND leg timed to a bus) is checked
with that deadline hard, and every booking already on the run keeps its own: an
insertion that would break any of them is not offered.
Route-changing actions (book, cancel, status moves, reassign, override,
re-optimize) run one at a time per process under one lock, which every quote
also takes, and rebuild the runs they touched from the store; seats are
guarded by the store itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from dispatch.booking import (
    Actor,
    Booking,
    BookingError,
    BookingOutcome,
    BookingStatus,
    FeasibilityResult,
    PickupOffer,
    RideRequest,
    ServiceRun,
)
from dispatch.errors import DispatchError
from dispatch.model import Place as DPlace
from dispatch.store import BookingStore
from dispatch.travel import TravelTimes
from routing.geo import haversine_m
from routing.itinerary import clock_hms
from routing.planner import parse_clock
from routing.snap import NodeIndex
from transit.errors import TsunaguError
from transit.streets import DRIVE, StreetNetwork
from transit.timetable import Timetable
from web.problems import ApiProblem, invalid
from web.schemas import (
    BookingIn,
    BookingOut,
    OfferOut,
    PlaceIn,
    PlannedStopOut,
    PointOut,
    ReoptimizeOut,
    RideIn,
)
from web.services.drive import ZoneDriveTimes
from web.services.drt import HUB_RADIUS_M, DrtService
from web.services.drt_state import PENDING, DrtState

RUN_LENGTH_S = 2 * 3600
MAX_SNAP_M = 500.0
MAX_WINDOW_S = 3600


def run_id_of(vehicle_id: str, day: date, start_s: int) -> str:
    """Return the id of a vehicle's run starting at ``start_s`` on ``day``."""
    return f"{vehicle_id}@{day.isoformat()}T{clock_hms(start_s)[:5]}"


def conflict(exc: BookingError) -> ApiProblem:
    """Return the 409 problem for a state change the store refused."""
    return ApiProblem(409, "conflict", "Conflict with the booking's state",
                      " ".join(str(exc).split()))


@dataclass(frozen=True, slots=True)
class _Ends:
    service: DrtService
    origin: int
    destination: int


class InsertionCheck:
    """Feasibility by real-time insertion into each candidate run's live route.

    Parameters
    ----------
    state : DrtState
        The zone's live plans (the same ones the journey planner quotes from).
    max_alternatives : int
        Other offers returned beside the best.
    """

    def __init__(self, state: DrtState, *, max_alternatives: int = 3) -> None:
        self.state = state
        self.service = state.service
        self.store = state.store
        self.travel = state.travel
        self.max_alternatives = max_alternatives

    def pending(self, run_id: str) -> list[Booking]:
        """Return the bookings a run still has to pick up, oldest first."""
        return [b for b in self.store.bookings(run_id=run_id) if b.status in PENDING]

    def check(self, request: RideRequest, runs: Sequence[ServiceRun]) -> FeasibilityResult:
        """Return the cheapest insertion over the service's runs, or why there is none."""
        lo, hi = request.earliest_pickup_s, request.latest_pickup_s
        cands = [r for r in runs if self.state.serves(r)
                 and r.service_date == request.service_date and r.start_s <= hi
                 and r.end_s > lo]
        if not cands:
            return FeasibilityResult(None, reason=f"no {self.service.name} vehicle runs "
                                     f"between {clock_hms(lo)} and {clock_hms(hi)}")
        with_seats = [r for r in cands if r.seats_left >= request.seats]
        if not with_seats:
            return FeasibilityResult(None, reason=f"every vehicle run between {clock_hms(lo)} "
                                     f"and {clock_hms(hi)} has fewer than {request.seats} "
                                     "seat(s) left")
        offers: list[tuple[int, float, PickupOffer]] = []
        reasons: list[str] = []
        with self.state.lock:
            for run in with_seats:
                a, b = max(lo, run.start_s), min(hi, run.end_s)  # the offer must lie in the run
                if a > b:
                    continue
                plan = self.state.plan_of(run)
                if plan.dispatcher is None:
                    reasons.append(f"run {run.run_id}: {plan.problem}")
                    continue
                try:
                    res = plan.dispatcher.quote(self.state.request(10**6, request, a, b),
                                                pickup_window_s=(a, b))
                except DispatchError as exc:
                    reasons.append(f"run {run.run_id}: {exc}")
                    continue
                if not res.accepted or res.pickup_window_s is None or res.dropoff_eta_s is None:
                    reasons.append(res.reason)
                    continue
                pe, pl = res.pickup_window_s
                offers.append((res.pickup_eta_s or pe, res.added_travel_s or 0.0,
                               PickupOffer(run.run_id, pe, pl, res.dropoff_eta_s)))
        if not offers:
            why = sorted(set(reasons))[0] if reasons else "no run fits"
            by = ("" if request.latest_dropoff_s is None
                  else f" with drop-off by {clock_hms(request.latest_dropoff_s)}")
            return FeasibilityResult(None, reason=f"no vehicle can serve the ride picked up "
                                     f"between {clock_hms(lo)} and {clock_hms(hi)}{by}: {why}")
        offers.sort(key=lambda o: (o[0], o[1], o[2].run_id))
        return FeasibilityResult(offers[0][2], alternatives=tuple(
            o[2] for o in offers[1:1 + self.max_alternatives]))


class BookingService:
    """Quotes, bookings, cancellations and dispatcher actions on one service day.

    Parameters
    ----------
    store : BookingStore
        The durable store.
    services : sequence of DrtService
        The on-demand services (zones, fleets).
    streets : StreetNetwork
        Pick-up and drop-off places are snapped to its drivable nodes.
    timetable : Timetable
        For ``stopId`` places, and the service day.
    travel : callable
        Builds the vehicle travel times of one zone (default: driving on ``streets``,
        :class:`web.services.drive.ZoneDriveTimes`).
    quote_ttl_s : int
        How long a quote stays valid.
    clock, expire_every_s
        Monotonic seconds; quotes past their expiry are cancelled at most every
        ``expire_every_s``, on the next quote.
    """

    def __init__(self, store: BookingStore, services: Sequence[DrtService],
                 streets: StreetNetwork, timetable: Timetable,
                 travel: Callable[[DrtService], TravelTimes] | None = None,
                 quote_ttl_s: int = 300, clock: Callable[[], float] = time.monotonic,
                 expire_every_s: float = 60.0) -> None:
        self.store = store
        self.quote_ttl_s = quote_ttl_s
        self._clock = clock
        self._expire_every_s = expire_every_s
        self._expired_at = clock()
        self.services = tuple(services)
        self.streets = streets
        self.timetable = timetable
        self.service_date = timetable.service_date
        self._index = NodeIndex.of_network(streets, int(DRIVE))
        self._make_travel = travel or self._drive_times
        self._travel: dict[str, TravelTimes] = {}
        self._travel_lock = threading.Lock()
        #: One lock for every route-changing action and every read of the live plans.
        self._lock = threading.RLock()
        self._states: dict[str, DrtState] = {}
        self._by_vehicle = {v.vehicle_id: s for s in self.services for v in s.fleet}
        self.offer_runs()

    # -- setup -------------------------------------------------------------------------

    def offer_runs(self) -> int:
        """Put every vehicle's runs of the loaded day on sale; return how many."""
        n = 0
        for s in self.services:
            for a, b in s.windows:
                for v in s.fleet:
                    for start in range(a, b, RUN_LENGTH_S):
                        self._add_run(v.vehicle_id, v.seats, start, min(start + RUN_LENGTH_S, b))
                        n += 1
        return n

    def _add_run(self, vehicle_id: str, seats: int, start: int, end: int) -> None:
        self.store.add_run(run_id_of(vehicle_id, self.service_date, start),
                           vehicle_id=vehicle_id, service_date=self.service_date,
                           start_s=start, end_s=end, capacity_seats=seats)

    def _drive_times(self, service: DrtService) -> TravelTimes:
        extra = [(h.lat, h.lon) for h in service.hubs] + [service.depot]
        return ZoneDriveTimes(self.streets, service.zone, extra, self._index)

    def node_place(self, node: int) -> DPlace:
        """Return the dispatch place of a street node."""
        return DPlace(float(self.streets.node_lat[node]), float(self.streets.node_lon[node]))

    def travel_for(self, service: DrtService) -> TravelTimes:
        """Return the vehicle travel times of one zone (built on first use)."""
        with self._travel_lock:
            t = self._travel.get(service.zone_id)
            if t is None:
                t = self._travel[service.zone_id] = self._make_travel(service)
            return t

    def state_for(self, service: DrtService) -> DrtState:
        """Return the live plans of one zone (built on first use)."""
        with self._lock:
            st = self._states.get(service.zone_id)
            if st is None:
                st = self._states[service.zone_id] = DrtState(
                    service, self.service_date, self.store, self.node_place,
                    self.travel_for(service), lock=self._lock)
            return st

    def states(self) -> dict[str, DrtState]:
        """Return the live plans of every zone, by zone id."""
        return {s.zone_id: self.state_for(s) for s in self.services}

    def warm(self) -> int:
        """Rebuild every run's plan that holds pending bookings now; return how many."""
        n = 0
        with self._lock:
            for st in self.states().values():
                for run in st.runs():
                    if run.seats_left < run.capacity_seats:
                        st.plan_of(run)
                        n += 1
        return n

    def check_for(self, service: DrtService) -> InsertionCheck:
        """Return the feasibility check of one service (over its live plans)."""
        return InsertionCheck(self.state_for(service))

    def _refresh(self, run_ids: set[str]) -> None:
        for rid in run_ids:
            service = self._by_vehicle.get(self.store.run(rid).vehicle_id)
            if service is not None:
                self.state_for(service).refresh([rid])

    # -- requests ----------------------------------------------------------------------

    def _coords(self, p: PlaceIn, loc: str) -> tuple[float, float]:
        if p.stop_id is not None:
            s = self.timetable.stop_index.get(p.stop_id)
            if s is None:
                raise invalid(f"{loc}.stopId", f"no stop {p.stop_id!r} in the feed",
                              kind="unknown_stop")
            return float(self.timetable.stop_lat[s]), float(self.timetable.stop_lon[s])
        assert p.lat is not None and p.lon is not None
        return p.lat, p.lon

    def _node(self, lat: float, lon: float, loc: str) -> int:
        node, dist = self._index.nearest(lat, lon)
        if node < 0 or dist > MAX_SNAP_M:
            raise invalid(loc, f"{lat:.6f},{lon:.6f} is more than {MAX_SNAP_M:.0f} m from a "
                               "drivable street", kind="outside_area")
        return int(node)

    def _near_hub(self, s: DrtService, lat: float, lon: float) -> bool:
        return any(float(haversine_m(lat, lon, h.lat, h.lon)) <= HUB_RADIUS_M for h in s.hubs)

    def _ends(self, body: RideIn) -> tuple[_Ends, tuple[float, float], tuple[float, float]]:
        a = self._coords(body.pickup, "body.pickup")
        b = self._coords(body.dropoff, "body.dropoff")
        for s in self.services:
            in_a, in_b = s.covers(*a), s.covers(*b)
            if (in_a and in_b) or (in_a and self._near_hub(s, *b)) or (
                    in_b and self._near_hub(s, *a)):
                ends = _Ends(s, self._node(*a, "body.pickup"), self._node(*b, "body.dropoff"))
                return ends, a, b
        raise ApiProblem(422, "outside-zone", "Outside the on-demand zones",
                         "body: pick-up and drop-off must both lie in one on-demand zone, or "
                         "one in the zone and the other at one of its hubs",
                         errors=[{"loc": "body.pickup", "msg": "outside every zone",
                                  "type": "outside_zone"}])

    def ride_request(self, body: RideIn, rider_id: str) -> tuple[RideRequest, DrtService]:
        """Return the store's request for an API body (422 problems name the field)."""
        if body.date is not None and body.date != self.service_date:
            raise invalid("body.date", f"bookings are open for {self.service_date.isoformat()}"
                                       f" only, not {body.date.isoformat()}",
                          kind="date_not_loaded")
        times = []
        for loc, text in (("body.earliestPickup", body.earliest_pickup),
                          ("body.latestPickup", body.latest_pickup)):
            try:
                times.append(parse_clock(text, argument=loc))
            except TsunaguError as exc:
                raise invalid(loc, str(exc).removeprefix(f"{loc}: ")) from None
        lo, hi = times
        deadline = None
        if body.latest_dropoff is not None:
            loc = "body.latestDropoff"
            try:
                deadline = parse_clock(body.latest_dropoff, argument=loc)
            except TsunaguError as exc:
                raise invalid(loc, str(exc).removeprefix(f"{loc}: ")) from None
            if deadline <= lo:
                raise invalid(loc, f"{body.latest_dropoff} is not after earliestPickup "
                                   f"{body.earliest_pickup}")
        if hi < lo:
            raise invalid("body.latestPickup", f"{body.latest_pickup} is before "
                                               f"earliestPickup {body.earliest_pickup}")
        if hi - lo > MAX_WINDOW_S:
            raise invalid("body.latestPickup", f"the pick-up window is {(hi - lo) // 60} min; "
                                               f"at most {MAX_WINDOW_S // 60}")
        ends, _, _ = self._ends(body)
        svc = ends.service
        if not svc.open_between(lo, hi):
            span = ", ".join(f"{clock_hms(a)}-{clock_hms(b)}" for a, b in svc.windows)
            raise invalid("body.earliestPickup", f"{svc.name} runs {span or 'not at all'} on "
                                                 f"{self.service_date.isoformat()}",
                          kind="outside_hours")
        if ends.origin == ends.destination:
            raise invalid("body.dropoff", "pick-up and drop-off are the same place")
        req = RideRequest(rider_id, self.service_date, ends.origin, ends.destination, lo, hi,
                          body.seats, latest_dropoff_s=deadline)
        return req, ends.service

    def quote(self, body: RideIn, rider_id: str) -> BookingOutcome:
        """Check a ride and record a quote."""
        req, service = self.ride_request(body, rider_id)
        now = self._clock()
        if now - self._expired_at >= self._expire_every_s:
            self._expired_at = now
            self.store.expire_quotes()
        return self.store.quote(req, feasibility=self.check_for(service),
                                ttl_s=self.quote_ttl_s)

    def book(self, body: BookingIn, rider_id: str, key: str, actor: Actor) -> BookingOutcome:
        """Book a ride (idempotent per rider and key)."""
        req, service = self.ride_request(body, rider_id)
        if body.quote_id is not None:
            quote = self.store.get(body.quote_id)
            if quote.request.rider_id != rider_id:
                raise invalid("body.quoteId", f"quote {body.quote_id} is not this rider's",
                              kind="not_owner")
        with self._lock:
            out = self.store.book(req, idempotency_key=key, feasibility=self.check_for(service),
                                  quote_id=body.quote_id, actor=actor)
            if out.booking is not None and not out.replayed:
                self._refresh({out.booking.offer.run_id})
            return out

    def change(self, booking_id: str, to: BookingStatus, **kw: object) -> Booking:
        """Move a booking (409 when the store refuses the move)."""
        try:
            with self._lock:
                old = self.store.get(booking_id)
                before = old.offer.run_id
                target = kw.get("run_id")
                if isinstance(target, str) and target != before:
                    self._must_fit(old, target)
                elif to is BookingStatus.BOOKED and old.status not in PENDING:
                    self._must_fit(old, before)  # a cancelled ride booked again
                b = self.store.change(booking_id, to, **kw)  # type: ignore[arg-type]
                self._refresh({before, b.offer.run_id})
                return b
        except BookingError as exc:
            raise conflict(exc) from None

    def _must_fit(self, booking: Booking, run_id: str) -> None:
        """Raise a 409 unless the ride fits the run's live route with its promised window."""
        run = self.store.run(run_id)
        service = self._by_vehicle.get(run.vehicle_id)
        if service is None:
            raise conflict(BookingError(f"run {run_id!r} belongs to no on-demand service"))
        state = self.state_for(service)
        plan = state.plan_of(run)
        o = booking.offer
        ride_s = o.dropoff_eta_s - o.pickup_earliest_s
        lo, hi = max(o.pickup_earliest_s, run.start_s), min(o.pickup_latest_s, run.end_s - ride_s)
        if plan.dispatcher is None or lo > hi:
            why = plan.problem or "outside the run's hours"
        else:
            res = plan.dispatcher.quote(state.request(10**6, booking.request, lo, hi),
                                        pickup_window_s=(lo, hi))
            if res.accepted:
                return
            why = res.reason
        raise ApiProblem(409, "conflict", "The run cannot take the ride",
                         f"booking {booking.booking_id}: run {run_id} cannot take the ride "
                         f"in {clock_hms(lo)}-{clock_hms(hi)}: {why}")

    def for_rider(self, rider_id: str) -> list[Booking]:
        """Return a rider's bookings, oldest first."""
        return self.store.bookings_for_rider(rider_id)

    def vehicle_of(self, booking: Booking) -> str:
        """Return the vehicle of the run a booking is on."""
        return self.store.run(booking.offer.run_id).vehicle_id

    # -- dispatcher actions ------------------------------------------------------------

    def reoptimize(self, run_id: str, *, time_limit_s: float, seed: int) -> ReoptimizeOut:
        """Re-optimize a run's route with OR-Tools and assign its bookings to the new times."""
        run = self.store.run(run_id)
        service = self._by_vehicle.get(run.vehicle_id)
        if service is None:
            raise invalid("body.runId", f"run {run_id!r} belongs to no on-demand service")
        state = self.state_for(service)
        with self._lock:
            plan = state.plan_of(run)
            if not plan.bookings:
                return ReoptimizeOut(run_id=run_id, adopted=False, travel_time_s=0.0,
                                     assigned=0, stops=[])
            d = plan.dispatcher
            if d is None:
                raise ApiProblem(409, "conflict", "Route cannot be rebuilt",
                                 f"run {run_id}: {plan.problem}")
            try:
                adopted = d.reoptimize(time_limit_s=time_limit_s, seed=seed)
            except DispatchError as exc:
                raise ApiProblem(409, "conflict", "Route cannot be re-optimized",
                                 f"run {run_id}: {exc}") from None
            state.save_order(plan)
            route = d.plan().route_of(0)
            stops, assigned = [], 0
            for st in route.stops:
                b = plan.booking_of(st.request_id)
                stops.append(PlannedStopOut(booking_id=b.booking_id, kind=st.kind,
                                            time=clock_hms(st.time_s), time_s=st.time_s))
                if st.kind != "pickup" or b.status is BookingStatus.EN_ROUTE:
                    continue
                t = min(max(st.time_s, b.offer.pickup_earliest_s), b.offer.pickup_latest_s)
                if b.status is BookingStatus.ASSIGNED and b.planned_pickup_s == t:
                    continue
                try:
                    self.store.change(b.booking_id, BookingStatus.ASSIGNED,
                                      actor=Actor.DISPATCHER, planned_pickup_s=t,
                                      note="re-optimized")
                    assigned += 1
                except BookingError:  # changed meanwhile (cancelled by its rider)
                    continue
            state.refresh([run_id])
            return ReoptimizeOut(run_id=run_id, adopted=adopted,
                                 travel_time_s=round(d.travel_time_s(), 1), assigned=assigned,
                                 stops=stops)

    # -- output ------------------------------------------------------------------------

    def offer_out(self, o: PickupOffer) -> OfferOut:
        """Return the API form of an offer."""
        vehicle = o.run_id.split("@", 1)[0]
        return OfferOut(run_id=o.run_id, vehicle_id=vehicle,
                        pickup_earliest=clock_hms(o.pickup_earliest_s),
                        pickup_latest=clock_hms(o.pickup_latest_s),
                        dropoff_eta=clock_hms(o.dropoff_eta_s),
                        pickup_earliest_s=o.pickup_earliest_s,
                        pickup_latest_s=o.pickup_latest_s, dropoff_eta_s=o.dropoff_eta_s)

    def booking_out(self, b: Booking) -> BookingOut:
        """Return the API form of a booking."""
        lat, lon = self.streets.node_lat, self.streets.node_lon
        r = b.request
        return BookingOut(
            id=b.booking_id, rider_id=r.rider_id, status=b.status.value, date=r.service_date,
            pickup=PointOut(lat=float(lat[r.origin]), lon=float(lon[r.origin]), node=r.origin),
            dropoff=PointOut(lat=float(lat[r.destination]), lon=float(lon[r.destination]),
                             node=r.destination),
            seats=r.seats, offer=self.offer_out(b.offer),
            latest_dropoff=None if r.latest_dropoff_s is None else clock_hms(r.latest_dropoff_s),
            latest_dropoff_s=r.latest_dropoff_s,
            planned_pickup=None if b.planned_pickup_s is None else clock_hms(b.planned_pickup_s),
            version=b.version, created_at=b.created_at, updated_at=b.updated_at,
            quote_expires_at=b.quote_expires_at, note=b.note)


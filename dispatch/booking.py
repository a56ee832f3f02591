"""The booking lifecycle of an on-demand ride: states, who may move a booking
from one state to another, and the feasibility re-check a booking goes through.

A booking is born as a *quote* and then, in order::

    quoted -> booked -> assigned -> en_route -> picked_up -> dropped_off

or leaves the line as ``cancelled`` (rider or dispatcher, before pick-up) or
``no_show`` (the vehicle came, the rider did not).  A dispatcher may also
*reassign* a booking to another vehicle run (``assigned -> assigned``) and
*override* a few states with a written reason (see :data:`OVERRIDES`).

What is sold is seats on a :class:`ServiceRun` — one vehicle's run on a service
day between two times.  Whether a request fits a run (time window, detour,
the vehicle's route) is not decided here but by a :class:`FeasibilityCheck`,
so the real-time insertion engine can be plugged in by the composition root;
:class:`RunWindowCheck` is the baseline check on run time windows and seats.

Times are ``int`` seconds after midnight of the request's service day (past
24:00 allowed); stored instants (``created_at``...) are timezone-aware UTC
``datetime`` objects.  Booking ids are UUID4 strings.

This module is pure: no database, no clock.  The durable side lives in
:mod:`dispatch.store`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from transit.errors import TsunaguError

__all__ = [
    "OVERRIDES",
    "SEAT_HOLDING",
    "TERMINAL",
    "TRANSITIONS",
    "Actor",
    "Booking",
    "BookingError",
    "BookingEvent",
    "BookingNotFound",
    "BookingOutcome",
    "BookingStatus",
    "FeasibilityCheck",
    "FeasibilityResult",
    "IdempotencyConflict",
    "PickupOffer",
    "RideRequest",
    "RunWindowCheck",
    "ServiceRun",
    "allowed_actors",
    "check_transition",
    "parse_actor",
    "parse_status",
    "request_fingerprint",
    "transition",
]

MAX_KEY_LENGTH = 200
"""Longest idempotency key, rider id or run id accepted (characters)."""


class BookingError(ValueError, TsunaguError):
    """A booking request or state change is invalid; the message names what and where."""


class IdempotencyConflict(BookingError):
    """An idempotency key was reused by the same rider for a different request."""


class BookingNotFound(LookupError, TsunaguError):
    """No booking (or service run) has the id asked for."""


class BookingStatus(StrEnum):
    """Where a booking is in its life."""

    QUOTED = "quoted"
    BOOKED = "booked"
    ASSIGNED = "assigned"
    EN_ROUTE = "en_route"
    PICKED_UP = "picked_up"
    DROPPED_OFF = "dropped_off"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class Actor(StrEnum):
    """Who asks for a state change."""

    RIDER = "rider"
    DISPATCHER = "dispatcher"
    VEHICLE = "vehicle"
    SYSTEM = "system"


def parse_status(value: object, *, name: str = "status") -> BookingStatus:
    """Return ``value`` as a :class:`BookingStatus` or raise a :class:`BookingError` naming it."""
    try:
        return BookingStatus(value if isinstance(value, str) else repr(value))
    except ValueError:
        raise BookingError(f"{name} must be one of {', '.join(s.value for s in BookingStatus)};"
                           f" got {value!r}") from None


def parse_actor(value: object, *, name: str = "actor") -> Actor:
    """Return ``value`` as an :class:`Actor` or raise a :class:`BookingError` naming it."""
    try:
        return Actor(value if isinstance(value, str) else repr(value))
    except ValueError:
        raise BookingError(f"{name} must be one of {', '.join(a.value for a in Actor)}; "
                           f"got {value!r}") from None


S = BookingStatus
A = Actor

TRANSITIONS: Mapping[tuple[BookingStatus, BookingStatus], frozenset[Actor]] = {
    (S.QUOTED, S.BOOKED): frozenset({A.RIDER, A.DISPATCHER}),
    (S.QUOTED, S.CANCELLED): frozenset({A.RIDER, A.DISPATCHER, A.SYSTEM}),
    (S.BOOKED, S.ASSIGNED): frozenset({A.SYSTEM, A.DISPATCHER}),
    (S.BOOKED, S.CANCELLED): frozenset({A.RIDER, A.DISPATCHER}),
    (S.ASSIGNED, S.ASSIGNED): frozenset({A.SYSTEM, A.DISPATCHER}),  # reassignment
    (S.ASSIGNED, S.EN_ROUTE): frozenset({A.VEHICLE, A.DISPATCHER}),
    (S.ASSIGNED, S.CANCELLED): frozenset({A.RIDER, A.DISPATCHER}),
    (S.EN_ROUTE, S.PICKED_UP): frozenset({A.VEHICLE, A.DISPATCHER}),
    (S.EN_ROUTE, S.NO_SHOW): frozenset({A.VEHICLE, A.DISPATCHER}),
    (S.EN_ROUTE, S.CANCELLED): frozenset({A.RIDER, A.DISPATCHER}),
    (S.PICKED_UP, S.DROPPED_OFF): frozenset({A.VEHICLE, A.DISPATCHER}),
}
"""Ordinary transitions and the actors allowed to make each."""

OVERRIDES: frozenset[tuple[BookingStatus, BookingStatus]] = frozenset({
    (S.NO_SHOW, S.PICKED_UP),  # the driver marked a no-show by mistake
    (S.CANCELLED, S.BOOKED),  # reinstate a cancelled ride (seats are taken again)
    (S.EN_ROUTE, S.ASSIGNED),  # the vehicle is recalled before reaching the rider
})
"""Dispatcher-only corrections outside the ordinary flow; each needs a note."""

SEAT_HOLDING: frozenset[BookingStatus] = frozenset({
    S.BOOKED, S.ASSIGNED, S.EN_ROUTE, S.PICKED_UP, S.DROPPED_OFF, S.NO_SHOW,
})
"""States in which a booking's seats count as sold on its run."""

TERMINAL: frozenset[BookingStatus] = frozenset({S.DROPPED_OFF, S.CANCELLED, S.NO_SHOW})
"""States no ordinary transition leaves."""

del S, A


def _check_id(name: str, value: object, *, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BookingError(f"{where}: {name} must be a non-empty string, got {value!r}")
    if len(value) > MAX_KEY_LENGTH:
        raise BookingError(
            f"{where}: {name} is {len(value)} characters long; at most {MAX_KEY_LENGTH}")
    return value


def _check_int(name: str, value: object, *, where: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BookingError(f"{where}: {name} must be an int, got {value!r}")
    if value < low:
        raise BookingError(f"{where}: {name} must be >= {low}, got {value}")
    return value


def _hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


@dataclass(frozen=True, slots=True)
class RideRequest:
    """A rider's request for an on-demand ride.

    Parameters
    ----------
    rider_id : str
        Who rides (an opaque id from the edge).
    service_date : datetime.date
        The service day the times count from.
    origin, destination : int
        Street-network node indices of pick-up and drop-off.
    earliest_pickup_s, latest_pickup_s : int
        The pick-up window asked for, seconds after service-day midnight.
    seats : int
        Seats wanted (1 to 16).
    latest_dropoff_s : int, optional
        A hard drop-off deadline, seconds after service-day midnight: the rider
        must be set down (out of the vehicle) by then — a ride timed to meet a
        bus (the bus's departure minus the transfer buffer).  It must lie after
        ``earliest_pickup_s`` and by 48:00.  ``None`` (the default): no deadline
        beyond the ride-time limit the feasibility check applies.

    Notes
    -----
    This is the stored, rider-facing request (who, which day, street nodes,
    seats), not :class:`dispatch.model.RideRequest`, the solvers' view (int id,
    coordinates, ride-time and service parameters).  One cannot be derived from
    the other without a zone's configuration (boarding time, ride-time factor)
    and the node-to-coordinate map, so the adapter lives in the composition
    root: ``web.services.drt_state.DrtState.request``.
    """

    rider_id: str
    service_date: date
    origin: int
    destination: int
    earliest_pickup_s: int
    latest_pickup_s: int
    seats: int = 1
    latest_dropoff_s: int | None = None

    def __post_init__(self) -> None:
        where = "RideRequest"
        _check_id("rider_id", self.rider_id, where=where)
        if not isinstance(self.service_date, date) or isinstance(self.service_date, datetime):
            raise BookingError(
                f"{where}: service_date must be a datetime.date, got {self.service_date!r}")
        _check_int("origin", self.origin, where=where)
        _check_int("destination", self.destination, where=where)
        if self.origin == self.destination:
            raise BookingError(
                f"{where}: origin and destination are the same node {self.origin}")
        _check_int("earliest_pickup_s", self.earliest_pickup_s, where=where)
        _check_int("latest_pickup_s", self.latest_pickup_s, where=where)
        if self.latest_pickup_s < self.earliest_pickup_s:
            raise BookingError(
                f"{where}: latest_pickup_s {self.latest_pickup_s} is before "
                f"earliest_pickup_s {self.earliest_pickup_s}")
        if self.latest_pickup_s > 48 * 3600:
            raise BookingError(
                f"{where}: latest_pickup_s {self.latest_pickup_s} is past 48:00 of the "
                "service day")
        _check_int("seats", self.seats, where=where, low=1)
        if self.seats > 16:
            raise BookingError(f"{where}: seats must be at most 16, got {self.seats}")
        if self.latest_dropoff_s is not None:
            _check_int("latest_dropoff_s", self.latest_dropoff_s, where=where)
            if self.latest_dropoff_s <= self.earliest_pickup_s:
                raise BookingError(
                    f"{where}: latest_dropoff_s {self.latest_dropoff_s} is not after "
                    f"earliest_pickup_s {self.earliest_pickup_s}")
            if self.latest_dropoff_s > 48 * 3600:
                raise BookingError(
                    f"{where}: latest_dropoff_s {self.latest_dropoff_s} is past 48:00 of the "
                    "service day")


def request_fingerprint(request: RideRequest, *, quote_id: str | None = None) -> str:
    """Return the SHA-256 hex digest of a request's canonical JSON form.

    Two calls with the same idempotency key must carry the same fingerprint.
    ``latest_dropoff_s`` counts only when set, so a request without a deadline
    keeps the fingerprint it had before the field existed (stored hashes stay valid).
    """
    body = {f.name: getattr(request, f.name) for f in dataclasses.fields(request)}
    if body["latest_dropoff_s"] is None:
        del body["latest_dropoff_s"]
    body["service_date"] = request.service_date.isoformat()
    body["quote_id"] = quote_id
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ServiceRun:
    """One vehicle's run on a service day: the unit whose seats are sold.

    ``seats_left`` is the count at the moment the snapshot was read.
    """

    run_id: str
    vehicle_id: str
    service_date: date
    start_s: int
    end_s: int
    capacity_seats: int
    seats_left: int

    def __post_init__(self) -> None:
        where = f"ServiceRun {self.run_id!r}"
        _check_id("run_id", self.run_id, where="ServiceRun")
        _check_id("vehicle_id", self.vehicle_id, where=where)
        if not isinstance(self.service_date, date) or isinstance(self.service_date, datetime):
            raise BookingError(
                f"{where}: service_date must be a datetime.date, got {self.service_date!r}")
        _check_int("start_s", self.start_s, where=where)
        _check_int("end_s", self.end_s, where=where)
        if self.end_s <= self.start_s:
            raise BookingError(
                f"{where}: end_s {self.end_s} must be after start_s {self.start_s}")
        _check_int("capacity_seats", self.capacity_seats, where=where, low=1)
        _check_int("seats_left", self.seats_left, where=where)
        if self.seats_left > self.capacity_seats:
            raise BookingError(
                f"{where}: seats_left {self.seats_left} exceeds capacity_seats "
                f"{self.capacity_seats}")


@dataclass(frozen=True, slots=True)
class PickupOffer:
    """A pick-up window on a run, with the expected drop-off time."""

    run_id: str
    pickup_earliest_s: int
    pickup_latest_s: int
    dropoff_eta_s: int


@dataclass(frozen=True, slots=True)
class FeasibilityResult:
    """The answer of a :class:`FeasibilityCheck`.

    Exactly one of ``offer`` (feasible) or ``reason`` (not feasible) is set;
    ``alternatives`` lists other offers the rider might take instead.
    """

    offer: PickupOffer | None
    reason: str = ""
    alternatives: tuple[PickupOffer, ...] = ()

    def __post_init__(self) -> None:
        if (self.offer is None) == (not self.reason):
            raise BookingError(
                "FeasibilityResult: give either an offer or a reason, not both or neither "
                f"(offer={self.offer!r}, reason={self.reason!r})")

    @property
    def ok(self) -> bool:
        """Whether the request can be served."""
        return self.offer is not None


class FeasibilityCheck(Protocol):
    """Decides whether a request fits one of the candidate runs.

    ``runs`` are the runs of the request's service day as the store sees them
    now (with ``seats_left``).  The store takes the seats itself, atomically; if
    the chosen run sold out meanwhile it calls the check again with fresh runs.
    """

    def check(self, request: RideRequest, runs: Sequence[ServiceRun]) -> FeasibilityResult:
        """Return an offer on one of ``runs`` or a reason and alternatives."""
        ...


class RunWindowCheck:
    """Baseline feasibility: a run with enough seats whose time span holds the ride.

    A run serves a request when some pick-up time ``t`` in the requested
    window has ``run.start_s <= t`` and ``t + ride_time_s(origin, destination)
    <= run.end_s`` (and ``<= latest_dropoff_s`` when the request has a
    deadline).  The earliest such ``t`` over all runs wins; the pick-up
    window offered is ``[t, t + window_s]`` clipped to what the run allows.

    Parameters
    ----------
    ride_time_s : callable
        Direct in-vehicle time in seconds between two street nodes.
    window_s : int
        Width of the pick-up window promised to the rider.
    max_alternatives : int
        How many alternative offers to return.
    """

    __slots__ = ("_max_alternatives", "_ride_time_s", "_window_s")

    def __init__(self, ride_time_s: Callable[[int, int], int], *, window_s: int = 600,
                 max_alternatives: int = 3) -> None:
        _check_int("window_s", window_s, where="RunWindowCheck")
        _check_int("max_alternatives", max_alternatives, where="RunWindowCheck")
        self._ride_time_s = ride_time_s
        self._window_s = window_s
        self._max_alternatives = max_alternatives

    def _offer(self, run: ServiceRun, lo: int, hi: int, ride_s: int,
               deadline_s: int | None = None) -> PickupOffer | None:
        lo = max(lo, run.start_s)
        hi = min(hi, run.end_s - ride_s)
        if deadline_s is not None:
            hi = min(hi, deadline_s - ride_s)
        if lo > hi:
            return None
        return PickupOffer(run.run_id, lo, min(hi, lo + self._window_s), lo + ride_s)

    def check(self, request: RideRequest, runs: Sequence[ServiceRun]) -> FeasibilityResult:
        """Return the earliest offer on a run with seats, or why there is none."""
        ride_s = self._ride_time_s(request.origin, request.destination)
        if ride_s < 0:
            raise BookingError(
                f"RunWindowCheck: ride time {request.origin}->{request.destination} is "
                f"negative ({ride_s} s)")
        day = [r for r in runs if r.service_date == request.service_date]
        if not day:
            return FeasibilityResult(
                None, reason=f"no service run on {request.service_date.isoformat()}")
        with_seats = [r for r in day if r.seats_left >= request.seats]
        offers = [o for r in with_seats
                  if (o := self._offer(r, request.earliest_pickup_s,
                                       request.latest_pickup_s, ride_s,
                                       request.latest_dropoff_s)) is not None]
        offers.sort(key=lambda o: (o.pickup_earliest_s, o.run_id))
        if offers:
            return FeasibilityResult(
                offers[0], alternatives=tuple(offers[1:1 + self._max_alternatives]))
        window = f"{_hhmm(request.earliest_pickup_s)}-{_hhmm(request.latest_pickup_s)}"
        if not with_seats:
            reason = (f"every run on {request.service_date.isoformat()} has fewer than "
                      f"{request.seats} seat(s) left")
        else:
            reason = (f"no run with {request.seats} free seat(s) can pick up between "
                      f"{window} and finish the {ride_s} s ride")
            if request.latest_dropoff_s is not None:
                reason += f" by the drop-off deadline {_hhmm(request.latest_dropoff_s)}"
        others = [o for r in with_seats
                  if (o := self._offer(r, 0, 48 * 3600, ride_s)) is not None]
        mid = (request.earliest_pickup_s + request.latest_pickup_s) // 2
        others.sort(key=lambda o: (abs(o.pickup_earliest_s - mid), o.run_id))
        return FeasibilityResult(None, reason=reason,
                                 alternatives=tuple(others[:self._max_alternatives]))


@dataclass(frozen=True, slots=True)
class Booking:
    """A booking as stored: the request, where it is in its life, and what was promised.

    ``offer`` is the run and pick-up window confirmed at booking (or offered by
    a quote); ``planned_pickup_s`` is set when the booking is assigned.
    ``version`` counts the events recorded for the booking.
    """

    booking_id: str
    request: RideRequest
    status: BookingStatus
    offer: PickupOffer
    version: int
    created_at: datetime
    updated_at: datetime
    idempotency_key: str | None = None
    planned_pickup_s: int | None = None
    quote_expires_at: datetime | None = None
    note: str = ""

    @property
    def seats_held(self) -> int:
        """Seats this booking takes from its run in its current state."""
        return self.request.seats if self.status in SEAT_HOLDING else 0


@dataclass(frozen=True, slots=True)
class BookingEvent:
    """One recorded state change of a booking (the audit trail)."""

    booking_id: str
    seq: int
    from_status: BookingStatus | None
    to_status: BookingStatus
    actor: Actor
    run_id: str
    at: datetime
    note: str = ""


@dataclass(frozen=True, slots=True)
class BookingOutcome:
    """The answer to a booking attempt.

    Either ``booking`` is set (confirmed; ``replayed`` tells whether it was an
    earlier booking returned for a repeated idempotency key) or ``reason`` and
    ``alternatives`` say why not and what else could be booked.
    """

    booking: Booking | None
    reason: str = ""
    alternatives: tuple[PickupOffer, ...] = ()
    replayed: bool = False

    @property
    def ok(self) -> bool:
        """Whether the booking is confirmed."""
        return self.booking is not None


def allowed_actors(from_status: BookingStatus,
                   to_status: BookingStatus) -> frozenset[Actor]:
    """Return who may move a booking from ``from_status`` to ``to_status`` (maybe nobody)."""
    if (from_status, to_status) in OVERRIDES:
        return frozenset({Actor.DISPATCHER})
    return TRANSITIONS.get((from_status, to_status), frozenset())


def check_transition(booking_id: str, from_status: BookingStatus, to_status: BookingStatus,
                     *, actor: Actor, note: str = "") -> None:
    """Raise :class:`BookingError` unless ``actor`` may make this transition.

    Overrides (:data:`OVERRIDES`) are for dispatchers only and need a ``note``.
    """
    from_status = parse_status(from_status, name="from_status")
    to_status = parse_status(to_status, name="to_status")
    actor = parse_actor(actor)
    who = allowed_actors(from_status, to_status)
    if not who:
        ok = sorted(t.value for (f, t) in (*TRANSITIONS, *OVERRIDES) if f == from_status)
        raise BookingError(
            f"booking {booking_id}: cannot go from {from_status.value} to {to_status.value}"
            f" (allowed from {from_status.value}: {', '.join(ok) or 'none, it is final'})")
    if actor not in who:
        raise BookingError(
            f"booking {booking_id}: a {actor.value} may not move it from "
            f"{from_status.value} to {to_status.value} (only "
            f"{', '.join(sorted(a.value for a in who))})")
    if (from_status, to_status) in OVERRIDES and not note.strip():
        raise BookingError(
            f"booking {booking_id}: the override {from_status.value} -> {to_status.value} "
            "needs a note saying why")


def transition(booking: Booking, to_status: BookingStatus, *, actor: Actor, at: datetime,
               note: str = "", offer: PickupOffer | None = None,
               planned_pickup_s: int | None = None) -> Booking:
    """Return ``booking`` moved to ``to_status``, or raise :class:`BookingError`.

    Parameters
    ----------
    booking : Booking
        The booking as it is now.
    to_status : BookingStatus
        Where it goes.
    actor : Actor
        Who asks.
    at : datetime
        When (timezone-aware).
    note : str
        Why; required for overrides.
    offer : PickupOffer, optional
        A new run and pick-up window (reassignment, reinstatement).
    planned_pickup_s : int, optional
        The planned pick-up time, for ``assigned``; it must lie in the offer's window.
    """
    check_transition(booking.booking_id, booking.status, to_status, actor=actor, note=note)
    if planned_pickup_s is not None:
        _check_int("planned_pickup_s", planned_pickup_s, where=f"booking {booking.booking_id}")
    if at.tzinfo is None:
        raise BookingError(f"booking {booking.booking_id}: transition time {at} is naive; "
                           "give a timezone-aware datetime")
    new_offer = offer if offer is not None else booking.offer
    planned = booking.planned_pickup_s if planned_pickup_s is None else planned_pickup_s
    if to_status is BookingStatus.BOOKED:
        planned = None  # not in a vehicle plan (yet, or any more)
    elif to_status is BookingStatus.ASSIGNED and planned_pickup_s is None and (
            planned is None or offer is not None):
        planned = new_offer.pickup_earliest_s
    if planned is not None and to_status is BookingStatus.ASSIGNED and not (
            new_offer.pickup_earliest_s <= planned <= new_offer.pickup_latest_s):
        raise BookingError(
            f"booking {booking.booking_id}: planned_pickup_s {planned} is outside the "
            f"pick-up window {new_offer.pickup_earliest_s}-{new_offer.pickup_latest_s} "
            f"on run {new_offer.run_id}")
    return dataclasses.replace(
        booking, status=BookingStatus(to_status), offer=new_offer, version=booking.version + 1,
        updated_at=at, planned_pickup_s=planned, note=note or booking.note)

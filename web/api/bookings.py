"""``/quotes``, ``/bookings`` and ``/me/bookings``: on-demand rides for riders.

A resident books for themself (the token's rider); a dispatcher may book on a
rider's behalf (``riderId``). ``POST /bookings`` needs an ``Idempotency-Key``:
the first request answers 201, a replay of the same body 200 with the same
booking, the same key with another body 409.
"""

from __future__ import annotations

from flask import Blueprint

from dispatch.booking import Actor, Booking, BookingOutcome, BookingStatus
from web.auth import Principal, Role
from web.openapi import Api, Call, HeaderParam, Reply
from web.problems import ApiProblem
from web.schemas import BookingIn, BookingList, BookingOut, CancelIn, QuoteOut, RideIn
from web.services.container import Services

RIDERS = frozenset({Role.RESIDENT, Role.DISPATCHER})
READERS = frozenset({Role.RESIDENT, Role.DRIVER, Role.DISPATCHER})
STAFF = (Role.DISPATCHER, Role.ADMIN)


def _rider(p: Principal, asked: str | None) -> tuple[str, Actor]:
    if p.role in STAFF:
        if asked is None:
            raise ApiProblem(422, "validation-error", "Request validation failed",
                             "body.riderId: required when a dispatcher books for a rider",
                             errors=[{"loc": "body.riderId", "msg": "required",
                                      "type": "missing"}])
        return asked, Actor.DISPATCHER
    assert p.rider_id is not None
    if asked is not None and asked != p.rider_id:
        raise ApiProblem(403, "forbidden", "Forbidden",
                         f"a resident books for themself, not for rider {asked!r}")
    return p.rider_id, Actor.RIDER


def _refused(outcome: BookingOutcome, services: Services) -> ApiProblem:
    return ApiProblem(409, "ride-unavailable", "No vehicle can take this ride",
                      outcome.reason,
                      extra={"alternatives": [services.bookings.offer_out(o).model_dump(
                          mode="json", by_alias=True) for o in outcome.alternatives]})


def _readable(p: Principal, b: Booking, services: Services) -> None:
    if p.role in STAFF:
        return
    if p.role is Role.RESIDENT and b.request.rider_id == p.rider_id:
        return
    if p.role is Role.DRIVER and services.bookings.vehicle_of(b) == p.vehicle_id:
        return
    # the same answer as an unknown id: a token learns nothing of others' bookings
    raise ApiProblem(404, "not-found", "Not found", f"no booking {b.booking_id!r}")


def blueprint(api: Api, services: Services) -> Blueprint:
    """Return the bookings blueprint."""
    bp = Blueprint("api_bookings", __name__)
    key = HeaderParam("Idempotency-Key", True,
                      "the client's unique key for this booking; repeat it to retry safely")

    @api.operation(bp, "/quotes", "POST", summary="Quote an on-demand ride", tag="bookings",
                   roles=RIDERS, body=RideIn, responses={201: QuoteOut}, rate="booking")
    def quote(call: Call) -> Reply:
        rider, _ = _rider(call.principal, call.body.rider_id)  # type: ignore[arg-type]
        outcome = services.bookings.quote(call.body, rider)
        if outcome.booking is None:
            raise _refused(outcome, services)
        b = services.bookings
        return Reply(QuoteOut(quote=b.booking_out(outcome.booking),
                              alternatives=[b.offer_out(o) for o in outcome.alternatives]), 201)

    @api.operation(bp, "/bookings", "POST", summary="Book an on-demand ride", tag="bookings",
                   roles=RIDERS, body=BookingIn, headers=[key],
                   responses={201: BookingOut, 200: BookingOut}, rate="booking",
                   description="201 for a new booking, 200 when the Idempotency-Key was "
                               "already used with the same body (the same booking).")
    def book(call: Call) -> Reply:
        rider, actor = _rider(call.principal, call.body.rider_id)  # type: ignore[arg-type]
        outcome = services.bookings.book(call.body, rider, call.headers["Idempotency-Key"],
                                         actor)
        if outcome.booking is None:
            raise _refused(outcome, services)
        out = services.bookings.booking_out(outcome.booking)
        return Reply(out, 200 if outcome.replayed else 201,
                     {"Location": f"{api.prefix}/bookings/{out.id}"})

    @api.operation(bp, "/bookings/<booking_id>", "GET", summary="Get a booking",
                   tag="bookings", roles=READERS, responses={200: BookingOut})
    def get_booking(call: Call) -> Reply:
        b = services.store.get(call.path["booking_id"])
        _readable(call.principal, b, services)  # type: ignore[arg-type]
        return Reply(services.bookings.booking_out(b))

    @api.operation(bp, "/bookings/<booking_id>/cancel", "POST", summary="Cancel a booking",
                   tag="bookings", roles=RIDERS, body=CancelIn, responses={200: BookingOut},
                   rate="booking")
    def cancel_booking(call: Call) -> Reply:
        p: Principal = call.principal  # type: ignore[assignment]
        b = services.store.get(call.path["booking_id"])
        _readable(p, b, services)
        if p.role in STAFF:
            new = services.bookings.change(b.booking_id, BookingStatus.CANCELLED,
                                           actor=Actor.DISPATCHER, note=call.body.note)
        else:
            new = services.bookings.change(b.booking_id, BookingStatus.CANCELLED,
                                           actor=Actor.RIDER, rider_id=p.rider_id,
                                           note=call.body.note)
        return Reply(services.bookings.booking_out(new))

    @api.operation(bp, "/me/bookings", "GET", summary="My bookings", tag="bookings",
                   roles=frozenset({Role.RESIDENT}), responses={200: BookingList})
    def my_bookings(call: Call) -> Reply:
        rider = call.principal.rider_id if call.principal else None
        found = services.bookings.for_rider(rider) if rider else []
        return Reply(BookingList(bookings=[services.bookings.booking_out(b) for b in found]))

    return bp

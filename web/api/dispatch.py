"""``/dispatch``: dispatcher actions — re-optimize a run, reassign, override."""

from __future__ import annotations

from flask import Blueprint

from dispatch.booking import Actor, BookingStatus
from routing.planner import parse_clock
from web.auth import Role
from web.openapi import Api, Call, Reply
from web.schemas import BookingOut, OverrideIn, ReassignIn, ReoptimizeIn, ReoptimizeOut
from web.services.container import Services

DISPATCHERS = frozenset({Role.DISPATCHER})


def blueprint(api: Api, services: Services) -> Blueprint:
    """Return the dispatch blueprint."""
    bp = Blueprint("api_dispatch", __name__)

    @api.operation(bp, "/dispatch/reoptimize", "POST", summary="Re-optimize a run's route",
                   tag="dispatch", roles=DISPATCHERS, body=ReoptimizeIn,
                   responses={200: ReoptimizeOut},
                   description="OR-Tools over the run's pending bookings with every promised "
                               "pick-up window hard; the new plan is kept only if shorter. "
                               "Booked rides become assigned with their planned pick-up.")
    def reoptimize(call: Call) -> Reply:
        b: ReoptimizeIn = call.body
        return Reply(services.bookings.reoptimize(b.run_id, time_limit_s=b.time_limit_s,
                                                  seed=b.seed))

    @api.operation(bp, "/dispatch/reassign", "POST", summary="Move a booking to another run",
                   tag="dispatch", roles=DISPATCHERS, body=ReassignIn,
                   responses={200: BookingOut})
    def reassign(call: Call) -> Reply:
        b: ReassignIn = call.body
        planned = (None if b.planned_pickup is None
                   else parse_clock(b.planned_pickup, argument="body.plannedPickup"))
        services.store.run(b.run_id)  # 404 for an unknown run
        new = services.bookings.change(b.booking_id, BookingStatus.ASSIGNED,
                                       actor=Actor.DISPATCHER, note=b.note, run_id=b.run_id,
                                       planned_pickup_s=planned)
        return Reply(services.bookings.booking_out(new))

    @api.operation(bp, "/dispatch/override", "POST", summary="Override a booking's state",
                   tag="dispatch", roles=DISPATCHERS, body=OverrideIn,
                   responses={200: BookingOut},
                   description="no_show -> picked_up, cancelled -> booked (seats taken "
                               "again), en_route -> assigned; a note is required.")
    def override(call: Call) -> Reply:
        b: OverrideIn = call.body
        new = services.bookings.change(b.booking_id, BookingStatus(b.to_status),
                                       actor=Actor.DISPATCHER, note=b.note,
                                       expected_version=b.expected_version)
        return Reply(services.bookings.booking_out(new))

    return bp

"""``/vehicles``: the fleet, and position and status reports from the vehicle app."""

from __future__ import annotations

from flask import Blueprint

from dispatch.booking import Actor, BookingStatus
from web.auth import Principal, Role
from web.openapi import Api, Call, Reply
from web.problems import ApiProblem
from web.schemas import PositionIn, StatusIn, StatusOut, VehicleList, VehicleOut
from web.services.container import Services

DRIVERS = frozenset({Role.DRIVER})


def _own(p: Principal, vehicle_id: str, services: Services) -> None:
    services.fleet.get(vehicle_id)  # 404 first for an unknown vehicle
    if p.role is Role.DRIVER and p.vehicle_id != vehicle_id:
        raise ApiProblem(403, "forbidden", "Forbidden",
                         f"this driver token reports for vehicle {p.vehicle_id!r}, not "
                         f"{vehicle_id!r}")


def blueprint(api: Api, services: Services) -> Blueprint:
    """Return the vehicles blueprint."""
    bp = Blueprint("api_vehicles", __name__)

    @api.operation(bp, "/vehicles", "GET", summary="List vehicles", tag="vehicles",
                   roles=frozenset({Role.DRIVER, Role.DISPATCHER, Role.PLANNER}),
                   responses={200: VehicleList},
                   description="A driver sees only their own vehicle.")
    def vehicles(call: Call) -> Reply:
        p: Principal = call.principal  # type: ignore[assignment]
        only = p.vehicle_id if p.role is Role.DRIVER else None
        return Reply(VehicleList(vehicles=services.fleet.list(only)))

    @api.operation(bp, "/vehicles/<vehicle_id>/position", "POST",
                   summary="Report a vehicle's position", tag="vehicles", roles=DRIVERS,
                   body=PositionIn, responses={200: VehicleOut})
    def position(call: Call) -> Reply:
        vid = call.path["vehicle_id"]
        _own(call.principal, vid, services)  # type: ignore[arg-type]
        return Reply(services.fleet.report_position(vid, call.body))

    @api.operation(bp, "/vehicles/<vehicle_id>/status", "POST",
                   summary="Report a vehicle's status and a ride's progress", tag="vehicles",
                   roles=DRIVERS, body=StatusIn, responses={200: StatusOut},
                   description="ride moves a booking on one of this vehicle's runs: en_route, "
                               "picked_up, no_show, dropped_off.")
    def status(call: Call) -> Reply:
        vid = call.path["vehicle_id"]
        _own(call.principal, vid, services)  # type: ignore[arg-type]
        body: StatusIn = call.body
        booking = None
        if body.ride is not None:
            b = services.store.get(body.ride.booking_id)
            if services.bookings.vehicle_of(b) != vid:
                raise ApiProblem(404, "not-found", "Not found",
                                 f"no booking {b.booking_id!r} on vehicle {vid!r}")
            new = services.bookings.change(b.booking_id, BookingStatus(body.ride.status),
                                           actor=Actor.VEHICLE)
            booking = services.bookings.booking_out(new)
        vehicle = (services.fleet.report_status(vid, body.status) if body.status is not None
                   else services.fleet.get(vid))
        return Reply(StatusOut(vehicle=vehicle, booking=booking))

    return bp

"""``/plan``: journeys between two places (GET with a query string, POST with JSON)."""

from __future__ import annotations

from flask import Blueprint

from web.openapi import ANY_ROLE, Api, Call, Reply
from web.schemas import PlanOut, PlanQuery
from web.services.container import Services


def blueprint(api: Api, services: Services) -> Blueprint:
    """Return the plan blueprint."""
    bp = Blueprint("api_plan", __name__)
    doc = ("Places are LAT,LON or stop:ID; time is HH:MM[:SS] after the service day's "
           "midnight. Answers an OpenTripPlanner-shaped plan; no journey found is an "
           "empty itinerary list. With onDemand (default: on when an end lies in an "
           "on-demand zone during its hours), ON_DEMAND legs are quoted from the live "
           "vehicle plans that bookings use; book one with POST /bookings (the leg's "
           "ends and bookingInfo.pickupWindow).")

    def plan(q: PlanQuery, where: str) -> Reply:
        wants = q.on_demand is not False
        provider = services.ondemand if wants and services.drt else None
        return Reply(services.planner.plan(q, where=where, ondemand=provider,
                                           serves=provider.serves if provider else None))

    @api.operation(bp, "/plan", "GET", summary="Plan a journey", tag="plan", roles=ANY_ROLE,
                   query=PlanQuery, responses={200: PlanOut}, rate="plan", description=doc)
    def plan_get(call: Call) -> Reply:
        return plan(call.query, "query")

    @api.operation(bp, "/plan", "POST", summary="Plan a journey (JSON body)", tag="plan",
                   roles=ANY_ROLE, body=PlanQuery, responses={200: PlanOut}, rate="plan",
                   description=doc)
    def plan_post(call: Call) -> Reply:
        return plan(call.body, "body")

    return bp

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
           "empty itinerary list.")

    @api.operation(bp, "/plan", "GET", summary="Plan a journey", tag="plan", roles=ANY_ROLE,
                   query=PlanQuery, responses={200: PlanOut}, rate="plan", description=doc)
    def plan_get(call: Call) -> Reply:
        return Reply(services.planner.plan(call.query, where="query"))

    @api.operation(bp, "/plan", "POST", summary="Plan a journey (JSON body)", tag="plan",
                   roles=ANY_ROLE, body=PlanQuery, responses={200: PlanOut}, rate="plan",
                   description=doc)
    def plan_post(call: Call) -> Reply:
        return Reply(services.planner.plan(call.body, where="body"))

    return bp

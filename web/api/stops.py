"""``/stops``: find stops by name."""

from __future__ import annotations

from flask import Blueprint

from web.openapi import ANY_ROLE, Api, Call, Reply
from web.schemas import StopList, StopQuery
from web.services.container import Services


def blueprint(api: Api, services: Services) -> Blueprint:
    """Return the stops blueprint."""
    bp = Blueprint("api_stops", __name__)

    @api.operation(bp, "/stops", "GET", summary="Search stops by name", tag="stops",
                   roles=ANY_ROLE, query=StopQuery, responses={200: StopList}, rate="plan",
                   description="Case-insensitive substring match on the NFKC-normalised "
                               "stop name (Japanese or Latin) and stop id.")
    def stops(call: Call) -> Reply:
        return Reply(StopList(stops=services.planner.search_stops(call.query.q,
                                                                  call.query.limit)))

    return bp

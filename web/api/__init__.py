"""The JSON API v1: one blueprint per resource, all under ``/api/v1``."""

from __future__ import annotations

from flask import Flask

from web.api import bookings, dispatch, meta, plan, scenarios, stops, vehicles
from web.openapi import Api
from web.services.container import Services

PREFIX = "/api/v1"


def register_api(app: Flask, services: Services) -> Api:
    """Create the API registry, register every blueprint on ``app`` and return it."""
    api = Api(PREFIX, authenticate=lambda token: services.tokens.verify(token),
              rate_limit=lambda who, kind: services.limiter.take(who, kind))
    for module in (plan, stops, bookings, vehicles, dispatch, meta):
        app.register_blueprint(module.blueprint(api, services), url_prefix=PREFIX)
    scenarios.register(app, api, services, PREFIX)
    return api

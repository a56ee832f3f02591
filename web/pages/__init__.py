"""Pages for residents and dispatchers, and the JSON they need beyond the resource API."""

from __future__ import annotations

from flask import Flask

from web.openapi import Api
from web.pages import mapdata, views
from web.services.container import Services


def register_pages(app: Flask, api: Api, services: Services) -> None:
    """Register the pages blueprint and the map/board endpoints (through ``api``) on ``app``."""
    app.register_blueprint(mapdata.blueprint(api, services), url_prefix=api.prefix)
    app.register_blueprint(views.blueprint())

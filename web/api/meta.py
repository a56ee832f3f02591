"""``/openapi.json``: the API's own description."""

from __future__ import annotations

import json

from flask import Blueprint
from flask.wrappers import Response

from web.openapi import Api
from web.services.container import Services

VERSION = "1.0.0"


def blueprint(api: Api, services: Services) -> Blueprint:
    """Return the blueprint serving the OpenAPI document."""
    bp = Blueprint("api_meta", __name__)

    @bp.get("/openapi.json")
    def openapi() -> Response:
        doc = api.document(title="Tsunagu API", version=VERSION)
        return Response(json.dumps(doc, ensure_ascii=False), mimetype="application/json")

    return bp

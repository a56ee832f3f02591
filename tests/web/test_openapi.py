"""The OpenAPI document: valid OpenAPI 3.1, and it describes every API route."""

from __future__ import annotations

import re

from flask import Flask
from openapi_spec_validator import validate


def test_openapi_document_is_valid(shared_app: Flask) -> None:
    """/api/v1/openapi.json is public and passes openapi-spec-validator."""
    r = shared_app.test_client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.get_json()
    validate(doc)
    assert doc["openapi"].startswith("3.1")
    body = doc["paths"]["/api/v1/bookings"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in body["parameters"])
    assert "application/problem+json" in body["responses"]["422"]["content"]


def test_openapi_covers_every_route(shared_app: Flask) -> None:
    """Each /api/v1 rule and method (but the document itself) is in the document, and back."""
    doc = shared_app.test_client().get("/api/v1/openapi.json").get_json()
    routes = set()
    for rule in shared_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.endswith("openapi.json"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        routes |= {(path, m.lower()) for m in rule.methods or () if m not in ("HEAD", "OPTIONS")}
    documented = {(p, m) for p, ops in doc["paths"].items() for m in ops}
    assert routes == documented
    assert len(routes) >= 14

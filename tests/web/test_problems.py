"""Bad input anywhere is a 4xx application/problem+json, never a 500."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from flask import Flask

from tests.web.conftest import Tokens, problem_of, zone_ride
from web.app import services_of

POSTS = ["/api/v1/plan", "/api/v1/quotes", "/api/v1/bookings", "/api/v1/bookings/x/cancel",
         "/api/v1/vehicles/{v}/position", "/api/v1/vehicles/{v}/status",
         "/api/v1/dispatch/reoptimize", "/api/v1/dispatch/reassign", "/api/v1/dispatch/override"]
BAD_BODIES: list[tuple[str, bytes, str]] = [
    ("not-json", b"{bad", "application/json"),
    ("truncated", b'{"from": "36.6,140.6"', "application/json"),
    ("array", b"[1, 2]", "application/json"),
    ("string", b'"hello"', "application/json"),
    ("null", b"null", "application/json"),
    ("empty", b"", "application/json"),
    ("not-utf8", b"\xff\xfe{", "application/json"),
    ("deep", b"[" * 100_000 + b"]" * 100_000, "application/json"),
    ("text-plain", b"{}", "text/plain"),
    ("form", b"a=1", "application/x-www-form-urlencoded"),
    ("too-large", b'{"note": "' + b"x" * 70_000 + b'"}', "application/json"),
    ("nan", b'{"lat": NaN, "lon": Infinity}', "application/json"),
    ("unknown-field", b'{"zzz": 1}', "application/json"),
]
BAD_GETS = [
    "/api/v1/plan", "/api/v1/plan?from=36.6,140.6", "/api/v1/plan?from=;;&to=;;&time=08:00",
    "/api/v1/plan?from=36.6,140.6&to=36.7,140.7&time=99:99",
    "/api/v1/plan?from=36.6,140.6&to=36.7,140.7&time=8",
    "/api/v1/plan?from=36.6,140.6&to=36.7,140.7&time=08:00&window=abc",
    "/api/v1/plan?from=36.6,140.6&to=36.7,140.7&time=08:00&arriveBy=maybe",
    "/api/v1/plan?from=36.6,140.6&to=36.7,140.7&time=08:00&date=2026-13-01",
    "/api/v1/plan?from=36.6,140.6&to=36.7,140.7&time=08:00&transfers=99",
    "/api/v1/plan?from=36.6,140.6&from=1,1&to=36.7,140.7&time=08:00",
    "/api/v1/plan?from=91,0&to=36.7,140.7&time=08:00",
    "/api/v1/plan?from=stop:&to=36.7,140.7&time=08:00",
    "/api/v1/plan?from=36.6,140.6&to=36.7,140.7&time=08:00&bogus=1",
    "/api/v1/stops", "/api/v1/stops?q=", "/api/v1/stops?q=%20%20", "/api/v1/stops?q=" + "a" * 101,
    "/api/v1/stops?q=a&limit=0", "/api/v1/stops?q=a&limit=x", "/api/v1/stops?q=a&limit=1e9",
    "/api/v1/bookings/" + "x" * 300, "/api/v1/bookings/nope", "/api/v1/bookings/%00",
    "/api/v1/me/bookings?x=1", "/api/v1/vehicles?all=1", "/api/v1/nope", "/nope",
]


def _url(path: str, tokens: Tokens) -> str:
    return path.replace("{v}", tokens.vehicle)


@pytest.mark.parametrize("path", POSTS)
@pytest.mark.parametrize(("name", "raw", "ctype"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_malformed_bodies_are_4xx(shared_app: Flask, shared_tokens: Tokens, path: str,
                                  name: str, raw: bytes, ctype: str) -> None:
    """Malformed, mistyped or oversized bodies are 4xx problems on every POST endpoint."""
    token = shared_tokens.driver if "/vehicles/" in path else shared_tokens.admin
    r = shared_app.test_client().post(
        _url(path, shared_tokens), data=raw, content_type=ctype,
        headers=shared_tokens.h(token, **{"Idempotency-Key": f"fz-{name}"}))
    assert 400 <= r.status_code < 500, (name, r.status_code, r.get_data(as_text=True)[:300])
    problem_of(r, r.status_code)


@pytest.mark.parametrize("url", BAD_GETS)
def test_bad_query_strings_are_4xx(shared_app: Flask, shared_tokens: Tokens, url: str) -> None:
    """Missing, repeated, mistyped or unknown parameters and paths are 4xx problems."""
    r = shared_app.test_client().get(url, headers=shared_tokens.h(shared_tokens.admin))
    assert 400 <= r.status_code < 500, (url, r.status_code, r.get_data(as_text=True)[:300])
    problem_of(r, r.status_code)


def test_wrong_method_is_405_problem(shared_app: Flask, shared_tokens: Tokens) -> None:
    """A known path with another method is a 405 problem with Allow."""
    r = shared_app.test_client().delete("/api/v1/quotes",
                                        headers=shared_tokens.h(shared_tokens.admin))
    problem_of(r, 405)
    assert "POST" in r.headers["Allow"]


def _mutate(rng: random.Random, value: Any, depth: int = 0) -> Any:
    odd: list[Any] = [None, "", "x" * 300, -1, 0, 10**20, 1e308, -1e308, True, [], {}, "08:00",
                      "36.6,140.6", "stop:B00019", {"lat": 95, "lon": 0}, "２０２６-10-07",
                      "\u0000", "日立駅", 3.5, [1, {"a": None}]]
    if isinstance(value, dict) and value and depth < 3:
        out = dict(value)
        key = rng.choice(sorted(out))
        action = rng.random()
        if action < 0.2:
            del out[key]
        elif action < 0.3:
            out[rng.choice(["extra", "riderId", "quoteId", "seats"])] = rng.choice(odd)
        else:
            out[key] = _mutate(rng, out[key], depth + 1)
        return out
    return rng.choice(odd)


@pytest.mark.parametrize("seed", range(6))
def test_mutated_requests_never_500(shared_app: Flask, shared_tokens: Tokens, seed: int) -> None:
    """Random mutations of valid bodies are answered < 500, and errors are problem+json."""
    rng = random.Random(seed)
    s = services_of(shared_app)
    c = shared_app.test_client()
    valid: list[tuple[str, dict[str, Any], str]] = [
        ("/api/v1/plan", {"from": "36.6,140.65", "to": "36.7,140.69", "time": "08:00",
                          "window": 10, "transfers": 1, "arriveBy": False}, shared_tokens.alice),
        ("/api/v1/quotes", zone_ride(s), shared_tokens.alice),
        ("/api/v1/bookings", zone_ride(s), shared_tokens.alice),
        (f"/api/v1/vehicles/{shared_tokens.vehicle}/position",
         {"lat": 36.7, "lon": 140.7, "headingDeg": 10}, shared_tokens.driver),
        (f"/api/v1/vehicles/{shared_tokens.vehicle}/status",
         {"status": "available", "ride": {"bookingId": "x", "status": "en_route"}},
         shared_tokens.driver),
        ("/api/v1/dispatch/reassign", {"bookingId": "x", "runId": "y", "note": "n"},
         shared_tokens.dispatcher),
        ("/api/v1/dispatch/override", {"bookingId": "x", "toStatus": "booked", "note": "n"},
         shared_tokens.dispatcher),
        ("/api/v1/dispatch/reoptimize", {"runId": "x", "timeLimitS": 0.1},
         shared_tokens.dispatcher),
    ]
    for i in range(60):
        path, body, token = valid[i % len(valid)]
        mutated = _mutate(rng, body)
        r = c.post(path, data=json.dumps(mutated), content_type="application/json",
                   headers=Tokens.h(token, **{"Idempotency-Key": f"m{seed}-{i}"}))
        assert r.status_code < 500, (path, mutated, r.get_data(as_text=True)[:300])
        if r.status_code >= 400:
            problem_of(r, r.status_code)

"""API tokens: hashed storage, verification, revocation, 401/403 answers."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.web.conftest import FakeClock, Tokens, problem_of
from web.auth import Role, TokenError, TokenStore


def test_tokens_are_stored_hashed(tmp_path: Path) -> None:
    """Only the SHA-256 of a token is in the table; the token itself verifies."""
    store = TokenStore.open(f"sqlite:///{tmp_path / 't.sqlite3'}")
    token, p = store.create(name="alice", role="resident")
    with store.engine.connect() as c:
        rows = c.execute(text("SELECT * FROM api_tokens")).mappings().all()
    assert len(rows) == 1 and token not in str(dict(rows[0]))
    assert rows[0]["secret_sha256"] == hashlib.sha256(token.encode()).hexdigest()
    assert store.verify(token) == p and p.rider_id == "alice" and p.role is Role.RESIDENT
    assert store.verify(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert store.verify("tsu_000000000000_" + "x" * 43) is None
    assert store.verify("garbage") is None
    store.close()


def test_revoked_token_stops_after_cache(tmp_path: Path) -> None:
    """A revoked token is refused (at once in this process)."""
    clock = FakeClock()
    store = TokenStore.open(f"sqlite:///{tmp_path / 't.sqlite3'}", clock=clock)
    token, p = store.create(name="dee", role="dispatcher")
    assert store.verify(token) is not None
    assert store.revoke(p.token_id) and store.verify(token) is None
    assert not store.revoke("nope")
    store.close()


@pytest.mark.parametrize(("kw", "words"), [
    ({"name": "x", "role": "mayor"}, "role must be one of"),
    ({"name": "", "role": "admin"}, "name must be"),
    ({"name": "d", "role": "driver"}, "needs --vehicle"),
    ({"name": "d", "role": "planner", "vehicle_id": "v1"}, "for driver tokens"),
])
def test_bad_token_requests(tmp_path: Path, kw: dict, words: str) -> None:
    """Unknown roles, empty names and drivers without vehicles are refused by name."""
    store = TokenStore.open(f"sqlite:///{tmp_path / 't.sqlite3'}")
    with pytest.raises(TokenError, match=words):
        store.create(**kw)
    store.close()


def test_missing_or_bad_token_is_401(client: FlaskClient, tokens: Tokens) -> None:
    """No token, another scheme or an unknown token: 401 with WWW-Authenticate."""
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer nope"},
                    {"Authorization": "Bearer"}):
        r = client.get("/api/v1/stops?q=駅", headers=headers)
        problem_of(r, 401)
        assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_roles_gate_endpoints(client: FlaskClient, tokens: Tokens) -> None:
    """Dispatcher actions need the dispatcher (or admin) role; planners cannot book."""
    h = tokens.h
    problem_of(client.post("/api/v1/dispatch/override", json={}, headers=h(tokens.alice)), 403)
    problem_of(client.post("/api/v1/dispatch/override", json={}, headers=h(tokens.driver)), 403)
    problem_of(client.post("/api/v1/quotes", json={}, headers=h(tokens.planner)), 403)
    # an admin passes the role gate and reaches validation
    problem_of(client.post("/api/v1/dispatch/override", json={}, headers=h(tokens.admin)), 422)


def test_app_tokens_live_in_the_booking_database(app: Flask, tokens: Tokens) -> None:
    """The api_tokens table sits beside the bookings tables in one database."""
    from web.app import services_of
    s = services_of(app)
    assert s.tokens.engine.url == s.store.engine.url
    with s.store.engine.connect() as c:
        names = {r[0] for r in c.execute(text("SELECT name FROM sqlite_master"))}
    assert {"api_tokens", "bookings"} <= names

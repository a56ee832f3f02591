"""Quotes and bookings through ``/api/v1``: idempotency, ownership, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import FakeClock, Tokens, make_app, problem_of, zone_ride
from web.app import services_of


def _book(client: FlaskClient, token: str, body: dict, key: str) -> object:
    return client.post("/api/v1/bookings", json=body,
                       headers=Tokens.h(token, **{"Idempotency-Key": key}))


def test_quote_then_book_with_the_quote(app: Flask, client: FlaskClient, tokens: Tokens) -> None:
    """A quote offers a run and a window; booking with its id confirms the same run."""
    body = zone_ride(services_of(app))
    q = client.post("/api/v1/quotes", json=body, headers=tokens.h(tokens.alice))
    assert q.status_code == 201, q.get_json()
    quote = q.get_json()["quote"]
    assert quote["status"] == "quoted" and quote["riderId"] == "alice"
    assert quote["offer"]["pickupEarliest"] >= "09:00:00"
    r = _book(client, tokens.alice, {**body, "quoteId": quote["id"]}, "k-1")
    assert r.status_code == 201, r.get_json()
    b = r.get_json()
    assert b["status"] == "booked" and b["offer"]["runId"].startswith(b["offer"]["vehicleId"])
    assert r.headers["Location"] == f"/api/v1/bookings/{b['id']}"


def test_booking_replay_returns_same_booking(app: Flask, client: FlaskClient,
                                             tokens: Tokens) -> None:
    """The same Idempotency-Key and body give the same booking: 201 then 200, one row."""
    body = zone_ride(services_of(app))
    first = _book(client, tokens.alice, body, "same")
    again = _book(client, tokens.alice, body, "same")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert services_of(app).store.counts()["booked"] == 1
    other = _book(client, tokens.alice, {**body, "seats": 2}, "same")
    assert problem_of(other, 409)["type"].endswith("idempotency-conflict")


def test_booking_needs_idempotency_key(client: FlaskClient, app: Flask, tokens: Tokens) -> None:
    """Without an Idempotency-Key header a booking is a 400 naming the header."""
    r = client.post("/api/v1/bookings", json=zone_ride(services_of(app)),
                    headers=tokens.h(tokens.alice))
    assert problem_of(r, 400)["errors"][0]["loc"] == "header.Idempotency-Key"


def test_resident_sees_only_own_bookings(app: Flask, client: FlaskClient,
                                         tokens: Tokens) -> None:
    """Bob cannot read or cancel Alice's booking; /me/bookings lists only one's own."""
    b = _book(client, tokens.alice, zone_ride(services_of(app)), "a").get_json()
    assert client.get(f"/api/v1/bookings/{b['id']}",
                      headers=tokens.h(tokens.alice)).status_code == 200
    problem_of(client.get(f"/api/v1/bookings/{b['id']}", headers=tokens.h(tokens.bob)), 404)
    problem_of(client.post(f"/api/v1/bookings/{b['id']}/cancel", json={},
                           headers=tokens.h(tokens.bob)), 404)
    mine = client.get("/api/v1/me/bookings", headers=tokens.h(tokens.alice)).get_json()
    assert [x["id"] for x in mine["bookings"]] == [b["id"]]
    assert client.get("/api/v1/me/bookings",
                      headers=tokens.h(tokens.bob)).get_json()["bookings"] == []
    problem_of(client.get("/api/v1/me/bookings", headers=tokens.h(tokens.driver)), 403)


def test_resident_cannot_book_for_someone_else(app: Flask, client: FlaskClient,
                                               tokens: Tokens) -> None:
    """A resident naming another rider is refused with 403."""
    body = {**zone_ride(services_of(app)), "riderId": "bob"}
    problem_of(_book(client, tokens.alice, body, "x"), 403)


def test_dispatcher_books_for_a_rider_and_cancels(app: Flask, client: FlaskClient,
                                                  tokens: Tokens) -> None:
    """A dispatcher books on a rider's behalf (riderId required) and may cancel it."""
    body = zone_ride(services_of(app))
    problem_of(_book(client, tokens.dispatcher, body, "d"), 422)
    r = _book(client, tokens.dispatcher, {**body, "riderId": "carol"}, "d")
    assert r.status_code == 201 and r.get_json()["riderId"] == "carol"
    bid = r.get_json()["id"]
    c = client.post(f"/api/v1/bookings/{bid}/cancel", json={"note": "phoned"},
                    headers=tokens.h(tokens.dispatcher))
    assert c.status_code == 200 and c.get_json()["status"] == "cancelled"
    again = client.post(f"/api/v1/bookings/{bid}/cancel", json={},
                        headers=tokens.h(tokens.dispatcher))
    assert problem_of(again, 409)["type"].endswith("conflict")


def test_rider_cancels_own_booking_and_seats_return(app: Flask, client: FlaskClient,
                                                    tokens: Tokens) -> None:
    """Cancelling gives the seat back to its run."""
    store = services_of(app).store
    b = _book(client, tokens.alice, zone_ride(services_of(app)), "c").get_json()
    run = b["offer"]["runId"]
    left = store.run(run).seats_left
    r = client.post(f"/api/v1/bookings/{b['id']}/cancel", json={},
                    headers=tokens.h(tokens.alice))
    assert r.get_json()["status"] == "cancelled"
    assert store.run(run).seats_left == left + 1 and store.audit() == []


def test_driver_reads_bookings_of_own_vehicle_only(app: Flask, client: FlaskClient,
                                                   tokens: Tokens) -> None:
    """A driver reads a booking on their vehicle's run, not one on another vehicle."""
    b = _book(client, tokens.alice, zone_ride(services_of(app)), "v").get_json()
    mine = tokens.driver if b["offer"]["vehicleId"] == tokens.vehicle else tokens.driver2
    other = tokens.driver2 if mine == tokens.driver else tokens.driver
    assert client.get(f"/api/v1/bookings/{b['id']}", headers=tokens.h(mine)).status_code == 200
    problem_of(client.get(f"/api/v1/bookings/{b['id']}", headers=tokens.h(other)), 404)


def test_impossible_rides_are_4xx(app: Flask, client: FlaskClient, tokens: Tokens) -> None:
    """Outside the zone, outside hours, another day or reversed windows: 422 naming why."""
    s = services_of(app)
    body = zone_ride(s)
    h = tokens.h(tokens.alice)
    far = {**body, "pickup": {"lat": 36.52, "lon": 140.64}, "dropoff": {"lat": 36.53,
                                                                        "lon": 140.64}}
    assert problem_of(client.post("/api/v1/quotes", json=far, headers=h),
                      422)["type"].endswith("outside-zone")
    night = {**body, "earliestPickup": "23:00", "latestPickup": "23:20"}
    assert problem_of(client.post("/api/v1/quotes", json=night, headers=h),
                      422)["errors"][0]["type"] == "outside_hours"
    other_day = {**body, "date": "2026-10-09"}
    assert problem_of(client.post("/api/v1/quotes", json=other_day, headers=h),
                      422)["errors"][0]["loc"] == "body.date"
    rev = {**body, "earliestPickup": "10:00", "latestPickup": "09:00"}
    assert problem_of(client.post("/api/v1/quotes", json=rev, headers=h),
                      422)["errors"][0]["loc"] == "body.latestPickup"
    unknown = {**body, "dropoff": {"stopId": "NOPE"}}
    assert problem_of(client.post("/api/v1/quotes", json=unknown, headers=h),
                      422)["errors"][0]["type"] == "unknown_stop"


def test_sold_out_window_is_409_with_reason(app: Flask, client: FlaskClient,
                                            tokens: Tokens) -> None:
    """When every run of the window is full, booking is a 409 with the reason; none is lost."""
    s = services_of(app)
    seats = 0
    ok = 0
    for k in range(80):
        body = {**zone_ride(s, k=k, start="07:00", end="07:20"), "seats": 4}
        r = _book(client, tokens.alice, body, f"full-{k}")
        if r.status_code == 201:
            ok += 1
            seats += 4
            continue
        p = problem_of(r, 409)
        assert p["type"].endswith("ride-unavailable") and p["detail"]
        break
    else:
        raise AssertionError("80 bookings of 4 seats in one 20-minute window all fitted")
    assert ok >= 1 and s.store.counts()["booked"] == ok and s.store.audit() == []


def test_quotes_expire_after_their_ttl(data_root: Path, tmp_path: Path) -> None:
    """A quote older than QUOTE_TTL_S is cancelled by the system on a later quote."""
    clock = FakeClock()
    now = [datetime(2026, 10, 6, 12, 0, tzinfo=UTC)]
    app = make_app(data_root, tmp_path, QUOTE_TTL_S=60, CLOCK=clock, NOW=lambda: now[0])
    s = services_of(app)
    tokens = Tokens(s)
    c = app.test_client()
    first = c.post("/api/v1/quotes", json=zone_ride(s), headers=tokens.h(tokens.alice))
    quote = first.get_json()["quote"]
    assert datetime.fromisoformat(quote["quoteExpiresAt"]) == now[0] + timedelta(seconds=60)
    c.post("/api/v1/quotes", json=zone_ride(s, k=1), headers=tokens.h(tokens.alice))
    assert s.store.get(quote["id"]).status.value == "quoted"
    now[0] += timedelta(seconds=120)
    clock.t += 120
    c.post("/api/v1/quotes", json=zone_ride(s, k=2), headers=tokens.h(tokens.alice))
    assert s.store.get(quote["id"]).status.value == "cancelled"
    s.close()

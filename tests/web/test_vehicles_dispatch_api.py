"""``/api/v1/vehicles`` (driver reports) and ``/api/v1/dispatch`` (dispatcher actions)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import Tokens, problem_of, zone_ride
from web.app import services_of


def _booking(app: Flask, client: FlaskClient, tokens: Tokens, key: str = "b", k: int = 0
             ) -> dict:
    r = client.post("/api/v1/bookings", json=zone_ride(services_of(app), k=k),
                    headers=tokens.h(tokens.alice, **{"Idempotency-Key": key}))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_vehicle_list_by_role(client: FlaskClient, tokens: Tokens) -> None:
    """Dispatchers see the fleet, a driver only their vehicle, a resident nothing (403)."""
    all_ = client.get("/api/v1/vehicles", headers=tokens.h(tokens.dispatcher)).get_json()
    assert len(all_["vehicles"]) >= 2
    own = client.get("/api/v1/vehicles", headers=tokens.h(tokens.driver)).get_json()
    assert [v["id"] for v in own["vehicles"]] == [tokens.vehicle]
    problem_of(client.get("/api/v1/vehicles", headers=tokens.h(tokens.alice)), 403)


def test_driver_reports_position_of_own_vehicle_only(client: FlaskClient,
                                                     tokens: Tokens) -> None:
    """A driver updates their vehicle's position; another vehicle is 403, unknown 404."""
    fix = {"lat": 36.70, "lon": 140.70, "headingDeg": 90, "speedMps": 8.5}
    r = client.post(f"/api/v1/vehicles/{tokens.vehicle}/position", json=fix,
                    headers=tokens.h(tokens.driver))
    assert r.status_code == 200
    assert r.get_json()["position"]["lat"] == 36.70
    problem_of(client.post(f"/api/v1/vehicles/{tokens.other_vehicle}/position", json=fix,
                           headers=tokens.h(tokens.driver)), 403)
    problem_of(client.post("/api/v1/vehicles/nope/position", json=fix,
                           headers=tokens.h(tokens.driver)), 404)
    problem_of(client.post(f"/api/v1/vehicles/{tokens.vehicle}/position", json=fix,
                           headers=tokens.h(tokens.dispatcher)), 403)
    late = {**fix, "at": "2001-01-01T00:00:00Z"}
    problem_of(client.post(f"/api/v1/vehicles/{tokens.vehicle}/position", json=late,
                           headers=tokens.h(tokens.driver)), 422)


def test_driver_moves_a_ride_on_own_vehicle(app: Flask, client: FlaskClient,
                                            tokens: Tokens) -> None:
    """A driver reports status and a ride's progress; the store follows the lifecycle."""
    b = _booking(app, client, tokens)
    vid = b["offer"]["vehicleId"]
    token = tokens.driver if vid == tokens.vehicle else tokens.driver2
    client.post("/api/v1/dispatch/reoptimize", json={"runId": b["offer"]["runId"],
                                                     "timeLimitS": 0.2},
                headers=tokens.h(tokens.dispatcher))
    for step in ("en_route", "picked_up", "dropped_off"):
        r = client.post(f"/api/v1/vehicles/{vid}/status",
                        json={"status": "busy", "ride": {"bookingId": b["id"], "status": step}},
                        headers=tokens.h(token))
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["booking"]["status"] == step
        assert r.get_json()["vehicle"]["status"] == "busy"
    bad = client.post(f"/api/v1/vehicles/{vid}/status",
                      json={"ride": {"bookingId": b["id"], "status": "picked_up"}},
                      headers=tokens.h(token))
    problem_of(bad, 409)


def test_reoptimize_assigns_planned_pickups(app: Flask, client: FlaskClient,
                                            tokens: Tokens) -> None:
    """Re-optimizing a run assigns its booked rides a pick-up inside their windows."""
    b1 = _booking(app, client, tokens, "r1", k=0)
    run = b1["offer"]["runId"]
    r = client.post("/api/v1/dispatch/reoptimize", json={"runId": run, "timeLimitS": 0.5},
                    headers=tokens.h(tokens.dispatcher))
    assert r.status_code == 200, r.get_json()
    out = r.get_json()
    assert out["assigned"] == 1 and [s["kind"] for s in out["stops"]] == ["pickup", "dropoff"]
    got = client.get(f"/api/v1/bookings/{b1['id']}", headers=tokens.h(tokens.alice)).get_json()
    assert got["status"] == "assigned"
    assert got["offer"]["pickupEarliest"] <= got["plannedPickup"] <= got["offer"]["pickupLatest"]
    problem_of(client.post("/api/v1/dispatch/reoptimize", json={"runId": "nope"},
                           headers=tokens.h(tokens.dispatcher)), 404)
    problem_of(client.post("/api/v1/dispatch/reoptimize", json={"runId": run},
                           headers=tokens.h(tokens.alice)), 403)


def test_reassign_and_override(app: Flask, client: FlaskClient, tokens: Tokens) -> None:
    """A dispatcher moves a ride to another vehicle's run and reinstates a cancelled one."""
    s = services_of(app)
    b = _booking(app, client, tokens, "m")
    run = b["offer"]["runId"]
    other = next(r.run_id for r in s.store.runs(s.timetable.service_date)
                 if r.run_id != run and r.start_s == s.store.run(run).start_s)
    h = tokens.h(tokens.dispatcher)
    r = client.post("/api/v1/dispatch/reassign",
                    json={"bookingId": b["id"], "runId": other, "note": "vehicle broke down"},
                    headers=h)
    assert r.status_code == 200 and r.get_json()["offer"]["runId"] == other
    problem_of(client.post("/api/v1/dispatch/reassign",
                           json={"bookingId": b["id"], "runId": "nope", "note": "x"},
                           headers=h), 404)
    client.post(f"/api/v1/bookings/{b['id']}/cancel", json={}, headers=tokens.h(tokens.alice))
    back = client.post("/api/v1/dispatch/override",
                       json={"bookingId": b["id"], "toStatus": "booked", "note": "by mistake"},
                       headers=h)
    assert back.status_code == 200 and back.get_json()["status"] == "booked"
    problem_of(client.post("/api/v1/dispatch/override",
                           json={"bookingId": b["id"], "toStatus": "picked_up", "note": "x"},
                           headers=h), 409)
    assert s.store.audit() == []

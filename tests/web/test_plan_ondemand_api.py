"""``/plan`` with on-demand legs: quoted from the live plans that bookings use, then booked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from dispatch.booking import BookingStatus
from dispatch.checker import check_plan
from dispatch.model import Place as DPlace
from dispatch.model import RideRequest
from routing.planner import parse_clock
from tests.web.conftest import Tokens, make_app, zone_ride
from web.app import services_of
from web.services.container import Services
from web.services.drt_state import DrtState

BUFFER_S = 180  # the demo zone's transfer buffer


def _door(s: Services, k: int = 3) -> dict[str, float]:
    door: dict[str, float] = zone_ride(s, k=k)["pickup"]
    return door


def _plan(c: FlaskClient, tokens: Tokens, door: dict[str, float], time: str = "08:00",
          **more: str) -> dict[str, Any]:
    q = {"from": f"{door['lat']},{door['lon']}", "to": "stop:B00019", "time": time, **more}
    r = c.get("/api/v1/plan", query_string=q, headers=tokens.h(tokens.alice))
    assert r.status_code == 200, r.get_data(as_text=True)
    body: dict[str, Any] = r.get_json()
    return body


def _access_leg(plan: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The first itinerary's ON_DEMAND leg and the bus leg after it."""
    for it in plan["plan"]["itineraries"]:
        legs = it["legs"]
        for i, leg in enumerate(legs):
            if leg["mode"] == "ON_DEMAND":
                bus = next((x for x in legs[i + 1:] if x["transitLeg"]
                            and x["mode"] != "ON_DEMAND"), None)
                if bus is not None:
                    return leg, bus
    raise AssertionError(f"no ON_DEMAND leg before a bus in {plan['plan']['itineraries']}")


def _booking_body(leg: dict[str, Any]) -> dict[str, Any]:
    w = leg["bookingInfo"]["pickupWindow"]
    return {"pickup": {"lat": leg["from"]["lat"], "lon": leg["from"]["lon"]},
            "dropoff": {"stopId": leg["to"]["stopId"]},
            "earliestPickup": w["startIso"][11:19], "latestPickup": w["endIso"][11:19]}


def _state(s: Services) -> DrtState:
    return s.bookings.state_for(s.drt[0])


def _check_every_plan(s: Services) -> None:
    """Every run's live plan passes the independent checker, promises included."""
    st = _state(s)
    for run in st.runs():
        plan = st.plan_of(run)
        assert plan.dispatcher is not None, (run.run_id, plan.problem)
        if not plan.bookings:
            continue
        d = plan.dispatcher
        assert check_plan(d.plan(), [st.vehicle(run)], list(d.requests.values()), st.travel,
                          now_s=run.start_s, promises=d.promises) == [], run.run_id


def test_plan_offers_an_on_demand_ride_timed_to_the_bus(app: Flask, tokens: Tokens) -> None:
    """A door in the zone gets door → hub by car, reaching the hub ≥ buffer before the bus."""
    s, c = services_of(app), app.test_client()
    plan = _plan(c, tokens, _door(s))
    leg, bus = _access_leg(plan)
    assert leg["to"]["stopId"] in {h.stop_id for h in s.drt[0].hubs}
    assert bus["from"]["stopId"] == leg["to"]["stopId"]
    assert leg["endTime"] <= bus["startTime"] - BUFFER_S * 1000
    info = leg["bookingInfo"]
    assert info["pickupWindow"]["start"] <= leg["startTime"] <= info["pickupWindow"]["end"]
    assert info["latestDropoff"] <= bus["startTime"] - BUFFER_S * 1000 + 30_000
    # off: walk and transit only; POST says the same as GET
    off = _plan(c, tokens, _door(s), onDemand="false")
    assert all(x["mode"] != "ON_DEMAND" for it in off["plan"]["itineraries"]
               for x in it["legs"])
    body = {"from": plan["plan"]["from"]["name"], "to": "stop:B00019", "time": "08:00",
            "onDemand": True}
    r = c.post("/api/v1/plan", json=body, headers=tokens.h(tokens.alice))
    assert r.status_code == 200 and _access_leg(r.get_json())[0]["mode"] == "ON_DEMAND"
    # the provider reads the very plans bookings are inserted into
    assert s.ondemand.dispatchers["drt_zone_1"] is _state(s)


def test_book_the_planned_leg_and_see_it_everywhere(app: Flask, tokens: Tokens) -> None:
    """POST /bookings of the leg (Idempotency-Key): on the board, in /me/bookings, in plans."""
    s, c = services_of(app), app.test_client()
    door = _door(s)
    leg, _ = _access_leg(_plan(c, tokens, door))
    body = _booking_body(leg)
    # the same ride quoted straight from the live state, before booking
    st = _state(s)
    hub = s.drt[0].hubs[0] if leg["to"]["stopId"] == s.drt[0].hubs[0].stop_id else next(
        h for h in s.drt[0].hubs if h.stop_id == leg["to"]["stopId"])
    lo, hi = (parse_clock(body[k], argument=k) for k in ("earliestPickup", "latestPickup"))
    ride = RideRequest(99, DPlace(door["lat"], door["lon"]), DPlace(hub.lat, hub.lon), lo,
                       window_s=hi - lo, ride_alpha=2.0, service_s=60)
    before = st.quote(ride)
    assert before.accepted and before.added_travel_s is not None

    h = tokens.h(tokens.alice, **{"Idempotency-Key": "plan-leg-1"})
    r = c.post("/api/v1/bookings", json=body, headers=h)
    assert r.status_code == 201, r.get_data(as_text=True)
    booked = r.get_json()
    assert lo <= booked["offer"]["pickupEarliestS"] <= booked["offer"]["pickupLatestS"] <= hi
    again = c.post("/api/v1/bookings", json=body, headers=h)
    assert again.status_code == 200 and again.get_json()["id"] == booked["id"]

    mine = c.get("/api/v1/me/bookings", headers=tokens.h(tokens.alice)).get_json()
    assert [b["id"] for b in mine["bookings"]] == [booked["id"]]
    theirs = c.get("/api/v1/me/bookings", headers=tokens.h(tokens.bob)).get_json()
    assert theirs["bookings"] == []

    board = c.get("/api/v1/board", headers=tokens.h(tokens.dispatcher)).get_json()
    assert booked["id"] in {b["id"] for b in board["requests"]}
    run = next(x for x in board["runs"] if x["runId"] == booked["offer"]["runId"])
    assert run["problem"] is None
    assert [(x["bookingId"], x["kind"]) for x in run["stops"]] == [
        (booked["id"], "pickup"), (booked["id"], "dropoff")]

    # the quote now reflects the booked ride: the same ride shares it, at no extra driving
    plan = st.plan_of(s.store.run(booked["offer"]["runId"]))
    assert [b.booking_id for b in plan.bookings] == [booked["id"]]
    after = st.quote(ride)
    assert after.accepted and after.added_travel_s is not None
    assert after.added_travel_s < before.added_travel_s
    runs = st.runs()
    assert after.vehicle_id is not None and runs[after.vehicle_id].run_id == \
        booked["offer"]["runId"]
    # and /plan still offers a ride for a neighbour, from the same plans
    assert _access_leg(_plan(c, tokens, _door(s, k=4)))[0]["mode"] == "ON_DEMAND"
    _check_every_plan(s)


def _book(c: FlaskClient, tokens: Tokens, s: Services, k: int, start: str,
          end: str) -> dict[str, Any] | None:
    body = {**zone_ride(s, k=k, start=start, end=end), "riderId": f"r{k}"}
    r = c.post("/api/v1/bookings", json=body,
               headers=tokens.h(tokens.dispatcher, **{"Idempotency-Key": f"mid-{k}"}))
    assert r.status_code in (201, 409), r.get_data(as_text=True)
    out: dict[str, Any] | None = r.get_json() if r.status_code == 201 else None
    return out


def test_cancel_in_the_middle_keeps_the_order_and_books_again(app: Flask,
                                                               tokens: Tokens) -> None:
    """Cancelling a ride in the middle of a route keeps the rest's order; booking goes on."""
    s, c = services_of(app), app.test_client()
    for k in range(8):
        _book(c, tokens, s, k, "09:00", "09:30")
    st = _state(s)
    runs = {r.run_id: st.plan_of(r) for r in st.runs()}
    run_id, plan = max(runs.items(), key=lambda kv: len(kv[1].bookings))
    assert len(plan.bookings) >= 3
    order = s.store.stop_order(run_id)
    assert order is not None and len(order) == 2 * len(plan.bookings)
    middle = next(b for b, kind in order[1:-1] if kind == "pickup" and order[0][0] != b)
    r = c.post(f"/api/v1/bookings/{middle}/cancel", json={"note": "changed plans"},
               headers=tokens.h(tokens.dispatcher))
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    assert s.store.stop_order(run_id) == [x for x in order if x[0] != middle]
    after = st.plan_of(s.store.run(run_id))
    assert after.dispatcher is not None and middle not in {b.booking_id for b in after.bookings}
    _check_every_plan(s)
    # more rides are still taken, and the board shows every run without a problem
    new = [b for k in range(8, 14) if (b := _book(c, tokens, s, k, "09:00", "09:30"))]
    assert new
    board = c.get("/api/v1/board", headers=tokens.h(tokens.dispatcher)).get_json()
    assert all(x["problem"] is None for x in board["runs"])
    _check_every_plan(s)
    r = c.post("/api/v1/dispatch/reoptimize", json={"runId": run_id, "timeLimitS": 2},
               headers=tokens.h(tokens.dispatcher))
    assert r.status_code == 200, r.get_data(as_text=True)
    saved = s.store.stop_order(run_id)
    assert saved == [(x["bookingId"], x["kind"]) for x in r.get_json()["stops"]]
    _check_every_plan(s)
    # reassign each ride of the run to another run of the same hours: moved only when
    # the other run's live route takes it (else 409), and every route stays feasible
    others = [x for x in st.runs() if x.run_id != run_id and x.start_s == s.store.run(
        run_id).start_s]
    codes = set()
    for b in st.plan_of(s.store.run(run_id)).bookings:
        r = c.post("/api/v1/dispatch/reassign",
                   json={"bookingId": b.booking_id, "runId": others[0].run_id,
                         "note": "driver swap"}, headers=tokens.h(tokens.dispatcher))
        assert r.status_code in (200, 409), r.get_data(as_text=True)
        codes.add(r.status_code)
        if r.status_code == 200:
            assert b.booking_id in {x.booking_id for x in st.plan_of(others[0]).bookings}
    assert 200 in codes
    _check_every_plan(s)


def test_live_plans_are_rebuilt_from_the_store(app: Flask, tokens: Tokens, data_root: Path,
                                               tmp_path: Path) -> None:
    """A second app on the same database rebuilds the same routes (the store is the truth)."""
    s, c = services_of(app), app.test_client()
    for k in range(5):
        _book(c, tokens, s, k, "10:00", "10:30")
    st = _state(s)
    before = {r.run_id: st.plan_of(r).dispatcher.plan()  # type: ignore[union-attr]
              for r in st.runs() if st.plan_of(r).bookings}
    assert before
    other = make_app(data_root, tmp_path)
    try:
        s2 = services_of(other)
        assert s2.bookings.warm() >= len(before)
        st2 = _state(s2)
        after = {r.run_id: st2.plan_of(r).dispatcher.plan()  # type: ignore[union-attr]
                 for r in st2.runs() if st2.plan_of(r).bookings}
        assert after == before
    finally:
        s2.close()
    assert all(b.status is BookingStatus.BOOKED for b in s.store.bookings())

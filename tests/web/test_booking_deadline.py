"""A ride booked from a bus-timed ON_DEMAND leg keeps its drop-off deadline in every plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from dispatch.booking import Booking, ServiceRun
from dispatch.checker import check_plan
from dispatch.insertion import Dispatcher
from dispatch.model import LATEST_DROPOFF
from routing.planner import parse_clock
from tests.web.conftest import Tokens, make_app, problem_of, zone_ride
from tests.web.test_plan_ondemand_api import BUFFER_S, _access_leg, _booking_body, _door, _plan
from web.app import services_of
from web.schemas import RideIn
from web.services.container import Services
from web.services.drt_state import DrtState


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _leg_deadline_s(leg: dict[str, Any]) -> int:
    """The leg's latestDropoff as service-day seconds, computed as resident.js does."""
    info = leg["bookingInfo"]
    w = info["pickupWindow"]
    start = parse_clock(w["startIso"][11:19], argument="startIso")
    return start + (info["latestDropoff"] - w["start"]) // 1000


def _state(s: Services) -> DrtState:
    return s.bookings.state_for(s.drt[0])


def _assert_deadline_kept(s: Services, booking_id: str, deadline_s: int) -> int:
    """The booking's run plan drops the rider off (and out) by the deadline; checker-clean.

    Returns how many other rides share the run.
    """
    st = _state(s)
    run = s.store.run(s.store.get(booking_id).offer.run_id)
    plan = st.plan_of(run)
    assert plan.dispatcher is not None, plan.problem
    d = plan.dispatcher
    rid = next(i for i, b in enumerate(plan.bookings, start=1) if b.booking_id == booking_id)
    req = d.requests[rid]
    # the deadline is modelled: a latest-drop-off request whose drop-off must start in time
    # for the rider to be out by the deadline
    assert req.time_kind == LATEST_DROPOFF
    assert req.requested_time_s == deadline_s - st.service.boarding_s
    drop = next(x for x in d.plan().route_of(0).stops
                if x.request_id == rid and x.kind == "dropoff")
    assert drop.time_s + req.service_s <= deadline_s, (drop.time_s, deadline_s)
    assert check_plan(d.plan(), [st.vehicle(run)], list(d.requests.values()), st.travel,
                      now_s=run.start_s, promises=d.promises) == []
    return len(plan.bookings) - 1


def _ride(s: Services, k: int, start: str, end: str) -> dict[str, Any]:
    """Ride ``k``: door to hub, or (odd ``k``) door to door inside the zone (a detour)."""
    body = zone_ride(s, k=k, start=start, end=end)
    if k % 2:
        body["dropoff"] = zone_ride(s, k=k + 5)["pickup"]
    return body


def _flood(c: FlaskClient, tokens: Tokens, s: Services, start: str, end: str,
           n: int, tag: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Book ``n`` rides in ``[start, end]`` for other riders; return (booked, refused)."""
    booked, refused = [], []
    for k in range(n):
        body = {**_ride(s, k, start, end), "riderId": f"{tag}{k}"}
        r = c.post("/api/v1/bookings", json=body,
                   headers=tokens.h(tokens.dispatcher, **{"Idempotency-Key": f"{tag}-{k}"}))
        assert r.status_code in (201, 409), r.get_data(as_text=True)
        (booked if r.status_code == 201 else refused).append(r.get_json())
    return booked, refused


def _without_deadline(st: DrtState, run: ServiceRun, bookings: tuple[Booking, ...]) -> Dispatcher:
    """The run's route as it would be modelled if no booking had a deadline."""
    reqs = []
    for i, b in enumerate(bookings, start=1):
        plain = type(b.request)(b.request.rider_id, b.request.service_date, b.request.origin,
                                b.request.destination, b.request.earliest_pickup_s,
                                b.request.latest_pickup_s, b.request.seats)
        reqs.append(st.request(i, plain, b.offer.pickup_earliest_s, b.offer.pickup_latest_s))
    promises = {i: (b.offer.pickup_earliest_s, b.offer.pickup_latest_s)
                for i, b in enumerate(bookings, start=1)}
    return Dispatcher([st.vehicle(run)], st.travel, now_s=run.start_s, requests=reqs,
                      promises=promises)


def test_bus_timed_booking_keeps_its_deadline(app: Flask, tokens: Tokens, data_root: Path,
                                              tmp_path: Path) -> None:
    """/plan -> /bookings with latestDropoff; floods, re-optimize, cancel, restart keep it."""
    s, c = services_of(app), app.test_client()
    leg, bus = _access_leg(_plan(c, tokens, _door(s)))
    deadline = _leg_deadline_s(leg)
    assert leg["endTime"] <= leg["bookingInfo"]["latestDropoff"] <= bus["startTime"] - (
        BUFFER_S - 30) * 1000
    body = {**_booking_body(leg), "latestDropoff": _clock(deadline)}
    h = tokens.h(tokens.alice, **{"Idempotency-Key": "bus-leg"})
    r = c.post("/api/v1/bookings", json=body, headers=h)
    assert r.status_code == 201, r.get_data(as_text=True)
    first = r.get_json()
    bid = first["id"]
    assert first["latestDropoffS"] == deadline and first["latestDropoff"] == _clock(deadline)
    assert first["offer"]["dropoffEtaS"] <= deadline
    got = c.get(f"/api/v1/bookings/{bid}", headers=tokens.h(tokens.alice)).get_json()
    assert got["latestDropoffS"] == deadline
    assert s.store.get(bid).request.latest_dropoff_s == deadline
    _assert_deadline_kept(s, bid, deadline)

    # idempotent replay: the same body is the same booking; another deadline is a conflict
    again = c.post("/api/v1/bookings", json=body, headers=h)
    assert again.status_code == 200 and again.get_json()["id"] == bid
    for other in ({**body, "latestDropoff": _clock(deadline - 60)},
                  {k: v for k, v in body.items() if k != "latestDropoff"}):
        p = problem_of(c.post("/api/v1/bookings", json=other, headers=h), 409)
        assert "idempotency key 'bus-leg'" in p["detail"]

    # a ride whose own deadline cannot be met: 409 with the reason, nothing stored
    lo, hi = (parse_clock(body[k], argument=k) for k in ("earliestPickup", "latestPickup"))
    tight = {**body, "latestDropoff": _clock(lo + 60)}
    p = problem_of(c.post("/api/v1/bookings", json=tight,
                          headers=tokens.h(tokens.bob, **{"Idempotency-Key": "tight"})), 409)
    assert p["type"].endswith("ride-unavailable")
    assert f"with drop-off by {_clock(lo + 60)}" in p["detail"]
    mine = c.get("/api/v1/me/bookings", headers=tokens.h(tokens.bob)).get_json()
    assert mine["bookings"] == []
    bad = problem_of(c.post("/api/v1/bookings", json={**body, "latestDropoff": _clock(lo)},
                            headers=tokens.h(tokens.bob, **{"Idempotency-Key": "t2"})), 422)
    assert "body.latestDropoff" in bad["detail"]

    # flood the same hours with later rides: every one accepted keeps the first deadline
    window = (_clock(max(lo - 600, 0)), _clock(hi))
    assert _flood(c, tokens, s, *window, n=24, tag="f")[0]
    shared = _assert_deadline_kept(s, bid, deadline)
    run_id = first["offer"]["runId"]
    assert shared >= 1, "no later ride landed on the first rider's run"
    st = _state(s)
    plan = st.plan_of(s.store.run(run_id))
    # the deadline is what binds: modelled without deadlines, the run would take rides it
    # now refuses, planning the first rider's drop-off after their bus has gone
    rid = next(i for i, b in enumerate(plan.bookings, start=1) if b.booking_id == bid)
    late = []
    for k in range(24):
        req_k, _ = s.bookings.ride_request(RideIn.model_validate(_ride(s, k, *window)), "x")
        a, b = max(req_k.earliest_pickup_s, plan.run.start_s), min(req_k.latest_pickup_s,
                                                                   plan.run.end_s)
        loose = _without_deadline(st, plan.run, plan.bookings)
        if not loose.insert(st.request(10**6, req_k, a, b)).accepted:
            continue
        drop = next(x for x in loose.plan().route_of(0).stops
                    if x.request_id == rid and x.kind == "dropoff")
        if drop.time_s + st.service.boarding_s > deadline:
            assert plan.dispatcher is not None
            real = plan.dispatcher.quote(st.request(10**6, req_k, a, b), pickup_window_s=(a, b))
            assert not real.accepted
            late.append(k)
    assert late, "no ride would have pushed the first rider past the bus"

    # re-optimize the run, cancel a ride in the middle, flood again: the deadline holds
    r = c.post("/api/v1/dispatch/reoptimize", json={"runId": run_id, "timeLimitS": 2},
               headers=tokens.h(tokens.dispatcher))
    assert r.status_code == 200, r.get_data(as_text=True)
    _assert_deadline_kept(s, bid, deadline)
    others = [b.booking_id for b in st.plan_of(s.store.run(run_id)).bookings
              if b.booking_id != bid]
    r = c.post(f"/api/v1/bookings/{others[0]}/cancel", json={"note": "changed plans"},
               headers=tokens.h(tokens.dispatcher))
    assert r.status_code == 200
    _assert_deadline_kept(s, bid, deadline)
    _flood(c, tokens, s, *window, n=12, tag="g")
    _assert_deadline_kept(s, bid, deadline)
    # reassign the rider to each other run of the same hours: moved only where it still
    # makes the bus (else 409), and kept wherever it ends up
    start_s = s.store.run(run_id).start_s
    for other_run in [x for x in st.runs() if x.start_s == start_s and x.run_id != run_id]:
        r = c.post("/api/v1/dispatch/reassign",
                   json={"bookingId": bid, "runId": other_run.run_id, "note": "driver swap"},
                   headers=tokens.h(tokens.dispatcher))
        assert r.status_code in (200, 409), r.get_data(as_text=True)
        _assert_deadline_kept(s, bid, deadline)
    run_id = s.store.get(bid).offer.run_id

    # restart: a second app on the same database rebuilds the run with the deadline
    other = make_app(data_root, tmp_path)
    s2 = services_of(other)
    try:
        assert s2.bookings.warm() >= 1
        _assert_deadline_kept(s2, bid, deadline)
        t2 = Tokens(s2)
        _flood(other.test_client(), t2, s2, *window, n=12, tag="h")
        _assert_deadline_kept(s2, bid, deadline)
        r = other.test_client().post("/api/v1/dispatch/reoptimize",
                                     json={"runId": run_id, "timeLimitS": 2, "seed": 3},
                                     headers=t2.h(t2.dispatcher))
        assert r.status_code == 200, r.get_data(as_text=True)
        _assert_deadline_kept(s2, bid, deadline)
    finally:
        s2.close()

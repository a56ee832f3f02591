"""Concurrent bookings through the API: nothing lost, nothing oversold, every route feasible."""

from __future__ import annotations

import threading

from flask import Flask

from dispatch.checker import check_plan
from tests.web.conftest import Tokens, zone_ride
from web.app import services_of


def test_concurrent_bookings_keep_every_promise(app: Flask, tokens: Tokens) -> None:
    """36 bookings from 12 threads: acknowledged ones all stored, routes pass the checker."""
    s = services_of(app)
    acked: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def rider(t: int) -> None:
        c = app.test_client()
        for i in range(3):
            k = t * 3 + i
            body = {**zone_ride(s, k=k, start="09:00", end="09:30"), "riderId": f"r{k}"}
            r = c.post("/api/v1/bookings", json=body,
                       headers=tokens.h(tokens.dispatcher, **{"Idempotency-Key": f"c{k}"}))
            with lock:
                if r.status_code == 201:
                    acked.append(r.get_json()["id"])
                elif r.status_code != 409:
                    errors.append(f"{r.status_code} {r.get_data(as_text=True)[:200]}")

    threads = [threading.Thread(target=rider, args=(t,)) for t in range(12)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == [] and len(acked) >= 4
    store = s.store
    assert {b.booking_id for b in store.bookings()} == set(acked)
    assert store.audit() == []
    svc = s.drt[0]
    state = s.bookings.state_for(svc)
    for run in store.runs(s.timetable.service_date):
        plan = state.plan_of(run)
        assert sum(b.request.seats for b in plan.bookings) <= run.capacity_seats
        if not plan.bookings:
            continue
        d = plan.dispatcher
        assert d is not None, (run.run_id, plan.problem)
        served = {st.request_id for st in d.plan().route_of(0).stops}
        assert served == set(range(1, len(plan.bookings) + 1))
        violations = check_plan(d.plan(), [state.vehicle(run)], list(d.requests.values()),
                                state.travel, now_s=run.start_s, promises=d.promises)
        assert violations == [], (run.run_id, violations)

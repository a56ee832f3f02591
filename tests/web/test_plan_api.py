"""``/api/v1/plan`` and ``/api/v1/stops`` on the demo city."""

from __future__ import annotations

from flask import Flask

from tests.web.conftest import DAY, Tokens, problem_of
from web.app import services_of

A, B = "36.60,140.65", "36.70,140.69"


def test_plan_get_returns_otp_itineraries(shared_app: Flask, shared_tokens: Tokens) -> None:
    """GET /plan answers an OTP-shaped plan with a bus itinerary between two doors."""
    c = shared_app.test_client()
    r = c.get(f"/api/v1/plan?from={A}&to={B}&time=08:00&date={DAY}",
              headers=shared_tokens.h(shared_tokens.alice))
    assert r.status_code == 200, r.get_json()
    plan = r.get_json()["plan"]
    its = plan["itineraries"]
    assert its and any(leg["mode"] == "BUS" for leg in its[0]["legs"])
    assert its[0]["startTimeIso"].startswith(f"{DAY}T08:")
    assert plan["from"]["lat"] == 36.60 and r.get_json()["requestParameters"]["arriveBy"] is False


def test_plan_post_equals_get(shared_app: Flask, shared_tokens: Tokens) -> None:
    """POST /plan with a JSON body gives the same itineraries as GET."""
    c = shared_app.test_client()
    h = shared_tokens.h(shared_tokens.planner)
    g = c.get(f"/api/v1/plan?from={A}&to={B}&time=08:00", headers=h).get_json()
    p = c.post("/api/v1/plan", json={"from": A, "to": B, "time": "08:00"}, headers=h)
    assert p.status_code == 200
    assert [i["summary"] for i in p.get_json()["plan"]["itineraries"]] == \
        [i["summary"] for i in g["plan"]["itineraries"]]


def test_plan_arrive_by_and_window(shared_app: Flask, shared_tokens: Tokens) -> None:
    """arriveBy plans backwards (arrival not after the time); a window gives several."""
    c = shared_app.test_client()
    h = shared_tokens.h(shared_tokens.alice)
    tt = services_of(shared_app).timetable
    a, b = f"stop:{tt.stop_ids[0]}", f"stop:{tt.stop_ids[20]}"
    r = c.get(f"/api/v1/plan?from={a}&to={b}&time=10:00&arriveBy=true", headers=h)
    its = r.get_json()["plan"]["itineraries"]
    assert its and all(i["endTimeIso"] <= f"{DAY}T10:00:00+09:00" for i in its)
    w = c.get(f"/api/v1/plan?from={a}&to={b}&time=08:00&window=60", headers=h)
    assert len(w.get_json()["plan"]["itineraries"]) >= 2


def test_plan_transfers_limit(shared_app: Flask, shared_tokens: Tokens) -> None:
    """transfers=0 keeps only itineraries without a change."""
    c = shared_app.test_client()
    r = c.get(f"/api/v1/plan?from={A}&to={B}&time=08:00&window=120&transfers=0",
              headers=shared_tokens.h(shared_tokens.alice))
    assert all(i["transfers"] == 0 for i in r.get_json()["plan"]["itineraries"])


def test_plan_errors_name_the_field(shared_app: Flask, shared_tokens: Tokens) -> None:
    """Unknown stops, other days, far-away places and bad times are 422 naming the field."""
    c = shared_app.test_client()
    h = shared_tokens.h(shared_tokens.alice)
    cases = {
        f"from=stop:NOPE&to={B}&time=08:00": "query.from",
        f"from={A}&to={B}&time=08:00&date=2026-10-08": "query.date",
        f"from=35.0,135.0&to={B}&time=08:00": "query.from",
        f"from={A}&to={B}&time=08:75": "query.time",
        f"from={A}&to=north&time=08:00": "query.to",
        f"from={A}&to={B}&time=08:00&window=-1": "query.window",
    }
    for qs, loc in cases.items():
        body = problem_of(c.get(f"/api/v1/plan?{qs}", headers=h), 422)
        assert body["errors"][0]["loc"] == loc, (qs, body)


def test_stops_search_japanese_latin_and_nfkc(shared_app: Flask, shared_tokens: Tokens) -> None:
    """Stops match by Japanese name, by id (any case) and after NFKC (full-width) folding."""
    c = shared_app.test_client()
    h = shared_tokens.h(shared_tokens.alice)
    r = c.get("/api/v1/stops?q=日立駅", headers=h).get_json()["stops"]
    assert r[0]["name"] == "日立駅"
    assert c.get("/api/v1/stops?q=b00019", headers=h).get_json()["stops"][0]["id"] == "B00019"
    full = c.get("/api/v1/stops?q=Ｂ０００１９", headers=h).get_json()["stops"]
    assert full[0]["id"] == "B00019"
    many = c.get("/api/v1/stops?q=駅&limit=3", headers=h).get_json()["stops"]
    assert len(many) == 3 and all("駅" in s["name"] for s in many)
    assert c.get("/api/v1/stops?q=zzzz", headers=h).get_json()["stops"] == []

"""The scenarios API: files on offer, applied summaries, comparison jobs, cells, errors."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import Tokens, make_app, problem_of
from web.app import services_of
from web.services.scenarios import MAX_TRIPS, ScenarioService

SCENARIOS = Path(__file__).resolve().parents[2] / "docs" / "scenarios"
ALT2 = "alt2_drt_replaces_feeders"
SMALL = {"scenarios": ["base", ALT2], "trips": 12, "seed": 3, "departures": 2, "origins": 150}


def _svc(app: Flask) -> ScenarioService:
    svc: ScenarioService = app.extensions["tsunagu_scenarios"]
    return svc


def _wait(c: FlaskClient, location: str, h: dict[str, str], timeout_s: float = 180
          ) -> dict[str, Any]:
    end = time.monotonic() + timeout_s
    seen = []
    while time.monotonic() < end:
        job = c.get(location, headers=h).get_json()
        seen.append((job["phase"], job["progress"]))
        if job["status"] in ("done", "failed"):
            job["_seen"] = seen
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {location} not finished in {timeout_s} s: {seen[-3:]}")


@pytest.fixture(scope="module")
def done_job(shared_app: Flask, shared_tokens: Tokens) -> dict[str, Any]:
    """A small comparison of base vs alt2 run through the API to the end."""
    c = shared_app.test_client()
    h = shared_tokens.h(shared_tokens.planner)
    r = c.post("/api/v1/scenarios/compare", json=SMALL, headers=h)
    assert r.status_code == 202, r.get_data(as_text=True)
    body = r.get_json()
    assert r.headers["Location"] == f"/api/v1/scenarios/jobs/{body['id']}"
    assert body["status"] in ("queued", "running") and body["result"] is None
    early = c.get(r.headers["Location"] + "/cells", headers=h)
    if early.status_code != 200:  # the job takes seconds: the map is not ready yet
        assert problem_of(early, 409)["detail"].startswith(f"job {body['id']} is ")
    job = _wait(c, r.headers["Location"], h)
    job["_location"] = r.headers["Location"]
    return job


def test_list_names_every_file_with_its_modifications(shared_app: Flask,
                                                      shared_tokens: Tokens) -> None:
    """GET /scenarios lists docs/scenarios/*.yml: title, description, modifications, limits."""
    r = shared_app.test_client().get("/api/v1/scenarios",
                                     headers=shared_tokens.h(shared_tokens.planner))
    assert r.status_code == 200
    body = r.get_json()
    by = {s["name"]: s for s in body["scenarios"]}
    assert set(by) == {p.stem for p in SCENARIOS.glob("*.yml")}
    assert by["base"]["modifications"] == [] and by["base"]["error"] is None
    assert by["alt1_brt_branch"]["title"] == "2035 alternative 1"
    assert [m["kind"] for m in by[ALT2]["modifications"]] == [
        "remove-routes", "resize-zone", "set-fleet"]
    assert "F1-07" in by[ALT2]["modifications"][0]["label"]
    assert by[ALT2]["description"].startswith("Remove feeders 7 and 9")
    assert body["maxTrips"] == MAX_TRIPS and body["maxScenarios"] >= 2


def test_detail_applies_the_scenario(shared_app: Flask, shared_tokens: Tokens) -> None:
    """GET /scenarios/{name} reports the counts apply_scenario changed, per modification."""
    c = shared_app.test_client()
    h = shared_tokens.h(shared_tokens.planner)
    alt2 = c.get(f"/api/v1/scenarios/{ALT2}", headers=h).get_json()
    d = alt2["applied"]["deltas"]
    assert d["routes"] == -2 and d["trips"] < 0 and d["vehicles"] == 4 and d["zones"] == 0
    assert d["zone_area_ha"] > 0
    assert all(alt2["applied"]["countsAfter"][k] - v == d[k]
               for k, v in alt2["applied"]["countsBefore"].items())
    mods = alt2["applied"]["modifications"]
    assert [m["label"] for m in mods] == [m["label"] for m in alt2["modifications"]]
    assert mods[0]["changes"]["routes"] == -2
    base = c.get("/api/v1/scenarios/base", headers=h).get_json()
    assert set(base["applied"]["deltas"].values()) == {0}
    # cached: the second read does not apply again
    cached = _svc(shared_app).work_dir / "applied" / ALT2 / "summary.json"
    stamp = cached.stat().st_mtime_ns
    assert c.get(f"/api/v1/scenarios/{ALT2}", headers=h).get_json() == alt2
    assert cached.stat().st_mtime_ns == stamp


def test_unknown_scenario_and_job_are_404(shared_app: Flask, shared_tokens: Tokens) -> None:
    """An unknown scenario or job id is a 404 problem naming it."""
    c = shared_app.test_client()
    h = shared_tokens.h(shared_tokens.admin)
    assert "nope" in problem_of(c.get("/api/v1/scenarios/nope", headers=h), 404)["detail"]
    assert "cafe" in problem_of(c.get("/api/v1/scenarios/jobs/cafe", headers=h), 404)["detail"]
    problem_of(c.get("/api/v1/scenarios/jobs/cafe/cells", headers=h), 404)
    r = c.post("/api/v1/scenarios/compare", json={**SMALL, "scenarios": ["base", "nope"]},
               headers=h)
    assert "nope" in problem_of(r, 404)["detail"]


@pytest.mark.parametrize(("body", "needle"), [
    ({**SMALL, "trips": MAX_TRIPS + 1}, str(MAX_TRIPS)),
    ({**SMALL, "scenarios": ["base"]}, "body.scenarios"),
    ({**SMALL, "scenarios": ["base", "base"]}, "twice"),
    ({**SMALL, "scenarios": ["base", ALT2, "alt1_brt_branch", "base", ALT2]}, "body.scenarios"),
    ({**SMALL, "departures": 0}, "body.departures"),
    ({**SMALL, "seed": -1}, "body.seed"),
    ({**SMALL, "trips": 1.5}, "body.trips"),
    ({**SMALL, "colour": "red"}, "body.colour"),
    ({"trips": 10}, "body.scenarios"),
])
def test_bad_compare_bodies_are_422(shared_app: Flask, shared_tokens: Tokens,
                                    body: dict[str, Any], needle: str) -> None:
    """A bad comparison request is a 422 problem naming the field (and the trip limit)."""
    r = shared_app.test_client().post("/api/v1/scenarios/compare", json=body,
                                      headers=shared_tokens.h(shared_tokens.planner))
    assert needle in problem_of(r, 422)["detail"]


def test_compare_body_must_be_json(shared_app: Flask, shared_tokens: Tokens) -> None:
    """Not JSON is 415, malformed JSON 400."""
    c = shared_app.test_client()
    h = shared_tokens.h(shared_tokens.planner)
    problem_of(c.post("/api/v1/scenarios/compare", data="x", headers=h), 415)
    problem_of(c.post("/api/v1/scenarios/compare", data="{", headers=h,
                      content_type="application/json"), 400)


def test_only_planners_and_admins(shared_app: Flask, shared_tokens: Tokens) -> None:
    """No token is 401; residents, drivers and dispatchers are 403; planner and admin pass."""
    c = shared_app.test_client()
    problem_of(c.get("/api/v1/scenarios"), 401)
    for tok in (shared_tokens.alice, shared_tokens.driver, shared_tokens.dispatcher):
        problem_of(c.get("/api/v1/scenarios", headers=shared_tokens.h(tok)), 403)
        problem_of(c.post("/api/v1/scenarios/compare", json=SMALL,
                          headers=shared_tokens.h(tok)), 403)
    for tok in (shared_tokens.planner, shared_tokens.admin):
        assert c.get("/api/v1/scenarios", headers=shared_tokens.h(tok)).status_code == 200


def test_compare_job_reaches_done_with_kpis(shared_app: Flask, shared_tokens: Tokens,
                                            done_job: dict[str, Any]) -> None:
    """The job runs through its phases to done; KPIs per scenario match results.json."""
    job = done_job
    assert job["status"] == "done" and job["error"] is None and job["progress"] == 1.0
    progress = [p for _, p in job["_seen"]]
    assert progress == sorted(progress)  # never goes back
    res = job["result"]
    assert res["reference"] == "base"
    assert [s["name"] for s in res["scenarios"]] == ["base", ALT2]
    assert all(s["accessOrigins"] == SMALL["origins"] for s in res["scenarios"])
    for s in res["scenarios"]:
        assert s["kpis"]["trips"] == SMALL["trips"]
        assert s["kpis"]["bus_vehicle_hours"] > 0 and s["kpis"]["jobs_45min_pop_weighted"] > 0
    written = json.loads((_svc(shared_app).work_dir / "jobs" / job["id"] / "results.json")
                         .read_text(encoding="utf-8"))
    assert [s["kpis"] for s in written["scenarios"]] == [s["kpis"] for s in res["scenarios"]]
    rows = {r["key"]: r for r in res["kpiTable"]}
    bus = rows["bus_vehicle_hours"]
    assert bus["deltas"][0] == 0 and bus["deltas"][1] < 0  # alt2 removes two feeders
    assert bus["better"] == -1 and len(bus["values"]) == 2
    assert set(res["files"]) >= {"report", "kpis", "access_change_1", "results"}


def test_cells_give_the_accessibility_change(shared_app: Flask, shared_tokens: Tokens,
                                             done_job: dict[str, Any]) -> None:
    """/cells: one point per measured origin; delta = alternative - reference at 45 min."""
    c = shared_app.test_client()
    h = shared_tokens.h(shared_tokens.planner)
    r = c.get(done_job["_location"] + "/cells", headers=h)
    assert r.status_code == 200
    fc = r.get_json()
    assert fc["type"] == "FeatureCollection" and fc["scenario"] == ALT2
    assert fc["reference"] == "base" and fc["thresholdMin"] == 45 and fc["cellSizeM"] > 0
    assert len(fc["features"]) == SMALL["origins"]
    props = [f["properties"] for f in fc["features"]]
    assert all(p["delta"] == pytest.approx(p["value"] - p["ref"], abs=0.11) for p in props)
    assert fc["deltaMaxAbs"] == pytest.approx(max(abs(p["delta"]) for p in props), abs=0.11)
    lon, lat = fc["features"][0]["geometry"]["coordinates"]
    assert 36.4 < lat < 36.8 and 140.5 < lon < 140.8
    comp = _svc(shared_app).job(done_job["id"]).comparison
    assert comp is not None
    assert [p["cell"] for p in props] == list(comp.results[0].access_origins)
    assert [p["ref"] for p in props] == [round(x[1], 1) for x in
                                         comp.results[0].access_median_jobs]
    at30 = c.get(done_job["_location"] + "/cells?threshold=30&scenario=base",
                 headers=h).get_json()
    assert at30["thresholdMin"] == 30 and {f["properties"]["delta"] for f in at30["features"]
                                           } == {0}
    bad = c.get(done_job["_location"] + "/cells?threshold=40", headers=h)
    assert "query.threshold" in problem_of(bad, 422)["detail"]
    bad = c.get(done_job["_location"] + "/cells?scenario=alt1_brt_branch", headers=h)
    assert "query.scenario" in problem_of(bad, 422)["detail"]
    problem_of(c.get(done_job["_location"] + "/cells?x=1", headers=h), 422)


@pytest.fixture
def bad_dir_app(data_root: Path, tmp_path: Path) -> Iterator[Flask]:
    """An app whose SCENARIO_DIR holds base.yml and a scenario with an error."""
    sdir = tmp_path / "scen"
    sdir.mkdir()
    shutil.copy(SCENARIOS / "base.yml", sdir / "base.yml")
    (sdir / "bad.yml").write_text(
        "# A broken scenario\nversion: 1\nname: bad\nbase: base.yml\nmodifications:\n"
        "  - kind: remove-routes\n    route_ids: [NOPE]\n", encoding="utf-8")
    (sdir / "typo.yml").write_text("version: 1\nname: typo\nbase: base.yml\nmodifcations: []\n",
                                   encoding="utf-8")
    a = make_app(data_root, tmp_path, SCENARIO_DIR=str(sdir))
    yield a
    services_of(a).close()


def test_scenario_dir_and_broken_files(bad_dir_app: Flask) -> None:
    """SCENARIO_DIR is listed; a file that cannot be read or applied names file:line."""
    tokens = Tokens(services_of(bad_dir_app))
    c = bad_dir_app.test_client()
    h = tokens.h(tokens.planner)
    by = {s["name"]: s for s in c.get("/api/v1/scenarios", headers=h).get_json()["scenarios"]}
    assert set(by) == {"base", "bad", "typo"}
    assert by["typo"]["error"] and "typo.yml" in by["typo"]["error"]
    assert by["bad"]["error"] is None and by["bad"]["title"] == "A broken scenario"
    detail = problem_of(c.get("/api/v1/scenarios/bad", headers=h), 422)["detail"]
    assert "bad.yml:" in detail and "NOPE" in detail
    r = c.post("/api/v1/scenarios/compare", json={**SMALL, "scenarios": ["base", "typo"]},
               headers=h)
    assert "typo.yml" in problem_of(r, 422)["detail"]


def test_busy_and_failed_jobs(app: Flask, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
                              ) -> None:
    """Beyond 3 pending comparisons is a 429; a comparison that raises ends failed, saying why."""
    import threading

    import web.services.scenarios as mod

    gate = threading.Event()

    def blocked(paths: Any, **kw: Any) -> Any:
        gate.wait(30)
        raise mod.ScenarioRequestError("cells: /nowhere/cells.csv: no such file")

    monkeypatch.setattr(mod, "compare_scenarios", blocked)
    c = app.test_client()
    h = tokens.h(tokens.planner)
    locations = []
    for _ in range(mod.MAX_PENDING):
        r = c.post("/api/v1/scenarios/compare", json=SMALL, headers=h)
        assert r.status_code == 202
        locations.append(r.headers["Location"])
    r = c.post("/api/v1/scenarios/compare", json=SMALL, headers=h)
    assert "at most 3" in problem_of(r, 429)["detail"] and r.headers["Retry-After"] == "30"
    gate.set()
    for loc in locations:
        job = _wait(c, loc, h, timeout_s=30)
        assert job["status"] == "failed" and "cells.csv" in job["error"]
        assert job["result"] is None
    detail = problem_of(c.get(locations[0] + "/cells", headers=h), 409)["detail"]
    assert "failed" in detail and "cells.csv" in detail
    _svc(app).close()

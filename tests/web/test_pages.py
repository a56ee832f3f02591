"""The pages through Flask's test client: rendering, language, offline assets, map JSON."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dispatch.booking import BookingStatus
from tests.web.conftest import Tokens, zone_ride
from web.app import services_of
from web.auth import Role
from web.pages.i18n import LANGUAGES, catalogue, messages
from web.pages.views import LEAFLET_DIST
from web.schemas import VehicleState

WEB = Path(__file__).resolve().parents[2] / "web"
PAGES = ("/login", "/resident", "/dispatcher")
OUTSIDE = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)
needs_leaflet = pytest.mark.skipif(not LEAFLET_DIST.is_dir(),
                                   reason="web/static/node_modules missing (npm ci)")


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_in_japanese_by_default(client: FlaskClient, path: str) -> None:
    """Each page answers 200 in Japanese when the browser states no language."""
    r = client.get(path)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert '<html lang="ja">' in html and r.headers["Content-Language"] == "ja"
    assert "つなぐ" in html and "乗換案内" in html


@pytest.mark.parametrize("path", PAGES)
def test_lang_parameter_switches_and_is_remembered(client: FlaskClient, path: str) -> None:
    """``?lang=en`` renders English, sets the cookie, and the next request stays English."""
    r = client.get(f"{path}?lang=en")
    html = r.get_data(as_text=True)
    assert '<html lang="en">' in html and "Trip planner" in html and "乗換案内" not in html
    assert "tsunagu_lang=en" in r.headers["Set-Cookie"]
    again = client.get(path).get_data(as_text=True)
    assert '<html lang="en">' in again
    back = client.get(f"{path}?lang=ja").get_data(as_text=True)
    assert '<html lang="ja">' in back


def test_accept_language_picks_english(client: FlaskClient) -> None:
    """Accept-Language chooses the language when there is no parameter or cookie."""
    html = client.get("/resident", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(
        as_text=True)
    assert '<html lang="en">' in html
    html = client.get("/resident", headers={"Accept-Language": "fr, ja;q=0.5"}).get_data(
        as_text=True)
    assert '<html lang="ja">' in html
    html = client.get("/resident?lang=xx", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    assert '<html lang="en">' in html


def test_root_redirects_to_the_planner(client: FlaskClient) -> None:
    """``/`` sends residents to the trip planner, keeping ``lang``."""
    r = client.get("/?lang=en")
    assert r.status_code == 302 and r.headers["Location"] == "/resident?lang=en"


@pytest.mark.parametrize("path", PAGES)
def test_no_external_urls_in_pages(client: FlaskClient, path: str) -> None:
    """Pages reference only this server: no CDN, no tile server, no web font."""
    html = client.get(path).get_data(as_text=True)
    assert OUTSIDE.findall(html) == []
    for ref in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert ref.startswith(("/", "?")), ref


def test_no_external_urls_in_our_assets() -> None:
    """Our scripts and stylesheet fetch nothing from outside."""
    files = sorted((WEB / "static" / "assets").glob("*.*"))
    assert {f.name for f in files} >= {"app.css", "session.js", "map.js", "resident.js",
                                       "dispatcher.js", "login.js"}
    for f in files:
        assert OUTSIDE.findall(f.read_text(encoding="utf-8")) == [], f.name


@needs_leaflet
def test_leaflet_is_served_locally(client: FlaskClient) -> None:
    """Leaflet's dist files (script, stylesheet, control images) come from our server only."""
    js = client.get("/vendor/leaflet/leaflet.js")
    assert js.status_code == 200 and b"Leaflet" in js.data[:400]
    css = client.get("/vendor/leaflet/leaflet.css")
    assert css.status_code == 200
    for image in re.findall(r"url\((images/[^)]+)\)", css.get_data(as_text=True)):
        assert client.get(f"/vendor/leaflet/{image}").status_code == 200, image


def test_vendor_route_serves_only_dist(client: FlaskClient) -> None:
    """Nothing outside leaflet's dist folder is reachable through the vendor route."""
    for path in ("/vendor/leaflet/../package.json", "/vendor/leaflet/../../leaflet/package.json",
                 "/vendor/leaflet/%2e%2e/package.json", "/assets/../package.json",
                 "/vendor/leaflet/nothing.js"):
        assert client.get(path).status_code == 404, path


def test_catalogue_is_complete() -> None:
    """Every key has a non-empty text in every language, and placeholders agree."""
    for key, texts in catalogue().items():
        assert set(texts) == set(LANGUAGES), key
        assert all(texts[x].strip() for x in LANGUAGES), key
        holes = {x: set(re.findall(r"\{(\w+)\}", texts[x])) for x in LANGUAGES}
        assert holes["ja"] == holes["en"], key
    with pytest.raises(ValueError, match="lang: 'fr'"):
        messages("fr")


def test_every_ui_string_is_in_the_catalogue() -> None:
    """Keys used by templates and scripts, and the dynamic status/role keys, all exist."""
    keys = set(catalogue())
    used: set[str] = set()
    for f in (WEB / "templates").glob("*.html"):
        used |= set(re.findall(r"t\['([\w.]+)'\]", f.read_text(encoding="utf-8")))
    for f in (WEB / "static" / "assets").glob("*.js"):
        used |= set(re.findall(r"\bt\(\"([\w.]+)\"", f.read_text(encoding="utf-8")))
    assert len(used) > 60
    used |= {f"status.{s.value}" for s in BookingStatus}
    used |= {f"vstate.{s.value}" for s in VehicleState}
    used |= {f"role.{r.value}" for r in Role}
    used |= {f"mode.{m}" for m in ("WALK", "BUS", "ON_DEMAND")}
    assert sorted(used - keys) == []


def test_map_layers_need_a_token(shared_app: Flask) -> None:
    """The map JSON is part of the API: no token is a 401 problem."""
    r = shared_app.test_client().get("/api/v1/map/streets")
    assert r.status_code == 401 and r.mimetype == "application/problem+json"


def test_streets_layer_has_each_street_once(shared_app: Flask, shared_tokens: Tokens) -> None:
    """Each undirected street segment appears once, in the class of its best direction."""
    c = shared_app.test_client()
    r = c.get("/api/v1/map/streets", headers=shared_tokens.h(shared_tokens.alice))
    assert r.status_code == 200
    fc = r.get_json()
    assert fc["type"] == "FeatureCollection"
    classes = {f["properties"]["class"]: f["geometry"]["coordinates"] for f in fc["features"]}
    assert set(classes) == {"major", "street", "path"}
    streets = services_of(shared_app).streets
    pairs = set()
    for u in range(streets.n_nodes):
        for e in range(int(streets.offsets[u]), int(streets.offsets[u + 1])):
            v = int(streets.to_node[e])
            if u != v:
                pairs.add((min(u, v), max(u, v)))
    drawn = [seg for segs in classes.values() for seg in segs]
    assert len(drawn) == len(pairs)
    ends = {tuple(sorted((tuple(a), tuple(b)))) for a, b in drawn}
    assert len(ends) == len(drawn)  # no segment twice
    lon0, lat0 = drawn[0][0]
    assert 36.4 < lat0 < 36.8 and 140.5 < lon0 < 140.8  # [lon, lat] order


def test_network_layer_routes_stops_zones(shared_app: Flask, shared_tokens: Tokens) -> None:
    """Routes, every stop and the on-demand zone (covering a door it sells rides from)."""
    c = shared_app.test_client()
    fc = c.get("/api/v1/map/network", headers=shared_tokens.h(shared_tokens.planner)).get_json()
    services = services_of(shared_app)
    tt = services.timetable
    by = {k: [f for f in fc["features"] if f["properties"]["layer"] == k]
          for k in ("route", "stop", "zone")}
    assert len(by["stop"]) == len(tt.stop_ids)
    assert {f["properties"]["routeId"] for f in by["route"]} == set(tt.route_ids)
    assert all(len(line) >= 2 for f in by["route"] for line in f["geometry"]["coordinates"])
    assert [f["properties"]["zoneId"] for f in by["zone"]] == [s.zone_id for s in services.drt]
    hubs = {h["stopId"] for f in by["zone"] for h in f["properties"]["hubs"]}
    assert hubs == {f["properties"]["stopId"] for f in by["stop"] if f["properties"]["hub"]}
    from shapely.geometry import Point, shape
    door = zone_ride(services)["pickup"]
    assert shape(by["zone"][0]["geometry"]).covers(Point(door["lon"], door["lat"]))


def test_session_names_the_token(shared_app: Flask, shared_tokens: Tokens) -> None:
    """``/session`` answers the token's name and role (the sign-in page uses it)."""
    c = shared_app.test_client()
    me = c.get("/api/v1/session", headers=shared_tokens.h(shared_tokens.driver)).get_json()
    assert me["role"] == "driver" and me["name"] == "dan"
    assert me["vehicleId"] == shared_tokens.vehicle


def test_board_shows_a_booking_with_its_plan(app: Flask, client: FlaskClient,
                                             tokens: Tokens) -> None:
    """A booked ride is on the board; its run's plan has its pick-up and drop-off ETAs."""
    assert client.get("/api/v1/board", headers=tokens.h(tokens.alice)).status_code == 403
    empty = client.get("/api/v1/board", headers=tokens.h(tokens.dispatcher)).get_json()
    assert empty["requests"] == [] and all(r["stops"] == [] for r in empty["runs"])
    assert {v["id"] for v in empty["vehicles"]} == set(services_of(app).fleet.ids())
    body = zone_ride(services_of(app), start="09:00", end="09:20")
    quote = client.post("/api/v1/quotes", json=body, headers=tokens.h(tokens.bob))
    assert quote.status_code == 201
    r = client.post("/api/v1/bookings", json=body,
                    headers=tokens.h(tokens.alice, **{"Idempotency-Key": "k-1"}))
    assert r.status_code == 201, r.get_data(as_text=True)
    booking = r.get_json()
    board = client.get("/api/v1/board", headers=tokens.h(tokens.dispatcher)).get_json()
    assert [b["id"] for b in board["requests"]] == [booking["id"]]  # the quote is left out
    run = next(x for x in board["runs"] if x["runId"] == booking["offer"]["runId"])
    assert [(s["bookingId"], s["kind"]) for s in run["stops"]] == [
        (booking["id"], "pickup"), (booking["id"], "dropoff")]
    pick, drop = run["stops"]
    offer = booking["offer"]
    assert offer["pickupEarliestS"] <= pick["timeS"] <= offer["pickupLatestS"]
    assert pick["timeS"] < drop["timeS"]
    assert (pick["lat"], pick["lon"]) == (booking["pickup"]["lat"], booking["pickup"]["lon"])
    assert run["seatsLeft"] == run["capacitySeats"] - booking["seats"]
    cancel = client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={},
                         headers=tokens.h(tokens.alice))
    assert cancel.status_code == 200
    after = client.get("/api/v1/board", headers=tokens.h(tokens.dispatcher)).get_json()
    assert after["requests"][0]["status"] == "cancelled"
    assert all(r["stops"] == [] for r in after["runs"])


def test_openapi_documents_the_page_endpoints(shared_app: Flask) -> None:
    """The map, board and session endpoints are in the OpenAPI document."""
    doc = shared_app.test_client().get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/map/streets", "/api/v1/map/network", "/api/v1/board",
                 "/api/v1/session"):
        assert "get" in doc["paths"][path], path


@pytest.mark.parametrize(("lang", "title", "nav"), [("ja", "シナリオ比較", "乗換案内"),
                                                    ("en", "Scenario comparison", "Trip planner")])
def test_planner_page_renders_in_both_languages(client: FlaskClient, lang: str, title: str,
                                                nav: str) -> None:
    """``/planner`` answers 200 in Japanese and English, with its script and the map."""
    r = client.get(f"/planner?lang={lang}")
    assert r.status_code == 200 and r.headers["Content-Language"] == lang
    html = r.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and title in html and nav in html
    assert "/assets/planner.js" in html and 'id="map"' in html and 'id="compare-form"' in html
    assert 'id="nav-planner"' in html  # the header link (shown to planners and admins)
    other = "Scenario comparison" if lang == "ja" else "シナリオ比較"
    assert other not in html


def test_planner_page_has_no_external_urls(client: FlaskClient) -> None:
    """The planner page references only this server."""
    html = client.get("/planner").get_data(as_text=True)
    assert OUTSIDE.findall(html) == []
    for ref in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert ref.startswith(("/", "?")), ref
    assert OUTSIDE.findall((WEB / "static" / "assets" / "planner.js").read_text(
        encoding="utf-8")) == []


def test_planner_strings_are_in_both_catalogues() -> None:
    """Every KPI, job phase, count and modification kind the planner page shows has ja + en."""
    from gtfs.scenario_apply import _COUNTED
    from transit import scenario
    from web.planning.report import KPI_SPECS
    from web.services.scenarios import _PHASES

    cat = catalogue()
    kinds = {c.kind for c in vars(scenario).values()
             if isinstance(c, type) and issubclass(c, scenario.Modification) and c.kind}
    assert len(kinds) == 12
    keys = ({f"kpi.{k}" for k, *_ in KPI_SPECS} | {f"phase.{p}" for p in _PHASES}
            | {f"count.{c}" for c in _COUNTED} | {f"modkind.{k.replace('-', '_')}" for k in kinds}
            | {"nav.planner", "planner.title", "unit.min", "unit.h", "unit.jobs"})
    assert sorted(keys - set(cat)) == []
    for key in keys:
        assert all(cat[key][x].strip() for x in LANGUAGES), key
    assert cat["kpi.door_to_door_mean_min"]["ja"] != cat["kpi.door_to_door_mean_min"]["en"]

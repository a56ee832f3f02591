"""The pages in Debian's headless chromium: plan on the map, book, see it on the board."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from routing.geo import haversine_m
from routing.planner import parse_clock
from tests.web.conftest import make_app, zone_ride
from web.app import services_of

CHROMIUM = Path(os.environ.get("TSUNAGU_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 30_000


def _browser_or_skip() -> Any:
    required = os.environ.get("TSUNAGU_REQUIRE_BROWSER") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            pytest.fail("TSUNAGU_REQUIRE_BROWSER=1 but the playwright package is missing")
        pytest.skip("playwright is not installed")
    if not CHROMIUM.exists():
        if required:
            pytest.fail(f"TSUNAGU_REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    return sync_playwright


@pytest.fixture(scope="module")
def server(data_root: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[str, Flask]]:
    """The app served by werkzeug on 127.0.0.1 and a free port, in a background thread."""
    app = make_app(data_root, tmp_path_factory.mktemp("browserdb"))
    services_of(app).warm()
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}", app
    srv.shutdown()
    thread.join(10)
    services_of(app).close()


@pytest.fixture(scope="module")
def browser(server: tuple[str, Flask]) -> Iterator[Any]:
    """Debian's chromium, headless, with every outside request refused."""
    sync_playwright = _browser_or_skip()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, server: tuple[str, Flask]) -> Iterator[Any]:
    """A fresh page (own sessionStorage) whose requests may only go to the test server."""
    base, _ = server
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="ja-JP")
    outside: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(base):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    p = ctx.new_page()
    p.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    yield p
    ctx.close()
    assert outside == [], f"the page asked for outside URLs: {outside}"
    assert errors == [], f"JavaScript errors: {errors}"


def _shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def _sign_in(page: Any, base: str, token: str, lang: str = "ja") -> None:
    page.goto(f"{base}/login?lang={lang}")
    page.fill("#token", token)
    page.click("#login-submit")
    page.wait_for_url(lambda url: "/login" not in url)
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector("path.street")


def _click_at(page: Any, lat: float, lon: float) -> None:
    box = page.locator("#map").bounding_box()
    x, y = page.evaluate(
        "([lat, lon]) => { const m = document.getElementById('map').tsunaguMap;"
        " const p = m.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }", [lat, lon])
    page.mouse.click(box["x"] + x, box["y"] + y)


def _pick_stop(page: Any, end: str, query: str, name: str) -> None:
    page.fill(f"#{end}-input", query)
    page.locator(f"#{end}-suggest button", has_text=name).first.click()
    assert page.input_value(f"#{end}-input") == name


def test_login_page_screenshot(page: Any, server: tuple[str, Flask]) -> None:
    """The sign-in page renders in Japanese; a bad token is refused with a message."""
    base, _ = server
    page.goto(f"{base}/login?lang=ja")
    page.fill("#token", "tsu_000000000000_notavalidtokennotavalidtoken")
    page.click("#login-submit")
    page.wait_for_selector("#login-error:not([hidden])")
    assert "使えません" in page.inner_text("#login-error")
    _shot(page, "login-ja.png")


def test_plan_a_trip_draws_the_itinerary(page: Any, server: tuple[str, Flask]) -> None:
    """Stops found by search, a trip planned on the demo city, its legs drawn on the map."""
    base, app = server
    token = services_of(app).tokens.create(name="hana", role="resident")[0]
    _sign_in(page, base, token)
    assert page.locator("path.route").count() > 0 and page.locator("path.zone").count() > 0
    _pick_stop(page, "from", "十王", "十王駅")
    _pick_stop(page, "to", "日立駅", "日立駅")
    page.fill("#time-input", "08:00")
    page.click("#plan-submit")
    page.wait_for_selector("path.itin-leg")
    assert page.locator("#itineraries > li.itinerary").count() >= 1
    assert page.locator("path.itin-leg.itin-mode-BUS").count() >= 1
    first = page.inner_text("#itineraries > li.itinerary >> nth=0")
    assert "BRT" in first and "08:" in first
    # the drawn path follows the decoded polyline: many vertices, not a straight segment
    d = page.get_attribute("path.itin-leg.itin-mode-BUS >> nth=0", "d")
    assert d is not None and d.count("L") > 10
    _shot(page, "resident-plan-ja.png")

    # a place by map click, then English
    page.click("button.pick[data-end='from']")
    _click_at(page, 36.6990, 140.6830)
    assert page.input_value("#from-input").startswith("地図上の地点 36.69")
    page.click("#plan-submit")
    page.wait_for_function("document.querySelectorAll('path.itin-leg.itin-mode-WALK').length > 0")
    page.goto(f"{base}/resident?lang=en")
    page.wait_for_selector("body[data-ready='1']")
    assert page.inner_text("h1") == "Plan a trip"
    _shot(page, "resident-en.png")


def test_book_a_ride_and_see_it_on_the_board(page: Any, browser: Any,
                                            server: tuple[str, Flask]) -> None:
    """A door-to-hub ride quoted and booked by a resident appears on the dispatcher's board."""
    base, app = server
    services = services_of(app)
    resident = services.tokens.create(name="taro", role="resident")[0]
    dispatcher = services.tokens.create(name="kei", role="dispatcher")[0]
    ride = zone_ride(services, start="08:00", end="08:20")
    _sign_in(page, base, resident)
    page.click("button.pick[data-end='from']")
    _click_at(page, ride["pickup"]["lat"], ride["pickup"]["lon"])
    page.select_option("#ride-hub", ride["dropoff"]["stopId"])
    page.fill("#ride-earliest", "08:00")
    page.fill("#ride-latest", "08:20")
    page.click("#ride-quote")
    page.wait_for_selector("#offer:not([hidden]) #ride-confirm")
    page.click("#ride-confirm")
    page.wait_for_selector("#my-bookings li.booking")
    booking_id = page.get_attribute("#my-bookings li.booking >> nth=0", "data-id")
    assert booking_id
    assert "予約済" in page.inner_text("#my-bookings")
    _shot(page, "resident-booked-ja.png")
    stored = services.store.get(booking_id)
    assert stored.request.rider_id == "taro" and stored.status.value == "booked"

    page.click("#signout")
    page.wait_for_url(lambda url: "/login" in url)
    _sign_in(page, base, dispatcher)
    assert page.url.endswith("/dispatcher")
    row = page.locator(f"#requests-table tr[data-id='{booking_id}']")
    row.wait_for()
    assert "taro" in row.inner_text()
    assert page.locator("path.request-pickup").count() >= 1
    assert page.locator(".veh-icon").count() == len(services.fleet.ids())
    plan = page.locator(f"#plans .plan:has([title='{booking_id}'])")
    assert plan.count() == 1 and "乗車" in plan.inner_text() and "降車" in plan.inner_text()
    _shot(page, "dispatcher-ja.png")

    # a driver's position report reaches the board by polling
    driver = services.tokens.create(name="dai", role="driver",
                                    vehicle_id=services.fleet.ids()[1])[0]
    moved = app.test_client().post(
        f"/api/v1/vehicles/{services.fleet.ids()[1]}/position", json={"lat": 36.69, "lon": 140.66},
        headers={"Authorization": f"Bearer {driver}"})
    assert moved.status_code == 200
    page.wait_for_function(
        "id => (document.querySelector(`#vehicles-table tr[data-id='${id}']`)?.innerText ?? '')"
        ".includes('36.6900')", arg=services.fleet.ids()[1], timeout=15_000)

    plan.locator("button.reopt").click()
    page.wait_for_selector(".flash-ok")
    page.wait_for_function(
        "id => [...document.querySelectorAll('#requests-table tr')].some("
        "r => r.dataset.id === id && r.querySelector('.status-assigned'))", arg=booking_id)
    assert services.store.get(booking_id).status.value == "assigned"

    # reassign to another run of the zone, with the reason the page asks for
    target = page.locator(f"#requests-table tr[data-id='{booking_id}'] select.reassign-to")
    run_to = target.input_value()
    assert run_to and run_to != stored.offer.run_id
    page.once("dialog", lambda d: d.accept("渋滞のため"))
    page.click(f"#requests-table tr[data-id='{booking_id}'] button.reassign")
    page.wait_for_function(
        "([id, run]) => document.querySelector("
        "`#requests-table tr[data-id='${id}'] td.run`)?.innerText === run",
        arg=[booking_id, run_to])
    moved_to = services.store.get(booking_id)
    assert moved_to.offer.run_id == run_to and moved_to.note == "渋滞のため"
    page.goto(f"{base}/dispatcher?lang=en")
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector(f"#requests-table tr[data-id='{booking_id}']")
    assert "Dispatch board" in page.inner_text("h1")
    _shot(page, "dispatcher-en.png")


def test_book_the_on_demand_leg_of_an_itinerary(page: Any, server: tuple[str, Flask],
                                               data_root: Path, tmp_path: Path) -> None:
    """An itinerary's ON_DEMAND leg is drawn and its "book" button books that ride."""
    base, app = server
    services = services_of(app)
    token = services.tokens.create(name="yuki", role="resident")[0]
    door = zone_ride(services, k=3)["pickup"]
    query = {"from": f"{door['lat']},{door['lon']}", "to": "stop:B00019", "time": "08:00"}
    served = app.test_client().get("/api/v1/plan", query_string=query,
                                   headers={"Authorization": f"Bearer {token}"}).get_json()
    # /plan quotes the on-demand leg from the live plans; the page asks the same query
    ondemand = next(leg for it in served["plan"]["itineraries"] for leg in it["legs"]
                    if leg["mode"] == "ON_DEMAND")
    _sign_in(page, base, token)
    page.click("button.pick[data-end='from']")
    _click_at(page, door["lat"], door["lon"])
    _pick_stop(page, "to", "日立駅", "日立駅")
    page.click("#plan-submit")
    page.wait_for_selector("path.itin-leg.itin-mode-ON_DEMAND")
    item = page.locator("#itineraries > li.itinerary:has(.leg-ON_DEMAND)").first
    item.locator(".itin-summary").click()
    window = ondemand["bookingInfo"]["pickupWindow"]
    assert f"{window['startIso'][11:16]}–{window['endIso'][11:16]}" in item.inner_text()
    _shot(page, "resident-ondemand-ja.png")
    item.locator("button.book-leg").click()
    page.wait_for_selector("#my-bookings li.booking")
    booking_id = page.get_attribute("#my-bookings li.booking >> nth=0", "data-id")
    b = services.store.get(booking_id)
    assert b.request.rider_id == "yuki" and b.status.value == "booked"
    out = services.bookings.booking_out(b)
    to = ondemand["to"]
    assert haversine_m(out.dropoff.lat, out.dropoff.lon, to["lat"], to["lon"]) < 300
    assert haversine_m(out.pickup.lat, out.pickup.lon, door["lat"], door["lon"]) < 300
    lo, hi = (parse_clock(window[k][11:19], argument=k) for k in ("startIso", "endIso"))
    assert lo <= b.offer.pickup_earliest_s <= b.offer.pickup_latest_s <= hi
    # the page sent the leg's drop-off deadline (the bus's departure minus the buffer)
    latest = ondemand["bookingInfo"]["latestDropoff"]
    assert b.request.latest_dropoff_s == lo + (latest - window["start"]) // 1000


def test_planner_compares_base_and_alt2(page: Any, server: tuple[str, Flask]) -> None:
    """A planner runs base vs alt2 (small sample): progress, KPI table, charts, cell map."""
    base, app = server
    token = services_of(app).tokens.create(name="sora", role="planner")[0]
    _sign_in(page, base, token)
    assert page.url.endswith("/planner")
    assert page.locator("#nav-planner").is_visible()
    page.wait_for_selector(".scn[data-name='alt2_drt_replaces_feeders'] .delta-chip")
    assert "路線廃止" in page.inner_text(".scn[data-name='alt2_drt_replaces_feeders']")
    page.uncheck("input[name=cmp][value='alt1_brt_branch']")
    assert page.is_checked("input[name=ref][value='base']")
    assert page.is_checked("input[name=cmp][value='alt2_drt_replaces_feeders']")
    page.fill("#opt-trips", "16")
    page.fill("#opt-departures", "2")
    page.click("#compare-run")
    page.wait_for_selector("#progress:not([hidden])")
    page.wait_for_selector("body[data-job='done']", timeout=180_000)
    page.wait_for_selector("#kpi-table")
    page.wait_for_function("document.body.dataset.cells > 0")
    job_id = page.evaluate("sessionStorage.getItem('tsunagu.planner.job')")
    job = app.extensions["tsunagu_scenarios"].job(job_id)
    assert job.status == "done" and job.scenarios == ("base", "alt2_drt_replaces_feeders")
    comp = job.comparison
    # the table shows the comparison's KPI rows, with deltas coloured better / worse
    rows = page.locator("#kpi-table tbody tr")
    assert rows.count() == len(comp.kpi_table)
    bus = page.locator("#kpi-table tr[data-kpi='bus_vehicle_hours'] td.delta")
    assert "better" in (bus.get_attribute("class") or "")  # fewer bus hours with alt2
    assert "バスの運行時間" in page.inner_text("#kpi-table")
    assert page.locator("#charts figure.chart").count() == 6
    assert page.locator("#charts svg rect").count() == 6 * 2
    cells = page.locator("path.cell")
    assert cells.count() == len(comp.results[0].access_origins)
    assert page.locator("path.cell-more, path.cell-fewer").count() > 0
    assert page.locator("#legend").is_visible()
    _shot(page, "planner-ja.png")

    # a reload (here in English) finds the last job and draws it again
    page.goto(f"{base}/planner?lang=en")
    page.wait_for_selector("body[data-job='done'] #kpi-table")
    page.wait_for_function("document.body.dataset.cells > 0")
    assert page.inner_text("h1") == "Scenario comparison"
    assert "Door-to-door, mean" in page.inner_text("#kpi-table")
    assert "Routes removed" in page.inner_text(".scn[data-name='alt2_drt_replaces_feeders']")
    assert not page.is_checked("input[name=cmp][value='alt1_brt_branch']")  # the job's picks
    assert page.input_value("#opt-trips") == "16"
    _shot(page, "planner-en.png")

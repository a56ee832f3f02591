"""The demo city: deterministic, scalable, valid GTFS with its traps, streets, cells and DRT."""

from __future__ import annotations

import io
import itertools
import json
import re
import zipfile
from collections import deque
from datetime import date
from pathlib import Path

import gtfs_kit
import numpy as np
import osmium
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from shapely.geometry import Point, shape

from gtfs.democity import DemoCity, DemoCityError, generate_demo_city, load_demo_city
from transit.errors import TsunaguError

FILES = ("gtfs.zip", "streets.osm", "cells.csv", "drt_service.yaml", "city.json")


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> DemoCity:
    """The size-1 demo city with the default seed."""
    return generate_demo_city(tmp_path_factory.mktemp("demo1"), size=1)


@pytest.fixture(scope="module")
def tables(city: DemoCity) -> dict[str, pd.DataFrame]:
    """Every .txt of the feed as strings, blanks kept as empty strings."""
    with zipfile.ZipFile(city.feed_path) as zf:
        return {n[:-4]: pd.read_csv(io.BytesIO(zf.read(n)), dtype=str, keep_default_na=False)
                for n in zf.namelist() if n.endswith(".txt")}


def _seconds(t: pd.Series) -> pd.Series:
    parts = t.str.split(":", expand=True).astype(int)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


def _first_departures(tables: dict[str, pd.DataFrame], route_id: str, service: str,
                      direction: str) -> np.ndarray:
    trips = tables["trips"]
    ids = trips[(trips.route_id == route_id) & (trips.service_id == service)
                & (trips.direction_id == direction)].trip_id
    st = tables["stop_times"]
    first = st[st.trip_id.isin(ids) & (st.stop_sequence == "1")]
    return np.sort(_seconds(first.departure_time).to_numpy())


def test_same_seed_and_size_give_identical_bytes(city: DemoCity, tmp_path: Path) -> None:
    """Generating again with the same seed and size writes byte-identical files."""
    again = generate_demo_city(tmp_path / "again", size=1, seed=city.seed)
    for name in FILES:
        assert (again.out_dir / name).read_bytes() == (city.out_dir / name).read_bytes(), name


def test_another_seed_gives_another_city(city: DemoCity, tmp_path: Path) -> None:
    """A different seed changes the feed and the cells."""
    other = generate_demo_city(tmp_path / "other", size=1, seed=city.seed + 1)
    assert other.feed_path.read_bytes() != city.feed_path.read_bytes()
    assert other.cells_path.read_bytes() != city.cells_path.read_bytes()
    assert other.population == city.population


def test_size_scales_every_count_roughly_linearly(city: DemoCity, tmp_path: Path) -> None:
    """Size 10 has about ten times the stops, trips, cells, streets and people of size 1."""
    big = generate_demo_city(tmp_path / "ten", size=10, seed=city.seed)
    for name in ("population", "jobs", "n_cells", "n_stops", "n_routes", "n_trips",
                 "n_stop_times", "n_street_nodes", "n_street_edges", "n_drt_vehicles"):
        ratio = getattr(big, name) / getattr(city, name)
        assert 8.5 <= ratio <= 11.5, (name, ratio)
    assert len(big.drt_zone_ids) == 10


def test_feed_reads_with_gtfs_kit_and_references_are_consistent(city: DemoCity) -> None:
    """gtfs-kit reads the zip, and every id a table uses exists where it should."""
    feed = gtfs_kit.read_feed(city.feed_path, dist_units="km")
    assert set(feed.agency.agency_timezone) == {"Asia/Tokyo"}
    assert len(feed.stops) == city.n_stops and len(feed.trips) == city.n_trips
    assert len(feed.stop_times) == city.n_stop_times and len(feed.routes) == city.n_routes
    assert feed.stops.stop_id.is_unique and feed.trips.trip_id.is_unique
    assert feed.stops.stop_code.notna().all()
    assert all(re.search(r"[^\x00-\x7f]", n) for n in feed.stops.stop_name)
    assert feed.stops.stop_name.is_unique
    assert set(feed.routes.agency_id) <= set(feed.agency.agency_id)
    assert set(feed.trips.route_id) == set(feed.routes.route_id)
    assert set(feed.trips.service_id) <= set(feed.calendar.service_id)
    assert set(feed.trips.shape_id) == set(feed.shapes.shape_id)
    assert set(feed.stop_times.trip_id) == set(feed.trips.trip_id)
    assert set(feed.stop_times.stop_id) == set(feed.stops.stop_id)
    assert set(feed.frequencies.trip_id) <= set(feed.trips.trip_id)
    assert set(feed.calendar_dates.service_id) <= set(feed.calendar.service_id)
    lat, lon = feed.stops.stop_lat, feed.stops.stop_lon
    assert lat.between(36.50, 36.75).all() and lon.between(140.55, 140.72).all()
    shapes = feed.shapes.sort_values(["shape_id", "shape_pt_sequence"])
    assert (shapes.groupby("shape_id").shape_dist_traveled.diff().dropna() >= 0).all()


def test_stop_times_are_ordered_and_start_and_end_timed(tables: dict[str, pd.DataFrame]) -> None:
    """Per trip, sequences rise, timed stops never go back in time, ends are timed."""
    st = tables["stop_times"].copy()
    st["seq"] = st.stop_sequence.astype(int)
    st = st.sort_values(["trip_id", "seq"], kind="stable")
    g = st.groupby("trip_id", sort=False)
    assert (g.seq.diff().dropna() > 0).all()
    assert (g.head(1).arrival_time != "").all() and (g.tail(1).arrival_time != "").all()
    timed = st[st.arrival_time != ""].copy()
    timed["t"] = _seconds(timed.arrival_time)
    assert (timed.groupby("trip_id", sort=False).t.diff().dropna() >= 0).all()
    dist = st.shape_dist_traveled.astype(float)
    assert (dist.groupby(st.trip_id, sort=False).diff().dropna() > 0).all()


def test_brt_headways_as_designed(tables: dict[str, pd.DataFrame]) -> None:
    """The BRT runs every 10 min in the peaks, 15 by day, from ~5:30 to past midnight."""
    routes = tables["routes"]
    brt = routes[routes.route_short_name == "BRT"]
    assert len(brt) == 1 and brt.route_type.iloc[0] == "3"
    for direction in ("0", "1"):
        dep = _first_departures(tables, brt.route_id.iloc[0], "weekday", direction)
        gaps = np.diff(dep) // 60
        peak = (dep[1:] >= 7.5 * 3600) & (dep[1:] < 8.75 * 3600)
        midday = (dep[1:] >= 10 * 3600) & (dep[1:] < 15 * 3600)
        assert set(gaps[peak]) == {10}
        assert set(gaps[midday]) == {15}
        assert 5.5 * 3600 <= dep[0] <= 5.75 * 3600
        assert dep[-1] >= 24 * 3600
        assert gaps.max() <= 30
    st = tables["stop_times"]
    late = st[st.trip_id.str.startswith(brt.route_id.iloc[0]) & st.arrival_time.str.match(
        r"^2[45]:")]
    assert len(late) > 0


def test_weekend_brt_daytime_runs_from_frequencies(tables: dict[str, pd.DataFrame]) -> None:
    """frequencies.txt gives the weekend BRT its 15-minute daytime service, exact times."""
    freq = tables["frequencies"]
    trips = tables["trips"].set_index("trip_id")
    assert len(freq) == 2
    assert set(freq.headway_secs) == {"900"} and set(freq.exact_times) == {"1"}
    assert set(trips.loc[freq.trip_id, "service_id"]) == {"weekend"}
    assert (_seconds(freq.end_time) - _seconds(freq.start_time) == 12 * 3600).all()


def test_feeders_run_every_30_to_60_minutes(tables: dict[str, pd.DataFrame]) -> None:
    """Every feeder leaves its hub every 30 or 60 minutes on weekdays."""
    routes = tables["routes"]
    feeders = routes[routes.route_short_name != "BRT"].route_id
    assert len(feeders) >= 5
    for rid in feeders:
        dep = _first_departures(tables, rid, "weekday", "0")
        assert set(np.diff(dep) // 60) == {30, 60}, rid


def test_loop_trips_start_and_end_at_their_hub(tables: dict[str, pd.DataFrame]) -> None:
    """Loop routes leave and return to the same hub, so a trip visits a stop twice."""
    st = tables["stop_times"]
    st = st.assign(seq=st.stop_sequence.astype(int)).sort_values(["trip_id", "seq"])
    g = st.groupby("trip_id")
    first, last = g.stop_id.first(), g.stop_id.last()
    loops = first[first == last].index
    assert len(loops) > 0
    routes = tables["trips"].set_index("trip_id").loc[loops, "route_id"]
    assert routes.nunique() >= 3
    visits = st[st.trip_id == loops[0]].stop_id.value_counts()
    assert visits.max() == 2
    assert "循環" in tables["routes"].set_index("route_id").loc[routes.iloc[0], "route_long_name"]


def test_gtfs_traps_are_present(tables: dict[str, pd.DataFrame]) -> None:
    """Blank non-timepoint times, a zero-second hop, pickup_type 3, 7:05:00-style hours."""
    st = tables["stop_times"]
    blank = st[st.arrival_time == ""]
    assert len(blank) > 0 and set(blank.timepoint) == {"0"} and (blank.departure_time == "").all()
    assert set(st[st.arrival_time != ""].timepoint) == {"1"}
    assert (st.pickup_type == "3").sum() > 0 and (st.drop_off_type == "3").sum() > 0
    assert st.arrival_time.str.match(r"^\d:\d\d:\d\d$").sum() > 0
    assert st.arrival_time.str.match(r"^0\d:\d\d:\d\d$").sum() > 0
    st = st.assign(seq=st.stop_sequence.astype(int)).sort_values(["trip_id", "seq"])
    same_trip = st.trip_id.to_numpy()[1:] == st.trip_id.to_numpy()[:-1]
    zero = (same_trip & (st.departure_time.to_numpy()[:-1] == st.arrival_time.to_numpy()[1:])
            & (st.arrival_time.to_numpy()[1:] != "")
            & (st.stop_id.to_numpy()[:-1] != st.stop_id.to_numpy()[1:]))
    assert zero.sum() > 0


def test_holidays_are_in_both_calendar_files(tables: dict[str, pd.DataFrame]) -> None:
    """A weekday holiday removes weekday service and adds weekend service on that date."""
    cal = tables["calendar"].set_index("service_id")
    cd = tables["calendar_dates"]
    assert set(cal.index) == {"weekday", "weekend"}
    day = cd[cd.date == "20261123"]
    assert set(zip(day.service_id, day.exception_type, strict=True)) == {
        ("weekday", "2"), ("weekend", "1")}
    assert cal.loc["weekday", "monday"] == "1"
    assert cal.loc["weekday", "start_date"] <= "20261123" <= cal.loc["weekday", "end_date"]


def test_compiled_weekday_and_holiday(city: DemoCity) -> None:
    """The compiler reads the feed: a weekday validates; a holiday runs the weekend timetable."""
    from gtfs.compile import compile_service_day
    from gtfs.reader import read_feed

    feed = read_feed(city.feed_path, dist_units="km")
    weekday = compile_service_day(feed, city.sample_weekday)
    weekday.validate()
    holiday = compile_service_day(feed, date(2026, 11, 23))
    sunday = compile_service_day(feed, date(2026, 11, 22))
    assert weekday.n_stops == city.n_stops
    assert holiday.n_trips < weekday.n_trips
    assert abs(holiday.n_trips - sunday.n_trips) <= 10
    assert weekday.n_connections > 5_000


class _OsmCollector(osmium.SimpleHandler):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.nodes: dict[int, tuple[float, float, float]] = {}
        self.ways: list[tuple[list[int], dict[str, str]]] = []

    def node(self, n: osmium.osm.Node) -> None:
        self.nodes[n.id] = (n.location.lat, n.location.lon, float(n.tags.get("ele", "nan")))

    def way(self, w: osmium.osm.Way) -> None:
        self.ways.append(([nd.ref for nd in w.nodes], {t.k: t.v for t in w.tags}))


def test_streets_osm_parses_and_is_connected(city: DemoCity) -> None:
    """streets.osm reads with pyosmium, uses standard tags and is one connected network."""
    osm = _OsmCollector()
    osm.apply_file(str(city.streets_path))
    assert len(osm.nodes) == city.n_street_nodes
    assert sum(len(refs) - 1 for refs, _ in osm.ways) == city.n_street_edges
    highways = {tags["highway"] for _, tags in osm.ways}
    assert {"primary", "secondary", "residential", "footway"} <= highways
    assert any(tags.get("oneway") == "yes" for _, tags in osm.ways)
    assert any("maxspeed" in tags for _, tags in osm.ways)
    assert any(tags.get("incline", "").endswith("%") for _, tags in osm.ways)
    ids = {n: k for k, n in enumerate(osm.nodes)}
    adj: list[list[int]] = [[] for _ in ids]
    for refs, _ in osm.ways:
        for a, b in itertools.pairwise(refs):
            adj[ids[a]].append(ids[b])
            adj[ids[b]].append(ids[a])
    seen = np.zeros(len(ids), dtype=bool)
    seen[0] = True
    todo = deque([0])
    while todo:
        for b in adj[todo.popleft()]:
            if not seen[b]:
                seen[b] = True
                todo.append(b)
    assert seen.all()
    ele = np.array([v[2] for v in osm.nodes.values()])
    assert ele.min() >= 0 and ele.max() > 150


def test_router_loads_streets_and_driving_is_strongly_connected(city: DemoCity) -> None:
    """routing.osm reads streets.osm: every node walkable, one strongly connected car network."""
    import networkx as nx

    from routing.osm import load_osm
    from transit.streets import DRIVE, WALK

    net = load_osm(city.streets_path)
    assert net.n_nodes == city.n_street_nodes
    assert int(((net.flags & WALK) > 0).sum()) == 2 * city.n_street_edges
    drive = (net.flags & DRIVE) > 0
    tail = np.repeat(np.arange(net.n_nodes), np.diff(net.offsets))
    g = nx.DiGraph(zip(tail[drive].tolist(), net.to_node[drive].tolist(), strict=True))
    assert g.number_of_nodes() > 0.9 * net.n_nodes
    assert nx.number_strongly_connected_components(g) == 1
    assert set(np.round(net.drive_speed_m_s[drive] * 3.6).tolist()) == {30.0, 40.0, 50.0}


def test_every_stop_is_near_a_street(city: DemoCity, tables: dict[str, pd.DataFrame]) -> None:
    """Each stop lies within 80 m (half a block) of a street node, so walking reaches it."""
    osm = _OsmCollector()
    osm.apply_file(str(city.streets_path))
    nodes = np.array([(v[0], v[1]) for v in osm.nodes.values()])
    stops = tables["stops"][["stop_lat", "stop_lon"]].astype(float).to_numpy()
    dy = (stops[:, None, 0] - nodes[None, :, 0]) * 111_000
    dx = (stops[:, None, 1] - nodes[None, :, 1]) * 111_000 * np.cos(np.radians(36.6))
    assert np.hypot(dx, dy).min(axis=1).max() < 80


def test_streets_cover_every_inhabited_cell(city: DemoCity) -> None:
    """Every cell where people live has a street node within 200 m of its centre."""
    osm = _OsmCollector()
    osm.apply_file(str(city.streets_path))
    nodes = np.array([(v[0], v[1]) for v in osm.nodes.values()])
    cells = pd.read_csv(city.cells_path)
    lived = cells[cells.population > 0][["lat", "lon"]].to_numpy()
    assert len(lived) > 1_000
    best = np.full(len(lived), np.inf)
    for k in range(0, len(nodes), 2_000):
        chunk = nodes[k:k + 2_000]
        dy = (lived[:, None, 0] - chunk[None, :, 0]) * 111_000
        dx = (lived[:, None, 1] - chunk[None, :, 1]) * 111_000 * np.cos(np.radians(36.6))
        best = np.minimum(best, np.hypot(dx, dy).min(axis=1))
    assert best.max() < 200


def test_drt_zone_is_valid_hilly_and_far_from_stops(city: DemoCity,
                                                     tables: dict[str, pd.DataFrame]) -> None:
    """locations.geojson holds a valid zone on populated hills, far from stops; hubs exist."""
    with zipfile.ZipFile(city.feed_path) as zf:
        geo = json.loads(zf.read("locations.geojson"))
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 1
    feature = geo["features"][0]
    assert feature["id"] == city.drt_zone_ids[0] and feature["geometry"]["type"] == "Polygon"
    zone = shape(feature["geometry"])
    assert zone.is_valid and zone.exterior.is_ccw
    stops = tables["stops"]
    pts = [Point(float(o), float(a)) for a, o in zip(stops.stop_lat, stops.stop_lon, strict=True)]
    assert not any(zone.contains(p) for p in pts)
    assert min(zone.centroid.distance(p) for p in pts) * 90_000 > 700
    cells = pd.read_csv(city.cells_path)
    inside = cells[[zone.contains(Point(o, a)) for a, o in zip(cells.lat, cells.lon,
                                                                strict=True)]]
    assert inside.population.sum() > 2_000 and inside.elevation_m.median() > 40
    service = yaml.safe_load(city.drt_service_path.read_text(encoding="utf-8"))["services"][0]
    assert service["zone_id"] == feature["id"]
    assert set(service["hub_stop_ids"]) <= set(stops.stop_id)
    kinds = {h["kind"] for h in service["hubs"]}
    assert kinds == {"station", "feeder"}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_drt_zone_holds_no_stop_for_any_seed(tmp_path: Path, seed: int) -> None:
    """Whatever the seed, the DRT zone is a valid polygon with no bus stop inside."""
    c = generate_demo_city(tmp_path, size=1, seed=seed)
    with zipfile.ZipFile(c.feed_path) as zf:
        zone = shape(json.loads(zf.read("locations.geojson"))["features"][0]["geometry"])
        stops = pd.read_csv(io.BytesIO(zf.read("stops.txt")))
    assert zone.is_valid and zone.area > 0
    assert not any(zone.contains(Point(o, a))
                   for a, o in zip(stops.stop_lat, stops.stop_lon, strict=True))


def test_drt_service_yaml_describes_hours_fleet_and_booking(city: DemoCity) -> None:
    """drt_service.yaml gives hours, a mixed EV/diesel fleet with wheelchair space, booking."""
    doc = yaml.safe_load(city.drt_service_path.read_text(encoding="utf-8"))
    assert doc["feed"] == "gtfs.zip" and doc["timezone"] == "Asia/Tokyo"
    s = doc["services"][0]
    assert s["service_hours"]["weekday"] == {"gtfs_service_id": "weekday",
                                             "start": "07:00:00", "end": "19:00:00"}
    fleet = s["fleet"]
    assert {v["powertrain"] for v in fleet} == {"ev", "diesel"}
    assert all(v["seats"] > 0 and v["wheelchair_spaces"] >= 0 for v in fleet)
    assert sum(v["wheelchair_spaces"] for v in fleet) > 0
    assert len({v["vehicle_id"] for v in fleet}) == len(fleet) == city.n_drt_vehicles
    assert s["booking"]["min_notice_s"] > 0 and s["booking"]["max_ride_factor"] > 1
    assert s["depot"]["stop_id"] in s["hub_stop_ids"]


def test_cells_sum_to_the_population(city: DemoCity) -> None:
    """cells.csv adds up to 170,000 people; jobs cluster; hills are lived on, peaks are not."""
    cells = pd.read_csv(city.cells_path)
    assert list(cells.columns) == ["cell_id", "lat", "lon", "population", "jobs", "elevation_m"]
    assert len(cells) == city.n_cells and cells.cell_id.is_unique
    assert cells.population.sum() == city.population == 170_000
    assert cells.jobs.sum() == city.jobs
    assert (cells.population >= 0).all() and (cells.jobs >= 0).all()
    top = cells.jobs.sort_values(ascending=False)
    assert top.iloc[: len(cells) // 10].sum() > 0.4 * city.jobs
    assert cells[cells.elevation_m > 40].population.sum() > 0.2 * city.population
    assert cells[cells.elevation_m > 300].population.sum() == 0


@pytest.mark.parametrize("size", [0, -3, 1.5, True, "2", None])
def test_bad_size_is_a_clear_error(tmp_path: Path, size: object) -> None:
    """A size that is not a positive integer raises DemoCityError naming the argument."""
    with pytest.raises(DemoCityError, match=r"^size: ") as info:
        generate_demo_city(tmp_path, size=size)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError) and isinstance(info.value, TsunaguError)


def test_out_dir_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    """An out_dir that is a file raises DemoCityError naming out_dir."""
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(DemoCityError, match=r"^out_dir: .*not a folder"):
        generate_demo_city(f)


def test_reuse_keeps_a_finished_city_and_regenerates_on_other_parameters(tmp_path: Path) -> None:
    """reuse=True returns the city already there; another seed or older code regenerates it."""
    first = generate_demo_city(tmp_path, size=1, seed=7)
    stamp = first.feed_path.stat().st_mtime_ns
    again = generate_demo_city(tmp_path, size=1, seed=7, reuse=True)
    assert again == first and first.feed_path.stat().st_mtime_ns == stamp
    other = generate_demo_city(tmp_path, size=1, seed=8, reuse=True)
    assert other.seed == 8 and load_demo_city(tmp_path) == other
    summary = json.loads((tmp_path / "city.json").read_text(encoding="utf-8"))
    summary["generator_fingerprint"] = "0" * 16
    (tmp_path / "city.json").write_text(json.dumps(summary), encoding="utf-8")
    assert load_demo_city(tmp_path) is None
    assert generate_demo_city(tmp_path, size=1, seed=8, reuse=True) == other
    (tmp_path / "streets.osm").unlink()
    assert load_demo_city(tmp_path) is None


def test_demo_command_prints_summary_and_compile(city: DemoCity, tmp_path: Path) -> None:
    """``tsunagu demo`` reuses the city, prints the summary and a compiled weekday."""
    from web.cli import cli

    runner = CliRunner()
    out = tmp_path / "demo"
    first = runner.invoke(cli, ["demo", "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert "170,000 residents" in first.output and "drt_zone_1" in first.output
    assert "2026-10-07 (Wednesday)" in first.output
    second = runner.invoke(cli, ["demo", "--out", str(out), "--json", "--date", "2026-11-23"])
    assert second.exit_code == 0, second.output
    doc = json.loads(second.output)
    assert doc["reused"] is True and doc["city"]["stops"] == city.n_stops
    assert doc["compile"]["weekday"] == "Monday" and doc["compile"]["trips"] > 0
    bad = runner.invoke(cli, ["demo", "--out", str(out), "--date", "2026-13-01"])
    assert bad.exit_code == 2 and "--date" in bad.output and "Traceback" not in bad.output

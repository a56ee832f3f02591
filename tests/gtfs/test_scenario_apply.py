"""Tests for applying scenario modifications (each kind on a tiny inline feed) and their errors."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from gtfs.compile import compile_service_day
from gtfs.democity import generate_demo_city
from gtfs.ondemand import load_ondemand_service
from gtfs.reader import Feed, read_feed
from gtfs.scenario_apply import AppliedScenario, apply_scenario
from gtfs.scenario_file import ScenarioFileError, read_scenario

DAY = date(2026, 10, 7)  # a Wednesday
#: Four stops on a parallel, 0.01° of longitude apart (S3-S4 0.02°); T1 and T2 run R1.
FILES: dict[str, str] = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\n"
                  "A,Hitachi Bus,http://example.org,Asia/Tokyo\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
                 "S1,One,36.60,140.650\nS2,Two,36.60,140.660\nS3,Three,36.60,140.670\n"
                 "S4,Four,36.60,140.690\nS5,Five,36.61,140.660\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\n"
                  "R1,A,1,Spine,3\nR2,A,2,Feeder,3\n",
    "trips.txt": "route_id,service_id,trip_id,direction_id,shape_id\n"
                 "R1,WK,T1,0,\nR1,WK,T2,0,\nR2,WK,U1,0,\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                      "T1,08:00:00,08:00:00,S1,1\nT1,08:10:00,08:11:00,S2,2\n"
                      "T1,08:20:00,08:20:00,S3,3\nT1,08:40:00,08:40:00,S4,4\n"
                      "T2,09:00:00,09:00:00,S1,1\nT2,09:10:00,09:11:00,S2,2\n"
                      "T2,09:20:00,09:20:00,S3,3\nT2,09:40:00,09:40:00,S4,4\n"
                      "U1,07:00:00,07:00:00,S5,1\nU1,07:05:00,07:05:00,S2,2\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
                    "start_date,end_date\nWK,1,1,1,1,1,0,0,20260101,20261231\n",
}
SQUARE = {"type": "Polygon", "coordinates": [[[140.64, 36.59], [140.70, 36.59], [140.70, 36.62],
                                              [140.64, 36.62], [140.64, 36.59]]]}
DRT: dict[str, Any] = {
    "version": 1, "timezone": "Asia/Tokyo",
    "vehicle_types": [{"vehicle_type_id": "van", "seats": 6, "wheelchair_spaces": 1,
                       "powertrain": "ev"}],
    "services": [{"service_id": "Z", "zone_id": "Z", "name": "Zone", "polygon": SQUARE,
                  "hub_stop_ids": ["S1", "S2"],
                  "service_hours": {"WK": {"start": "07:00:00", "end": "19:00:00"}},
                  "depot": {"stop_id": "S1", "lat": 36.60, "lon": 140.65},
                  "fleet": [{"vehicle_type": "van", "count": 2}]}],
}


def _metres(lon_a: float, lon_b: float, lat: float = 36.60) -> float:
    """Haversine distance along a parallel (the oracle for running times)."""
    p = math.radians(lat)
    h = math.cos(p) ** 2 * math.sin(math.radians(lon_b - lon_a) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def _hms(s: int) -> str:
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo city, generated once for this module."""
    return generate_demo_city(tmp_path_factory.mktemp("demo"), size=1).out_dir


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """The tiny feed in tmp_path/base with its on-demand YAML."""
    folder = tmp_path / "base"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "drt.yaml").write_text(yaml.safe_dump(DRT), encoding="utf-8")
    return folder


def _apply(base: Path, mods: list[dict[str, Any]], name: str = "s") -> AppliedScenario:
    doc = {"version": 1, "name": name,
           "base": {"dir": "base", "feed": ".", "ondemand": "drt.yaml"}, "modifications": mods}
    path = base.parent / f"{name}.yml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return apply_scenario(path, out_dir=base.parent / f"out_{name}")


def _trips(feed: Feed) -> dict[str, list[tuple[str, str, str]]]:
    """trip_id -> [(stop_id, arrival, departure)] as written."""
    st = feed.tables["stop_times"].copy()
    st["seq"] = pd.to_numeric(st["stop_sequence"])
    out: dict[str, list[tuple[str, str, str]]] = {}
    st = st.sort_values(["trip_id", "seq"])
    for t, s, a, d in zip(st["trip_id"], st["stop_id"], st["arrival_time"],
                          st["departure_time"], strict=True):
        out.setdefault(str(t), []).append((str(s), str(a), str(d)))
    return out


def _error(base: Path, mods: list[dict[str, Any]]) -> str:
    with pytest.raises(ScenarioFileError) as info:
        _apply(base, mods, name="bad")
    return str(info.value)


def test_add_route_by_speed_with_a_new_stop(base: Path) -> None:
    """add-route: trips per headway, running times from distance at speed, dwell, both ways."""
    applied = _apply(base, [{
        "kind": "add-route", "route_id": "X", "service_ids": ["WK"], "speed_kmh": 36,
        "dwell_s": 20, "stops": [{"stop_id": "S1"}, "S2", {"name": "New", "lat": 36.60,
                                                             "lon": 140.680}],
        "headways": [{"start": "07:00:00", "end": "08:00:00", "headway_s": 1800}]}])
    feed = read_feed(applied.feed_path)
    trips = _trips(feed)
    hop1 = round(_metres(140.65, 140.66) / 10)  # 36 km/h = 10 m/s
    hop2 = round(_metres(140.66, 140.68) / 10)
    assert (hop1, hop2) == (89, 179)
    t0 = 7 * 3600
    assert trips["X_WK_0_070000"] == [
        ("S1", "07:00:00", "07:00:00"),
        ("S2", _hms(t0 + hop1), _hms(t0 + hop1 + 20)),
        ("X_S03", _hms(t0 + hop1 + 20 + hop2), _hms(t0 + hop1 + 20 + hop2))]
    assert trips["X_WK_0_073000"][0] == ("S1", "07:30:00", "07:30:00")
    assert [s for s, _, _ in trips["X_WK_1_070000"]] == ["X_S03", "S2", "S1"]
    assert set(trips) == {"T1", "T2", "U1", "X_WK_0_070000", "X_WK_0_073000",
                          "X_WK_1_070000", "X_WK_1_073000"}
    stops = feed.tables["stops"].set_index("stop_id")
    assert stops.loc["X_S03", "stop_name"] == "New"
    assert set(feed.tables["shapes"]["shape_id"]) == {"shp_X_0", "shp_X_1"}
    changes = applied.results[0].changes
    assert changes.pop("trip_minutes") in (19, 20)  # 4 trips of 288 s
    assert changes == {"routes": 1, "trips": 4, "stops": 1, "stop_times": 12}


def test_add_route_with_running_times_one_way(base: Path) -> None:
    """add-route with running_times_s and both_directions false: times are exactly those given."""
    applied = _apply(base, [{
        "kind": "add-route", "route_id": "X", "service_ids": ["WK"], "running_times_s": [60, 120],
        "dwell_s": 0, "both_directions": False, "stops": ["S1", "S2", "S3"],
        "headways": [{"start": 28800, "end": 29000, "headway_s": 100}]}])
    trips = _trips(read_feed(applied.feed_path))
    assert trips["X_WK_0_080000"] == [("S1", "08:00:00", "08:00:00"),
                                      ("S2", "08:01:00", "08:01:00"),
                                      ("S3", "08:03:00", "08:03:00")]
    assert trips["X_WK_0_080140"][2] == ("S3", "08:04:40", "08:04:40")
    assert len([t for t in trips if t.startswith("X_")]) == 2


def test_adjust_frequency_replaces_trips_in_the_period(base: Path) -> None:
    """adjust-frequency: trips departing in the period are replaced by copies of the first trip."""
    applied = _apply(base, [{
        "kind": "adjust-frequency", "route_id": "R1",
        "headways": [{"start": "08:30:00", "end": "10:00:00", "headway_s": 1800}]}])
    trips = _trips(read_feed(applied.feed_path))
    assert "T1" in trips and "T2" not in trips  # T1 leaves at 08:00, before the period
    assert sorted(t for t in trips if t.startswith("R1_")) == [
        "R1_WK_0_083000", "R1_WK_0_090000", "R1_WK_0_093000"]
    assert trips["R1_WK_0_090000"] == [("S1", "09:00:00", "09:00:00"),
                                       ("S2", "09:10:00", "09:11:00"),
                                       ("S3", "09:20:00", "09:20:00"),
                                       ("S4", "09:40:00", "09:40:00")]


def test_adjust_frequency_as_frequencies(base: Path) -> None:
    """adjust-frequency with as_frequencies: one template trip plus a frequencies.txt row."""
    applied = _apply(base, [{
        "kind": "adjust-frequency", "route_id": "R1", "as_frequencies": True,
        "headways": [{"start": "06:00:00", "end": "10:00:00", "headway_s": 600}]}])
    feed = read_feed(applied.feed_path)
    freq = feed.tables["frequencies"]
    assert freq[["trip_id", "start_time", "end_time", "headway_secs"]].values.tolist() == [
        ["R1_WK_0_060000", "06:00:00", "10:00:00", "600"]]
    tt = compile_service_day(feed, DAY)
    r1 = tt.route_ids.index("R1")
    assert sum(1 for r in tt.trip_route.tolist() if r == r1) == 24  # 4 h every 10 min


def test_remove_routes_trips_and_stops(base: Path) -> None:
    """remove-routes/trips drop rows; remove-stops drops stop times and trips left too short."""
    applied = _apply(base, [{"kind": "remove-trips", "trip_ids": ["T2"]},
                            {"kind": "remove-stops", "stop_ids": ["S5", "S3"]}])
    feed = read_feed(applied.feed_path)
    trips = _trips(feed)
    assert set(trips) == {"T1"}  # U1 kept only S2: dropped
    assert trips["T1"] == [("S1", "08:00:00", "08:00:00"), ("S2", "08:10:00", "08:11:00"),
                           ("S4", "08:40:00", "08:40:00")]  # nothing re-timed
    assert set(feed.tables["stops"]["stop_id"]) == {"S1", "S2", "S4"}
    applied = _apply(base, [{"kind": "remove-routes", "route_ids": ["R2"]}], name="r")
    feed = read_feed(applied.feed_path)
    assert list(feed.tables["routes"]["route_id"]) == ["R1"]
    assert set(_trips(feed)) == {"T1", "T2"}


def test_remove_stop_that_is_a_hub_drops_it_from_the_zone(base: Path) -> None:
    """Removing a hub stop takes it out of the zone's hubs and the fleet's depot stop."""
    applied = _apply(base, [{"kind": "remove-stops", "stop_ids": ["S1"]}])
    service = load_ondemand_service(applied.feed_path, applied.ondemand_path)
    assert service.zones[0].hub_stop_ids == ("S2",)
    assert service.fleets[0].depot_stop_id is None


def test_reroute_replaces_a_segment_and_shifts_later_stops(base: Path) -> None:
    """reroute: S2 replaced by S5 between S1 and S3, timed at speed, later stops shifted."""
    applied = _apply(base, [{"kind": "reroute", "route_id": "R1", "from_stop_id": "S1",
                             "to_stop_id": "S3", "via": ["S5"], "speed_kmh": 36,
                             "dwell_s": 30}])
    trips = _trips(read_feed(applied.feed_path))


    def hav(a: tuple[float, float], b: tuple[float, float]) -> float:
        p1, p2 = math.radians(a[0]), math.radians(b[0])
        h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(
            math.radians(b[1] - a[1]) / 2) ** 2
        return 2 * 6_371_008.8 * math.asin(math.sqrt(h))

    h1 = round(hav((36.60, 140.65), (36.61, 140.66)) / 10)
    h2 = round(hav((36.61, 140.66), (36.60, 140.67)) / 10)
    t0 = 8 * 3600
    at_s3 = t0 + h1 + 30 + h2
    shift = at_s3 - (8 * 3600 + 20 * 60)
    assert trips["T1"] == [("S1", "08:00:00", "08:00:00"),
                           ("S5", _hms(t0 + h1), _hms(t0 + h1 + 30)),
                           ("S3", _hms(at_s3), _hms(at_s3)),
                           ("S4", _hms(8 * 3600 + 40 * 60 + shift),
                            _hms(8 * 3600 + 40 * 60 + shift))]
    assert [s for s, _, _ in trips["T2"]] == ["S1", "S5", "S3", "S4"]
    assert trips["U1"] == [("S5", "07:00:00", "07:00:00"), ("S2", "07:05:00", "07:05:00")]


def test_adjust_speed_and_dwell(base: Path) -> None:
    """adjust-speed halves running times (dwell kept); adjust-dwell sets the dwell at stops."""
    applied = _apply(base, [{"kind": "adjust-speed", "route_ids": ["R1"], "speed_factor": 2,
                             "start": "08:00:00", "end": "08:30:00"}])
    trips = _trips(read_feed(applied.feed_path))
    assert applied.results[0].changes == {"trip_minutes": -19}  # 85 min -> 65.5, rounded 66
    assert trips["T1"] == [("S1", "08:00:00", "08:00:00"), ("S2", "08:05:00", "08:06:00"),
                           ("S3", "08:10:30", "08:10:30"), ("S4", "08:20:30", "08:20:30")]
    assert trips["T2"][3] == ("S4", "09:40:00", "09:40:00")  # outside the window
    applied = _apply(base, [{"kind": "adjust-dwell", "route_ids": ["R1"], "dwell_s": 30}],
                     name="d")
    trips = _trips(read_feed(applied.feed_path))
    assert trips["T1"] == [("S1", "08:00:00", "08:00:00"), ("S2", "08:10:00", "08:10:30"),
                           ("S3", "08:19:30", "08:20:00"), ("S4", "08:40:00", "08:40:00")]


def test_zone_add_resize_fleet_remove(base: Path) -> None:
    """Zones: add one with a fleet, grow another by 500 m, resize its fleet, remove one."""
    applied = _apply(base, [
        {"kind": "add-zone", "zone_id": "Z2", "name": "Hill",
         "polygon": [[140.60, 36.60], [140.62, 36.60], [140.62, 36.62], [140.60, 36.62]],
         "hub_stop_ids": ["S1"], "windows": [{"service_id": "WK", "start": "08:00:00",
                                              "end": "12:00:00"}],
         "fleet": {"vehicle_counts": {"van": 1}, "depot": {"lat": 36.61, "lon": 140.61},
                   "shift": {"start": "07:45:00", "end": "12:15:00"}}},
        {"kind": "resize-zone", "zone_id": "Z", "buffer_m": 500},
        {"kind": "set-fleet", "zone_id": "Z", "vehicle_counts": {"van": 1, "bus": 2},
         "vehicle_types": [{"vehicle_type_id": "bus", "seats": 20, "wheelchair_spaces": 2,
                            "powertrain": "diesel"}]},
    ])
    service = load_ondemand_service(applied.feed_path, applied.ondemand_path)
    before = load_ondemand_service(base, base / "drt.yaml").zone("Z")
    z = service.zone("Z")
    # a 5.4 x 3.3 km rectangle grown by 0.5 km on every side (mitred corners)
    w, h = _metres(140.64, 140.70, 36.605) / 1000, 0.03 * 111.0
    assert before.area_km2 == pytest.approx(w * h, rel=0.01)
    assert z.area_km2 == pytest.approx((w + 1) * (h + 1), rel=0.01)
    assert service.zone("Z2").windows[0].start_s == 8 * 3600
    assert service.fleet("Z2").n_vehicles == 1  # type: ignore[union-attr]
    assert service.fleet("Z").vehicle_counts == (("van", 1), ("bus", 2))  # type: ignore[union-attr]
    assert service.vehicle_type("bus").co2_g_per_km == 225.0
    applied = _apply(base, [{"kind": "remove-zone", "zone_id": "Z"}], name="rm")
    assert applied.ondemand is not None and applied.ondemand.zones == ()


def test_scale_zone(base: Path) -> None:
    """resize-zone scale_factor 2 quadruples the area about the centroid."""
    applied = _apply(base, [{"kind": "resize-zone", "zone_id": "Z", "scale_factor": 2}])
    before = load_ondemand_service(base, base / "drt.yaml").zone("Z")
    assert applied.ondemand is not None
    assert applied.ondemand.zone("Z").area_km2 == pytest.approx(4 * before.area_km2, rel=1e-3)


@pytest.mark.parametrize(("mods", "expected"), [
    ([{"kind": "add-route", "route_id": "B", "stops": ["S1", "S2"], "service_ids": ["WK"],
       "speed_kmh": 20, "headways": [{"start": "07:00:00", "end": "09:00:00",
                                      "headway_s": -5}]}],
     "bad.yml:19: modifications[0] (add-route 'B'): headways[0].headway_s: -5 must be "
     "positive"),
    ([{"kind": "add-route", "route_id": "B", "stops": ["S1", "S9"], "service_ids": ["WK"],
       "speed_kmh": 20, "headways": [{"start": "07:00:00", "end": "09:00:00",
                                      "headway_s": 600}]}],
     "bad.yml:12: modifications[0] (add-route 'B'): stops[1].stop_id: 'S9' is not a stop of "
     "the feed"),
    ([{"kind": "add-route", "route_id": "B", "stops": ["S1", "S2"], "service_ids": ["XX"],
       "speed_kmh": 20, "headways": [{"start": "07:00:00", "end": "09:00:00",
                                      "headway_s": 600}]}],
     "modifications[0] (add-route 'B'): service_ids[0]: 'XX' is in neither calendar file"),
    ([{"kind": "add-route", "route_id": "R1", "stops": ["S1", "S2"], "service_ids": ["WK"],
       "speed_kmh": 20, "headways": [{"start": "07:00:00", "end": "09:00:00",
                                      "headway_s": 600}]}],
     "route_id: 'R1' is a route of the feed already"),
    ([{"kind": "add-route", "route_id": "B", "stops": ["S1", "S2"], "service_ids": ["WK"],
       "headways": [{"start": "07:00:00", "end": "09:00:00", "headway_s": 600}]}],
     "speed_kmh: give exactly one of speed_kmh and running_times_s"),
    ([{"kind": "adjust-frequency", "route_id": "R1",
       "headways": [{"start": "09:00:00", "end": "08:00:00", "headway_s": 600}]}],
     "modifications[0] (adjust-frequency 'R1'): headways[0].end: 28800 is not after "
     "start_s=32400"),
    ([{"kind": "adjust-frequency", "route_id": "R1",
       "headways": [{"start": "7:00", "end": "08:00:00", "headway_s": 600}]}],
     "headways[0].start: '7:00' is not a time H:MM:SS (or seconds)"),
    ([{"kind": "remove-routes", "route_ids": ["R1"]}, {"kind": "remove-routes",
                                                      "route_ids": ["R9"]}],
     "bad.yml:13: modifications[1] (remove-routes 'R9'): route_ids[0]: 'R9' is not a route of "
     "the feed"),
    ([{"kind": "remove-trips", "trip_ids": ["T9"]}], "trip_ids[0]: 'T9' is not a trip"),
    ([{"kind": "remove-stops", "stop_ids": []}], "stop_ids: is empty: name at least one"),
    ([{"kind": "reroute", "route_id": "R2", "from_stop_id": "S1", "to_stop_id": "S3",
       "speed_kmh": 20}], "from_stop_id: no trip of route 'R2' passes 'S1' and then 'S3'"),
    ([{"kind": "adjust-speed", "route_ids": ["R1"], "speed_factor": 0}],
     "speed_factor: 0 must be positive"),
    ([{"kind": "adjust-dwell", "route_ids": ["R1"], "dwell_s": -1}],
     "dwell_s: -1 must be at least 0"),
    ([{"kind": "resize-zone", "zone_id": "Q", "buffer_m": 100}],
     "modifications[0] (resize-zone 'Q'): zone_id: 'Q' is not an on-demand zone"),
    ([{"kind": "resize-zone", "zone_id": "Z", "buffer_m": -5000}],
     "buffer_m: leaves the zone empty"),
    ([{"kind": "set-fleet", "zone_id": "Z", "vehicle_counts": {"tram": 2}}],
     "vehicle_counts.tram: 'tram' is not a vehicle type"),
    ([{"kind": "set-fleet", "zone_id": "Z", "vehicle_counts": {"van": -2}}],
     "vehicle_counts.van: -2 must be at least 0"),
    ([{"kind": "add-zone", "zone_id": "Z3", "polygon": [[140.6, 36.6], [140.7, 36.7],
                                                         [140.6, 36.7], [140.7, 36.6]]}],
     "modifications[0] (add-zone 'Z3'): polygon: polygon is not valid: Self-intersection"),
    ([{"kind": "teleport", "route_id": "R1"}],
     "modifications[0]: kind: 'teleport' is not one of add-route, "),
    ([{"kind": "remove-routes", "route_ids": ["R1"], "colour": "red"}],
     "colour: unknown key (expected one of route_ids)"),
])
def test_bad_modifications_name_file_modification_and_field(base: Path,
                                                            mods: list[dict[str, Any]],
                                                            expected: str) -> None:
    """A bad modification is a ScenarioFileError naming the file, the modification, the field."""
    message = _error(base, mods)
    assert expected in message, message
    line = int(message.split(":")[1])
    text = (base.parent / "bad.yml").read_text(encoding="utf-8").splitlines()[line - 1]
    field = message.split("): ", 1)[-1].split(": ")[0] if "): " in message else "kind"
    last = field.split(".")[-1].split("[")[0]
    assert last in text or "- " in text, (line, text)


def test_bad_base_and_yaml(base: Path) -> None:
    """A missing feed, an unknown top key, a YAML error and a base cycle are file:line errors."""
    path = base.parent / "x.yml"
    path.write_text("version: 1\nbase: {dir: base, feed: nope.zip}\n", encoding="utf-8")
    with pytest.raises(ScenarioFileError, match=r"^x.yml:2: base.feed: .*nope.zip.*no such"):
        apply_scenario(path, out_dir=base.parent / "o")
    path.write_text("version: 1\nbase: x.yml\n", encoding="utf-8")
    with pytest.raises(ScenarioFileError, match=r"^x.yml:2: base: 'x.yml' leads back"):
        apply_scenario(path, out_dir=base.parent / "o")
    path.write_text("version: 1\nbase: {dir: base, feed: .}\nmods: []\n", encoding="utf-8")
    with pytest.raises(ScenarioFileError, match=r"^x.yml:3: mods: unknown key"):
        apply_scenario(path, out_dir=base.parent / "o")
    path.write_text("version: 1\nbase: [\n", encoding="utf-8")
    with pytest.raises(ScenarioFileError, match=r"^x.yml:3: not valid YAML"):
        apply_scenario(path, out_dir=base.parent / "o")


def test_scenario_inherits_its_base_file(base: Path) -> None:
    """base: other.yml takes that file's base and runs its modifications first."""
    _apply(base, [{"kind": "remove-trips", "trip_ids": ["T2"]}], name="parent")
    child = base.parent / "child.yml"
    child.write_text("version: 1\nbase: parent.yml\nmodifications:\n"
                     "  - {kind: remove-trips, trip_ids: [T2]}\n", encoding="utf-8")
    with pytest.raises(ScenarioFileError, match=r"^child.yml:4: modifications\[0\] "
                                               r"\(remove-trips 'T2'\): trip_ids\[0\]"):
        apply_scenario(child, out_dir=base.parent / "c")
    child.write_text("version: 1\nbase: parent.yml\nmodifications:\n"
                     "  - {kind: remove-trips, trip_ids: [T1]}\n", encoding="utf-8")
    applied = apply_scenario(child, out_dir=base.parent / "c")
    assert [m.label for m in applied.modifications] == ["remove-trips 'T2'",
                                                        "remove-trips 'T1'"]
    scenario = read_scenario(child).scenario
    assert scenario.name == "child" and len(scenario.modifications) == 2
    assert set(_trips(read_feed(applied.feed_path))) == {"U1"}


@pytest.mark.slow
def test_demo_scenarios_apply(demo_dir: Path, tmp_path: Path) -> None:
    """The shipped demo scenarios apply, read back, compile, keep their service; deterministic."""
    root = Path(__file__).resolve().parents[2] / "docs" / "scenarios"
    counts = {}
    for name in ("base", "alt1_brt_branch", "alt2_drt_replaces_feeders"):
        applied = apply_scenario(root / f"{name}.yml", out_dir=tmp_path / name,
                                 base_dir=demo_dir)
        feed = read_feed(applied.feed_path)
        assert feed.warnings == ()
        counts[name] = len(compile_service_day(feed, DAY).trip_ids)
        service = load_ondemand_service(applied.feed_path, applied.ondemand_path)
        assert service.zones[0].zone_id == "drt_zone_1"
        assert applied.streets_path is not None and applied.streets_path.is_file()
        if name == "alt2_drt_replaces_feeders":
            assert service.fleets[0].n_vehicles == 8
            assert service.zones[0].area_km2 > 2 * applied.counts_before["zone_area_ha"] / 100
            assert set(feed.tables["routes"]["route_id"]) >= {"BRT1"}
            assert not {"F1-07", "F1-09"} & set(feed.tables["routes"]["route_id"])
    assert counts["alt1_brt_branch"] > counts["base"] > counts["alt2_drt_replaces_feeders"]
    again = apply_scenario(root / "alt1_brt_branch.yml", out_dir=tmp_path / "again",
                           base_dir=demo_dir)
    assert again.feed_path.read_bytes() == (tmp_path / "alt1_brt_branch" / "gtfs.zip").read_bytes()


def test_frequency_trips_are_made_explicit_before_new_headways(base: Path) -> None:
    """adjust-frequency turns a frequencies.txt trip into explicit trips, then replaces some."""
    (base / "frequencies.txt").write_text("trip_id,start_time,end_time,headway_secs\n"
                                          "T2,10:00:00,11:00:00,1800\n", encoding="utf-8")
    applied = _apply(base, [{"kind": "adjust-frequency", "route_id": "R1",
                             "headways": [{"start": "10:15:00", "end": "12:00:00",
                                           "headway_s": 3600}]}])
    feed = read_feed(applied.feed_path)
    trips = _trips(feed)
    assert sorted(t for t in trips if t != "U1") == ["R1_WK_0_101500", "R1_WK_0_111500", "T1",
                                                     "T2_100000"]
    assert trips["T2_100000"][1] == ("S2", "10:10:00", "10:11:00")
    assert trips["R1_WK_0_111500"][3] == ("S4", "11:55:00", "11:55:00")  # T1's 40 min
    assert "frequencies" not in feed.tables


def test_removing_a_first_stop_times_its_blank_successor(base: Path) -> None:
    """A blank time that becomes a trip's first stop is written with its interpolated time."""
    st = FILES["stop_times.txt"].replace("T1,08:10:00,08:11:00,S2,2", "T1,,,S2,2")
    (base / "stop_times.txt").write_text(st, encoding="utf-8")
    applied = _apply(base, [{"kind": "remove-stops", "stop_ids": ["S1"]}])
    trips = _trips(read_feed(applied.feed_path))
    assert trips["T1"][0] == ("S2", "08:10:00", "08:10:00")  # S2 halfway from S1 to S3
    applied = _apply(base, [{"kind": "remove-trips", "trip_ids": ["T2"]}], name="keep")
    assert _trips(read_feed(applied.feed_path))["T1"][1] == ("S2", "", "")  # stays blank


def test_reroute_applies_to_the_reverse_direction(base: Path) -> None:
    """A trip passing to_stop then from_stop gets the via stops in reverse order."""
    trips = FILES["trips.txt"] + "R1,WK,T3,1,\n"
    st = FILES["stop_times.txt"] + ("T3,10:00:00,10:00:00,S4,1\nT3,10:20:00,10:20:00,S3,2\n"
                                    "T3,10:30:00,10:30:00,S2,3\nT3,10:40:00,10:40:00,S1,4\n")
    (base / "trips.txt").write_text(trips, encoding="utf-8")
    (base / "stop_times.txt").write_text(st, encoding="utf-8")
    (base / "stops.txt").write_text(FILES["stops.txt"] + "S6,Six,36.605,140.665\n",
                                    encoding="utf-8")
    applied = _apply(base, [{"kind": "reroute", "route_id": "R1", "from_stop_id": "S1",
                             "to_stop_id": "S3", "via": ["S5", "S6"], "speed_kmh": 30}])
    out = _trips(read_feed(applied.feed_path))
    assert [s for s, _, _ in out["T1"]] == ["S1", "S5", "S6", "S3", "S4"]
    assert [s for s, _, _ in out["T3"]] == ["S4", "S3", "S6", "S5", "S1"]
    assert out["T3"][:2] == [("S4", "10:00:00", "10:00:00"), ("S3", "10:20:00", "10:20:00")]


def test_numeric_ids_and_base_overwrite(base: Path) -> None:
    """Unquoted numeric ids are read as text; writing over the base feed is refused."""
    (base / "stops.txt").write_text(FILES["stops.txt"] + "1001,Numbered,36.60,140.655\n",
                                    encoding="utf-8")
    applied = _apply(base, [{"kind": "add-route", "route_id": 77, "stops": [1001, "S2"],
                             "service_ids": ["WK"], "speed_kmh": 20, "both_directions": False,
                             "headways": [{"start": 0, "end": 60, "headway_s": 60}]}])
    assert "77_WK_0_000000" in _trips(read_feed(applied.feed_path))
    path = base.parent / "over.yml"
    path.write_text("version: 1\nbase: {dir: out_s, feed: gtfs.zip}\n", encoding="utf-8")
    with pytest.raises(ScenarioFileError, match=r"would overwrite the base file gtfs\.zip"):
        apply_scenario(path, out_dir=base.parent / "out_s")

"""Tests for gtfs.flex and gtfs.ondemand: GTFS-Flex zones, booking rules, round trip, demo city."""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from gtfs.democity import DemoCity, generate_demo_city
from gtfs.errors import FeedError
from gtfs.flex import read_flex
from gtfs.ondemand import load_ondemand_service, write_flex
from tests.gtfs.flexfeed import ST_HEADER, Z1_SHELL, locations, write_feed
from transit.ondemand import BookingRules, Fleet, OnDemandService, ServiceWindow, VehicleType


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> DemoCity:
    """A freshly generated demo city."""
    return generate_demo_city(tmp_path_factory.mktemp("demo"), size=1)


def _geojson_line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_zones_windows_hubs_and_rules_from_flex(tmp_path: Path) -> None:
    """Windows per service id, hubs from stops and location groups, the zone's booking rule."""
    flex = read_flex(write_feed(tmp_path))
    z1, z2 = flex.zones
    assert (z1.zone_id, z1.name, z2.zone_id, z2.name) == ("Z1", "Hill zone", "Z2", "Twin zone")
    assert z1.windows == (ServiceWindow("WE", 8 * 3600, 12 * 3600),
                          ServiceWindow("WE", 13 * 3600, 17 * 3600),
                          ServiceWindow("WK", 7 * 3600, 19 * 3600))
    assert z1.hub_stop_ids == ("S1", "S2", "S3")
    assert z1.booking_rule_id == "R1" and z2.booking_rule_id is None and z2.windows == ()
    assert len(z1.polygon.interiors) == 1 and z2.polygon.geom_type == "MultiPolygon"
    r1, r2 = flex.booking_rules
    assert (r1.booking_type, r1.min_notice_s, r1.max_advance_days, r1.opens_at_s) == \
        (1, 1800, 7, 8 * 3600)
    assert (r1.message, r1.phone_number, r1.booking_url) == \
        ("Call us", "0294-00-0000", "https://example.org/book")
    assert (r2.booking_type, r2.last_day_before, r2.last_time_s) == (2, 1, 17 * 3600)
    assert flex.location_groups == {"G1": ("S2", "S3")}
    service = flex.service()
    assert service.fleets == () and service.zone_at(36.601, 140.601) == z1
    assert service.zone_at(36.61, 140.61) is None  # the hole


def test_zip_reads_like_the_folder(tmp_path: Path) -> None:
    """The same feed zipped gives the same zones and rules."""
    a = read_flex(write_feed(tmp_path / "a"))
    b = read_flex(write_feed(tmp_path / "b", as_zip=True))
    assert a.zones == b.zones and a.booking_rules == b.booking_rules


def test_feed_without_flex_has_no_zones(tmp_path: Path) -> None:
    """No Flex file: no zones, and stop_times.txt without Flex columns is not parsed."""
    changes: dict[str, str | None] = {
        "locations.geojson": None, "booking_rules.txt": None, "location_groups.txt": None,
        "location_group_stops.txt": None,
        "stop_times.txt": "trip_id,stop_id,stop_sequence,arrival_time,departure_time\n"
                          "B1,S1,1,7:00:00,7:00:00\nB1,NOT_A_STOP,2,7:10:00,7:10:00\n"}
    flex = read_flex(write_feed(tmp_path, changes))
    assert flex.zones == () and flex.booking_rules == ()
    assert load_ondemand_service(tmp_path).zones == ()


def _bad_locations(**override: object) -> str:
    return json.dumps(locations(**override), indent=1)


def _st(*rows: str) -> str:
    return ST_HEADER + "".join(r + "\n" for r in rows)


BOWTIE = [[140.60, 36.60], [140.62, 36.62], [140.62, 36.60], [140.60, 36.62], [140.60, 36.60]]
OPEN_RING = [*Z1_SHELL[:-1], [140.60, 36.601]]


@pytest.mark.parametrize(("changes", "where", "message"), [
    ({"locations.geojson": _bad_locations(geometry={"type": "Polygon",
                                                    "coordinates": [OPEN_RING]})},
     "locations.geojson:Z1", r"polygon 0 ring 0 is not closed: first position \[140.6, 36.6\] "
                             r"differs from the last \[140.6, 36.601\]"),
    ({"locations.geojson": _bad_locations(geometry={"type": "Polygon",
                                                    "coordinates": [BOWTIE]})},
     "locations.geojson:Z1", r"polygon is not valid: Self-intersection\[140.61 36.61\]"),
    ({"locations.geojson": _bad_locations(geometry={"type": "Point",
                                                    "coordinates": [140.6, 36.6]})},
     "locations.geojson:Z1", "geometry type 'Point' is not Polygon or MultiPolygon"),
    ({"locations.geojson": _bad_locations(geometry={"type": "Polygon", "coordinates": [
        [[40000.0, 0.0], [40100.0, 0.0], [40100.0, 100.0], [40000.0, 0.0]]]})},
     "locations.geojson:Z1", "are not lon/lat in WGS84"),
    ({"locations.geojson": _bad_locations(id="S1")},
     "locations.geojson:S1", "id 'S1' is also a stops.txt stop_id"),
    ({"locations.geojson": _bad_locations(id="Z2")},
     "locations.geojson", "id 'Z2' is not unique"),
    ({"locations.geojson": _bad_locations(id=7)},
     "locations.geojson", "id 7 is not a non-blank string"),
    ({"locations.geojson": '{"type": "FeatureCollection",\n "features": [,]}'},
     "locations.geojson:2", "not valid JSON"),
    ({"stop_times.txt": _st("F1,,Z1,,1,,,08:00:00,07:00:00,2,1,R1,R1")},
     "stop_times.txt:2", "end_pickup_drop_off_window 07:00:00 is not after "
                         "start_pickup_drop_off_window 08:00:00"),
    ({"stop_times.txt": _st("F1,,Z1,,1,,,07:00:00,08:00:00,2,1,NOPE,")},
     "stop_times.txt:2", "pickup_booking_rule_id 'NOPE' is not in booking_rules.txt"),
    ({"stop_times.txt": _st("F1,,Z1,,1,,,07:00:00,08:00:00,2,1,R1,", "F1,,ZZ,,2,,,7:00:00,"
                            "8:00:00,1,2,,")},
     "stop_times.txt:3", "location_id 'ZZ' is not a Feature id of locations.geojson"),
    ({"stop_times.txt": _st("F1,S1,Z1,,1,,,07:00:00,08:00:00,2,1,R1,")},
     "stop_times.txt:2", "exactly one of stop_id, location_id and location_group_id"),
    ({"stop_times.txt": _st("F1,,Z1,,1,,,,08:00:00,2,1,R1,")},
     "stop_times.txt:2", "start_pickup_drop_off_window and end_pickup_drop_off_window are "
                         "required"),
    ({"stop_times.txt": _st("F1,,Z1,,1,07:00:00,,07:00:00,08:00:00,2,1,R1,")},
     "stop_times.txt:2", "arrival_time/departure_time are forbidden"),
    ({"stop_times.txt": _st("F1,,Z1,,1,,,07:00:00,08:00:00,2,1,R1,",
                            "F2,,Z1,,1,,,09:00:00,10:00:00,2,1,R2,")},
     "stop_times.txt:3", "uses booking rule 'R2' here and 'R1' at line 2"),
    ({"stop_times.txt": _st("F1,,Z1,,1,,,07:00:00,08:00:00,2,1,R1,",
                            "F1,S7,,,2,,,07:00:00,08:00:00,1,2,,")},
     "stop_times.txt:3", "stop_id 'S7' is not in stops.txt"),
    ({"location_group_stops.txt": "location_group_id,stop_id\nG1,S2\nG1,S9\n"},
     "location_group_stops.txt:3", "stop_id 'S9' is not in stops.txt"),
    ({"booking_rules.txt": "booking_rule_id,booking_type\nR1,1\n"},
     "booking_rules.txt:2", "prior_notice_duration_min is required when booking_type is 1"),
    ({"booking_rules.txt": "booking_rule_id,booking_type,prior_notice_duration_min\nR1,0,30\n"},
     "booking_rules.txt:2", "prior_notice_duration_min 30 is forbidden when booking_type is 0"),
    ({"booking_rules.txt": "booking_rule_id,booking_type\nR1,5\n"},
     "booking_rules.txt:2", "booking_type '5' is not 0, 1 or 2"),
    ({"stops.txt": None}, "stops.txt", "required file is missing"),
])
def test_invalid_flex_is_a_feed_error_with_file_and_line(
        tmp_path: Path, changes: dict[str, str | None], where: str, message: str) -> None:
    """Each invalid Flex definition is a FeedError naming the file, the line and the value."""
    with pytest.raises(FeedError, match=message) as info:
        read_flex(write_feed(tmp_path, changes))
    file, _, anchor = where.partition(":")
    text = str(info.value)
    assert text.startswith(file)
    if anchor.isdigit():
        assert text.startswith(f"{file}:{anchor}: ")
    elif anchor:  # a Feature: the line of its id
        line = _geojson_line(changes["locations.geojson"] or "", f'"id": "{anchor}"')
        assert text.startswith(f"{file}:{line}: ")


def _full_service(tmp_path: Path) -> OnDemandService:
    flex = read_flex(write_feed(tmp_path / "src"))
    z1, z2 = flex.zones
    r1, r2 = flex.booking_rules
    r1 = replace(r1, max_ride_factor=1.75, pickup_window_s=900, fare_yen=200)
    return OnDemandService(
        zones=(z1, replace(z2, windows=(ServiceWindow("WK", 6 * 3600, 25 * 3600),),
                           hub_stop_ids=("S3",), booking_rule_id="R2", service_id="twin")),
        vehicle_types=(VehicleType("van", 9, 1, "diesel", 225.5, model="Hiace", range_km=600),
                       VehicleType("ev", 6, 0, "ev", 70.0)),
        fleets=(Fleet("Z2", (("ev", 1),), 36.70, 140.70, 6 * 3600, 25 * 3600),
                Fleet("Z1", (("van", 2), ("ev", 0)), 36.63, 140.61, 25200, 68400, "S1")),
        booking_rules=(r1, r2), timezone="Asia/Tokyo")


def test_write_flex_round_trip(tmp_path: Path) -> None:
    """write_flex then load_ondemand_service gives back an equal service."""
    service = _full_service(tmp_path)
    out = tmp_path / "scenario"
    out.mkdir()
    shutil.copy(tmp_path / "src" / "stops.txt", out / "stops.txt")
    written = write_flex(service, out)
    assert [p.name for p in written] == ["locations.geojson", "booking_rules.txt",
                                         "drt_service.yaml"]
    again = load_ondemand_service(out, out / "drt_service.yaml")
    assert again == service
    # the Flex files alone carry the zones and the GTFS part of the rules
    flex_only = load_ondemand_service(out)
    assert [z.zone_id for z in flex_only.zones] == ["Z1", "Z2"]
    assert flex_only.booking_rules[0].min_notice_s == 1800
    assert flex_only.booking_rules[0].max_ride_factor == 1.5  # the YAML carries 1.75


def test_write_flex_refuses_notice_not_in_whole_minutes(tmp_path: Path) -> None:
    """booking_rules.txt counts minutes, so 1799 s of notice cannot be written."""
    service = OnDemandService(zones=(), booking_rules=(BookingRules("R", min_notice_s=1799),))
    with pytest.raises(FeedError, match="min_notice_s=1799 is not whole minutes"):
        write_flex(service, tmp_path)
    assert not (tmp_path / "locations.geojson").exists()


def test_demo_city_service_loads(city: DemoCity) -> None:
    """The demo city's Flex zone and drt_service.yaml load into one checked service."""
    doc = yaml.safe_load(city.drt_service_path.read_text(encoding="utf-8"))
    service = load_ondemand_service(city.feed_path, city.drt_service_path)
    assert [z.zone_id for z in service.zones] == [s["zone_id"] for s in doc["services"]]
    s0, z = doc["services"][0], service.zones[0]
    assert z.hub_stop_ids == tuple(s0["hub_stop_ids"]) and z.service_id == s0["service_id"]
    assert service.is_open(z, 7 * 3600, service_ids={"weekday"})
    assert not service.is_open(z, 19 * 3600, service_ids={"weekday"})
    assert service.is_open(z, 17 * 3600, service_ids={"weekend"})
    fleet = service.fleet(z)
    assert fleet is not None
    assert [v for v, _ in fleet.vehicle_ids()] == [v["vehicle_id"] for v in s0["fleet"]]
    assert sum(service.vehicle_type(t).wheelchair_spaces * n
               for t, n in fleet.vehicle_counts) == sum(v["wheelchair_spaces"]
                                                        for v in s0["fleet"])
    rule = service.booking(z)
    assert rule is not None and rule.pickup_window_s == s0["booking"]["max_wait_s"]
    assert rule.min_notice_s == s0["booking"]["min_notice_s"]
    assert 0.5 < z.area_km2 < 5.0
    c = z.polygon.representative_point()
    assert service.zone_at(c.y, c.x) == z
    with zipfile.ZipFile(city.feed_path) as zf:
        stops = zf.read("stops.txt").decode().splitlines()[1:]
    assert all(service.zone_at(float(r.split(",")[4]), float(r.split(",")[5])) is None
               for r in stops)
    # the YAML alone finds its feed (feed: gtfs.zip)
    assert load_ondemand_service(None, city.drt_service_path) == service


def test_demo_city_round_trip(city: DemoCity, tmp_path: Path) -> None:
    """The demo service written as a scenario reads back equal."""
    service = load_ondemand_service(city.feed_path, city.drt_service_path)
    with zipfile.ZipFile(city.feed_path) as zf:
        (tmp_path / "stops.txt").write_bytes(zf.read("stops.txt"))
    write_flex(service, tmp_path)
    assert load_ondemand_service(tmp_path, tmp_path / "drt_service.yaml") == service

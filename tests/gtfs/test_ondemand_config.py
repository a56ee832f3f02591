"""Tests for gtfs.ondemand_config: the YAML service definition, merged with GTFS-Flex."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from gtfs.errors import FeedError
from gtfs.ondemand import load_ondemand_service
from gtfs.ondemand_config import DEFAULT_CO2_G_PER_KM, ConfigError
from tests.gtfs.flexfeed import write_feed
from transit.ondemand import ServiceWindow

H = 3600
BASE: dict[str, Any] = {
    "version": 1,
    "feed": "feed",
    "timezone": "Asia/Tokyo",
    "vehicle_types": [{"vehicle_type_id": "van", "model": "Hiace", "seats": 9,
                       "wheelchair_spaces": 1, "powertrain": "diesel"}],
    "booking_rules": [{"booking_rule_id": "R1", "max_ride_factor": 2.0,
                       "pickup_window_s": 900}],
    "services": [
        {"service_id": "hill", "name": "Hill ride", "zone_id": "Z1", "hub_stop_ids": ["S2"],
         "service_hours": {"sat": {"gtfs_service_id": "SA", "start": "09:00:00",
                                   "end": "12:00:00"}},
         "depot": {"stop_id": "S1"},
         "fleet": [{"vehicle_type": "van", "count": 2},
                   {"vehicle_id": "e1", "model": "e-NV200", "seats": 6, "wheelchair_spaces": 0,
                    "powertrain": "ev"}]},
        {"service_id": "park", "zone_id": "P1",
         "polygon": {"type": "Polygon", "coordinates": [[[140.8, 36.8], [140.81, 36.8],
                                                         [140.81, 36.81], [140.8, 36.8]]]},
         "hub_stop_ids": ["S3"],
         "service_hours": {"WK": {"windows": [{"start": "7:00:00", "end": "9:00:00"},
                                              {"start": 61200, "end": 68400}]}},
         "booking": {"booking_type": 0, "pickup_window_s": 300},
         "depot": {"lat": 36.8, "lon": 140.8},
         "shift": {"start": "06:30:00", "end": "19:30:00"},
         "fleet": [{"vehicle_type": "van", "count": 1}]},
    ],
}


def _write(tmp_path: Path, doc: dict[str, Any] | str) -> Path:
    write_feed(tmp_path / "feed")
    path = tmp_path / "drt_service.yaml"
    text = doc if isinstance(doc, str) else yaml.safe_dump(doc, allow_unicode=True,
                                                           sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_completes_the_flex_zones(tmp_path: Path) -> None:
    """Windows and hubs are united, fleets and rule details added, a YAML-only zone built."""
    service = load_ondemand_service(None, _write(tmp_path, BASE))
    assert [z.zone_id for z in service.zones] == ["Z1", "Z2", "P1"]
    z1, z2, p1 = service.zones
    assert (z1.name, z1.service_id) == ("Hill ride", "hill")
    assert z1.windows == (ServiceWindow("SA", 9 * H, 12 * H), ServiceWindow("WE", 8 * H, 12 * H),
                          ServiceWindow("WE", 13 * H, 17 * H), ServiceWindow("WK", 7 * H, 19 * H))
    assert z1.hub_stop_ids == ("S2", "S1", "S3")
    rule = service.booking(z1)
    assert rule is not None and (rule.booking_rule_id, rule.min_notice_s, rule.max_ride_factor,
                                 rule.pickup_window_s) == ("R1", 1800, 2.0, 900)
    fleet = service.fleet(z1)
    assert fleet is not None and fleet.vehicle_counts == (("van", 2), ("e-NV200", 1))
    assert (fleet.depot_lat, fleet.depot_lon, fleet.depot_stop_id) == (36.63, 140.61, "S1")
    assert (fleet.shift_start_s, fleet.shift_end_s) == (7 * H, 19 * H)  # first to last window
    ev = service.vehicle_type("e-NV200")
    assert ev.energy == "ev" and ev.co2_g_per_km == DEFAULT_CO2_G_PER_KM["ev"]
    assert service.fleet(z2) is None and z2.windows == ()
    assert p1.windows == (ServiceWindow("WK", 7 * H, 9 * H), ServiceWindow("WK", 17 * H, 19 * H))
    park = service.booking(p1)
    assert park is not None and (park.booking_rule_id, park.booking_type) == ("park", 0)
    p_fleet = service.fleet(p1)
    assert p_fleet is not None and (p_fleet.shift_start_s, p_fleet.shift_end_s) == \
        (6 * H + 1800, 19 * H + 1800)
    assert service.timezone == "Asia/Tokyo"
    assert service.zone_at(36.801, 140.8095) == p1


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return apply


_DELETE = object()
BOWTIE = [[140.8, 36.8], [140.81, 36.81], [140.81, 36.8], [140.8, 36.81], [140.8, 36.8]]


@pytest.mark.parametrize(("change", "needle", "message"), [
    (_set(("services", 0, "hub_stop_ids"), ["S9"]), "- S9",
     r"services\[0\].hub_stop_ids\[0\]: stop_id 'S9' is not in stops.txt"),
    (_set(("services", 0, "service_hours", "sat", "end"), "08:00:00"), "end: 08:00:00",
     r"services\[0\].service_hours.sat.end: '08:00:00' is not after start '09:00:00' "
     r"\(the window ends before it starts\)"),
    (_set(("services", 0, "fleet", 0, "count"), -1), "count: -1",
     r"services\[0\].fleet\[0\].count: -1 is not a non-negative integer"),
    (_set(("services", 0, "fleet", 0, "vehicle_type"), "bus"), "vehicle_type: bus",
     r"services\[0\].fleet\[0\].vehicle_type: 'bus' is not one of vehicle_types \(van"),
    (_set(("services", 1, "booking"), _DELETE), None, None),  # placeholder, replaced below
    (_set(("services", 0, "fleet", 1, "seatz"), 3), "seatz: 3",
     r"services\[0\].fleet\[1\].seatz: unknown key"),
    (_set(("services", 0, "zone_id"), "Z7"), "zone_id: Z7",
     r"services\[0\].zone_id: 'Z7' is not a Feature id of locations.geojson and the "
     "service gives no polygon"),
    (_set(("services", 1, "polygon", "coordinates"),
          [[[140.8, 36.8], [140.81, 36.8], [140.81, 36.81], [140.8, 36.805]]]), "polygon:",
     r"services\[1\].polygon: polygon 0 ring 0 is not closed"),
    (_set(("services", 1, "polygon", "coordinates"), [BOWTIE]), "polygon:",
     r"services\[1\].polygon: polygon: polygon is not valid: Self-intersection"),
    (_set(("version",), 2), "version: 2", r"version: 2 is not a supported version"),
    (_set(("booking_rules", 0, "min_notice_s"), 600), "min_notice_s: 600",
     r"booking_rules\[0\].min_notice_s: 600 contradicts booking_rules.txt:2 "
     r"\(min_notice_s 1800 there\)"),
    (_set(("services", 0, "service_hours", "WK"), {"start": "07:00:00", "end": "18:00:00"}),
     "service_hours:", r"windows of GTFS service 'WK' \[07:00:00-18:00:00\] differ from "
                       r"stop_times.txt's \[07:00:00-19:00:00\]"),
    (_set(("services", 1, "zone_id"), "Z1"), "polygon:",
     r"services\[1\].polygon: zone 'Z1' is a Feature of locations.geojson already"),
    (_set(("services", 0, "fleet", 0), {"vehicle_id": "e2", "model": "e-NV200", "seats": 5,
                                        "wheelchair_spaces": 0, "powertrain": "ev"}),
     "vehicle_id: e1", r"vehicle type 'e-NV200' is .*seats=6.* here but .*seats=5"),
    (_set(("services", 1, "shift", "end"), "06:00:00"), "end: 06:00:00",
     r"services\[1\].shift.end: '06:00:00' is not after start '06:30:00'"),
    (_set(("services", 0, "depot", "stop_id"), "S8"), "stop_id: S8",
     r"services\[0\].depot.stop_id: stop_id 'S8' is not in stops.txt"),
    (_set(("services", 0, "fleet", 1, "powertrain"), "steam"), "powertrain: steam",
     r"services\[0\].fleet\[1\].powertrain: 'steam' is not one of"),
    (_set(("vehicle_types", 0, "seats"), -3), "seats: -3",
     r"vehicle_types\[0\].seats: VehicleType\('van'\): seats=-3 must be at least 0"),
    (_set(("services", 1, "booking", "max_ride_factor"), 0.5), "max_ride_factor: 0.5",
     r"services\[1\].booking.max_ride_factor: BookingRules\('park'\): max_ride_factor=0.5 "
     "must be at least 1"),
])
def test_invalid_yaml_is_a_config_error_with_line_and_key_path(
        tmp_path: Path, change: Callable[[dict[str, Any]], None], needle: str | None,
        message: str | None) -> None:
    """Each invalid definition names drt_service.yaml, the line, the key path and the value."""
    doc = copy.deepcopy(BASE)
    if needle is None:  # a booking_rule_id that names no rule
        del doc["services"][1]["booking"]
        doc["services"][1]["booking_rule_id"] = "NOPE"
        needle, message = "booking_rule_id: NOPE", (r"services\[1\].booking_rule_id: 'NOPE' is "
                                                    "not a booking rule")
    else:
        change(doc)
    path = _write(tmp_path, doc)
    text = path.read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_ondemand_service(None, path)
    assert isinstance(info.value, FeedError) and isinstance(info.value, ValueError)
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert str(info.value).split(": ", 1)[0] in {f"drt_service.yaml:{n}" for n in lines}


def test_unquoted_clock_is_not_read_as_base_60(tmp_path: Path) -> None:
    """An unquoted 19:00 is a string, refused as a time, never 1140 seconds."""
    doc = copy.deepcopy(BASE)
    doc["services"][0]["service_hours"]["sat"]["end"] = "@END@"
    text = yaml.safe_dump(doc, sort_keys=False).replace("'@END@'", "19:00")
    with pytest.raises(ConfigError, match=r"sat.end: '19:00' is not a time H:MM:SS"):
        load_ondemand_service(None, _write(tmp_path, text))
    ok = yaml.safe_dump(doc, sort_keys=False).replace("'@END@'", "19:00:00")
    service = load_ondemand_service(None, _write(tmp_path, ok))
    assert ServiceWindow("SA", 9 * H, 19 * H) in service.zones[0].windows


def test_syntax_error_and_duplicate_key_have_lines(tmp_path: Path) -> None:
    """A YAML syntax error and a key given twice are reported with their line."""
    with pytest.raises(ConfigError, match=r"^drt_service.yaml:2: not valid YAML \(mapping "):
        load_ondemand_service(tmp_path / "feed",
                              _write(tmp_path, "version: 1\nservices: a: b\n"))
    with pytest.raises(ConfigError, match=r"^drt_service.yaml:3: version: key given twice"):
        load_ondemand_service(tmp_path / "feed",
                              _write(tmp_path, "version: 1\nservices: []\nversion: 1\n"))


def test_zone_served_twice_and_missing_feed(tmp_path: Path) -> None:
    """Two services on one zone are refused; a YAML without feed: needs an explicit feed."""
    doc = copy.deepcopy(BASE)
    doc["services"].append({"service_id": "again", "zone_id": "Z1"})
    with pytest.raises(ConfigError, match=r"services\[2\].zone_id: 'Z1' is already served by "
                                          r"services\[0\]"):
        load_ondemand_service(None, _write(tmp_path, doc))
    del doc["feed"]
    with pytest.raises(FeedError, match="feed_path: no feed given"):
        load_ondemand_service(None, _write(tmp_path, doc))


def test_not_utf8_and_alias_bomb_are_config_errors(tmp_path: Path) -> None:
    """Non-UTF-8 bytes are a ConfigError; nested aliases are walked once, not exponentially."""
    path = _write(tmp_path, "x")
    path.write_bytes(b"version: 1\nname: \xff\n")
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_ondemand_service(tmp_path / "feed", path)
    bomb = ["version: 1", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    bomb += [f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]" for k in range(1, 10)]
    path.write_text("\n".join(bomb) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^drt_service.yaml:2: a0: unknown key"):
        load_ondemand_service(tmp_path / "feed", path)

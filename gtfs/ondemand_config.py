"""Read and write the small YAML file that completes an on-demand service definition.

GTFS-Flex says where and when rides run and how to book; it has no fleet, no
depot, no ride-time promise. ``drt_service.yaml`` (the demo city ships one) adds
those, and may define a whole service on its own. Its schema (version 1)::

    version: 1
    feed: gtfs.zip                 # the GTFS feed, relative to this file (optional)
    timezone: Asia/Tokyo
    vehicle_types:                 # optional; fleets may describe vehicles inline
      - {vehicle_type_id: van, model: ..., seats: 9, wheelchair_spaces: 1,
         powertrain: diesel, range_km: 600, co2_g_per_km: 225.0}
    booking_rules:                 # optional; completes rules of booking_rules.txt
      - {booking_rule_id: r1, min_notice_s: 1800, max_ride_factor: 2.0, ...}
    services:
      - service_id: drt_1
        name: ...
        zone_id: drt_zone_1        # a Feature id of locations.geojson ...
        polygon: {type: Polygon, coordinates: ...}   # ... or the zone itself
        hub_stop_ids: [B00037, F00119]
        hubs: [{stop_id: B00037, stop_name: ..., ...}]  # optional details, checked
        service_hours:
          weekday: {gtfs_service_id: weekday, start: "07:00:00", end: "19:00:00"}
          saturday: {windows: [{start: "08:00:00", end: "12:00:00"}, ...]}
        depot: {stop_id: B00037, lat: 36.70, lon: 140.70}
        shift: {start: "06:45:00", end: "19:15:00"}  # default: first to last window
        fleet:                     # per vehicle (as the demo) or per type
          - {vehicle_id: drt_zone_1-01, model: 日産 e-NV200, seats: 6,
             wheelchair_spaces: 0, powertrain: ev, range_km: 250}
          - {vehicle_type: van, count: 2}
        booking: {min_notice_s: 1800, max_advance_days: 7, ...}  # or booking_rule_id: r1

Times are ``"H:MM:SS"`` strings or int seconds (the file is read without YAML
1.1's base-60 integers, so an unquoted ``19:00`` is never 1140). A fleet vehicle
described inline gets the type ``vehicle_type`` or else its ``model``; vehicles of
one type must agree on every attribute. ``co2_g_per_km`` defaults per powertrain
(:data:`DEFAULT_CO2_G_PER_KM`).

Merging with Flex: a service's ``zone_id`` names a Flex location (its polygon,
windows, hubs and booking rule) or, with ``polygon``, a new zone. Windows and
hubs are united; a GTFS service id given windows by both sides must get the same
ones, and a booking field given by both must agree, else it is an error. Flex
zones no service names stay, without a fleet.

Every problem is a :class:`ConfigError` ``file:line: key.path: message``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import yaml
from shapely.geometry import shape

from gtfs.errors import FeedError
from gtfs.flex import FlexFeed
from gtfs.times import format_time, parse_time
from gtfs.yamlfile import KeyPath, dotted, load_yaml
from transit.errors import ModelError
from transit.ondemand import (
    BookingRules,
    Fleet,
    OnDemandService,
    OnDemandZone,
    ServiceWindow,
    VehicleType,
    check_polygon,
)

__all__ = ["DEFAULT_CO2_G_PER_KM", "ConfigError", "ServiceConfig", "config_document",
           "merge_config", "read_config", "write_config"]

#: Rough emission defaults per powertrain, g CO2 per km, used when a vehicle gives none:
#: an EV van at 0.16 kWh/km on Japan's grid (~0.44 kg/kWh); a diesel van at ~11.5 km/L
#: (2.58 kg/L); a petrol van at ~11 km/L (2.32 kg/L); an LPG taxi at ~10 km/L (1.66 kg/L);
#: a petrol hybrid at ~19 km/L.
DEFAULT_CO2_G_PER_KM: Mapping[str, float] = {
    "ev": 70.0, "hybrid": 122.0, "diesel": 225.0, "petrol": 211.0, "lpg": 166.0}

Path_ = KeyPath
_TOP_KEYS = ("version", "feed", "locations", "timezone", "vehicle_types", "booking_rules",
             "services")
_SERVICE_KEYS = ("service_id", "name", "zone_id", "polygon", "hub_stop_ids", "hubs",
                 "service_hours", "depot", "shift", "fleet", "booking", "booking_rule_id")
_TYPE_KEYS = ("vehicle_type_id", "model", "seats", "wheelchair_spaces", "powertrain",
              "range_km", "co2_g_per_km")
_VEHICLE_KEYS = ("vehicle_id", "vehicle_type", "model", "seats", "wheelchair_spaces",
                 "powertrain", "range_km", "co2_g_per_km")
_RULE_FIELDS = tuple(f.name for f in fields(BookingRules))
#: ``max_wait_s`` (the demo's name: the longest wait past the requested time) is read as
#: ``pickup_window_s``.
_RULE_KEYS = (*_RULE_FIELDS, "max_wait_s")
#: Booking fields booking_rules.txt also gives; both sides must agree on them.
_GTFS_RULE_FIELDS = ("booking_type", "min_notice_s", "max_notice_s", "max_advance_days",
                     "opens_at_s", "last_day_before", "last_time_s", "message",
                     "pickup_message", "drop_off_message", "phone_number", "info_url",
                     "booking_url")
_CLOCK_FIELDS = ("opens_at_s", "last_time_s")


class ConfigError(FeedError):
    """An on-demand service file is wrong: ``file:line: key.path: message``."""


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """A parsed ``drt_service.yaml``: the document and the line of every key path."""

    path: Path
    doc: dict[str, Any]
    lines: dict[Path_, int]

    def fail(self, where: Path_, message: str) -> ConfigError:
        """A :class:`ConfigError` at key path ``where``."""
        line = None
        for k in range(len(where), -1, -1):
            line = self.lines.get(where[:k])
            if line is not None:
                break
        return ConfigError(f"{dotted(where)}: {message}" if where else message,
                           file=self.path.name, line=line)

    @property
    def feed(self) -> Path | None:
        """The feed the file names (``feed:``), resolved beside the file."""
        name = self.doc.get("feed")
        return None if not name else self.path.parent / str(name)


def read_config(path: str | Path) -> ServiceConfig:
    """Parse ``drt_service.yaml`` (syntax and top-level shape only; see :func:`merge_config`).

    Raises
    ------
    ConfigError
        For a YAML syntax error (with its line), a duplicated key or a wrong version.
    OSError
        If the file cannot be read.
    """
    path = Path(path)
    doc, lines = load_yaml(path, ConfigError)
    config = ServiceConfig(path, doc if isinstance(doc, dict) else {}, lines)
    if not isinstance(doc, dict):
        raise config.fail((), "expected a mapping with 'version' and 'services'")
    _keys(config, (), doc, _TOP_KEYS)
    if doc.get("version") != 1:
        raise config.fail(("version",), f"{doc.get('version')!r} is not a supported version "
                          "(expected 1)")
    return config


# -- value checks ---------------------------------------------------------------

def _keys(config: ServiceConfig, where: Path_, value: Any, allowed: tuple[str, ...]) -> None:
    if not isinstance(value, dict):
        raise config.fail(where, f"{value!r} is not a mapping")
    for key in value:
        if key not in allowed:
            raise config.fail((*where, str(key)), f"unknown key (expected one of "
                              f"{', '.join(allowed)})")


def _list(config: ServiceConfig, where: Path_, value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise config.fail(where, f"{value!r} is not a list")
    return value


def _text(config: ServiceConfig, where: Path_, value: Any, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise config.fail(where, f"{value!r} is not a string")
    return str(value)


def _seconds(config: ServiceConfig, where: Path_, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and (seconds := parse_time(value)) is not None:
        return seconds
    raise config.fail(where, f"{value!r} is not a time H:MM:SS (or seconds)")


_MODEL_FIELD = re.compile(r"^\w+\(.*?\): (\w+)[=\[]")


def _model(config: ServiceConfig, where: Path_, build: Any) -> Any:
    try:
        return build()
    except ModelError as exc:
        m = _MODEL_FIELD.match(str(exc))
        if m and (*where, m.group(1)) in config.lines:  # point at the field's own line
            where = (*where, m.group(1))
        raise config.fail(where, str(exc)) from None
    except TypeError as exc:  # a wrong key reached a constructor
        raise config.fail(where, str(exc)) from None


# -- the merge --------------------------------------------------------------------

def merge_config(config: ServiceConfig, flex: FlexFeed) -> OnDemandService:
    """Combine the YAML definition with the feed's Flex content into one service.

    Parameters
    ----------
    config
        From :func:`read_config`.
    flex
        From :func:`gtfs.flex.read_flex` (its stops check hubs and depots).

    Returns
    -------
    OnDemandService

    Raises
    ------
    ConfigError
        Naming the file, the line, the key path and the value.
    """
    doc = config.doc
    timezone = _text(config, ("timezone",), doc.get("timezone"), required=False)
    types = _vehicle_types(config)
    rules = _booking_rules(config, flex)
    zones: dict[str, OnDemandZone] = {z.zone_id: z for z in flex.zones}
    claimed: dict[str, int] = {}
    fleets: list[Fleet] = []
    for k, service in enumerate(_list(config, ("services",), doc.get("services"))):
        where: Path_ = ("services", k)
        _keys(config, where, service, _SERVICE_KEYS)
        zone = _zone(config, where, service, flex, zones, rules)
        if zone.zone_id in claimed:
            raise config.fail((*where, "zone_id"), f"{zone.zone_id!r} is already served by "
                              f"services[{claimed[zone.zone_id]}]")
        claimed[zone.zone_id] = k
        zones[zone.zone_id] = zone
        if "fleet" in service:
            fleets.append(_fleet(config, where, service, zone, flex, types))
    where = ("services",)
    return _model(config, where, lambda: OnDemandService(
        zones=tuple(zones.values()), vehicle_types=tuple(types.values()), fleets=tuple(fleets),
        booking_rules=tuple(rules.values()), timezone=timezone))


def _vehicle_type(config: ServiceConfig, where: Path_, item: dict[str, Any],
                  type_id: str) -> VehicleType:
    power = str(item.get("powertrain"))
    co2 = item.get("co2_g_per_km")
    if co2 is None:
        if power not in DEFAULT_CO2_G_PER_KM:
            raise config.fail((*where, "powertrain"), f"{power!r} is not one of "
                              f"{tuple(DEFAULT_CO2_G_PER_KM)}")
        co2 = DEFAULT_CO2_G_PER_KM[power]
    for key in ("seats", "wheelchair_spaces"):
        if key not in item:
            raise config.fail(where, f"{key} is missing")
    return _model(config, where, lambda: VehicleType(
        type_id, seats=item["seats"], wheelchair_spaces=item["wheelchair_spaces"],
        energy=power, co2_g_per_km=co2, model=_text(config, (*where, "model"),
                                                    item.get("model"), required=False),
        range_km=item.get("range_km")))


def _vehicle_types(config: ServiceConfig) -> dict[str, VehicleType]:
    out: dict[str, VehicleType] = {}
    for k, item in enumerate(_list(config, ("vehicle_types",), config.doc.get("vehicle_types"))):
        where: Path_ = ("vehicle_types", k)
        _keys(config, where, item, _TYPE_KEYS)
        type_id = _text(config, (*where, "vehicle_type_id"), item.get("vehicle_type_id"))
        if type_id in out:
            raise config.fail((*where, "vehicle_type_id"), f"{type_id!r} is not unique")
        out[type_id] = _vehicle_type(config, where, item, type_id)
    return out


def _rule_values(config: ServiceConfig, where: Path_, item: dict[str, Any]) -> dict[str, Any]:
    values = {}
    for key, value in item.items():
        if key in _CLOCK_FIELDS and value is not None:
            value = _seconds(config, (*where, key), value)
        if key == "max_wait_s":
            if "pickup_window_s" in item:
                raise config.fail((*where, key), "give pickup_window_s or max_wait_s (the "
                                  "same thing), not both")
            key = "pickup_window_s"
        values[key] = value
    return values


def _booking_rules(config: ServiceConfig, flex: FlexFeed) -> dict[str, BookingRules]:
    rules = {r.booking_rule_id: r for r in flex.booking_rules}
    for k, item in enumerate(_list(config, ("booking_rules",), config.doc.get("booking_rules"))):
        where: Path_ = ("booking_rules", k)
        _keys(config, where, item, _RULE_KEYS)
        rid = _text(config, (*where, "booking_rule_id"), item.get("booking_rule_id"))
        values = _rule_values(config, where, item)
        if rid in rules and rid not in flex.rule_lines:
            raise config.fail((*where, "booking_rule_id"), f"{rid!r} is not unique")
        rules[rid] = _complete_rule(config, where, rules.get(rid), values, flex)
    return rules


def _complete_rule(config: ServiceConfig, where: Path_, base: BookingRules | None,
                   values: dict[str, Any], flex: FlexFeed) -> BookingRules:
    if base is None:
        return _model(config, where, lambda: BookingRules(**values))
    line = flex.rule_lines.get(base.booking_rule_id)
    for key in _GTFS_RULE_FIELDS:
        if key in values and values[key] != getattr(base, key):
            raise config.fail((*where, key), f"{values[key]!r} contradicts booking_rules.txt:"
                              f"{line} ({key} {getattr(base, key)!r} there)")
    extra = {k: v for k, v in values.items() if k != "booking_rule_id"}
    return _model(config, where, lambda: replace(base, **extra))


def _polygon(config: ServiceConfig, where: Path_, geom: Any) -> Any:
    if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
        raise config.fail(where, "expected a GeoJSON Polygon or MultiPolygon mapping")
    rings = [geom.get("coordinates")] if geom["type"] == "Polygon" else geom.get("coordinates")
    for p, poly in enumerate(rings or []):
        for r, ring in enumerate(poly or []):
            if isinstance(ring, list) and ring and ring[0] != ring[-1]:
                raise config.fail(where, f"polygon {p} ring {r} is not closed: first position "
                                  f"{ring[0]} differs from the last {ring[-1]}")
    try:
        polygon = shape(geom)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise config.fail(where, f"not a polygon ({exc})") from None
    _model(config, where, lambda: check_polygon("polygon", polygon))
    return polygon


def _windows(config: ServiceConfig, where: Path_, hours: Any) -> list[ServiceWindow]:
    out: list[ServiceWindow] = []
    if hours is None:
        return out
    if not isinstance(hours, dict):
        raise config.fail(where, f"{hours!r} is not a mapping of day type to hours")
    for day, spec in hours.items():
        at: Path_ = (*where, str(day))
        _keys(config, at, spec, ("gtfs_service_id", "start", "end", "windows"))
        sid = _text(config, (*at, "gtfs_service_id"), spec.get("gtfs_service_id", day))
        if "windows" in spec:
            if "start" in spec or "end" in spec:
                raise config.fail(at, "give either start/end or windows, not both")
            pairs = [(w, (*at, "windows", j)) for j, w in
                     enumerate(_list(config, (*at, "windows"), spec["windows"]))]
        else:
            pairs = [(spec, at)]
        for w, w_at in pairs:
            _keys(config, w_at, w, ("gtfs_service_id", "start", "end") if w is spec
                  else ("start", "end"))
            for key in ("start", "end"):
                if key not in w:
                    raise config.fail(w_at, f"{key} is missing")
            start = _seconds(config, (*w_at, "start"), w["start"])
            end = _seconds(config, (*w_at, "end"), w["end"])
            if end <= start:
                raise config.fail((*w_at, "end"), f"{w['end']!r} is not after start "
                                  f"{w['start']!r} (the window ends before it starts)")
            out.append(ServiceWindow(sid, start, end))
    return out


def _zone(config: ServiceConfig, where: Path_, service: dict[str, Any], flex: FlexFeed,
          zones: Mapping[str, OnDemandZone], rules: dict[str, BookingRules]) -> OnDemandZone:
    service_id = _text(config, (*where, "service_id"), service.get("service_id"))
    zone_id = _text(config, (*where, "zone_id"), service.get("zone_id", service_id))
    base = zones.get(zone_id)
    if base is not None and "polygon" in service:
        raise config.fail((*where, "polygon"), f"zone {zone_id!r} is a Feature of "
                          "locations.geojson already; give the polygon in one place")
    if base is None and "polygon" not in service:
        raise config.fail((*where, "zone_id"), f"{zone_id!r} is not a Feature id of "
                          "locations.geojson and the service gives no polygon")
    polygon = base.polygon if base is not None else \
        _polygon(config, (*where, "polygon"), service["polygon"])
    windows = _windows(config, (*where, "service_hours"), service.get("service_hours"))
    if base is not None:
        mine = {w.service_id for w in windows}
        for sid in mine & set(base.service_ids):
            a = sorted((w.start_s, w.end_s) for w in windows if w.service_id == sid)
            b = sorted((w.start_s, w.end_s) for w in base.windows if w.service_id == sid)
            if a != b:
                raise config.fail((*where, "service_hours"), f"windows of GTFS service "
                                  f"{sid!r} {_spans(a)} differ from stop_times.txt's {_spans(b)}")
        windows += [w for w in base.windows if w.service_id not in mine]
    hub_ids = _list(config, (*where, "hub_stop_ids"), service.get("hub_stop_ids"))
    hubs: list[str] = []
    for j, stop_id in enumerate(hub_ids):
        stop_id = _text(config, (*where, "hub_stop_ids", j), stop_id)
        if stop_id not in flex.stops:
            raise config.fail((*where, "hub_stop_ids", j), f"stop_id {stop_id!r} is not in "
                              "stops.txt")
        if stop_id in hubs:
            raise config.fail((*where, "hub_stop_ids", j), f"stop_id {stop_id!r} is listed twice")
        hubs.append(stop_id)
    for j, hub in enumerate(_list(config, (*where, "hubs"), service.get("hubs"))):
        if not isinstance(hub, dict) or hub.get("stop_id") not in hubs:
            raise config.fail((*where, "hubs", j), f"stop_id {_get(hub, 'stop_id')!r} is not "
                              "one of hub_stop_ids")
    if base is not None:
        hubs += [s for s in base.hub_stop_ids if s not in hubs]
    rule_id = _zone_rule(config, where, service, service_id, rules)
    if base is not None and base.booking_rule_id is not None:
        if rule_id is not None and rule_id != base.booking_rule_id:
            raise config.fail(where, f"booking rule {rule_id!r} differs from "
                              f"{base.booking_rule_id!r} that stop_times.txt gives zone "
                              f"{zone_id!r}")
        rule_id = base.booking_rule_id
    name = _text(config, (*where, "name"), service.get("name"), required=False) or \
        (base.name if base is not None else "")
    return _model(config, where, lambda: OnDemandZone(
        zone_id, name, polygon, windows=tuple(windows), hub_stop_ids=tuple(hubs),
        booking_rule_id=rule_id, service_id=service_id))


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else value


def _spans(pairs: list[tuple[int, int]]) -> str:
    return "[" + ", ".join(f"{format_time(a)}-{format_time(b)}" for a, b in pairs) + "]"


def _zone_rule(config: ServiceConfig, where: Path_, service: dict[str, Any], service_id: str,
               rules: dict[str, BookingRules]) -> str | None:
    if "booking" in service and "booking_rule_id" in service:
        raise config.fail((*where, "booking"), "give booking or booking_rule_id, not both")
    if "booking_rule_id" in service:
        rid = _text(config, (*where, "booking_rule_id"), service["booking_rule_id"])
        if rid not in rules:
            raise config.fail((*where, "booking_rule_id"), f"{rid!r} is not a booking rule "
                              "(booking_rules here or in booking_rules.txt)")
        return rid
    if "booking" in service:
        at: Path_ = (*where, "booking")
        _keys(config, at, service["booking"], tuple(f for f in _RULE_KEYS
                                                    if f != "booking_rule_id"))
        if service_id in rules:
            raise config.fail(at, f"its id {service_id!r} (the service_id) is already a "
                              "booking rule; use booking_rule_id")
        values = _rule_values(config, at, service["booking"])
        rules[service_id] = _model(config, at, lambda: BookingRules(service_id, **values))
        return service_id
    return None


def _fleet(config: ServiceConfig, where: Path_, service: dict[str, Any], zone: OnDemandZone,
           flex: FlexFeed, types: dict[str, VehicleType]) -> Fleet:
    counts: dict[str, int] = {}
    vehicle_ids: set[str] = set()
    for j, item in enumerate(_list(config, (*where, "fleet"), service["fleet"])):
        at: Path_ = (*where, "fleet", j)
        if isinstance(item, dict) and "count" in item:
            _keys(config, at, item, ("vehicle_type", "count"))
            type_id = _text(config, (*at, "vehicle_type"), item.get("vehicle_type"))
            if type_id not in types:
                raise config.fail((*at, "vehicle_type"), f"{type_id!r} is not one of "
                                  f"vehicle_types ({', '.join(types) or 'none given'})")
            count = item["count"]
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise config.fail((*at, "count"), f"{count!r} is not a non-negative integer")
            if type_id in counts:
                raise config.fail((*at, "vehicle_type"), f"{type_id!r} is counted twice")
            counts[type_id] = count
            continue
        _keys(config, at, item, _VEHICLE_KEYS)
        vid = _text(config, (*at, "vehicle_id"), item.get("vehicle_id"), required=False)
        if vid and vid in vehicle_ids:
            raise config.fail((*at, "vehicle_id"), f"{vid!r} is not unique")
        vehicle_ids.add(vid)
        if not (item.get("vehicle_type") or item.get("model")):
            raise config.fail(at, "a vehicle needs vehicle_type or model (its type id)")
        type_id = _text(config, at, item.get("vehicle_type") or item.get("model"))
        vtype = _vehicle_type(config, at, item, type_id)
        known = types.setdefault(type_id, vtype)
        if known != vtype:
            raise config.fail(at, f"vehicle type {type_id!r} is {vtype} here but {known} "
                              "earlier; give distinct vehicle_type ids")
        counts[type_id] = counts.get(type_id, 0) + 1
    depot = service.get("depot")
    if depot is None:
        raise config.fail(where, "depot is missing (a fleet needs a depot: stop_id or lat/lon)")
    _keys(config, (*where, "depot"), depot, ("stop_id", "stop_name", "lat", "lon"))
    assert isinstance(depot, dict)
    stop_id = depot.get("stop_id")
    lat, lon = depot.get("lat"), depot.get("lon")
    if stop_id is not None:
        stop_id = _text(config, (*where, "depot", "stop_id"), stop_id)
        if stop_id not in flex.stops:
            raise config.fail((*where, "depot", "stop_id"), f"stop_id {stop_id!r} is not in "
                              "stops.txt")
        coords = flex.stops[stop_id]
        if (lat is None or lon is None) and coords is not None:
            lat, lon = coords if lat is None and lon is None else (lat, lon)
    if lat is None or lon is None:
        raise config.fail((*where, "depot"), "lat and lon are missing (and no stop_id with "
                          "coordinates)")
    shift = service.get("shift")
    if shift is not None:
        _keys(config, (*where, "shift"), shift, ("start", "end"))
        for key in ("start", "end"):
            if key not in shift:
                raise config.fail((*where, "shift"), f"{key} is missing")
        start = _seconds(config, (*where, "shift", "start"), shift["start"])
        end = _seconds(config, (*where, "shift", "end"), shift["end"])
        if end <= start:
            raise config.fail((*where, "shift", "end"), f"{shift['end']!r} is not after start "
                              f"{shift['start']!r} (the shift ends before it starts)")
    elif zone.windows:
        start = min(w.start_s for w in zone.windows)
        end = max(w.end_s for w in zone.windows)
    else:
        raise config.fail(where, "no shift and no service_hours: when does the fleet work?")
    return _model(config, (*where, "depot"), lambda: Fleet(
        zone.zone_id, tuple(counts.items()), depot_lat=_float(lat), depot_lon=_float(lon),
        shift_start_s=start, shift_end_s=end, depot_stop_id=stop_id))


def _float(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else value


# -- writing --------------------------------------------------------------------

def _clock(seconds: int) -> str:
    return format_time(seconds)


def config_document(service: OnDemandService, *, feed: str | None = None) -> dict[str, Any]:
    """The YAML document of ``service`` (zones refer to ``locations.geojson`` by id)."""
    doc: dict[str, Any] = {"version": 1}
    if feed:
        doc["feed"] = feed
    doc["locations"] = "locations.geojson"
    if service.timezone:
        doc["timezone"] = service.timezone
    doc["vehicle_types"] = [{
        "vehicle_type_id": t.vehicle_type_id, "model": t.model, "seats": t.seats,
        "wheelchair_spaces": t.wheelchair_spaces, "powertrain": t.energy,
        **({"range_km": t.range_km} if t.range_km is not None else {}),
        "co2_g_per_km": float(t.co2_g_per_km)} for t in service.vehicle_types]
    rules = []
    for r in service.booking_rules:
        item: dict[str, Any] = {}
        for f in fields(BookingRules):
            value = getattr(r, f.name)
            if value is not None and value != "":
                item[f.name] = value
        rules.append(item)
    doc["booking_rules"] = rules
    services = []
    for z in service.zones:
        s: dict[str, Any] = {"service_id": z.service_id, "name": z.name, "zone_id": z.zone_id,
                             "hub_stop_ids": list(z.hub_stop_ids)}
        hours: dict[str, Any] = {}
        for sid in z.service_ids:
            spans = [(w.start_s, w.end_s) for w in z.windows if w.service_id == sid]
            if len(spans) == 1:
                hours[sid] = {"gtfs_service_id": sid, "start": _clock(spans[0][0]),
                              "end": _clock(spans[0][1])}
            else:
                hours[sid] = {"gtfs_service_id": sid, "windows": [
                    {"start": _clock(a), "end": _clock(b)} for a, b in spans]}
        s["service_hours"] = hours
        if z.booking_rule_id is not None:
            s["booking_rule_id"] = z.booking_rule_id
        fleet = service.fleet(z)
        if fleet is not None:
            depot: dict[str, Any] = {}
            if fleet.depot_stop_id is not None:
                depot["stop_id"] = fleet.depot_stop_id
            depot.update(lat=fleet.depot_lat, lon=fleet.depot_lon)
            s["depot"] = depot
            s["shift"] = {"start": _clock(fleet.shift_start_s), "end": _clock(fleet.shift_end_s)}
            s["fleet"] = [{"vehicle_type": t, "count": n} for t, n in fleet.vehicle_counts]
        services.append(s)
    doc["services"] = services
    return doc


def write_config(service: OnDemandService, path: str | Path, *, feed: str | None = None) -> Path:
    """Write ``service`` as ``drt_service.yaml`` at ``path`` (polygons go to locations.geojson).

    ``feed`` is the feed's path relative to the file's folder, if it should be named.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("# Tsunagu on-demand service definition (see gtfs/ondemand_config.py).\n")
        yaml.safe_dump(config_document(service, feed=feed), f, allow_unicode=True,
                       sort_keys=False, default_flow_style=False, width=100)
    return path


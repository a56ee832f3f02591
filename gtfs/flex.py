"""Read and write the GTFS-Flex files of a feed: zones, location groups, booking rules.

What is read (through :mod:`gtfs.zipsafe`, zip or folder, nothing extracted):

* ``locations.geojson`` — a FeatureCollection; each Feature has a string ``id``
  (unique across stop, location and location group ids), optional
  ``properties.stop_name`` / ``stop_desc``, and a Polygon or MultiPolygon
  geometry in WGS84. Every ring must be closed and the polygon valid
  (``shapely`` ``is_valid``; the error quotes ``explain_validity``).
* ``location_groups.txt`` and ``location_group_stops.txt`` — named sets of stops.
* ``booking_rules.txt`` — booking type, prior notice, messages, phone and URLs.
* ``stop_times.txt`` rows with ``location_id`` or ``location_group_id`` and
  ``start_pickup_drop_off_window`` / ``end_pickup_drop_off_window`` and
  ``pickup_booking_rule_id`` / ``drop_off_booking_rule_id``; with ``trips.txt``
  they give each zone its service windows per GTFS ``service_id``, its hubs (the
  stops, and stops of location groups, that share a trip with the zone) and its
  booking rule. ``stop_times.txt`` is parsed only when its header has a Flex column.

Every problem is a :class:`~gtfs.errors.FeedError` naming the file, the line
(for ``locations.geojson``, the line of the Feature's ``id``) and the value.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import MultiPolygon, Polygon, mapping

from gtfs.errors import FeedError
from gtfs.times import MISSING, format_time, parse_times
from gtfs.zipsafe import DEFAULT_MAX_UNCOMPRESSED_BYTES, read_feed_files
from transit.errors import ModelError
from transit.ondemand import (
    BookingRules,
    OnDemandService,
    OnDemandZone,
    ServiceWindow,
    check_polygon,
)

__all__ = ["FLEX_FILES", "FlexFeed", "read_flex", "write_flex_files"]

LOCATIONS = "locations.geojson"
BOOKING_RULES = "booking_rules.txt"
GROUPS = "location_groups.txt"
GROUP_STOPS = "location_group_stops.txt"
FLEX_FILES = frozenset({LOCATIONS, BOOKING_RULES, GROUPS, GROUP_STOPS, "stop_times.txt",
                        "trips.txt", "stops.txt"})
_FLEX_COLUMNS = (b"location_id", b"location_group_id", b"start_pickup_drop_off_window")
BOOKING_COLUMNS = ("booking_rule_id", "booking_type", "prior_notice_duration_min",
                   "prior_notice_duration_max", "prior_notice_last_day",
                   "prior_notice_last_time", "prior_notice_start_day", "prior_notice_start_time",
                   "prior_notice_service_id", "message", "pickup_message", "drop_off_message",
                   "phone_number", "info_url", "booking_url")


@dataclass(frozen=True, slots=True, eq=False)
class FlexFeed:
    """The Flex content of a feed, checked, plus what a service definition is checked against.

    ``zones`` follow the Features of ``locations.geojson``; ``stops`` maps every
    stop id of ``stops.txt`` to its (lat, lon) (``None`` when blank);
    ``zone_lines`` and ``rule_lines`` give where each id is defined.
    """

    source: Path
    zones: tuple[OnDemandZone, ...]
    booking_rules: tuple[BookingRules, ...]
    location_groups: dict[str, tuple[str, ...]]
    stops: dict[str, tuple[float, float] | None]
    zone_lines: dict[str, int | None]
    rule_lines: dict[str, int]

    def service(self, *, timezone: str = "") -> OnDemandService:
        """The Flex content alone as a service (no fleets, no vehicle types)."""
        return OnDemandService(zones=self.zones, booking_rules=self.booking_rules,
                               timezone=timezone)


def read_flex(path: str | Path, *,
              max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES) -> FlexFeed:
    """Read and check the GTFS-Flex files of a feed.

    Parameters
    ----------
    path
        A GTFS ``.zip`` or folder; it must hold ``stops.txt``. A feed with no
        Flex file gives a :class:`FlexFeed` with no zones.
    max_uncompressed_bytes
        Cap on the total uncompressed size of the members read.

    Returns
    -------
    FlexFeed

    Raises
    ------
    FeedError
        Naming file, line and value of the first problem.
    OSError
        If ``path`` cannot be read.
    """
    raw = read_feed_files(Path(path), wanted=FLEX_FILES,
                          max_uncompressed_bytes=max_uncompressed_bytes)
    files = raw.files
    stops = _read_stops(files.get("stops.txt"))
    groups = _read_groups(files, stops)
    zones, geom, zone_lines = _read_locations(files.get(LOCATIONS), stops, groups)
    rules, rule_lines = _read_booking_rules(files.get(BOOKING_RULES))
    windows, hubs, zone_rules = _read_flex_stop_times(files, geom, groups, stops, rule_lines)
    built = []
    for zone_id, (name, polygon) in zones.items():
        try:
            built.append(OnDemandZone(zone_id, name, polygon, windows=tuple(windows[zone_id]),
                                      hub_stop_ids=tuple(hubs[zone_id]),
                                      booking_rule_id=zone_rules.get(zone_id)))
        except ModelError as exc:
            raise FeedError(str(exc), file=LOCATIONS, line=zone_lines[zone_id]) from None
    return FlexFeed(source=raw.source, zones=tuple(built), booking_rules=rules,
                    location_groups=groups, stops=stops, zone_lines=zone_lines,
                    rule_lines=rule_lines)


# -- tables --------------------------------------------------------------------

def _table(name: str, data: bytes | None, required: tuple[str, ...]) -> pd.DataFrame | None:
    if data is None or not data.strip():
        return None
    try:
        df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_filter=False,
                         encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=name) from None
    except pd.errors.EmptyDataError:
        return None
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise FeedError(f"malformed CSV ({str(exc).strip()})", file=name,
                        line=int(m.group(1)) if m else None) from None
    df.columns = [str(c).strip() for c in df.columns]
    for col in required:
        if col not in df.columns:
            raise FeedError(f"missing required column {col!r}", file=name, line=1)
    return df.apply(lambda c: c.str.strip())


def _col(df: pd.DataFrame, col: str) -> list[str]:
    return df[col].tolist() if col in df.columns else [""] * len(df)


def _read_stops(data: bytes | None) -> dict[str, tuple[float, float] | None]:
    df = _table("stops.txt", data, ("stop_id",))
    if df is None:
        raise FeedError("required file is missing or empty (hubs and depots are checked "
                        "against it)", file="stops.txt")
    out: dict[str, tuple[float, float] | None] = {}
    for i, (sid, lat, lon) in enumerate(zip(_col(df, "stop_id"), _col(df, "stop_lat"),
                                            _col(df, "stop_lon"), strict=True)):
        if not sid:
            raise FeedError("stop_id is blank", file="stops.txt", line=i + 2)
        if sid in out:
            raise FeedError(f"stop_id {sid!r} is not unique", file="stops.txt", line=i + 2)
        coords = None
        if lat and lon:
            try:
                coords = (float(lat), float(lon))
            except ValueError:
                raise FeedError(f"stop_lat/stop_lon {lat!r}/{lon!r} are not numbers",
                                file="stops.txt", line=i + 2) from None
        out[sid] = coords
    return out


def _read_groups(files: Mapping[str, bytes],
                 stops: Mapping[str, object]) -> dict[str, tuple[str, ...]]:
    groups_df = _table(GROUPS, files.get(GROUPS), ("location_group_id",))
    members_df = _table(GROUP_STOPS, files.get(GROUP_STOPS), ("location_group_id", "stop_id"))
    members: dict[str, list[str]] = {}
    if groups_df is not None:
        for i, gid in enumerate(groups_df["location_group_id"].tolist()):
            if not gid:
                raise FeedError("location_group_id is blank", file=GROUPS, line=i + 2)
            if gid in members:
                raise FeedError(f"location_group_id {gid!r} is not unique", file=GROUPS,
                                line=i + 2)
            if gid in stops:
                raise FeedError(f"location_group_id {gid!r} is also a stop_id of stops.txt",
                                file=GROUPS, line=i + 2)
            members[gid] = []
    if members_df is not None:
        for i, (gid, sid) in enumerate(zip(members_df["location_group_id"].tolist(),
                                           members_df["stop_id"].tolist(), strict=True)):
            if gid not in members:
                raise FeedError(f"location_group_id {gid!r} is not in {GROUPS}",
                                file=GROUP_STOPS, line=i + 2)
            if sid not in stops:
                raise FeedError(f"stop_id {sid!r} is not in stops.txt", file=GROUP_STOPS,
                                line=i + 2)
            if sid not in members[gid]:
                members[gid].append(sid)
    return {g: tuple(s) for g, s in members.items()}


# -- locations.geojson ---------------------------------------------------------

def _line_of_id(text: str, feature_id: str, start: int) -> tuple[int | None, int]:
    m = re.compile(r'"id"\s*:\s*' + re.escape(json.dumps(feature_id, ensure_ascii=False))) \
        .search(text, start)
    if m is None:
        m = re.compile(r'"id"\s*:\s*' + re.escape(json.dumps(feature_id))).search(text, start)
    if m is None:
        return None, start
    return text.count("\n", 0, m.start()) + 1, m.end()


def _read_locations(data: bytes | None, stops: Mapping[str, object],
                    groups: Mapping[str, object]
                    ) -> tuple[dict[str, tuple[str, Polygon | MultiPolygon]], set[str],
                               dict[str, int | None]]:
    zones: dict[str, tuple[str, Polygon | MultiPolygon]] = {}
    lines: dict[str, int | None] = {}
    if data is None:
        return zones, set(), lines
    try:
        text = data.decode("utf-8-sig")
        doc = json.loads(text)
    except UnicodeDecodeError as exc:
        raise FeedError(f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                        file=LOCATIONS) from None
    except json.JSONDecodeError as exc:
        raise FeedError(f"not valid JSON ({exc.msg}, column {exc.colno})", file=LOCATIONS,
                        line=exc.lineno) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" \
            or not isinstance(doc.get("features"), list):
        raise FeedError("expected a GeoJSON FeatureCollection with a 'features' list",
                        file=LOCATIONS, line=1)
    cursor = 0
    for k, feature in enumerate(doc["features"]):
        where = f"features[{k}]"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise FeedError(f"{where} is not a GeoJSON Feature", file=LOCATIONS)
        fid = feature.get("id")
        if not isinstance(fid, str) or not fid.strip():
            raise FeedError(f"{where}: id {fid!r} is not a non-blank string (GTFS-Flex needs "
                            "a location id)", file=LOCATIONS)
        line, cursor = _line_of_id(text, fid, cursor)
        if fid in zones:
            raise FeedError(f"{where}: id {fid!r} is not unique", file=LOCATIONS, line=line)
        if fid in stops or fid in groups:
            other = "stops.txt stop_id" if fid in stops else f"{GROUPS} location_group_id"
            raise FeedError(f"{where}: id {fid!r} is also a {other}; ids must be unique "
                            "across stops, locations and location groups",
                            file=LOCATIONS, line=line)
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            raise FeedError(f"{where} (id {fid!r}): properties is not an object",
                            file=LOCATIONS, line=line)
        name = props.get("stop_name", "")
        if not isinstance(name, str):
            raise FeedError(f"{where} (id {fid!r}): stop_name {name!r} is not a string",
                            file=LOCATIONS, line=line)
        polygon = _geometry(feature.get("geometry"), f"{where} (id {fid!r})", line)
        zones[fid] = (name, polygon)
        lines[fid] = line
    return zones, set(zones), lines


def _geometry(geom: Any, where: str, line: int | None) -> Polygon | MultiPolygon:
    def fail(message: str) -> FeedError:
        return FeedError(f"{where}: {message}", file=LOCATIONS, line=line)

    if not isinstance(geom, dict):
        raise fail("geometry is missing")
    kind, coords = geom.get("type"), geom.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon"):
        raise fail(f"geometry type {kind!r} is not Polygon or MultiPolygon")
    polys = [coords] if kind == "Polygon" else coords
    if not isinstance(polys, list) or not polys:
        raise fail("coordinates are missing or empty")
    shells = []
    for p, rings in enumerate(polys):
        if not isinstance(rings, list) or not rings:
            raise fail(f"polygon {p} has no rings")
        checked = [_ring(ring, fail, p, r) for r, ring in enumerate(rings)]
        shells.append((checked[0], checked[1:]))
    polygon: Polygon | MultiPolygon = Polygon(*shells[0]) if kind == "Polygon" \
        else MultiPolygon(shells)
    try:
        check_polygon("geometry", polygon)
    except ModelError as exc:
        raise fail(str(exc).removeprefix("geometry: ")) from None
    return polygon


def _ring(ring: Any, fail: Any, p: int, r: int) -> list[tuple[float, float]]:
    name = f"polygon {p} ring {r}"
    if not isinstance(ring, list) or len(ring) < 4:
        raise fail(f"{name} has fewer than 4 positions (a closed ring needs 4)")
    out = []
    for pos in ring:
        if not (isinstance(pos, list) and len(pos) in (2, 3)
                and all(isinstance(v, int | float) and not isinstance(v, bool)
                        and math.isfinite(v) for v in pos)):
            raise fail(f"{name} position {pos!r} is not [lon, lat]")
        out.append((float(pos[0]), float(pos[1])))
    if out[0] != out[-1]:
        raise fail(f"{name} is not closed: first position {list(out[0])} differs from the "
                   f"last {list(out[-1])}")
    return out


# -- booking_rules.txt ----------------------------------------------------------

def _read_booking_rules(data: bytes | None) -> tuple[tuple[BookingRules, ...], dict[str, int]]:
    df = _table(BOOKING_RULES, data, ("booking_rule_id", "booking_type"))
    if df is None:
        return (), {}
    rules: list[BookingRules] = []
    lines: dict[str, int] = {}
    rows: list[dict[str, str]] = [{str(k): str(v) for k, v in r.items()}
                                  for r in df.to_dict("records")]
    for i, row in enumerate(rows):
        line = i + 2
        rid = row["booking_rule_id"]
        if rid in lines:
            raise FeedError(f"booking_rule_id {rid!r} is not unique (first at line "
                            f"{lines[rid]})", file=BOOKING_RULES, line=line)
        rules.append(_booking_rule(row, line))
        lines[rid] = line
    return tuple(rules), lines


def _booking_rule(row: Mapping[str, str], line: int) -> BookingRules:
    def get(col: str) -> str:
        return str(row.get(col, "") or "")

    def fail(message: str) -> FeedError:
        return FeedError(message, file=BOOKING_RULES, line=line)

    def integer(col: str) -> int | None:
        text = get(col)
        if not text:
            return None
        if not re.fullmatch(r"-?\d+", text) or int(text) < 0:
            raise fail(f"{col} {text!r} is not a non-negative integer")
        return int(text)

    def clock(col: str) -> int | None:
        text = get(col)
        if not text:
            return None
        secs, bad = parse_times(pd.Series([text]))
        if bad.size or secs[0] >= 86_400:
            raise fail(f"{col} {text!r} is not a time of day HH:MM:SS")
        return int(secs[0])

    kind_text = get("booking_type")
    if kind_text not in ("0", "1", "2"):
        raise fail(f"booking_type {kind_text!r} is not 0, 1 or 2")
    kind = int(kind_text)
    dmin, dmax = integer("prior_notice_duration_min"), integer("prior_notice_duration_max")
    last_day, last_time = integer("prior_notice_last_day"), clock("prior_notice_last_time")
    start_day, start_time = integer("prior_notice_start_day"), clock("prior_notice_start_time")
    if get("prior_notice_service_id"):
        raise fail(f"prior_notice_service_id {get('prior_notice_service_id')!r}: counting "
                   "notice in service days is not supported; leave it blank")
    if kind == 1 and dmin is None:
        raise fail("prior_notice_duration_min is required when booking_type is 1")
    if kind != 1:
        for col, v in (("prior_notice_duration_min", dmin), ("prior_notice_duration_max", dmax)):
            if v is not None:
                raise fail(f"{col} {v} is forbidden when booking_type is {kind}")
    if kind == 2 and (last_day is None or last_time is None):
        raise fail("prior_notice_last_day and prior_notice_last_time are required when "
                   "booking_type is 2")
    if kind != 2 and (last_day is not None or last_time is not None):
        raise fail(f"prior_notice_last_day/prior_notice_last_time are forbidden when "
                   f"booking_type is {kind}")
    if (start_day is None) != (start_time is None):
        raise fail("prior_notice_start_day and prior_notice_start_time go together")
    try:
        return BookingRules(
            row["booking_rule_id"], booking_type=kind, min_notice_s=(dmin or 0) * 60,
            max_notice_s=None if dmax is None else dmax * 60, max_advance_days=start_day,
            opens_at_s=start_time or 0, last_day_before=last_day, last_time_s=last_time,
            message=get("message"), pickup_message=get("pickup_message"),
            drop_off_message=get("drop_off_message"), phone_number=get("phone_number"),
            info_url=get("info_url"), booking_url=get("booking_url"))
    except ModelError as exc:
        raise fail(str(exc)) from None


# -- stop_times.txt -------------------------------------------------------------

def _read_flex_stop_times(files: Mapping[str, bytes], zone_ids: set[str],
                          groups: Mapping[str, tuple[str, ...]],
                          stops: Mapping[str, object], rule_lines: Mapping[str, int]
                          ) -> tuple[dict[str, set[ServiceWindow]], dict[str, list[str]],
                                     dict[str, str]]:
    windows: dict[str, set[ServiceWindow]] = {z: set() for z in zone_ids}
    hubs: dict[str, list[str]] = {z: [] for z in zone_ids}
    rules: dict[str, str] = {}
    data = files.get("stop_times.txt")
    if data is None or not any(c in data.split(b"\n", 1)[0] for c in _FLEX_COLUMNS):
        return windows, hubs, rules
    file = "stop_times.txt"
    st = _table(file, data, ("trip_id",))
    trips = _table("trips.txt", files.get("trips.txt"), ("trip_id", "service_id"))
    if st is None:
        return windows, hubs, rules
    if trips is None:
        raise FeedError("required file is missing: Flex stop times need their trips",
                        file="trips.txt")
    service_of = dict(zip(trips["trip_id"].tolist(), trips["service_id"].tolist(), strict=True))
    loc, grp, stop = _col(st, "location_id"), _col(st, "location_group_id"), _col(st, "stop_id")
    start, bad_start = parse_times(pd.Series(_col(st, "start_pickup_drop_off_window")))
    end, bad_end = parse_times(pd.Series(_col(st, "end_pickup_drop_off_window")))
    for col, bad in (("start_pickup_drop_off_window", bad_start),
                     ("end_pickup_drop_off_window", bad_end)):
        if bad.size:
            i = int(bad[0])
            raise FeedError(f"{col} {_col(st, col)[i]!r} is not a time H:MM:SS", file=file,
                            line=i + 2)
    arrival, departure = _col(st, "arrival_time"), _col(st, "departure_time")
    pick_rule, drop_rule = _col(st, "pickup_booking_rule_id"), _col(st, "drop_off_booking_rule_id")
    trip_ids = st["trip_id"].tolist()
    per_trip: dict[str, list[int]] = {}
    rule_line: dict[str, int] = {}
    blank = {c: (st[c] == "").to_numpy() if c in st.columns else np.ones(len(st), bool)
             for c in ("location_id", "location_group_id", "pickup_booking_rule_id",
                       "drop_off_booking_rule_id")}
    flex_rows = np.flatnonzero(~blank["location_id"] | ~blank["location_group_id"]
                          | ~blank["pickup_booking_rule_id"] | ~blank["drop_off_booking_rule_id"]
                          | (start != MISSING) | (end != MISSING))
    for i in flex_rows.tolist():  # only Flex rows (and rows naming a booking rule) are looked at
        line = i + 2
        flexible = loc[i] or grp[i] or start[i] != MISSING or end[i] != MISSING
        for col, rid in (("pickup_booking_rule_id", pick_rule[i]),
                         ("drop_off_booking_rule_id", drop_rule[i])):
            if rid and rid not in rule_lines:
                raise FeedError(f"{col} {rid!r} is not in {BOOKING_RULES}", file=file, line=line)
        if not flexible:
            continue
        given = [c for c, v in (("stop_id", stop[i]), ("location_id", loc[i]),
                                ("location_group_id", grp[i])) if v]
        if len(given) != 1:
            raise FeedError(f"exactly one of stop_id, location_id and location_group_id must "
                            f"be given (got {', '.join(given) or 'none'})", file=file, line=line)
        if loc[i] and loc[i] not in zone_ids:
            raise FeedError(f"location_id {loc[i]!r} is not a Feature id of {LOCATIONS}",
                            file=file, line=line)
        if grp[i] and grp[i] not in groups:
            raise FeedError(f"location_group_id {grp[i]!r} is not in {GROUPS}", file=file,
                            line=line)
        if stop[i] and stop[i] not in stops:
            raise FeedError(f"stop_id {stop[i]!r} is not in stops.txt", file=file, line=line)
        if (loc[i] or grp[i]) and (start[i] == MISSING or end[i] == MISSING):
            raise FeedError("start_pickup_drop_off_window and end_pickup_drop_off_window are "
                            "required with location_id or location_group_id", file=file,
                            line=line)
        if start[i] != MISSING and (arrival[i] or departure[i]):
            raise FeedError("arrival_time/departure_time are forbidden with "
                            "start_pickup_drop_off_window", file=file, line=line)
        if end[i] <= start[i]:
            raise FeedError(f"end_pickup_drop_off_window {format_time(int(end[i]))} is not "
                            f"after start_pickup_drop_off_window {format_time(int(start[i]))}",
                            file=file, line=line)
        if trip_ids[i] not in service_of:
            raise FeedError(f"trip_id {trip_ids[i]!r} is not in trips.txt", file=file, line=line)
        per_trip.setdefault(trip_ids[i], []).append(i)
        if loc[i]:
            for rid in (pick_rule[i], drop_rule[i]):
                if not rid:
                    continue
                old = rules.setdefault(loc[i], rid)
                if old != rid:
                    raise FeedError(f"location_id {loc[i]!r} uses booking rule {rid!r} here and "
                                    f"{old!r} at line {rule_line[loc[i]]}; Tsunagu supports one "
                                    "booking rule per zone", file=file, line=line)
                rule_line.setdefault(loc[i], line)
    for trip, rows in per_trip.items():
        service = service_of[trip]
        trip_stops: list[str] = []
        for i in rows:
            members = (stop[i],) if stop[i] else groups.get(grp[i], ())
            trip_stops.extend(s for s in members if s not in trip_stops)
        for i in rows:
            if loc[i]:
                windows[loc[i]].add(ServiceWindow(service, int(start[i]), int(end[i])))
                hubs[loc[i]].extend(s for s in trip_stops if s not in hubs[loc[i]])
    return windows, hubs, rules


# -- writing --------------------------------------------------------------------

def _lists(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_lists(v) for v in value]
    return value


def locations_document(zones: Iterable[OnDemandZone]) -> dict[str, Any]:
    """The ``locations.geojson`` FeatureCollection of ``zones``."""
    return {"type": "FeatureCollection", "features": [{
        "type": "Feature",
        "id": z.zone_id,
        "properties": {"stop_name": z.name},
        "geometry": _lists(dict(mapping(z.polygon))),
    } for z in zones]}


def _minutes(rule: BookingRules, name: str, seconds: int | None) -> str:
    if seconds is None:
        return ""
    if seconds % 60:
        raise FeedError(f"booking rule {rule.booking_rule_id!r}: {name}={seconds} is not whole "
                        "minutes, which booking_rules.txt counts in", file=BOOKING_RULES)
    return str(seconds // 60)


def booking_row(rule: BookingRules) -> dict[str, str]:
    """The ``booking_rules.txt`` row of ``rule`` (the GTFS-Flex part of it)."""
    same_day = rule.booking_type == 1
    return {
        "booking_rule_id": rule.booking_rule_id,
        "booking_type": str(rule.booking_type),
        "prior_notice_duration_min": _minutes(rule, "min_notice_s",
                                              rule.min_notice_s if same_day else None),
        "prior_notice_duration_max": _minutes(rule, "max_notice_s", rule.max_notice_s),
        "prior_notice_last_day": "" if rule.last_day_before is None else str(rule.last_day_before),
        "prior_notice_last_time": "" if rule.last_time_s is None else format_time(rule.last_time_s),
        "prior_notice_start_day": "" if rule.max_advance_days is None
        else str(rule.max_advance_days),
        "prior_notice_start_time": "" if rule.max_advance_days is None
        else format_time(rule.opens_at_s),
        "prior_notice_service_id": "",
        "message": rule.message,
        "pickup_message": rule.pickup_message,
        "drop_off_message": rule.drop_off_message,
        "phone_number": rule.phone_number,
        "info_url": rule.info_url,
        "booking_url": rule.booking_url,
    }


def write_flex_files(service: OnDemandService, folder: str | Path) -> list[Path]:
    """Write ``locations.geojson`` and ``booking_rules.txt`` of ``service`` into ``folder``.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    FeedError
        If a notice is not whole minutes (``booking_rules.txt`` counts minutes).
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    rows = [booking_row(r) for r in service.booking_rules]  # fail before writing anything
    loc = out / LOCATIONS
    loc.write_text(json.dumps(locations_document(service.zones), ensure_ascii=False, indent=1)
                   + "\n", encoding="utf-8")
    written = [loc]
    if rows:
        path = out / BOOKING_RULES
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=BOOKING_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    return written

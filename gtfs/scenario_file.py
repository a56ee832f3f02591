"""Read a planner's scenario file (YAML): a base network and an ordered list of modifications.

Schema (version 1)::

    version: 1
    name: alt1_brt_branch
    description: A BRT branch inland and more buses on the spine.
    base:                          # the base network, paths relative to ``dir`` ...
      dir: ../../var/demo          # ... itself relative to this file
      feed: gtfs.zip
      ondemand: drt_service.yaml   # optional
      streets: streets.osm         # optional
    # or  base: base.yml           # another scenario file: its base, then its modifications
    modifications:
      - kind: add-route
        route_id: BRT-B
        short_name: BRT-B
        stops: [{stop_id: B00012}, {name: 新病院前, lat: 36.6, lon: 140.64}]
        service_ids: [weekday]
        headways: [{start: "06:00:00", end: "22:00:00", headway_s: 900}]
        speed_kmh: 22
      - {kind: adjust-frequency, route_id: BRT1, service_ids: [weekday],
         headways: [{start: "07:00:00", end: "09:00:00", headway_s: 300}]}
      - {kind: remove-routes, route_ids: [F1-07]}
      - {kind: remove-trips, trip_ids: [...]}
      - {kind: remove-stops, stop_ids: [...]}
      - {kind: reroute, route_id: F1-03, from_stop_id: A, to_stop_id: B,
         via: [{stop_id: C}], speed_kmh: 18}
      - {kind: adjust-speed, route_ids: [BRT1], speed_factor: 1.15, start: ..., end: ...}
      - {kind: adjust-dwell, route_ids: [BRT1], dwell_s: 10, stop_ids: []}
      - kind: add-zone
        zone_id: drt_zone_2
        name: ...
        polygon: {type: Polygon, coordinates: [[[lon, lat], ...]]}   # or [[lon, lat], ...]
        hub_stop_ids: [B00030]
        windows: [{service_id: weekday, start: "07:00:00", end: "19:00:00"}]
        booking_rule_id: drt_1       # optional, a rule of the base service
        fleet: {vehicle_counts: {ev_van: 3}, depot: {lat: .., lon: .., stop_id: ..},
                shift: {start: "06:45:00", end: "19:15:00"}}
      - {kind: resize-zone, zone_id: drt_zone_1, buffer_m: 600}   # or scale_factor / polygon
      - {kind: remove-zone, zone_id: drt_zone_1}
      - {kind: set-fleet, zone_id: drt_zone_1, vehicle_counts: {ev_van: 6},
         vehicle_types: [{vehicle_type_id: ev_van, seats: 6, wheelchair_spaces: 1,
                          powertrain: ev}]}

Times of day are ``"H:MM:SS"`` strings or int seconds (read without YAML 1.1's
base-60 integers). Every problem is a :class:`ScenarioFileError`
``file:line: modifications[i] (kind 'id'): field: problem``, the line being the
field's own where it can be found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from shapely.geometry import Polygon, shape

from gtfs.errors import FeedError
from gtfs.ondemand_config import DEFAULT_CO2_G_PER_KM
from gtfs.times import parse_time
from gtfs.yamlfile import KeyPath, load_yaml
from transit.errors import ModelError
from transit.ondemand import Fleet, OnDemandZone, ServiceWindow, VehicleType
from transit.scenario import (
    KINDS,
    AddRoute,
    AddZone,
    AdjustDwell,
    AdjustFrequency,
    AdjustSpeed,
    HeadwayPeriod,
    Modification,
    RemoveRoutes,
    RemoveStops,
    RemoveTrips,
    RemoveZone,
    Reroute,
    ResizeZone,
    Scenario,
    ScenarioError,
    SetFleet,
    StopRef,
)

__all__ = ["ScenarioBase", "ScenarioFile", "ScenarioFileError", "read_scenario"]

Path_ = KeyPath
_TOP_KEYS = ("version", "name", "description", "base", "modifications")
_BASE_KEYS = ("dir", "feed", "ondemand", "streets")
#: Model field name -> YAML key path, for the fields the file spells differently.
_YAML_NAME = {"start_s": "start", "end_s": "end", "depot_lat": "depot.lat",
              "depot_lon": "depot.lon", "depot_stop_id": "depot.stop_id",
              "shift_start_s": "shift.start", "shift_end_s": "shift.end"}
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class ScenarioFileError(FeedError):
    """A scenario file is wrong: ``file:line: modifications[i] (kind 'id'): field: problem``."""


@dataclass(frozen=True, slots=True)
class ScenarioBase:
    """The base network: GTFS feed, on-demand service YAML and street network (resolved paths)."""

    feed: Path
    ondemand: Path | None = None
    streets: Path | None = None


@dataclass(frozen=True, slots=True)
class _Origin:
    path: Path
    lines: dict[Path_, int]
    index: int


@dataclass(frozen=True, slots=True, eq=False)
class ScenarioFile:
    """A read scenario file: name, base, modifications and where each came from."""

    path: Path
    name: str
    description: str
    base: ScenarioBase
    modifications: tuple[Modification, ...]
    origins: tuple[_Origin, ...]

    @property
    def scenario(self) -> Scenario:
        """The file's content as a :class:`transit.scenario.Scenario` (no paths)."""
        return Scenario(self.name, self.modifications, self.description)

    def fail(self, error: ScenarioError) -> ScenarioFileError:
        """Turn an error of modification ``error.index`` into one naming its file and line."""
        if error.index is None or not 0 <= error.index < len(self.origins):
            return ScenarioFileError(str(error), file=self.path.name)
        o = self.origins[error.index]
        return _error(o.path, o.lines, o.index, error.label, error.field, error.problem)


def _yaml_field(field: str) -> str:
    """A model field path spelled as in the file (``headways[0].end_s`` -> ``...end``)."""
    out = ""
    for name, index in _PART.findall(field):
        if index:
            out += f"[{index}]"
        else:
            name = _YAML_NAME.get(name, name)
            out += f".{name}" if out else name
    return out


def _key_path(field: str) -> Path_:
    out: list[str | int] = []
    for name, index in _PART.findall(field):
        out.append(int(index) if index else name)
    return tuple(out)


def _line(lines: dict[Path_, int], where: Path_) -> int | None:
    for k in range(len(where), -1, -1):
        if where[:k] in lines:
            return lines[where[:k]]
    return None


def _error(path: Path, lines: dict[Path_, int], index: int | None, label: str, field: str,
           problem: str) -> ScenarioFileError:
    shown = _yaml_field(field)
    where: Path_ = ("modifications", index) if index is not None else ()
    where = (*where, *_key_path(shown))
    head = f"modifications[{index}]" + (f" ({label})" if label else "") if index is not None \
        else ""
    body = f"{shown}: {problem}" if shown else problem
    return ScenarioFileError(f"{head}: {body}" if head else body, file=path.name,
                             line=_line(lines, where))


# -- reading ------------------------------------------------------------------------

def read_scenario(path: str | Path, *, base_dir: str | Path | None = None) -> ScenarioFile:
    """Read and check a scenario file (every modification built and checked).

    Parameters
    ----------
    path
        The YAML file.
    base_dir
        Folder holding the base files, instead of the file's ``base.dir``.

    Returns
    -------
    ScenarioFile

    Raises
    ------
    ScenarioFileError
        ``file:line: ...`` naming the modification and the field.
    OSError
        If a file cannot be read.
    """
    return _read(Path(path).resolve(), None if base_dir is None else Path(base_dir), ())


def _read(path: Path, base_dir: Path | None, seen: tuple[Path, ...]) -> ScenarioFile:
    doc, lines = load_yaml(path, ScenarioFileError)

    def fail(where: Path_, message: str) -> ScenarioFileError:
        dotted = ""
        for part in where:
            dotted += f"[{part}]" if isinstance(part, int) else (f".{part}" if dotted else part)
        return ScenarioFileError(f"{dotted}: {message}" if dotted else message,
                                 file=path.name, line=_line(lines, where))

    if not isinstance(doc, dict):
        raise fail((), "expected a mapping with version, name, base and modifications")
    for key in doc:
        if key not in _TOP_KEYS:
            raise fail((str(key),), f"unknown key (expected one of {', '.join(_TOP_KEYS)})")
    if doc.get("version") != 1:
        raise fail(("version",), f"{doc.get('version')!r} is not a supported version "
                   "(expected 1)")
    name = doc.get("name", path.stem)
    if not isinstance(name, str) or not name.strip():
        raise fail(("name",), f"{name!r} is not a non-blank name")
    description = doc.get("description", "")
    if not isinstance(description, str):
        raise fail(("description",), f"{description!r} is not a string")
    base_spec = doc.get("base")
    inherited: tuple[Modification, ...] = ()
    origins: list[_Origin] = []
    if isinstance(base_spec, str):
        parent_path = (path.parent / base_spec).resolve()
        if parent_path in seen or parent_path == path.resolve():
            raise fail(("base",), f"{base_spec!r} leads back to this file (a cycle)")
        if not parent_path.is_file():
            raise fail(("base",), f"{base_spec!r}: no such scenario file")
        parent = _read(parent_path, base_dir, (*seen, path.resolve()))
        base = parent.base
        inherited = parent.modifications
        origins.extend(parent.origins)
    elif isinstance(base_spec, dict):
        base = _base(path, base_spec, base_dir, fail)
    else:
        raise fail(("base",), "is missing: give a mapping (dir, feed, ondemand, streets) or "
                   "another scenario file")
    mods_raw = doc.get("modifications") or []
    if not isinstance(mods_raw, list):
        raise fail(("modifications",), f"{mods_raw!r} is not a list")
    mods = list(inherited)
    for k, raw in enumerate(mods_raw):
        mods.append(_modification(path, lines, k, raw))
        origins.append(_Origin(path, lines, k))
    return ScenarioFile(path=path, name=name.strip(), description=description, base=base,
                        modifications=tuple(mods), origins=tuple(origins))


def _base(path: Path, spec: dict[str, Any], base_dir: Path | None,
          fail: Callable[[Path_, str], ScenarioFileError]) -> ScenarioBase:
    for key in spec:
        if key not in _BASE_KEYS:
            raise fail(("base", str(key)), f"unknown key (expected one of "
                       f"{', '.join(_BASE_KEYS)})")
    for key in _BASE_KEYS:
        if key in spec and not isinstance(spec[key], str):
            raise fail(("base", key), f"{spec[key]!r} is not a path")
    folder = base_dir if base_dir is not None else path.parent / spec.get("dir", ".")
    if "feed" not in spec:
        raise fail(("base", "feed"), "is missing: name the GTFS feed")
    out: dict[str, Path | None] = {}
    for key in ("feed", "ondemand", "streets"):
        if key in spec:
            p = (folder / spec[key]).resolve()
            if not p.exists():
                raise fail(("base", key), f"{str(p)!r}: no such file")
            out[key] = p
        else:
            out[key] = None
    feed = out["feed"]
    assert feed is not None
    return ScenarioBase(feed=feed, ondemand=out["ondemand"], streets=out["streets"])


# -- one modification ------------------------------------------------------------------

def _subject(raw: Mapping[str, Any]) -> str:
    for key in ("route_id", "zone_id"):
        if isinstance(raw.get(key), str):
            return str(raw[key])
    for key in ("route_ids", "trip_ids", "stop_ids"):
        if isinstance(raw.get(key), list):
            items = [str(v) for v in raw[key]]
            return ", ".join(items[:3]) + (", ..." if len(items) > 3 else "")
    return ""


def _modification(path: Path, lines: dict[Path_, int], index: int, raw: Any) -> Modification:
    if not isinstance(raw, dict):
        raise _error(path, lines, index, "", "", f"{raw!r} is not a mapping with a kind")
    kind = raw.get("kind")
    subject = _subject(raw)
    label = f"{kind} {subject!r}" if subject else str(kind)
    if kind not in KINDS:
        raise _error(path, lines, index, "", "kind", f"{kind!r} is not one of "
                     f"{', '.join(KINDS)}")
    try:
        return _BUILDERS[kind](_ids_as_text(raw))
    except ScenarioError as exc:
        raise _error(path, lines, index, label, exc.field, exc.problem) from None
    except ModelError as exc:  # an on-demand model object (zone, fleet, vehicle type)
        raise _error(path, lines, index, label, "", str(exc)) from None


def _ids_as_text(raw: dict[str, Any]) -> dict[str, Any]:
    """Unquoted numeric ids (``stop_id: 1001``) as the strings GTFS ids are."""
    def text(v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key.endswith("_id"):
            value = text(value)
        elif (key.endswith("_ids") or key in ("stops", "via")) and isinstance(value, list):
            value = [text(v) if not isinstance(v, dict) else _ids_as_text(v) for v in value]
        out[key] = value
    return out


def _keys(raw: dict[str, Any], allowed: tuple[str, ...], where: str = "") -> None:
    for key in raw:
        if key not in allowed and key != "kind":
            raise ScenarioError(f"{where}{key}", f"unknown key (expected one of "
                                f"{', '.join(allowed)})")


def _need(raw: Mapping[str, Any], key: str, where: str = "") -> Any:
    if key not in raw:
        raise ScenarioError(f"{where}{key}", "is missing")
    return raw[key]


def _tuple(value: Any, field: str) -> tuple[Any, ...]:
    if not isinstance(value, list):
        raise ScenarioError(field, f"{value!r} is not a list")
    return tuple(value)


def _clock(value: Any, field: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and (seconds := parse_time(value)) is not None:
        return seconds
    raise ScenarioError(field, f"{value!r} is not a time H:MM:SS (or seconds)")


def _mapping(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(field, f"{value!r} is not a mapping")
    return value


def _periods(raw: dict[str, Any], key: str = "headways") -> tuple[HeadwayPeriod, ...]:
    out = []
    for k, item in enumerate(_tuple(_need(raw, key), key)):
        at = f"{key}[{k}]"
        item = _mapping(item, at)
        try:
            _keys(item, ("start", "end", "headway_s"))
            out.append(HeadwayPeriod(_clock(_need(item, "start"), "start"),
                                     _clock(_need(item, "end"), "end"),
                                     _need(item, "headway_s")))
        except ScenarioError as exc:
            raise exc.inside(at) from None
    return tuple(out)


def _stop_refs(raw: dict[str, Any], key: str) -> tuple[StopRef, ...]:
    out = []
    for k, item in enumerate(_tuple(_need(raw, key), key)):
        at = f"{key}[{k}]"
        if isinstance(item, str):
            item = {"stop_id": item}
        item = _mapping(item, at)
        try:
            _keys(item, ("stop_id", "lat", "lon", "name"))
            out.append(StopRef(stop_id=item.get("stop_id", ""), lat=item.get("lat"),
                               lon=item.get("lon"), name=item.get("name", "")))
        except ScenarioError as exc:
            raise exc.inside(at) from None
    return tuple(out)


def _ids(raw: dict[str, Any], key: str, *, required: bool = True) -> tuple[str, ...]:
    if not required and key not in raw:
        return ()
    values = _tuple(_need(raw, key), key)
    for k, v in enumerate(values):
        if not isinstance(v, str):
            raise ScenarioError(f"{key}[{k}]", f"{v!r} is not an id (quote it)")
    return values


def _polygon(value: Any, field: str) -> Any:
    if isinstance(value, list):
        ring = [tuple(p) for p in value] if all(isinstance(p, list) for p in value) else None
        if not ring:
            raise ScenarioError(field, "expected [[lon, lat], ...] or a GeoJSON Polygon")
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        try:
            return Polygon(ring)
        except (ValueError, TypeError) as exc:
            raise ScenarioError(field, f"not a polygon ({exc})") from None
    value = _mapping(value, field)
    if value.get("type") not in ("Polygon", "MultiPolygon"):
        raise ScenarioError(field, "expected a GeoJSON Polygon or MultiPolygon, or "
                            "[[lon, lat], ...]")
    try:
        return shape(value)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise ScenarioError(field, f"not a polygon ({exc})") from None


def _windows(raw: dict[str, Any]) -> tuple[ServiceWindow, ...]:
    out = []
    for k, item in enumerate(_tuple(_need(raw, "windows"), "windows")):
        at = f"windows[{k}]"
        item = _mapping(item, at)
        try:
            _keys(item, ("service_id", "start", "end"))
            start = _clock(_need(item, "start"), "start")
            end = _clock(_need(item, "end"), "end")
            try:
                out.append(ServiceWindow(_need(item, "service_id"), start, end))
            except ModelError as exc:
                raise ScenarioError("end" if "end_s" in str(exc) else "service_id",
                                    str(exc).split(": ", 1)[-1]) from None
        except ScenarioError as exc:
            raise exc.inside(at) from None
    return tuple(out)


def _counts(value: Any, field: str) -> tuple[tuple[str, int], ...]:
    value = _mapping(value, field)
    return tuple((str(k), v) for k, v in value.items())


def _vehicle_types(raw: dict[str, Any]) -> tuple[VehicleType, ...]:
    out = []
    keys = ("vehicle_type_id", "seats", "wheelchair_spaces", "powertrain", "co2_g_per_km",
            "model", "range_km")
    for k, item in enumerate(_tuple(raw.get("vehicle_types", []), "vehicle_types")):
        at = f"vehicle_types[{k}]"
        item = _mapping(item, at)
        try:
            _keys(item, keys)
            power = _need(item, "powertrain")
            co2 = item.get("co2_g_per_km", DEFAULT_CO2_G_PER_KM.get(str(power)))
            if co2 is None:
                raise ScenarioError("powertrain", f"{power!r} is not one of "
                                    f"{tuple(DEFAULT_CO2_G_PER_KM)}")
            try:
                out.append(VehicleType(_need(item, "vehicle_type_id"), _need(item, "seats"),
                                       item.get("wheelchair_spaces", 0), power, co2,
                                       model=item.get("model", ""),
                                       range_km=item.get("range_km")))
            except ModelError as exc:
                m = re.search(r"\): (\w+)=", str(exc))
                raise ScenarioError(m.group(1) if m else "", str(exc).split(": ", 1)[-1]) \
                    from None
        except ScenarioError as exc:
            raise exc.inside(at) from None
    return tuple(out)


def _depot_shift(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "depot" in raw:
        depot = _mapping(raw["depot"], "depot")
        _keys(depot, ("lat", "lon", "stop_id"), "depot.")
        out.update(depot_lat=_need(depot, "lat", "depot."), depot_lon=_need(depot, "lon",
                                                                             "depot."),
                   depot_stop_id=depot.get("stop_id"))
    if "shift" in raw:
        shift = _mapping(raw["shift"], "shift")
        _keys(shift, ("start", "end"), "shift.")
        out.update(shift_start_s=_clock(_need(shift, "start", "shift."), "shift.start"),
                   shift_end_s=_clock(_need(shift, "end", "shift."), "shift.end"))
    return out


def _allowed(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _add_route(raw: dict[str, Any]) -> Modification:
    allowed = tuple(n for n in _allowed(AddRoute))
    _keys(raw, allowed)
    rt = raw.get("running_times_s")
    return AddRoute(
        route_id=_need(raw, "route_id"), stops=_stop_refs(raw, "stops"),
        headways=_periods(raw), service_ids=_ids(raw, "service_ids"),
        speed_kmh=raw.get("speed_kmh"),
        running_times_s=None if rt is None else _tuple(rt, "running_times_s"),
        **{k: raw[k] for k in ("dwell_s", "both_directions", "short_name", "long_name",
                               "route_type", "agency_id", "color") if k in raw})


def _adjust_frequency(raw: dict[str, Any]) -> Modification:
    _keys(raw, _allowed(AdjustFrequency))
    return AdjustFrequency(route_id=_need(raw, "route_id"), headways=_periods(raw),
                           service_ids=_ids(raw, "service_ids", required=False),
                           direction_id=raw.get("direction_id"),
                           as_frequencies=raw.get("as_frequencies", False))


def _remove(cls: type, key: str) -> Callable[[dict[str, Any]], Modification]:
    def build(raw: dict[str, Any]) -> Modification:
        _keys(raw, (key,))
        return cls(_ids(raw, key))
    return build


def _reroute(raw: dict[str, Any]) -> Modification:
    _keys(raw, _allowed(Reroute))
    return Reroute(route_id=_need(raw, "route_id"), from_stop_id=_need(raw, "from_stop_id"),
                   to_stop_id=_need(raw, "to_stop_id"),
                   via=_stop_refs(raw, "via") if "via" in raw else (),
                   speed_kmh=_need(raw, "speed_kmh"), **({"dwell_s": raw["dwell_s"]}
                                                         if "dwell_s" in raw else {}))


def _adjust_speed(raw: dict[str, Any]) -> Modification:
    _keys(raw, ("route_ids", "speed_factor", "start", "end"))
    return AdjustSpeed(route_ids=_ids(raw, "route_ids"),
                       speed_factor=_need(raw, "speed_factor"),
                       start_s=None if "start" not in raw else _clock(raw["start"], "start"),
                       end_s=None if "end" not in raw else _clock(raw["end"], "end"))


def _adjust_dwell(raw: dict[str, Any]) -> Modification:
    _keys(raw, _allowed(AdjustDwell))
    return AdjustDwell(route_ids=_ids(raw, "route_ids"), dwell_s=_need(raw, "dwell_s"),
                       stop_ids=_ids(raw, "stop_ids", required=False))


def _model_field(exc: ModelError) -> str:
    m = re.search(r"\): (\w+)[=\[ ]", str(exc))
    return m.group(1) if m else ""


def _add_zone(raw: dict[str, Any]) -> Modification:
    _keys(raw, ("zone_id", "name", "polygon", "hub_stop_ids", "windows", "booking_rule_id",
                "service_id", "fleet"))
    zone_id = _need(raw, "zone_id")
    polygon = _polygon(_need(raw, "polygon"), "polygon")
    windows = _windows(raw) if "windows" in raw else ()
    try:
        zone = OnDemandZone(zone_id, raw.get("name", zone_id), polygon, windows=windows,
                            hub_stop_ids=_ids(raw, "hub_stop_ids", required=False),
                            booking_rule_id=raw.get("booking_rule_id"),
                            service_id=raw.get("service_id", ""))
    except ModelError as exc:
        raise ScenarioError(_model_field(exc), str(exc).split(": ", 1)[-1]) from None
    fleet = None
    if "fleet" in raw:
        spec = _mapping(raw["fleet"], "fleet")
        try:
            _keys(spec, ("vehicle_counts", "depot", "shift"))
            values = _depot_shift(spec)
            for key in ("depot_lat", "shift_start_s"):
                if key not in values:
                    raise ScenarioError(key.split("_")[0], "is missing")
            try:
                fleet = Fleet(zone_id, _counts(_need(spec, "vehicle_counts"), "vehicle_counts"),
                              **values)
            except ModelError as exc:
                raise ScenarioError(_model_field(exc), str(exc).split(": ", 1)[-1]) from None
        except ScenarioError as exc:
            raise exc.inside("fleet") from None
    return AddZone(zone=zone, fleet=fleet)


def _resize_zone(raw: dict[str, Any]) -> Modification:
    _keys(raw, ("zone_id", "buffer_m", "scale_factor", "polygon", "hub_stop_ids", "windows"))
    return ResizeZone(zone_id=_need(raw, "zone_id"), buffer_m=raw.get("buffer_m"),
                      scale_factor=raw.get("scale_factor"),
                      polygon=None if "polygon" not in raw else _polygon(raw["polygon"],
                                                                         "polygon"),
                      hub_stop_ids=_ids(raw, "hub_stop_ids") if "hub_stop_ids" in raw else None,
                      windows=_windows(raw) if "windows" in raw else None)


def _remove_zone(raw: dict[str, Any]) -> Modification:
    _keys(raw, ("zone_id",))
    return RemoveZone(_need(raw, "zone_id"))


def _set_fleet(raw: dict[str, Any]) -> Modification:
    _keys(raw, ("zone_id", "vehicle_counts", "vehicle_types", "depot", "shift"))
    return SetFleet(zone_id=_need(raw, "zone_id"),
                    vehicle_counts=_counts(_need(raw, "vehicle_counts"), "vehicle_counts"),
                    vehicle_types=_vehicle_types(raw), **_depot_shift(raw))


_BUILDERS: dict[str, Callable[[dict[str, Any]], Modification]] = {
    AddRoute.kind: _add_route, AdjustFrequency.kind: _adjust_frequency,
    RemoveRoutes.kind: _remove(RemoveRoutes, "route_ids"),
    RemoveTrips.kind: _remove(RemoveTrips, "trip_ids"),
    RemoveStops.kind: _remove(RemoveStops, "stop_ids"),
    Reroute.kind: _reroute, AdjustSpeed.kind: _adjust_speed, AdjustDwell.kind: _adjust_dwell,
    AddZone.kind: _add_zone, ResizeZone.kind: _resize_zone, RemoveZone.kind: _remove_zone,
    SetFleet.kind: _set_fleet,
}

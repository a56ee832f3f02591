"""Scenario edits: the modifications a planner applies to a base network.

A scenario is an ordered list of modifications (one frozen class per kind)
applied to a base feed and its on-demand service. The classes here only hold
and check values; applying them to GTFS tables is ``gtfs.scenario_apply``'s job.
Units are in the names (``headway_s``, ``speed_kmh``, ``dwell_s``); times of day
are int seconds after the service day's midnight (past 24:00 allowed).

A bad value raises :class:`ScenarioError` whose ``field`` is the path of the
field inside the modification (``"headways[0].headway_s"``) and whose message
is ``field: value why`` — the scenario file reader puts the file, the line and
the modification in front of it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import ClassVar

from shapely.geometry import MultiPolygon, Polygon

from transit.errors import ModelError
from transit.ondemand import Fleet, OnDemandZone, ServiceWindow, VehicleType

__all__ = ["KINDS", "AddRoute", "AddZone", "AdjustDwell", "AdjustFrequency", "AdjustSpeed",
           "HeadwayPeriod", "Modification", "RemoveRoutes", "RemoveStops", "RemoveTrips",
           "RemoveZone", "Reroute", "ResizeZone", "Scenario", "ScenarioError", "SetFleet",
           "StopRef"]


class ScenarioError(ModelError):
    """A modification holds a bad value, or cannot be applied to the base network.

    Parameters
    ----------
    field
        Path of the field in the modification, e.g. ``"headways[0].headway_s"``
        (``""`` for the modification as a whole).
    problem
        What is wrong, quoting the value.
    index, label
        Position of the modification in its scenario and its label
        (``"add-route 'BRT-B'"``), when known.
    """

    def __init__(self, field: str, problem: str, *, index: int | None = None,
                 label: str = "") -> None:
        self.field = field
        self.problem = problem
        self.index = index
        self.label = label
        head = ""
        if index is not None:
            head = f"modifications[{index}]" + (f" ({label})" if label else "") + ": "
        super().__init__(f"{head}{field}: {problem}" if field else f"{head}{problem}")

    def at(self, index: int, label: str) -> ScenarioError:
        """The same error, placed at modification ``index`` with ``label``."""
        return ScenarioError(self.field, self.problem, index=index, label=label)

    def inside(self, prefix: str) -> ScenarioError:
        """The same error with its field nested under ``prefix`` (``"headways[0]"``)."""
        field = f"{prefix}.{self.field}" if self.field else prefix
        return ScenarioError(field, self.problem, index=self.index, label=self.label)


def _ident(field: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise ScenarioError(field, f"{value!r} is not a non-blank id without surrounding spaces")


def _ids(field: str, values: tuple[str, ...], *, required: bool = True) -> None:
    if not isinstance(values, tuple):
        raise ScenarioError(field, f"{values!r} is not a list of ids")
    if required and not values:
        raise ScenarioError(field, "is empty: name at least one")
    for k, v in enumerate(values):
        _ident(f"{field}[{k}]", v)
    if len(set(values)) != len(values):
        twice = next(v for v in values if values.count(v) > 1)
        raise ScenarioError(field, f"{twice!r} is listed twice")


def _int(field: str, value: object, *, low: int = 0, positive: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(field, f"{value!r} is not an integer")
    if positive and value <= 0:
        raise ScenarioError(field, f"{value} must be positive")
    if value < low:
        raise ScenarioError(field, f"{value} must be at least {low}")


def _positive(field: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(float(value)):
        raise ScenarioError(field, f"{value!r} is not a finite number")
    if value <= 0:
        raise ScenarioError(field, f"{value} must be positive")


def _each(field: str, items: tuple[object, ...], kind: type) -> None:
    if not isinstance(items, tuple):
        raise ScenarioError(field, f"{items!r} is not a list")
    for k, item in enumerate(items):
        if not isinstance(item, kind):
            raise ScenarioError(f"{field}[{k}]", f"{item!r} is not a {kind.__name__}")


# -- parts ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HeadwayPeriod:
    """One departure every ``headway_s`` from ``start_s`` (included) to ``end_s`` (excluded)."""

    start_s: int
    end_s: int
    headway_s: int

    def __post_init__(self) -> None:
        _int("start_s", self.start_s)
        _int("end_s", self.end_s)
        _int("headway_s", self.headway_s, positive=True)
        if self.end_s <= self.start_s:
            raise ScenarioError("end_s", f"{self.end_s} is not after start_s={self.start_s}")

    def departures(self) -> range:
        """First departures of the period, in seconds."""
        return range(self.start_s, self.end_s, self.headway_s)


def _periods(field: str, periods: tuple[HeadwayPeriod, ...]) -> None:
    _each(field, periods, HeadwayPeriod)
    if not periods:
        raise ScenarioError(field, "is empty: give at least one period")
    ordered = sorted(range(len(periods)), key=lambda k: periods[k].start_s)
    for a, b in itertools.pairwise(ordered):
        if periods[b].start_s < periods[a].end_s:
            raise ScenarioError(f"{field}[{b}].start_s", f"{periods[b].start_s} overlaps "
                                f"{field}[{a}] (which ends at {periods[a].end_s})")


@dataclass(frozen=True, slots=True)
class StopRef:
    """A stop of a new route or segment: an existing ``stop_id``, or a new stop at lat/lon.

    A new stop (``lat``/``lon`` given) takes ``stop_id`` when given, else an id
    made from the route; ``name`` labels it.
    """

    stop_id: str = ""
    lat: float | None = None
    lon: float | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if (self.lat is None) != (self.lon is None):
            raise ScenarioError("lat" if self.lat is None else "lon",
                                "is missing: a new stop needs both lat and lon")
        if self.lat is None:
            _ident("stop_id", self.stop_id)
            return
        if self.stop_id:
            _ident("stop_id", self.stop_id)
        for name, value, top in (("lat", self.lat, 90.0), ("lon", self.lon, 180.0)):
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not math.isfinite(float(value)) or abs(float(value)) > top:
                what = "latitude" if top == 90.0 else "longitude"
                raise ScenarioError(name, f"{value!r} is not a {what}")
        if not isinstance(self.name, str):
            raise ScenarioError("name", f"{self.name!r} is not a string")

    @property
    def is_new(self) -> bool:
        """Whether this names a new stop (by coordinates)."""
        return self.lat is not None


def _stops(field: str, stops: tuple[StopRef, ...], *, at_least: int) -> None:
    _each(field, stops, StopRef)
    if len(stops) < at_least:
        raise ScenarioError(field, f"has {len(stops)} stops; at least {at_least} needed")
    given = [s.stop_id for s in stops if s.stop_id and s.is_new]
    if len(set(given)) != len(given):
        twice = next(v for v in given if given.count(v) > 1)
        raise ScenarioError(field, f"new stop id {twice!r} is given twice")


# -- modifications ------------------------------------------------------------------

class Modification:
    """Base of every modification: a ``kind`` (the YAML name) and a readable label."""

    __slots__ = ()
    kind: ClassVar[str] = ""

    @property
    def subject(self) -> str:
        """What the modification is about (a route, a zone...)."""
        return ""

    @property
    def label(self) -> str:
        """``kind 'subject'``, e.g. ``add-route 'BRT-B'``."""
        return f"{self.kind} {self.subject!r}" if self.subject else self.kind


@dataclass(frozen=True, slots=True)
class AddRoute(Modification):
    """A new route with trips generated from headways per period.

    Running times come from ``running_times_s`` (one per hop) or else from the
    straight-line distance between consecutive stops at ``speed_kmh``; every
    intermediate stop adds ``dwell_s``. With ``both_directions`` the reverse
    direction runs on the same headways. Trips run on each of ``service_ids``.
    """

    kind: ClassVar[str] = "add-route"
    route_id: str
    stops: tuple[StopRef, ...]
    headways: tuple[HeadwayPeriod, ...]
    service_ids: tuple[str, ...]
    speed_kmh: float | None = None
    running_times_s: tuple[int, ...] | None = None
    dwell_s: int = 20
    both_directions: bool = True
    short_name: str = ""
    long_name: str = ""
    route_type: int = 3
    agency_id: str = ""
    color: str = ""

    def __post_init__(self) -> None:
        _ident("route_id", self.route_id)
        _stops("stops", self.stops, at_least=2)
        _periods("headways", self.headways)
        _ids("service_ids", self.service_ids)
        if (self.speed_kmh is None) == (self.running_times_s is None):
            raise ScenarioError("speed_kmh", "give exactly one of speed_kmh and running_times_s")
        if self.speed_kmh is not None:
            _positive("speed_kmh", self.speed_kmh)
        if self.running_times_s is not None:
            if not isinstance(self.running_times_s, tuple):
                raise ScenarioError("running_times_s", f"{self.running_times_s!r} is not a list")
            if len(self.running_times_s) != len(self.stops) - 1:
                raise ScenarioError("running_times_s", f"has {len(self.running_times_s)} values; "
                                    f"{len(self.stops)} stops need {len(self.stops) - 1}")
            for k, t in enumerate(self.running_times_s):
                _int(f"running_times_s[{k}]", t, positive=True)
        _int("dwell_s", self.dwell_s)
        _int("route_type", self.route_type)
        if not isinstance(self.both_directions, bool):
            raise ScenarioError("both_directions", f"{self.both_directions!r} is not true/false")
        for name in ("short_name", "long_name", "agency_id", "color"):
            if not isinstance(getattr(self, name), str):
                raise ScenarioError(name, f"{getattr(self, name)!r} is not a string")
        if not self.short_name and not self.long_name:
            object.__setattr__(self, "short_name", self.route_id)

    @property
    def subject(self) -> str:
        """The route added."""
        return self.route_id


@dataclass(frozen=True, slots=True)
class AdjustFrequency(Modification):
    """New headways for a route within the given periods.

    For each (service, direction) of the route, the trips whose first
    departure falls in a period are replaced by trips every ``headway_s``,
    copying the stops and running times of the group's first trip; trips
    outside every period stay. ``service_ids`` / ``direction_id`` narrow the
    trips touched (empty / ``None``: all). With ``as_frequencies`` each period
    is one template trip plus a ``frequencies.txt`` row instead of explicit trips.
    """

    kind: ClassVar[str] = "adjust-frequency"
    route_id: str
    headways: tuple[HeadwayPeriod, ...]
    service_ids: tuple[str, ...] = ()
    direction_id: int | None = None
    as_frequencies: bool = False

    def __post_init__(self) -> None:
        _ident("route_id", self.route_id)
        _periods("headways", self.headways)
        _ids("service_ids", self.service_ids, required=False)
        if self.direction_id is not None and self.direction_id not in (0, 1):
            raise ScenarioError("direction_id", f"{self.direction_id!r} is not 0 or 1")
        if not isinstance(self.as_frequencies, bool):
            raise ScenarioError("as_frequencies", f"{self.as_frequencies!r} is not true/false")

    @property
    def subject(self) -> str:
        """The route changed."""
        return self.route_id


@dataclass(frozen=True, slots=True)
class RemoveRoutes(Modification):
    """Remove routes with their trips (stops stay)."""

    kind: ClassVar[str] = "remove-routes"
    route_ids: tuple[str, ...]

    def __post_init__(self) -> None:
        _ids("route_ids", self.route_ids)

    @property
    def subject(self) -> str:
        """The routes removed."""
        return ", ".join(self.route_ids)


@dataclass(frozen=True, slots=True)
class RemoveTrips(Modification):
    """Remove single trips."""

    kind: ClassVar[str] = "remove-trips"
    trip_ids: tuple[str, ...]

    def __post_init__(self) -> None:
        _ids("trip_ids", self.trip_ids)

    @property
    def subject(self) -> str:
        """The first trips removed."""
        return ", ".join(self.trip_ids[:3]) + (", ..." if len(self.trip_ids) > 3 else "")


@dataclass(frozen=True, slots=True)
class RemoveStops(Modification):
    """Remove stops: their stop times go, nothing is re-timed; trips left with < 2 stops go."""

    kind: ClassVar[str] = "remove-stops"
    stop_ids: tuple[str, ...]

    def __post_init__(self) -> None:
        _ids("stop_ids", self.stop_ids)

    @property
    def subject(self) -> str:
        """The first stops removed."""
        return ", ".join(self.stop_ids[:3]) + (", ..." if len(self.stop_ids) > 3 else "")


@dataclass(frozen=True, slots=True)
class Reroute(Modification):
    """Replace the stops between ``from_stop_id`` and ``to_stop_id`` by ``via``.

    Applies to every trip of the route passing ``from_stop_id`` then
    ``to_stop_id`` (and, reversed, to trips passing them the other way). The
    new segment is timed at ``speed_kmh`` over straight-line distances plus
    ``dwell_s`` per via stop; later stops shift by the difference. ``via`` may be
    empty (the route skips the segment's stops).
    """

    kind: ClassVar[str] = "reroute"
    route_id: str
    from_stop_id: str
    to_stop_id: str
    via: tuple[StopRef, ...]
    speed_kmh: float
    dwell_s: int = 20

    def __post_init__(self) -> None:
        _ident("route_id", self.route_id)
        _ident("from_stop_id", self.from_stop_id)
        _ident("to_stop_id", self.to_stop_id)
        if self.from_stop_id == self.to_stop_id:
            raise ScenarioError("to_stop_id", f"{self.to_stop_id!r} is also from_stop_id")
        _stops("via", self.via, at_least=0)
        _positive("speed_kmh", self.speed_kmh)
        _int("dwell_s", self.dwell_s)

    @property
    def subject(self) -> str:
        """The route changed."""
        return self.route_id


@dataclass(frozen=True, slots=True)
class AdjustSpeed(Modification):
    """Divide the running times between stops by ``speed_factor`` (1.25 = 25 % faster).

    Dwell times stay; each trip keeps its first departure. Only trips whose
    first departure is in ``[start_s, end_s)`` when those are given.
    """

    kind: ClassVar[str] = "adjust-speed"
    route_ids: tuple[str, ...]
    speed_factor: float
    start_s: int | None = None
    end_s: int | None = None

    def __post_init__(self) -> None:
        _ids("route_ids", self.route_ids)
        _positive("speed_factor", self.speed_factor)
        if (self.start_s is None) != (self.end_s is None):
            raise ScenarioError("end_s" if self.end_s is None else "start_s",
                                "is missing: give both start and end, or neither")
        if self.start_s is not None and self.end_s is not None:
            _int("start_s", self.start_s)
            _int("end_s", self.end_s)
            if self.end_s <= self.start_s:
                raise ScenarioError("end_s", f"{self.end_s} is not after start_s={self.start_s}")

    @property
    def subject(self) -> str:
        """The routes changed."""
        return ", ".join(self.route_ids)


@dataclass(frozen=True, slots=True)
class AdjustDwell(Modification):
    """Set the dwell at intermediate stops (all, or ``stop_ids``) to ``dwell_s``.

    Running times between stops stay; each trip keeps its first departure.
    """

    kind: ClassVar[str] = "adjust-dwell"
    route_ids: tuple[str, ...]
    dwell_s: int
    stop_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _ids("route_ids", self.route_ids)
        _int("dwell_s", self.dwell_s)
        _ids("stop_ids", self.stop_ids, required=False)

    @property
    def subject(self) -> str:
        """The routes changed."""
        return ", ".join(self.route_ids)


@dataclass(frozen=True, slots=True)
class AddZone(Modification):
    """A new on-demand zone, with its fleet when given."""

    kind: ClassVar[str] = "add-zone"
    zone: OnDemandZone
    fleet: Fleet | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.zone, OnDemandZone):
            raise ScenarioError("zone", f"{self.zone!r} is not an OnDemandZone")
        if self.fleet is not None:
            if not isinstance(self.fleet, Fleet):
                raise ScenarioError("fleet", f"{self.fleet!r} is not a Fleet")
            if self.fleet.zone_id != self.zone.zone_id:
                raise ScenarioError("fleet", f"serves zone {self.fleet.zone_id!r}, not "
                                    f"{self.zone.zone_id!r}")

    @property
    def subject(self) -> str:
        """The zone added."""
        return self.zone.zone_id


@dataclass(frozen=True, slots=True)
class ResizeZone(Modification):
    """Change a zone's polygon: grow (or shrink) by ``buffer_m``, scale, or replace.

    Exactly one of ``buffer_m`` (metres, negative shrinks), ``scale_factor``
    (about the centroid, on lengths) and ``polygon``. ``hub_stop_ids`` and
    ``windows``, when given, replace the zone's.
    """

    kind: ClassVar[str] = "resize-zone"
    zone_id: str
    buffer_m: float | None = None
    scale_factor: float | None = None
    polygon: Polygon | MultiPolygon | None = None
    hub_stop_ids: tuple[str, ...] | None = None
    windows: tuple[ServiceWindow, ...] | None = None

    def __post_init__(self) -> None:
        _ident("zone_id", self.zone_id)
        given = [n for n in ("buffer_m", "scale_factor", "polygon")
                 if getattr(self, n) is not None]
        if len(given) > 1:
            raise ScenarioError(given[1], f"give only one of buffer_m, scale_factor and "
                                f"polygon (also got {given[0]})")
        if not given and self.hub_stop_ids is None and self.windows is None:
            raise ScenarioError("buffer_m", "give one of buffer_m, scale_factor, polygon, "
                                "hub_stop_ids or windows")
        if self.buffer_m is not None and (
                isinstance(self.buffer_m, bool) or not isinstance(self.buffer_m, int | float)
                or not math.isfinite(float(self.buffer_m))):
            raise ScenarioError("buffer_m", f"{self.buffer_m!r} is not a finite number")
        if self.scale_factor is not None:
            _positive("scale_factor", self.scale_factor)
        if self.polygon is not None and not isinstance(self.polygon, Polygon | MultiPolygon):
            raise ScenarioError("polygon", f"{self.polygon!r} is not a Polygon or MultiPolygon")
        if self.hub_stop_ids is not None:
            _ids("hub_stop_ids", self.hub_stop_ids, required=False)
        if self.windows is not None:
            _each("windows", self.windows, ServiceWindow)

    @property
    def subject(self) -> str:
        """The zone changed."""
        return self.zone_id


@dataclass(frozen=True, slots=True)
class RemoveZone(Modification):
    """Remove an on-demand zone and its fleet."""

    kind: ClassVar[str] = "remove-zone"
    zone_id: str

    def __post_init__(self) -> None:
        _ident("zone_id", self.zone_id)

    @property
    def subject(self) -> str:
        """The zone removed."""
        return self.zone_id


@dataclass(frozen=True, slots=True)
class SetFleet(Modification):
    """Set a zone's fleet: vehicles per type, and optionally new types, depot and shift.

    ``vehicle_counts`` replaces the zone's counts. ``vehicle_types`` are added to
    the service (an existing id must be identical). A zone without a fleet
    needs the depot and the shift.
    """

    kind: ClassVar[str] = "set-fleet"
    zone_id: str
    vehicle_counts: tuple[tuple[str, int], ...]
    vehicle_types: tuple[VehicleType, ...] = ()
    depot_lat: float | None = None
    depot_lon: float | None = None
    depot_stop_id: str | None = None
    shift_start_s: int | None = None
    shift_end_s: int | None = None

    def __post_init__(self) -> None:
        _ident("zone_id", self.zone_id)
        if not isinstance(self.vehicle_counts, tuple) or not self.vehicle_counts:
            raise ScenarioError("vehicle_counts", "is empty: give at least one vehicle type")
        for type_id, n in self.vehicle_counts:
            _ident("vehicle_counts", type_id)
            _int(f"vehicle_counts.{type_id}", n)
        _each("vehicle_types", self.vehicle_types, VehicleType)
        if (self.depot_lat is None) != (self.depot_lon is None):
            raise ScenarioError("depot_lat" if self.depot_lat is None else "depot_lon",
                                "is missing: give both depot_lat and depot_lon")
        if (self.shift_start_s is None) != (self.shift_end_s is None):
            raise ScenarioError("shift_end_s" if self.shift_end_s is None else "shift_start_s",
                                "is missing: give both shift start and end")

    @property
    def subject(self) -> str:
        """The zone whose fleet is set."""
        return self.zone_id


#: Every modification class by its ``kind``.
KINDS: dict[str, type[Modification]] = {c.kind: c for c in (
    AddRoute, AdjustFrequency, RemoveRoutes, RemoveTrips, RemoveStops, Reroute, AdjustSpeed,
    AdjustDwell, AddZone, ResizeZone, RemoveZone, SetFleet)}


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named, ordered list of modifications (the base lives with the file that names it)."""

    name: str
    modifications: tuple[Modification, ...]
    description: str = ""

    def __post_init__(self) -> None:
        _ident("name", self.name)
        _each("modifications", self.modifications, Modification)

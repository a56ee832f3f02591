"""The on-demand (DRT) service: zones, their hours and hubs, fleets and booking rules.

Everything here is a frozen value object checked on construction (a
:class:`~transit.errors.ModelError` names the field and the value). Times are
int seconds after the service day's midnight (past 24:00 allowed); polygons are
shapely geometries in WGS84 with ``x`` = longitude and ``y`` = latitude. Stop ids
stay GTFS strings here, because a service outlives any one compiled day; turn
them into stop indices with :meth:`OnDemandService.hub_stop_indices`.

Service windows are keyed by GTFS ``service_id`` (the calendar answers which
ones run on a date), so ``is_open`` takes the set of services active that day.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon
from shapely.validation import explain_validity

from transit.errors import ModelError, UnknownIdError

__all__ = ["BOOKING_TYPES", "ENERGIES", "BookingRules", "Fleet", "OnDemandService",
           "OnDemandZone", "ServiceWindow", "VehicleType"]

#: Powertrains a vehicle type may have.
ENERGIES = ("ev", "hybrid", "diesel", "petrol", "lpg")
#: GTFS-Flex ``booking_type``: 0 real time, 1 same day with notice, 2 up to prior day(s).
BOOKING_TYPES = (0, 1, 2)
REAL_TIME, SAME_DAY, PRIOR_DAYS = BOOKING_TYPES
DAY_S = 86_400
_GEOD = Geod(ellps="WGS84")


def _fail(owner: str, name: str, value: object, why: str) -> ModelError:
    return ModelError(f"{owner}: {name}={value!r} {why}")


def _int(owner: str, name: str, value: object, *, low: int | None = 0) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise _fail(owner, name, value, "is not an integer")
    if low is not None and value < low:
        raise _fail(owner, name, value, f"must be at least {low}")


def _number(owner: str, name: str, value: object, *, low: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number) \
            or not math.isfinite(float(value)):
        raise _fail(owner, name, value, "is not a finite number")
    if float(value) < low:
        raise _fail(owner, name, value, f"must be at least {low:g}")


def _ident(owner: str, name: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise _fail(owner, name, value, "is not a non-blank id without surrounding spaces")


def _lat_lon(owner: str, lat: object, lon: object, *, prefix: str = "") -> None:
    _number(owner, f"{prefix}lat", lat, low=-90.0)
    _number(owner, f"{prefix}lon", lon, low=-180.0)
    if float(lat) > 90.0:  # type: ignore[arg-type]
        raise _fail(owner, f"{prefix}lat", lat, "is not a latitude")
    if float(lon) > 180.0:  # type: ignore[arg-type]
        raise _fail(owner, f"{prefix}lon", lon, "is not a longitude")


@dataclass(frozen=True, slots=True, order=True)
class ServiceWindow:
    """On-demand rides run from ``start_s`` to ``end_s`` on days ``service_id`` runs."""

    service_id: str
    start_s: int
    end_s: int

    def __post_init__(self) -> None:
        owner = f"ServiceWindow({self.service_id!r})"
        _ident(owner, "service_id", self.service_id)
        _int(owner, "start_s", self.start_s)
        _int(owner, "end_s", self.end_s)
        if self.end_s <= self.start_s:
            raise ModelError(f"{owner}: end_s={self.end_s} is not after "
                             f"start_s={self.start_s} (the window ends before it starts)")


def check_polygon(owner: str, polygon: object) -> None:
    """Raise :class:`ModelError` unless ``polygon`` is a valid lon/lat (Multi)Polygon."""
    if not isinstance(polygon, Polygon | MultiPolygon):
        raise _fail(owner, "polygon", type(polygon).__name__, "is not a Polygon or MultiPolygon")
    if polygon.is_empty:
        raise ModelError(f"{owner}: polygon is empty")
    if polygon.has_z:
        raise ModelError(f"{owner}: polygon has z coordinates; expected lon/lat pairs")
    lon0, lat0, lon1, lat1 = polygon.bounds
    if not (lon0 >= -180.0 and lon1 <= 180.0 and lat0 >= -90.0 and lat1 <= 90.0):
        raise ModelError(f"{owner}: polygon bounds {polygon.bounds} are not lon/lat in WGS84 "
                         "(x = longitude in [-180, 180], y = latitude in [-90, 90])")
    if not polygon.is_valid:
        raise ModelError(f"{owner}: polygon is not valid: {explain_validity(polygon)}")


@dataclass(frozen=True, slots=True)
class OnDemandZone:
    """An area where on-demand vehicles pick up and drop off anywhere.

    Parameters
    ----------
    zone_id
        The GTFS-Flex location id (a Feature ``id`` of ``locations.geojson``).
    name
        Label shown to riders.
    polygon
        The zone in WGS84, ``x`` = longitude; holes are outside the zone.
    windows
        When rides run, per GTFS service id; kept sorted.
    hub_stop_ids
        GTFS stop ids where rides meet buses (rides go between the zone and these).
    booking_rule_id
        Id of the :class:`BookingRules` that apply, or ``None``.
    service_id
        The operator's id of the on-demand service in this zone (defaults to ``zone_id``).
    """

    zone_id: str
    name: str
    polygon: Polygon | MultiPolygon = field(compare=False)
    windows: tuple[ServiceWindow, ...] = ()
    hub_stop_ids: tuple[str, ...] = ()
    booking_rule_id: str | None = None
    service_id: str = ""

    def __post_init__(self) -> None:
        owner = f"OnDemandZone({self.zone_id!r})"
        _ident(owner, "zone_id", self.zone_id)
        if not isinstance(self.name, str):
            raise _fail(owner, "name", self.name, "is not a string")
        check_polygon(owner, self.polygon)
        for w in self.windows:
            if not isinstance(w, ServiceWindow):
                raise _fail(owner, "windows", w, "is not a ServiceWindow")
        object.__setattr__(self, "windows", tuple(sorted(self.windows)))
        for s in self.hub_stop_ids:
            _ident(owner, "hub_stop_ids", s)
        if len(set(self.hub_stop_ids)) != len(self.hub_stop_ids):
            twice = next(s for s in self.hub_stop_ids if self.hub_stop_ids.count(s) > 1)
            raise _fail(owner, "hub_stop_ids", twice, "is listed twice")
        if self.booking_rule_id is not None:
            _ident(owner, "booking_rule_id", self.booking_rule_id)
        if self.service_id == "":
            object.__setattr__(self, "service_id", self.zone_id)
        _ident(owner, "service_id", self.service_id)
        shapely.prepare(self.polygon)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OnDemandZone):
            return NotImplemented
        return (self.zone_id, self.name, self.windows, self.hub_stop_ids, self.booking_rule_id,
                self.service_id) == (other.zone_id, other.name, other.windows,
                                     other.hub_stop_ids, other.booking_rule_id,
                                     other.service_id) \
            and bool(shapely.equals_exact(self.polygon, other.polygon, tolerance=0.0))

    def __hash__(self) -> int:
        return hash((self.zone_id, self.windows, self.hub_stop_ids))

    @property
    def area_km2(self) -> float:
        """Geodesic area on the WGS84 ellipsoid, in km²."""
        area_m2, _ = _GEOD.geometry_area_perimeter(self.polygon)
        return abs(area_m2) / 1e6

    @property
    def service_ids(self) -> tuple[str, ...]:
        """GTFS service ids with at least one window, in order."""
        return tuple(dict.fromkeys(w.service_id for w in self.windows))

    def windows_on(self, service_ids: Collection[str]) -> tuple[tuple[int, int], ...]:
        """The (start_s, end_s) windows of a day whose active services are ``service_ids``."""
        return tuple((w.start_s, w.end_s) for w in self.windows if w.service_id in service_ids)

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies inside the zone (its boundary counts as inside)."""
        return bool(shapely.intersects_xy(self.polygon, lon, lat))


@dataclass(frozen=True, slots=True)
class VehicleType:
    """A kind of on-demand vehicle.

    ``co2_g_per_km`` is the tank-to-wheel (or, for EVs, grid) emission per km driven.
    """

    vehicle_type_id: str
    seats: int
    wheelchair_spaces: int
    energy: str
    co2_g_per_km: float
    model: str = ""
    range_km: float | None = None

    def __post_init__(self) -> None:
        owner = f"VehicleType({self.vehicle_type_id!r})"
        _ident(owner, "vehicle_type_id", self.vehicle_type_id)
        _int(owner, "seats", self.seats)
        _int(owner, "wheelchair_spaces", self.wheelchair_spaces)
        if self.seats + self.wheelchair_spaces == 0:
            raise ModelError(f"{owner}: seats=0 and wheelchair_spaces=0: the vehicle carries "
                             "nobody")
        if self.energy not in ENERGIES:
            raise _fail(owner, "energy", self.energy, f"is not one of {ENERGIES}")
        _number(owner, "co2_g_per_km", self.co2_g_per_km, low=0.0)
        if self.range_km is not None:
            _number(owner, "range_km", self.range_km, low=0.0)
            if self.range_km == 0:
                raise _fail(owner, "range_km", self.range_km, "must be positive")


@dataclass(frozen=True, slots=True)
class Fleet:
    """The vehicles serving one zone: how many of each type, where they sleep, when they work.

    ``vehicle_counts`` pairs a vehicle type id with a count, in a fixed order;
    :meth:`vehicle_ids` numbers the vehicles ``{zone_id}-01``, ``-02``... in that order.
    """

    zone_id: str
    vehicle_counts: tuple[tuple[str, int], ...]
    depot_lat: float
    depot_lon: float
    shift_start_s: int
    shift_end_s: int
    depot_stop_id: str | None = None

    def __post_init__(self) -> None:
        owner = f"Fleet({self.zone_id!r})"
        _ident(owner, "zone_id", self.zone_id)
        seen: set[str] = set()
        for pair in self.vehicle_counts:
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise _fail(owner, "vehicle_counts", pair, "is not a (vehicle_type_id, count) "
                            "pair")
            type_id, count = pair
            _ident(owner, "vehicle_counts", type_id)
            if type_id in seen:
                raise _fail(owner, "vehicle_counts", type_id, "is listed twice")
            seen.add(type_id)
            _int(owner, f"vehicle_counts[{type_id!r}]", count)
        _lat_lon(owner, self.depot_lat, self.depot_lon, prefix="depot_")
        _int(owner, "shift_start_s", self.shift_start_s)
        _int(owner, "shift_end_s", self.shift_end_s)
        if self.shift_end_s <= self.shift_start_s:
            raise ModelError(f"{owner}: shift_end_s={self.shift_end_s} is not after "
                             f"shift_start_s={self.shift_start_s}")
        if self.depot_stop_id is not None:
            _ident(owner, "depot_stop_id", self.depot_stop_id)

    @property
    def n_vehicles(self) -> int:
        """Number of vehicles of every type."""
        return sum(n for _, n in self.vehicle_counts)

    def vehicle_ids(self) -> tuple[tuple[str, str], ...]:
        """(vehicle id, vehicle type id) of every vehicle, numbered in ``vehicle_counts`` order."""
        out: list[tuple[str, str]] = []
        for type_id, n in self.vehicle_counts:
            first = len(out) + 1
            out.extend((f"{self.zone_id}-{first + k:02d}", type_id) for k in range(n))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class BookingRules:
    """How and when riders book (GTFS-Flex ``booking_rules.txt`` plus ride promises).

    Parameters
    ----------
    booking_rule_id
        Id, as in ``booking_rules.txt``.
    booking_type
        0 real time, 1 same day with ``min_notice_s``, 2 until ``last_time_s`` of the
        day ``last_day_before`` days before the trip.
    min_notice_s, max_notice_s
        Shortest and (optionally) longest notice for ``booking_type`` 1.
    max_advance_days, opens_at_s
        Bookings open at ``opens_at_s`` of the day ``max_advance_days`` before the
        trip (``None``: no limit).
    last_day_before, last_time_s
        Deadline for ``booking_type`` 2.
    max_ride_factor, max_ride_offset_s
        A ride may take at most ``max_ride_factor * direct + max_ride_offset_s``.
    pickup_window_s
        Width of the promised pickup window.
    transfer_buffer_s
        Slack kept between a ride and the bus it meets.
    boarding_s, alighting_s
        Dwell to board and to alight.
    fare_yen
        Flat fare, if any.
    message, pickup_message, drop_off_message, phone_number, info_url, booking_url
        How to book, shown to riders.
    """

    booking_rule_id: str
    booking_type: int = SAME_DAY
    min_notice_s: int = 0
    max_notice_s: int | None = None
    max_advance_days: int | None = None
    opens_at_s: int = 0
    last_day_before: int | None = None
    last_time_s: int | None = None
    max_ride_factor: float = 1.5
    max_ride_offset_s: int = 300
    pickup_window_s: int = 600
    transfer_buffer_s: int = 180
    boarding_s: int = 60
    alighting_s: int = 30
    fare_yen: int | None = None
    message: str = ""
    pickup_message: str = ""
    drop_off_message: str = ""
    phone_number: str = ""
    info_url: str = ""
    booking_url: str = ""

    def __post_init__(self) -> None:
        owner = f"BookingRules({self.booking_rule_id!r})"
        _ident(owner, "booking_rule_id", self.booking_rule_id)
        if self.booking_type not in BOOKING_TYPES or isinstance(self.booking_type, bool):
            raise _fail(owner, "booking_type", self.booking_type, f"is not one of {BOOKING_TYPES}")
        _int(owner, "min_notice_s", self.min_notice_s)
        kind = self.booking_type
        if kind != SAME_DAY and self.min_notice_s:
            raise _fail(owner, "min_notice_s", self.min_notice_s,
                        f"is only allowed with booking_type 1 (got {kind})")
        if self.max_notice_s is not None:
            _int(owner, "max_notice_s", self.max_notice_s)
            if kind != SAME_DAY:
                raise _fail(owner, "max_notice_s", self.max_notice_s,
                            f"is only allowed with booking_type 1 (got {kind})")
            if self.max_notice_s < self.min_notice_s:
                raise _fail(owner, "max_notice_s", self.max_notice_s,
                            f"is less than min_notice_s={self.min_notice_s}")
        if self.max_advance_days is not None:
            _int(owner, "max_advance_days", self.max_advance_days)
            if kind == REAL_TIME:
                raise _fail(owner, "max_advance_days", self.max_advance_days,
                            "is not allowed with booking_type 0 (real time)")
            if self.max_notice_s is not None:
                raise _fail(owner, "max_advance_days", self.max_advance_days,
                            "cannot be combined with max_notice_s")
        _int(owner, "opens_at_s", self.opens_at_s)
        if self.opens_at_s >= DAY_S:
            raise _fail(owner, "opens_at_s", self.opens_at_s, "is not a time of day (< 86400)")
        if kind == PRIOR_DAYS:
            if self.last_day_before is None or self.last_time_s is None:
                raise ModelError(f"{owner}: booking_type 2 needs last_day_before and last_time_s")
            _int(owner, "last_day_before", self.last_day_before, low=1)
            _int(owner, "last_time_s", self.last_time_s)
            if self.last_time_s >= DAY_S:
                raise _fail(owner, "last_time_s", self.last_time_s,
                            "is not a time of day (< 86400)")
            if self.max_advance_days is not None and self.max_advance_days < self.last_day_before:
                raise _fail(owner, "max_advance_days", self.max_advance_days,
                            f"is less than last_day_before={self.last_day_before}")
        elif self.last_day_before is not None or self.last_time_s is not None:
            raise ModelError(f"{owner}: last_day_before={self.last_day_before!r} and last_time_s="
                             f"{self.last_time_s!r} are only allowed with booking_type 2")
        if (self.max_advance_days is not None and kind == SAME_DAY
                and self.max_advance_days * DAY_S < self.min_notice_s):
            raise _fail(owner, "max_advance_days", self.max_advance_days,
                        f"opens bookings after min_notice_s={self.min_notice_s} closes them")
        _number(owner, "max_ride_factor", self.max_ride_factor, low=1.0)
        _int(owner, "max_ride_offset_s", self.max_ride_offset_s)
        _int(owner, "pickup_window_s", self.pickup_window_s, low=1)
        _int(owner, "transfer_buffer_s", self.transfer_buffer_s)
        _int(owner, "boarding_s", self.boarding_s)
        _int(owner, "alighting_s", self.alighting_s)
        if self.fare_yen is not None:
            _int(owner, "fare_yen", self.fare_yen)
        for name in ("message", "pickup_message", "drop_off_message", "phone_number",
                     "info_url", "booking_url"):
            if not isinstance(getattr(self, name), str):
                raise _fail(owner, name, getattr(self, name), "is not a string")

    def max_ride_s(self, direct_s: int) -> int:
        """Longest ride allowed for a direct drive of ``direct_s`` seconds."""
        return math.floor(self.max_ride_factor * direct_s + self.max_ride_offset_s)

    def accepts(self, booked_at_s: int, pickup_s: int, *, day_start_s: int) -> bool:
        """Whether a booking made at ``booked_at_s`` for a pickup at ``pickup_s`` is allowed.

        All three are seconds on one clock; ``day_start_s`` is the midnight that
        starts the pickup's service day on that clock (the days-before counts
        are counted from it).
        """
        if booked_at_s > pickup_s:
            return False
        if self.max_advance_days is not None \
                and booked_at_s < day_start_s - self.max_advance_days * DAY_S + self.opens_at_s:
            return False
        notice = pickup_s - booked_at_s
        if self.booking_type == SAME_DAY:
            return notice >= self.min_notice_s and (self.max_notice_s is None
                                                    or notice <= self.max_notice_s)
        if self.booking_type == PRIOR_DAYS:
            assert self.last_day_before is not None and self.last_time_s is not None
            return booked_at_s <= day_start_s - self.last_day_before * DAY_S + self.last_time_s
        return True


@dataclass(frozen=True, slots=True)
class OnDemandService:
    """Every on-demand zone of a region, their fleets, vehicle types and booking rules.

    At most one fleet per zone (``fleets`` is kept in zone order); every
    reference (fleet → zone, fleet → vehicle type, zone → booking rule) must
    resolve. ``timezone`` is the IANA zone of the clock times (``""`` when unknown).
    """

    zones: tuple[OnDemandZone, ...]
    vehicle_types: tuple[VehicleType, ...] = ()
    fleets: tuple[Fleet, ...] = ()
    booking_rules: tuple[BookingRules, ...] = ()
    timezone: str = ""
    _by_id: dict[str, int] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        owner = "OnDemandService"
        for name, items, key in (("zones", self.zones, "zone_id"),
                                 ("vehicle_types", self.vehicle_types, "vehicle_type_id"),
                                 ("fleets", self.fleets, "zone_id"),
                                 ("booking_rules", self.booking_rules, "booking_rule_id")):
            ids = [getattr(x, key) for x in items]
            if len(set(ids)) != len(ids):
                twice = next(i for i in ids if ids.count(i) > 1)
                raise _fail(owner, f"{name}[].{key}", twice, "is not unique")
        zone_ids = {z.zone_id for z in self.zones}
        type_ids = {t.vehicle_type_id for t in self.vehicle_types}
        rule_ids = {r.booking_rule_id for r in self.booking_rules}
        for f in self.fleets:
            if f.zone_id not in zone_ids:
                raise _fail(owner, "fleets[].zone_id", f.zone_id, "is not a zone")
            for type_id, _ in f.vehicle_counts:
                if type_id not in type_ids:
                    raise _fail(owner, f"fleet {f.zone_id!r} vehicle type", type_id,
                                "is not one of vehicle_types")
        for z in self.zones:
            if z.booking_rule_id is not None and z.booking_rule_id not in rule_ids:
                raise _fail(owner, f"zone {z.zone_id!r} booking_rule_id", z.booking_rule_id,
                            "is not one of booking_rules")
        object.__setattr__(self, "_by_id", {z.zone_id: i for i, z in enumerate(self.zones)})
        object.__setattr__(self, "fleets", tuple(sorted(self.fleets,
                                                        key=lambda f: self._by_id[f.zone_id])))

    # -- lookups ------------------------------------------------------------

    def zone(self, zone: str | OnDemandZone) -> OnDemandZone:
        """The zone with this id (a zone passes through)."""
        if isinstance(zone, OnDemandZone):
            return zone
        try:
            return self.zones[self._by_id[zone]]
        except KeyError:
            raise UnknownIdError(f"zone={zone!r} is not a zone of this service "
                                 f"(zones: {sorted(self._by_id)})") from None

    def zone_at(self, lat: float, lon: float) -> OnDemandZone | None:
        """The first zone holding the point (boundary included), or ``None``."""
        for z in self.zones:
            if z.contains(lat, lon):
                return z
        return None

    def zones_at(self, lat: ArrayLike, lon: ArrayLike) -> NDArray[np.int32]:
        """Vectorised :meth:`zone_at`: index into :attr:`zones` of each point, -1 if none."""
        la = np.asarray(lat, dtype=np.float64)
        lo = np.asarray(lon, dtype=np.float64)
        out = np.full(np.broadcast(la, lo).shape, -1, np.int32)
        for i in range(len(self.zones) - 1, -1, -1):  # first zone wins
            out[shapely.intersects_xy(self.zones[i].polygon, lo, la)] = i
        return out

    def is_open(self, zone: str | OnDemandZone, time_s: int, *,
                service_ids: Collection[str]) -> bool:
        """Whether rides run in ``zone`` at ``time_s`` on a day running ``service_ids``.

        A window is half-open, ``[start_s, end_s)``.
        """
        return any(a <= time_s < b for a, b in self.zone(zone).windows_on(service_ids))

    def hubs(self, zone: str | OnDemandZone) -> tuple[str, ...]:
        """GTFS stop ids of the zone's hubs."""
        return self.zone(zone).hub_stop_ids

    def hub_stop_indices(self, zone: str | OnDemandZone,
                         stop_index: Mapping[str, int]) -> tuple[int, ...]:
        """The zone's hubs as stop indices of a compiled day (``Timetable.stop_index``).

        Raises
        ------
        ModelError
            If a hub is not a stop of that day's timetable.
        """
        z = self.zone(zone)
        missing = [s for s in z.hub_stop_ids if s not in stop_index]
        if missing:
            raise ModelError(f"zone {z.zone_id!r}: hub stop_id {missing[0]!r} is not a stop of "
                             "the timetable")
        return tuple(stop_index[s] for s in z.hub_stop_ids)

    def fleet(self, zone: str | OnDemandZone) -> Fleet | None:
        """The fleet serving the zone, if any."""
        zone_id = self.zone(zone).zone_id
        return next((f for f in self.fleets if f.zone_id == zone_id), None)

    def booking(self, zone: str | OnDemandZone) -> BookingRules | None:
        """The booking rules of the zone, if any."""
        rule = self.zone(zone).booking_rule_id
        return next((r for r in self.booking_rules if r.booking_rule_id == rule), None)

    def vehicle_type(self, vehicle_type_id: str) -> VehicleType:
        """The vehicle type with this id."""
        for t in self.vehicle_types:
            if t.vehicle_type_id == vehicle_type_id:
                return t
        raise UnknownIdError(f"vehicle_type_id={vehicle_type_id!r} is not a vehicle type")

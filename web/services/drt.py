"""The on-demand services as the API uses them on the loaded day.

The service definition is :func:`gtfs.ondemand.load_ondemand_service`'s
(GTFS-Flex zones of the feed, completed by ``drt_service.yaml``). This module
flattens it, per zone, into what booking needs on one service day: the zone
polygon, its hubs with coordinates, the ride windows of that day (the
calendar decides which GTFS services run) clipped to the fleet's shift, the
depot, the vehicles with their seats, and the ride promises.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from shapely.geometry import MultiPolygon, Point, Polygon

from transit.errors import TsunaguError
from transit.ondemand import OnDemandService
from transit.timetable import Timetable

HUB_RADIUS_M = 300.0


class DrtConfigError(ValueError, TsunaguError):
    """The on-demand service does not fit the loaded day (a hub is not a stop...)."""


@dataclass(frozen=True, slots=True)
class FleetVehicle:
    """A vehicle of an on-demand service."""

    vehicle_id: str
    service_id: str
    model: str
    seats: int
    wheelchair_spaces: int


@dataclass(frozen=True, slots=True)
class Hub:
    """A stop where on-demand rides meet fixed-route transit."""

    stop_id: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class DrtService:
    """One zone's on-demand service on the loaded day."""

    service_id: str
    name: str
    zone_id: str
    zone: Polygon | MultiPolygon
    hubs: tuple[Hub, ...]
    windows: tuple[tuple[int, int], ...]
    depot: tuple[float, float]
    fleet: tuple[FleetVehicle, ...]
    boarding_s: int
    max_ride_factor: float

    def covers(self, lat: float, lon: float) -> bool:
        """Whether a point lies in the zone (boundary included)."""
        return bool(self.zone.covers(Point(lon, lat)))

    def open_between(self, lo_s: int, hi_s: int) -> bool:
        """Whether a ride window overlaps ``[lo_s, hi_s]``."""
        return any(a <= hi_s and lo_s < b for a, b in self.windows)


def drt_services(service: OnDemandService, timetable: Timetable,
                 active_service_ids: Collection[str]) -> tuple[DrtService, ...]:
    """Return every zone that has a fleet as a :class:`DrtService` of the timetable's day.

    Raises
    ------
    DrtConfigError
        When a hub is not a stop of the timetable.
    """
    out = []
    tt = timetable
    for zone in service.zones:
        fleet = service.fleet(zone)
        if fleet is None:
            continue
        hubs = []
        for sid in zone.hub_stop_ids:
            s = tt.stop_index.get(sid)
            if s is None:
                raise DrtConfigError(f"zone {zone.zone_id!r}: hub stop_id {sid!r} is not a "
                                     f"stop of the {tt.service_date.isoformat()} timetable")
            hubs.append(Hub(sid, tt.stop_names[s], float(tt.stop_lat[s]), float(tt.stop_lon[s])))
        windows = tuple((max(a, fleet.shift_start_s), min(b, fleet.shift_end_s))
                        for a, b in zone.windows_on(active_service_ids)
                        if max(a, fleet.shift_start_s) < min(b, fleet.shift_end_s))
        vehicles = []
        for vid, type_id in fleet.vehicle_ids():
            vt = service.vehicle_type(type_id)
            vehicles.append(FleetVehicle(vid, zone.service_id, vt.model or type_id, vt.seats,
                                         vt.wheelchair_spaces))
        rules = service.booking(zone)
        out.append(DrtService(
            zone.service_id, zone.name, zone.zone_id, zone.polygon, tuple(hubs), windows,
            (fleet.depot_lat, fleet.depot_lon), tuple(vehicles),
            rules.boarding_s if rules else 60, rules.max_ride_factor if rules else 1.5))
    return tuple(out)


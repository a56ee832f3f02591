"""The on-demand services of a city: zones, hubs, hours and fleets from ``drt_service.yaml``.

Zones are the polygons of the feed's GTFS-Flex ``locations.geojson`` (read
from the zip or folder named by the YAML). Loaded once at start; bad files are
a :class:`DrtConfigError` naming the file and the field.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from routing.planner import parse_clock
from transit.errors import TsunaguError

HUB_RADIUS_M = 300.0


class DrtConfigError(ValueError, TsunaguError):
    """``drt_service.yaml`` or the zones it names cannot be read."""


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
    """One on-demand service: its zone, hubs, hours, depot, fleet and booking rules."""

    service_id: str
    name: str
    zone_id: str
    zone: BaseGeometry
    hubs: tuple[Hub, ...]
    hours: dict[str, tuple[int, int]]  # "weekday"/"weekend" -> (start_s, end_s)
    depot: tuple[float, float]
    fleet: tuple[FleetVehicle, ...]
    boarding_s: int
    max_ride_factor: float
    max_wait_s: int

    def hours_on(self, day: date) -> tuple[int, int] | None:
        """Return the service hours on ``day`` (weekday or weekend), if any."""
        return self.hours.get("weekday" if day.weekday() < 5 else "weekend")

    def covers(self, lat: float, lon: float) -> bool:
        """Whether a point lies in the zone."""
        return bool(self.zone.covers(Point(lon, lat)))


def _get(d: Any, key: str, where: str) -> Any:
    if not isinstance(d, dict) or key not in d:
        raise DrtConfigError(f"{where}: missing {key!r}")
    return d[key]


def _locations(feed: Path, name: str, where: str) -> dict[str, BaseGeometry]:
    try:
        if feed.is_dir():
            text = (feed / name).read_text(encoding="utf-8")
        else:
            with zipfile.ZipFile(feed) as z:
                text = z.read(name).decode("utf-8")
        data = json.loads(text)
        return {str(f["id"]): shape(f["geometry"]) for f in data["features"]}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, TypeError) as exc:
        raise DrtConfigError(f"{where}: cannot read zones {name} from {feed}: {exc}") from None


def load_drt_services(path: Path) -> tuple[DrtService, ...]:
    """Return the services of a ``drt_service.yaml`` (zones from the feed beside it)."""
    where = str(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DrtConfigError(f"{where}: cannot read: {exc}") from None
    feed = path.parent / str(_get(doc, "feed", where))
    zones = _locations(feed, str(_get(doc, "locations", where)), where)
    out = []
    for i, s in enumerate(_get(doc, "services", where) or []):
        w = f"{where}: services[{i}]"
        try:
            zone_id = str(_get(s, "zone_id", w))
            if zone_id not in zones:
                raise DrtConfigError(f"{w}: zone {zone_id!r} is not in the feed's locations")
            hours = {k: (parse_clock(str(_get(v, "start", f"{w}.{k}"))),
                         parse_clock(str(_get(v, "end", f"{w}.{k}"))))
                     for k, v in (_get(s, "service_hours", w) or {}).items()}
            depot = _get(s, "depot", w)
            booking = s.get("booking", {}) or {}
            sid = str(_get(s, "service_id", w))
            fleet = tuple(FleetVehicle(str(_get(v, "vehicle_id", w)), sid, str(v.get("model", "")),
                                       int(_get(v, "seats", w)),
                                       int(v.get("wheelchair_spaces", 0)))
                          for v in _get(s, "fleet", w))
            hubs = tuple(Hub(str(h["stop_id"]), str(h.get("stop_name", "")), float(h["lat"]),
                             float(h["lon"])) for h in s.get("hubs", []))
            out.append(DrtService(
                sid, str(s.get("name", sid)), zone_id, zones[zone_id], hubs, hours,
                (float(_get(depot, "lat", w)), float(_get(depot, "lon", w))), fleet,
                int(booking.get("boarding_s", 60)), float(booking.get("max_ride_factor", 2.0)),
                int(booking.get("max_wait_s", 900))))
        except (TypeError, ValueError, KeyError) as exc:
            if isinstance(exc, DrtConfigError):
                raise
            raise DrtConfigError(f"{w}: {exc}") from None
    ids = [v.vehicle_id for s in out for v in s.fleet]
    if len(set(ids)) != len(ids):
        raise DrtConfigError(f"{where}: a vehicle_id appears twice")
    return tuple(out)

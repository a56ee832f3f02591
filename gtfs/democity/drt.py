"""The on-demand (DRT) service: a zone on the hills far from any stop.

Per segment, the DRT estate is put where a hillside housing estate is farthest
from every bus stop (so it is truly unserved), and its zone is a 12-sided
polygon around it (~2 km x 1.5 km, shrunk if a stop would fall inside).
Riders are carried between any point of the zone and the zone's hubs: the
nearest BRT station hub and the two nearest feeder stops outside the zone,
where rides meet buses. The fleet mixes small EVs with wheelchair-accessible
diesel vans, as Japanese municipal DRT does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import Point, Polygon
from shapely.geometry.polygon import orient

from gtfs.democity.geography import HILL_ELEVATION_M, SEGMENT_LENGTH_M, Blob, Terrain
from gtfs.democity.network import BusNetwork

FloatArray = NDArray[np.float64]

ESTATE_RADIUS_M = 550.0
ESTATE_WEIGHT = 1.6
ZONE_HALF_LENGTH_M = 1_000.0  # along the coast
ZONE_HALF_WIDTH_M = 750.0  # inland
ZONE_VERTICES = 12
RHO_MIN, RHO_MAX = 0.85, 1.1  # vertex radius, relative to the half axes
CANDIDATE_STEP_M = 250.0
MAX_HUB_FEEDER_STOPS = 2


@dataclass(frozen=True, slots=True)
class Vehicle:
    """One DRT vehicle."""

    vehicle_id: str
    model: str
    seats: int
    wheelchair_spaces: int
    powertrain: str  # "ev" or "diesel"
    range_km: int


@dataclass(frozen=True, slots=True, eq=False)
class DrtZone:
    """A DRT zone: its polygon (closed, counter-clockwise lon/lat ring) and hubs."""

    zone_id: str
    service_id: str
    name: str
    segment: int
    estate: Blob
    ring_lon: FloatArray
    ring_lat: FloatArray
    hub_stops: tuple[int, ...]
    depot_stop: int
    vehicles: tuple[Vehicle, ...]

    def polygon(self) -> Polygon:
        """Return the zone as a shapely polygon in lon/lat."""
        return Polygon(zip(self.ring_lon.tolist(), self.ring_lat.tolist(), strict=True))


def place_drt_estates(terrain: Terrain, network: BusNetwork) -> tuple[Blob, ...]:
    """Return, per segment, the hillside estate farthest from every bus stop."""
    stops = network.stops
    out = []
    for seg in range(terrain.size):
        y0 = seg * SEGMENT_LENGTH_M
        ys = np.arange(y0 + 3_000.0, y0 + SEGMENT_LENGTH_M - 3_000.0, CANDIDATE_STEP_M)
        xs = np.arange(CANDIDATE_STEP_M / 2, terrain.width_m, CANDIDATE_STEP_M)
        gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
        elev = terrain.elevation_m(gx, gy)
        ok = ((gx > terrain.lowland_width(gy) + 500.0)
              & (gx < terrain.inhabited_width(gy) - 700.0)
              & (elev > HILL_ELEVATION_M) & (elev < 200.0))
        gx, gy = gx[ok], gy[ok]
        near = np.abs(stops.segment - seg) <= 1
        sx, sy = stops.x_m[near], stops.y_m[near]
        d = np.sqrt(np.min((gx[:, None] - sx[None, :]) ** 2 + (gy[:, None] - sy[None, :]) ** 2,
                           axis=1))
        best = int(np.argmax(d))
        out.append(Blob(float(gx[best]), float(gy[best]), ESTATE_RADIUS_M, ESTATE_WEIGHT))
    return tuple(out)


def build_zones(terrain: Terrain, network: BusNetwork, estates: tuple[Blob, ...],
                rng: np.random.Generator) -> tuple[DrtZone, ...]:
    """Draw a zone polygon around each DRT estate and pick its hubs and fleet."""
    stops = network.stops
    zones = []
    for seg, estate in enumerate(estates):
        angles = np.linspace(0.0, 2 * np.pi, ZONE_VERTICES, endpoint=False)
        d = np.hypot(stops.x_m - estate.x_m, stops.y_m - estate.y_m)
        # shrink the zone if needed so that no stop lies inside it (10 % margin)
        scale = min(1.0, 0.9 * float(d.min()) / (RHO_MAX * ZONE_HALF_LENGTH_M))
        rho = scale * rng.uniform(RHO_MIN, RHO_MAX, ZONE_VERTICES)
        zx = estate.x_m + ZONE_HALF_WIDTH_M * rho * np.cos(angles)
        zy = estate.y_m + ZONE_HALF_LENGTH_M * rho * np.sin(angles)
        lat, lon = terrain.frame.to_lat_lon(zx, zy)
        poly = orient(Polygon(zip(lon.tolist(), lat.tolist(), strict=True)), sign=1.0)
        ring_lon, ring_lat = (np.asarray(a) for a in poly.exterior.xy)
        town_hubs = network.town_hub_stop[[k for k, t in enumerate(terrain.towns)
                                           if t.segment == seg]]
        station = int(town_hubs[np.argmin(d[town_hubs])])
        feeders: list[int] = []
        for s in np.argsort(d, kind="stable").tolist():
            if len(feeders) == MAX_HUB_FEEDER_STOPS:
                break
            if not stops.on_brt[s] and not poly.contains(Point(stops.lon[s], stops.lat[s])):
                feeders.append(s)
        hubs = (station, *feeders)
        zone_id = f"drt_zone_{seg + 1}"
        area = network.area(estate.y_m)
        zones.append(DrtZone(zone_id, f"drt_{seg + 1}", f"{area}のりあいデマンド", seg, estate,
                             ring_lon, ring_lat, hubs, station, _fleet(zone_id)))
    return tuple(zones)


def _fleet(zone_id: str) -> tuple[Vehicle, ...]:
    return (
        Vehicle(f"{zone_id}-01", "日産 e-NV200", 6, 0, "ev", 250),
        Vehicle(f"{zone_id}-02", "日産 e-NV200", 6, 0, "ev", 250),
        Vehicle(f"{zone_id}-03", "トヨタ ハイエース コミューター", 9, 1, "diesel", 600),
        Vehicle(f"{zone_id}-04", "トヨタ ハイエース ウェルキャブ", 6, 2, "diesel", 600),
    )

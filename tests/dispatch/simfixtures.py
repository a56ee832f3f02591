"""A tiny on-demand service and a line-shaped travel table for the simulation tests."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from shapely.geometry import box

from dispatch.model import Place
from transit.ondemand import (
    BookingRules,
    Fleet,
    OnDemandService,
    OnDemandZone,
    ServiceWindow,
    VehicleType,
)

LON = 139.05
#: 0.01 degree of latitude is one "kilometre" of 100 s in :class:`LineTravel`.
STEP = 0.01


def at(x_km: float) -> Place:
    """The place ``x_km`` along the test line (inside the zone for 0 <= x <= 4)."""
    return Place(round(35.0 + x_km * STEP, 6), LON)


class LineTravel:
    """Places on a north-south line: 100 s and 1,000 m per 0.01 degree of latitude."""

    def _dx(self, origins: Sequence[Place], destinations: Sequence[Place]) -> np.ndarray:
        a = np.array([p.lat for p in origins], dtype=float).reshape(-1, 1)
        b = np.array([p.lat for p in destinations], dtype=float).reshape(1, -1)
        return np.abs(a - b) / STEP

    def durations_s(self, origins: Sequence[Place],
                    destinations: Sequence[Place]) -> np.ndarray:
        """Seconds: 100 per step, rounded."""
        return np.rint(self._dx(origins, destinations) * 100).astype(np.int64)

    def distances_m(self, origins: Sequence[Place],
                    destinations: Sequence[Place]) -> np.ndarray:
        """Metres: 1,000 per step."""
        return np.rint(self._dx(origins, destinations) * 1000).astype(float)


def tiny_service(*, counts: tuple[tuple[str, int], ...] = (("ev", 1),), shift: tuple[int, int] =
                 (8 * 3600, 12 * 3600), min_notice_s: int = 600, window_s: int = 600,
                 wheelchair_spaces: int = 0) -> OnDemandService:
    """One zone (latitudes 34.99-35.05 around the line) open 08:00-12:00 on ``wk``."""
    zone = OnDemandZone("Z", "test zone", box(139.0, 34.99, 139.1, 35.05),
                        windows=(ServiceWindow("wk", shift[0], shift[1]),),
                        hub_stop_ids=("H",), booking_rule_id="R")
    types = (VehicleType("ev", seats=4, wheelchair_spaces=wheelchair_spaces, energy="ev",
                         co2_g_per_km=50.0),
             VehicleType("diesel", seats=8, wheelchair_spaces=1, energy="diesel",
                         co2_g_per_km=200.0))
    depot = at(0)
    fleet = Fleet("Z", counts, depot.lat, depot.lon, shift[0], shift[1])
    rules = BookingRules("R", booking_type=1, min_notice_s=min_notice_s, max_ride_factor=1.5,
                         max_ride_offset_s=300, pickup_window_s=window_s, boarding_s=60)
    return OnDemandService((zone,), types, (fleet,), (rules,), "Asia/Tokyo")

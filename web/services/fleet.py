"""Live vehicles: the fleet of every on-demand service with its last reported state.

Positions and statuses are volatile (the vehicle app reports again within
seconds), so they live in memory, behind a lock; bookings, which must never
be lost, live in the booking store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from web.problems import ApiProblem, invalid
from web.schemas import PositionIn, PositionOut, VehicleOut, VehicleState
from web.services.drt import DrtService, FleetVehicle

MAX_FIX_AGE = timedelta(days=1)
MAX_FIX_AHEAD = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class LiveVehicle:
    """A vehicle and what it last reported."""

    vehicle: FleetVehicle
    depot: tuple[float, float]
    status: VehicleState = VehicleState.OFF_DUTY
    position: PositionOut | None = None
    updated_at: datetime | None = None


class FleetService:
    """The vehicles of every service and their live state.

    Parameters
    ----------
    services : sequence of DrtService
        Where the fleets come from.
    now : callable
        Current timezone-aware time (injected for tests).
    """

    def __init__(self, services: Sequence[DrtService], *, now: Callable[[], datetime]) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._live = {v.vehicle_id: LiveVehicle(v, s.depot)
                      for s in services for v in s.fleet}

    def ids(self) -> list[str]:
        """Return every vehicle id."""
        return list(self._live)

    def _get(self, vehicle_id: str) -> LiveVehicle:
        live = self._live.get(vehicle_id)
        if live is None:
            raise ApiProblem(404, "not-found", "Not found", f"no vehicle {vehicle_id!r}")
        return live

    def get(self, vehicle_id: str) -> VehicleOut:
        """Return one vehicle (404 problem if unknown)."""
        with self._lock:
            return _out(self._get(vehicle_id))

    def list(self, only: str | None = None) -> list[VehicleOut]:
        """Return every vehicle, or only ``only``."""
        with self._lock:
            return [_out(v) for k, v in self._live.items() if only is None or k == only]

    def report_position(self, vehicle_id: str, fix: PositionIn) -> VehicleOut:
        """Record a position fix (422 when its time is implausible)."""
        now = self._now()
        at = fix.at or now
        if at > now + MAX_FIX_AHEAD or at < now - MAX_FIX_AGE:
            raise invalid("body.at", f"{at.isoformat()} is too far from the server time "
                                     f"{now.isoformat()}", kind="implausible_time")
        with self._lock:
            live = self._get(vehicle_id)
            if live.position is not None and at < live.position.at:
                return _out(live)  # an older fix arriving late changes nothing
            pos = PositionOut(lat=fix.lat, lon=fix.lon, at=at, heading_deg=fix.heading_deg,
                              speed_mps=fix.speed_mps)
            live = replace(live, position=pos, updated_at=now)
            self._live[vehicle_id] = live
            return _out(live)

    def report_status(self, vehicle_id: str, status: VehicleState) -> VehicleOut:
        """Record a status change."""
        with self._lock:
            live = replace(self._get(vehicle_id), status=status, updated_at=self._now())
            self._live[vehicle_id] = live
            return _out(live)


def _out(v: LiveVehicle) -> VehicleOut:
    f = v.vehicle
    return VehicleOut(id=f.vehicle_id, service_id=f.service_id, model=f.model, seats=f.seats,
                      wheelchair_spaces=f.wheelchair_spaces,
                      depot={"lat": v.depot[0], "lon": v.depot[1]}, status=v.status,
                      position=v.position, updated_at=v.updated_at)

"""Key figures of a simulated day, computed from its event log alone.

Definitions (``Event`` kinds in brackets):

* served / rejected / no-show % — of the requests booked [request]; served
  means delivered [dropoff];
* wait — pickup start minus the requested earliest pickup (the start of the
  request's own pickup window) [pickup − request.window_s[0]]; mean and p95
  (nearest rank);
* ride — drop-off start minus the end of the pickup dwell; detour factor —
  ride over the direct drive [request.duration_s], for direct drives > 0;
* vehicle-km — every drive [drive.distance_m]; empty km — drives with nobody
  on board; passenger-km — each drive's distance × riders on board;
  occupancy — passenger-km / vehicle-km;
* vehicle-hours — shift time in service [shift_start.duration_s]; driving
  hours — time spent driving [drive.duration_s];
* CO2 — each vehicle's km × its type's g/km.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from dispatch.errors import DispatchError
from dispatch.simulation import Event

__all__ = ["DayKpis", "compute_kpis", "percentile_nearest_rank"]


@dataclass(frozen=True, slots=True)
class DayKpis:
    """The day's key figures (units in the names; NaN where nothing to measure)."""

    requests: int
    served: int
    rejected: int
    no_shows: int
    served_pct: float
    rejected_pct: float
    wait_mean_s: float
    wait_p95_s: float
    ride_mean_s: float
    detour_factor_mean: float
    passenger_km: float
    vehicle_km: float
    empty_km: float
    occupancy_pax_km_per_vehicle_km: float
    vehicle_hours: float
    driving_hours: float
    co2_kg: float
    reoptimizations: int
    reoptimizations_adopted: int

    def as_dict(self, *, digits: int = 3) -> dict[str, Any]:
        """The figures as a JSON-ready dict (floats rounded, NaN as ``None``)."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if isinstance(value, float):
                out[key] = None if math.isnan(value) else round(value, digits)
            else:
                out[key] = value
        return out


def percentile_nearest_rank(values: list[float], pct: float) -> float:
    """The smallest value with at least ``pct`` % of the values at or below it (NaN if none)."""
    if not 0 < pct <= 100:
        raise DispatchError(f"pct={pct!r} must be in (0, 100]")
    if not values:
        return math.nan
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)])


def _mean(values: list[float]) -> float:
    return math.fsum(values) / len(values) if values else math.nan


def compute_kpis(events: Iterable[Event], *, co2_g_per_km: Mapping[int, float]) -> DayKpis:
    """Compute :class:`DayKpis` from an event log.

    Parameters
    ----------
    events : iterable of Event
        The log of a day (any order).
    co2_g_per_km : mapping of vehicle id to float
        Each vehicle's CO2 factor (its vehicle type's).

    Raises
    ------
    DispatchError
        If a drive names a vehicle without a CO2 factor, or a pickup or drop-off
        a request that was never booked.
    """
    booked: dict[int, Event] = {}
    pickups: dict[int, Event] = {}
    dropoffs: dict[int, Event] = {}
    rejected = no_shows = reopts = adopted = 0
    veh_m = empty_m = pax_m = drive_s = shift_s = 0.0
    co2_g = 0.0
    for e in events:
        if e.kind == "request":
            booked[e.request_id] = e
        elif e.kind == "reject":
            rejected += 1
        elif e.kind == "no_show":
            no_shows += 1
        elif e.kind == "pickup":
            pickups[e.request_id] = e
        elif e.kind == "dropoff":
            dropoffs[e.request_id] = e
        elif e.kind == "drive":
            if e.vehicle_id not in co2_g_per_km:
                raise DispatchError(f"vehicle {e.vehicle_id} drives but has no co2_g_per_km")
            veh_m += e.distance_m
            drive_s += e.duration_s
            pax_m += e.distance_m * e.passengers
            if e.passengers == 0:
                empty_m += e.distance_m
            co2_g += e.distance_m / 1000.0 * co2_g_per_km[e.vehicle_id]
        elif e.kind == "shift_start":
            shift_s += e.duration_s
        elif e.kind == "reoptimize":
            reopts += 1
            adopted += e.detail == "adopted"
    waits: list[float] = []
    rides: list[float] = []
    detours: list[float] = []
    for rid, p in pickups.items():
        req = booked.get(rid)
        if req is None or req.window_s is None:
            raise DispatchError(f"request {rid} is picked up but was never booked")
        waits.append(float(p.time_s - req.window_s[0]))
        d = dropoffs.get(rid)
        if d is not None:
            ride = float(d.time_s - p.time_s - p.duration_s)
            rides.append(ride)
            if req.duration_s > 0:
                detours.append(ride / req.duration_s)
    for rid in dropoffs:
        if rid not in pickups:
            raise DispatchError(f"request {rid} is dropped off but was never picked up")
    n = len(booked)
    pct = (lambda k: 100.0 * k / n) if n else (lambda k: math.nan)
    return DayKpis(
        requests=n, served=len(dropoffs), rejected=rejected, no_shows=no_shows,
        served_pct=pct(len(dropoffs)), rejected_pct=pct(rejected),
        wait_mean_s=_mean(waits), wait_p95_s=percentile_nearest_rank(waits, 95),
        ride_mean_s=_mean(rides), detour_factor_mean=_mean(detours),
        passenger_km=pax_m / 1000.0, vehicle_km=veh_m / 1000.0, empty_km=empty_m / 1000.0,
        occupancy_pax_km_per_vehicle_km=pax_m / veh_m if veh_m > 0 else math.nan,
        vehicle_hours=shift_s / 3600.0, driving_hours=drive_s / 3600.0,
        co2_kg=co2_g / 1000.0, reoptimizations=reopts, reoptimizations_adopted=adopted)

"""A day of on-demand service in simulated time: bookings, insertion, vehicles moving.

Discrete events in time order: a request is booked (checked against its zone,
the zone's hours and booking rules) and inserted at once into its zone's routes
(:class:`~dispatch.insertion.Dispatcher`) or rejected with a reason; every
``reopt_every_s`` the zone's routes are re-optimized with the OR-Tools batch
model (warm-started, promised windows hard, passengers on board kept). Between
events the vehicles follow their plans: a stop happens at its planned time,
and a vehicle that has left for its next stop is committed to it (the
dispatcher sees it *at* that stop at its arrival time, so the schedule it
computes is the one being driven). An idle vehicle waits where it is and drives
back to its depot in time for the end of its shift. Pickups may be no-shows
with a seeded probability. Everything is logged as :class:`Event` s.

Simulated time is only the event times; the solvers' time limits run on the
injected ``clock``. Without re-optimization a run is a pure function of its
inputs and seed; OR-Tools' own time limit is wall time, so with it the plans
may differ from run to run (every one still keeps every promise).
"""

from __future__ import annotations

import heapq
import json
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

import numpy as np

from dispatch.demand import DayRequest
from dispatch.errors import DispatchError
from dispatch.insertion import Dispatcher
from dispatch.model import (
    PICKUP,
    OnBoard,
    Place,
    Plan,
    PlannedStop,
    RideRequest,
    StopRef,
    Vehicle,
    VehiclePlan,
)
from dispatch.optimizer import Clock
from dispatch.travel import CrowFlyTravelTimes, TravelTimes
from transit.ondemand import OnDemandService

__all__ = ["EVENT_KINDS", "REASON_BOOKING", "REASON_CLOSED", "REASON_NO_FLEET",
           "REASON_NO_VEHICLE", "REASON_OUTSIDE", "CrowFlyDistances", "Event",
           "PlanSnapshot", "SimVehicle", "SimulationOptions", "SimulationResult",
           "TravelDistances", "event_record", "fleet_vehicles", "simulate_day",
           "write_events_jsonl"]

#: Kinds of :class:`Event`.
EVENT_KINDS = ("shift_start", "request", "accept", "reject", "drive", "pickup", "no_show",
               "dropoff", "reoptimize", "shift_end")
REASON_OUTSIDE = "neither the pickup nor the drop-off is inside an on-demand zone"
REASON_NO_FLEET = "the zone has no vehicles"
REASON_CLOSED = "the zone is closed at the requested pickup time"
REASON_BOOKING = "the booking rules refuse this booking time (notice or advance)"
REASON_NO_VEHICLE = "no vehicle of the zone is in service"


@runtime_checkable
class TravelDistances(Protocol):
    """Driving distances in metres (of the routes whose times :class:`TravelTimes` gives)."""

    def distances_m(self, origins: Sequence[Place],
                    destinations: Sequence[Place]) -> np.ndarray:
        """Return a float array ``(len(origins), len(destinations))`` of metres."""
        ...


class CrowFlyDistances:
    """Great-circle distance × ``detour_factor`` (the crow-fly fallback's distances)."""

    def __init__(self, *, detour_factor: float = 1.3) -> None:
        self._crow = CrowFlyTravelTimes(detour_factor=detour_factor)

    def distances_m(self, origins: Sequence[Place],
                    destinations: Sequence[Place]) -> np.ndarray:
        """Metres along a road ``detour_factor`` times longer than the straight line."""
        return self._crow.distance_m(origins, destinations) * self._crow.detour_factor


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened.

    Attributes
    ----------
    time_s : int
        When (for ``drive``: the arrival; it left ``duration_s`` earlier).
    kind : str
        One of :data:`EVENT_KINDS`.
    request_id, vehicle_id : int
        The request and vehicle concerned (-1 when none).
    place : Place or None
        Where: the pickup of a request, the stop served, a drive's destination.
    passengers : int
        Party size (request, pickup, drop-off) or riders on board (drive).
    duration_s : int
        Direct drive (request), dwell (pickup), drive time (drive), shift length
        (shift_start).
    distance_m : float
        Direct distance (request) or distance driven (drive).
    window_s : tuple of int or None
        Requested pickup window (request) or the promised one (accept).
    detail : str
        The request's label (request), why (reject), outcome (reoptimize).
    """

    time_s: int
    kind: str
    request_id: int = -1
    vehicle_id: int = -1
    place: Place | None = None
    passengers: int = 0
    duration_s: int = 0
    distance_m: float = 0.0
    window_s: tuple[int, int] | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class SimVehicle:
    """A vehicle of the simulated fleet: its dispatch state at shift start and its labels."""

    vehicle: Vehicle
    label: str
    zone_id: str
    vehicle_type_id: str
    co2_g_per_km: float


@dataclass(frozen=True, slots=True)
class SimulationOptions:
    """How the day is run.

    Attributes
    ----------
    reopt_every_s : int
        Re-optimize every zone's routes this often (0: never).
    reopt_time_limit_s : float
        Budget of each re-optimization (OR-Tools then LNS).
    no_show_probability : float
        Chance that a rider is not at the pickup (the vehicle waits the dwell, leaves).
    seed : int
        Seeds the no-shows and the re-optimizations.
    """

    reopt_every_s: int = 900
    reopt_time_limit_s: float = 0.5
    no_show_probability: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.reopt_every_s < 0:
            raise DispatchError(f"reopt_every_s={self.reopt_every_s!r} must not be negative")
        if not self.reopt_time_limit_s > 0:
            raise DispatchError(f"reopt_time_limit_s={self.reopt_time_limit_s!r} must be "
                                "positive")
        if not 0.0 <= self.no_show_probability <= 1.0:
            raise DispatchError(f"no_show_probability={self.no_show_probability!r} must be "
                                "in [0, 1]")


@dataclass(frozen=True, slots=True)
class PlanSnapshot:
    """A plan the simulation adopted, with everything :func:`dispatch.checker.check_plan` needs."""

    now_s: int
    zone_id: str
    cause: str  # "insert" or "reoptimize"
    plan: Plan
    vehicles: tuple[Vehicle, ...]
    requests: tuple[RideRequest, ...]
    promises: Mapping[int, tuple[int, int]]


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """The event log of a day (in time order) and the labels to print it with."""

    events: tuple[Event, ...]
    request_labels: Mapping[int, str]
    vehicle_labels: Mapping[int, str]
    co2_g_per_km: Mapping[int, float]


def fleet_vehicles(service: OnDemandService, *, n_vehicles: int | None = None
                   ) -> tuple[SimVehicle, ...]:
    """The fleets of ``service`` as simulated vehicles (ids 0, 1, ... in fleet order).

    ``n_vehicles`` replaces the fleet sizes: it is shared among the fleets and,
    within a fleet, among vehicle types in proportion to their counts (largest
    remainder), keeping each type's seats, wheelchair spaces and CO2 factor.
    """
    fleets = [f for f in service.fleets if f.n_vehicles > 0]
    if n_vehicles is not None:
        if n_vehicles < 1:
            raise DispatchError(f"n_vehicles={n_vehicles!r} must be at least 1")
        if not fleets:
            raise DispatchError("n_vehicles is given but the service has no fleet to scale")
    counts: list[list[tuple[str, int]]] = []
    per_fleet = (_share(n_vehicles, [f.n_vehicles for f in fleets])
                 if n_vehicles is not None else [f.n_vehicles for f in fleets])
    for f, n in zip(fleets, per_fleet, strict=True):
        split = _share(n, [c for _, c in f.vehicle_counts])
        counts.append([(t, k) for (t, _), k in zip(f.vehicle_counts, split, strict=True)])
    out: list[SimVehicle] = []
    for f, types in zip(fleets, counts, strict=True):
        depot = Place(f.depot_lat, f.depot_lon)
        number = 0
        for type_id, k in types:
            vt = service.vehicle_type(type_id)
            for _ in range(k):
                number += 1
                v = Vehicle(len(out), vt.seats, vt.wheelchair_spaces, depot, f.shift_start_s,
                            f.shift_end_s)
                out.append(SimVehicle(v, f"{f.zone_id}-{number:02d}", f.zone_id, type_id,
                                      float(vt.co2_g_per_km)))
    return tuple(out)


def _share(total: int | None, weights: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, ties to the first)."""
    if total is None:
        return list(weights)
    w = np.asarray(weights, dtype=float)
    if w.sum() <= 0:
        return [0] * len(weights)
    exact = total * w / w.sum()
    base = np.floor(exact).astype(int)
    order = sorted(range(len(w)), key=lambda i: (-(exact[i] - base[i]), i))
    for i in order[:total - int(base.sum())]:
        base[i] += 1
    return [int(x) for x in base]


@dataclass(slots=True)
class _Veh:
    sim: SimVehicle
    place: Place
    free_s: int  # when it may leave ``place``
    depart_s: int  # when it leaves ``place`` for route[0] (plan start)
    route: list[PlannedStop] = field(default_factory=list)
    onboard: dict[int, OnBoard] = field(default_factory=dict)
    committed_arrival_s: int | None = None  # set once it has left for route[0]
    home: bool = False  # drove back to the depot for the end of the shift


@dataclass(slots=True)
class _Zone:
    zone_id: str
    vehicles: list[_Veh]
    pending: dict[int, RideRequest] = field(default_factory=dict)
    promises: dict[int, tuple[int, int]] = field(default_factory=dict)
    accepted_since_reopt: bool = False


class _Day:
    """The mutable state of one simulated day."""

    def __init__(self, service: OnDemandService, vehicles: Sequence[SimVehicle],
                 travel: TravelTimes, distances: TravelDistances, service_ids: Collection[str],
                 options: SimulationOptions, clock: Clock,
                 on_plan: Callable[[PlanSnapshot], None] | None) -> None:
        self.service = service
        self.travel = travel
        self.distances = distances
        self.service_ids = service_ids
        self.options = options
        self.clock = clock
        self.on_plan = on_plan
        self.rng = np.random.default_rng(options.seed)
        self.log: list[Event] = []
        self.zones: dict[str, _Zone] = {}
        for sv in vehicles:
            if sv.zone_id not in {z.zone_id for z in service.zones}:
                raise DispatchError(f"vehicle {sv.label!r} serves zone_id={sv.zone_id!r}, "
                                    "which is not a zone of the service")
            v = sv.vehicle
            zone = self.zones.setdefault(sv.zone_id, _Zone(sv.zone_id, []))
            zone.vehicles.append(_Veh(sv, v.depot, v.shift_start_s, v.shift_start_s))
            self.log.append(Event(v.shift_start_s, "shift_start", vehicle_id=v.vehicle_id,
                                  place=v.depot, duration_s=v.shift_end_s - v.shift_start_s))
        self.reopt_count = 0

    # -- travel ------------------------------------------------------------------------
    def _time(self, a: Place, b: Place) -> int:
        return 0 if a == b else int(self.travel.durations_s([a], [b])[0, 0])

    def _drive(self, veh: _Veh, dest: Place, depart_s: int, arrive_s: int) -> None:
        if dest == veh.place:
            return
        dist = float(self.distances.distances_m([veh.place], [dest])[0, 0])
        riders = sum(ob.request.passengers for ob in veh.onboard.values())
        self.log.append(Event(arrive_s, "drive", vehicle_id=veh.sim.vehicle.vehicle_id,
                              place=dest, passengers=riders, duration_s=arrive_s - depart_s,
                              distance_m=dist))
        veh.place = dest

    # -- vehicles follow their plans ------------------------------------------------------
    def advance(self, zone: _Zone, t: float) -> None:
        """Serve every stop planned up to ``t``; commit vehicles that have left for the next."""
        for veh in zone.vehicles:
            while veh.route and veh.route[0].time_s <= t:
                self._serve(zone, veh, veh.route.pop(0))
            if veh.route:
                if veh.committed_arrival_s is None and t >= veh.depart_s:
                    veh.committed_arrival_s = veh.depart_s + self._time(veh.place,
                                                                        veh.route[0].place)
                continue
            v = veh.sim.vehicle
            leave = v.shift_end_s - self._time(veh.place, v.depot)
            if not veh.home and t >= leave:
                if veh.place != v.depot:
                    start = max(veh.free_s, leave)
                    arrive = start + self._time(veh.place, v.depot)
                    self._drive(veh, v.depot, start, arrive)
                    veh.free_s = veh.depart_s = arrive
                veh.home = True

    def _serve(self, zone: _Zone, veh: _Veh, stop: PlannedStop) -> None:
        vid = veh.sim.vehicle.vehicle_id
        depart = veh.depart_s
        arrive = veh.committed_arrival_s
        if arrive is None:
            arrive = depart + self._time(veh.place, stop.place)
        self._drive(veh, stop.place, depart, arrive)
        veh.committed_arrival_s = None
        rid = stop.request_id
        if stop.kind == PICKUP:
            r = zone.pending.pop(rid)
            zone.promises.pop(rid, None)
            p = self.options.no_show_probability
            if p > 0 and self.rng.random() < p:
                self.log.append(Event(stop.time_s, "no_show", rid, vid, stop.place))
                veh.route = [s for s in veh.route if s.request_id != rid]
            else:
                veh.onboard[rid] = OnBoard(r, stop.time_s)
                self.log.append(Event(stop.time_s, "pickup", rid, vid, stop.place,
                                      passengers=r.passengers, duration_s=r.service_s))
            service_s = r.service_s
        else:
            r = veh.onboard.pop(rid).request
            self.log.append(Event(stop.time_s, "dropoff", rid, vid, stop.place,
                                  passengers=r.passengers))
            service_s = r.service_s
        veh.free_s = veh.depart_s = stop.time_s + service_s

    # -- dispatching ----------------------------------------------------------------------
    def _state(self, zone: _Zone, now_s: int) -> tuple[list[_Veh], list[Vehicle], Plan]:
        """The zone's vehicles in service at ``now_s``, as the dispatcher sees them."""
        live: list[_Veh] = []
        vehicles: list[Vehicle] = []
        routes: list[VehiclePlan] = []
        for veh in zone.vehicles:
            v = veh.sim.vehicle
            if not veh.route and (veh.home or now_s > v.shift_end_s):
                continue
            if veh.committed_arrival_s is not None:
                first = veh.route[0]
                state = Vehicle(v.vehicle_id, v.seats, v.wheelchair_spaces, v.depot,
                                v.shift_start_s, v.shift_end_s, position=first.place,
                                position_time_s=veh.committed_arrival_s,
                                onboard=tuple(veh.onboard.values()),
                                committed=(StopRef(first.request_id, first.kind),))
            else:
                state = Vehicle(v.vehicle_id, v.seats, v.wheelchair_spaces, v.depot,
                                v.shift_start_s, v.shift_end_s, position=veh.place,
                                position_time_s=veh.free_s, onboard=tuple(veh.onboard.values()))
            live.append(veh)
            vehicles.append(state)
            routes.append(VehiclePlan(v.vehicle_id, 0, tuple(veh.route), 0))
        return live, vehicles, Plan(tuple(routes))

    def _adopt(self, zone: _Zone, live: list[_Veh], vehicles: list[Vehicle],
               disp: Dispatcher, now_s: int, cause: str) -> None:
        plan = disp.plan()
        for veh in live:
            route = plan.route_of(veh.sim.vehicle.vehicle_id)
            veh.route = list(route.stops)
            if veh.committed_arrival_s is None:
                veh.depart_s = route.start_time_s
        if self.on_plan is not None:
            self.on_plan(PlanSnapshot(now_s, zone.zone_id, cause, plan, tuple(vehicles),
                                      tuple(zone.pending.values()), dict(zone.promises)))

    def _dispatcher(self, zone: _Zone, now_s: int
                    ) -> tuple[list[_Veh], list[Vehicle], Dispatcher | None]:
        live, vehicles, plan = self._state(zone, now_s)
        if not vehicles:
            return live, vehicles, None
        disp = Dispatcher(vehicles, self.travel, now_s=now_s,
                          requests=list(zone.pending.values()), promises=zone.promises,
                          plan=plan)
        return live, vehicles, disp

    def book(self, day_request: DayRequest) -> None:
        """A request is booked now: check zone, hours and rules, then insert or reject."""
        r = day_request.request
        now = day_request.booked_at_s
        direct = self._time(r.pickup, r.dropoff)
        dist = 0.0 if r.pickup == r.dropoff else float(
            self.distances.distances_m([r.pickup], [r.dropoff])[0, 0])
        window = r.pickup_window_s(direct)
        self.log.append(Event(now, "request", r.request_id, place=r.pickup,
                              passengers=r.passengers, duration_s=direct, distance_m=dist,
                              window_s=window, detail=day_request.label))
        zone_def = (self.service.zone_at(r.pickup.lat, r.pickup.lon)
                    or self.service.zone_at(r.dropoff.lat, r.dropoff.lon))
        reason = ""
        if zone_def is None:
            reason = REASON_OUTSIDE
        elif zone_def.zone_id not in self.zones:
            reason = REASON_NO_FLEET
        elif not any(a <= window[1] and window[0] < b
                     for a, b in zone_def.windows_on(self.service_ids)):
            reason = REASON_CLOSED
        else:
            rules = self.service.booking(zone_def)
            if rules is not None and not rules.accepts(now, window[0], day_start_s=0):
                reason = REASON_BOOKING
        if reason:
            self.log.append(Event(now, "reject", r.request_id, detail=reason))
            return
        assert zone_def is not None
        zone = self.zones[zone_def.zone_id]
        self.advance(zone, now)
        live, vehicles, disp = self._dispatcher(zone, now)
        if disp is None:
            self.log.append(Event(now, "reject", r.request_id, detail=REASON_NO_VEHICLE))
            return
        res = disp.insert(r)
        if not res.accepted:
            self.log.append(Event(now, "reject", r.request_id, detail=res.reason))
            return
        assert res.pickup_window_s is not None and res.vehicle_id is not None
        zone.pending[r.request_id] = r
        zone.promises[r.request_id] = res.pickup_window_s
        zone.accepted_since_reopt = True
        self.log.append(Event(now, "accept", r.request_id, res.vehicle_id, r.pickup,
                              passengers=r.passengers, window_s=res.pickup_window_s))
        self._adopt(zone, live, vehicles, disp, now, "insert")

    def reoptimize(self, zone: _Zone, now_s: int) -> None:
        """Re-optimize the zone's routes (promises hard); adopt only a cheaper plan.

        Skipped when no request was accepted since the last one (nothing new to pool).
        """
        self.advance(zone, now_s)
        if not zone.pending or not zone.accepted_since_reopt:
            return
        zone.accepted_since_reopt = False
        live, vehicles, disp = self._dispatcher(zone, now_s)
        if disp is None:
            return
        self.reopt_count += 1
        try:
            adopted = disp.reoptimize(time_limit_s=self.options.reopt_time_limit_s,
                                      seed=self.options.seed + self.reopt_count,
                                      clock=self.clock)
        except DispatchError as exc:  # the model refused the state: keep the plan, say so
            self.log.append(Event(now_s, "reoptimize", detail=f"failed: {exc}"))
            return
        self.log.append(Event(now_s, "reoptimize", detail="adopted" if adopted else "kept"))
        if adopted:
            self._adopt(zone, live, vehicles, disp, now_s, "reoptimize")

    def finish(self) -> None:
        """Run every plan to its end and send every vehicle home."""
        for zone in self.zones.values():
            self.advance(zone, float("inf"))
            for veh in zone.vehicles:
                v = veh.sim.vehicle
                if veh.place != v.depot:
                    arrive = veh.free_s + self._time(veh.place, v.depot)
                    self._drive(veh, v.depot, veh.free_s, arrive)
                    veh.free_s = arrive
                self.log.append(Event(max(v.shift_end_s, veh.free_s), "shift_end",
                                      vehicle_id=v.vehicle_id, place=v.depot))


def simulate_day(service: OnDemandService, vehicles: Sequence[SimVehicle],
                 requests: Sequence[DayRequest], travel: TravelTimes, *,
                 service_ids: Collection[str], distances: TravelDistances | None = None,
                 options: SimulationOptions | None = None, clock: Clock = time.monotonic,
                 on_plan: Callable[[PlanSnapshot], None] | None = None) -> SimulationResult:
    """Simulate one service day of ``requests`` served by ``vehicles``.

    Parameters
    ----------
    service : OnDemandService
        Zones (polygons, hours), booking rules.
    vehicles : sequence of SimVehicle
        The fleet (e.g. :func:`fleet_vehicles`); each serves its own zone.
    requests : sequence of DayRequest
        The day's bookings (any order; handled by booking time, then id).
    travel : TravelTimes
        Driving times.
    service_ids : collection of str
        GTFS services running that day (they pick the zones' hours).
    distances : TravelDistances, optional
        Driving distances for the KPIs (default: crow-fly × 1.3).
    options : SimulationOptions, optional
        Re-optimization period and budget, no-shows, seed.
    clock : callable
        Wall clock of the solvers' time limits.
    on_plan : callable, optional
        Called with every plan adopted (after each insertion and re-optimization).

    Returns
    -------
    SimulationResult
        The event log in time order and the labels of requests and vehicles.
    """
    opts = options if options is not None else SimulationOptions()
    if not vehicles:
        raise DispatchError("vehicles is empty")
    ids = [sv.vehicle.vehicle_id for sv in vehicles]
    if len(set(ids)) != len(ids):
        raise DispatchError("vehicles contains a vehicle_id twice")
    rids = [d.request.request_id for d in requests]
    if len(set(rids)) != len(rids):
        raise DispatchError("requests contains a request_id twice")
    day = _Day(service, vehicles, travel, distances or CrowFlyDistances(), service_ids, opts,
               clock, on_plan)
    queue: list[tuple[int, int, int, int]] = []  # (time, 0 booking / 1 reopt, order, index)
    for k, d in enumerate(requests):
        queue.append((d.booked_at_s, 0, d.request.request_id, k))
    if opts.reopt_every_s > 0 and requests:
        start = min(sv.vehicle.shift_start_s for sv in vehicles)
        end = max(sv.vehicle.shift_end_s for sv in vehicles)
        for n, t in enumerate(range(start + opts.reopt_every_s, end, opts.reopt_every_s)):
            queue.append((t, 1, n, -1))
    heapq.heapify(queue)
    while queue:
        t, kind, _, index = heapq.heappop(queue)
        if kind == 0:
            day.book(requests[index])
        else:
            for zone in day.zones.values():
                day.reoptimize(zone, t)
    day.finish()
    order = sorted(range(len(day.log)), key=lambda i: (day.log[i].time_s, i))
    return SimulationResult(
        events=tuple(day.log[i] for i in order),
        request_labels={d.request.request_id: d.label for d in requests},
        vehicle_labels={sv.vehicle.vehicle_id: sv.label for sv in vehicles},
        co2_g_per_km={sv.vehicle.vehicle_id: sv.co2_g_per_km for sv in vehicles})


def event_record(event: Event, *, request_labels: Mapping[int, str] | None = None,
                 vehicle_labels: Mapping[int, str] | None = None) -> dict[str, Any]:
    """One event as a JSON-ready dict (labels instead of indices when given)."""
    rec: dict[str, Any] = {"time_s": event.time_s, "kind": event.kind}
    if event.request_id >= 0:
        rec["request"] = (request_labels or {}).get(event.request_id, event.request_id)
    if event.vehicle_id >= 0:
        rec["vehicle"] = (vehicle_labels or {}).get(event.vehicle_id, event.vehicle_id)
    if event.place is not None:
        rec["lat"], rec["lon"] = event.place.lat, event.place.lon
    if event.passengers:
        rec["passengers"] = event.passengers
    if event.duration_s:
        rec["duration_s"] = event.duration_s
    if event.distance_m:
        rec["distance_m"] = round(event.distance_m, 1)
    if event.window_s is not None:
        rec["window_s"] = list(event.window_s)
    if event.detail:
        rec["detail"] = event.detail
    return rec


def write_events_jsonl(result: SimulationResult, out: str | Path | IO[str]) -> int:
    """Write the event log as JSON lines (one event per line); return the count."""
    lines = (json.dumps(event_record(e, request_labels=result.request_labels,
                                     vehicle_labels=result.vehicle_labels),
                        ensure_ascii=False) + "\n" for e in result.events)
    if isinstance(out, str | Path):
        with Path(out).open("w", encoding="utf-8") as fh:
            fh.writelines(lines)
    else:
        out.writelines(lines)
    return len(result.events)

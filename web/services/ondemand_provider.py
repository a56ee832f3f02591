"""routing's :class:`~routing.ondemand.OnDemandProvider` on top of the live dispatcher.

:class:`DispatchOnDemandProvider` answers the planner's questions with real
quotes: for a door inside a zone it builds one :class:`dispatch.model.RideRequest`
per hub (door → hub with the earliest allowed pickup, or with a latest
drop-off = bus departure − transfer buffer for :meth:`access_by`), asks the
zone's live plans (:class:`LivePlans`: a :class:`dispatch.insertion.Dispatcher`,
or in the web app the :class:`web.services.drt_state.DrtState` that bookings
are inserted into) for the cheapest feasible insertion into the vehicles'
current plans (``quote``, which leaves the plans unchanged) and turns the answer into an
:class:`~routing.ondemand.OnDemandOffer`: the promised pickup window, the
planned pickup and drop-off, the drop-off deadline. No answer without a
vehicle that can fit the ride in.

Service hours (the zone's windows for the day's GTFS service ids) and the
booking rules (minimum notice from the booking time, advance limits) are
applied before asking the dispatcher, counted from the booking time the
planner passes (``booked_at_s``: the API's clock, or the query's time).

:func:`build_ondemand_provider` makes one from an ``OnDemandService``, the
compiled day and the streets, with the fleet idle at the depot from shift
start or in the state read by :func:`read_fleet_state`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from dispatch.errors import DispatchError
from dispatch.insertion import Dispatcher, InsertionResult
from dispatch.model import EARLIEST_PICKUP, LATEST_DROPOFF, RideRequest, Vehicle
from dispatch.model import Place as DPlace
from dispatch.travel import CrowFlyTravelTimes, TravelTimes
from routing.ondemand import DOOR, BookingInfo, OnDemandOffer
from routing.planner import parse_clock
from routing.snap import NodeIndex
from transit.errors import TsunaguError
from transit.ondemand import PRIOR_DAYS, REAL_TIME, BookingRules, OnDemandService, OnDemandZone
from transit.streets import DRIVE, StreetNetwork
from transit.timetable import Timetable
from web.services.drive import ZoneDriveTimes

DEFAULT_TRANSFER_BUFFER_S = 180
DEFAULT_RULES = BookingRules("default", transfer_buffer_s=DEFAULT_TRANSFER_BUFFER_S)
QUOTE_ID_BASE = 2_000_000_000


class FleetStateError(ValueError, TsunaguError):
    """A fleet state file cannot be read."""


class LivePlans(Protocol):
    """A zone's live vehicle plans as the provider asks them (a ``Dispatcher``, a ``DrtState``)."""

    @property
    def travel(self) -> TravelTimes:
        """The zone's vehicle travel times."""
        ...

    def quote(self, request: RideRequest) -> InsertionResult:
        """Answer a ride as an insertion would, changing nothing."""
        ...


class DispatchOnDemandProvider:
    """Quotes on-demand legs from the zones' live dispatchers (see the module docstring).

    Parameters
    ----------
    service : OnDemandService
        Zones, hubs, hours, fleets and booking rules.
    timetable : Timetable
        The compiled day (hub stop indices and coordinates).
    dispatchers : mapping of zone id to LivePlans
        The live vehicle plans of each zone with a fleet (a ``Dispatcher``, or the web
        app's :class:`web.services.drt_state.DrtState`, which bookings also use);
        zones without one get no offers.
    active_service_ids : collection of str
        GTFS service ids running on the day (which service windows apply).
    distance_m : callable, optional
        Driven metres between two places (default: the zone's travel times'
        ``distance_m`` when they have one, else crow-fly x 1.3).
    """

    def __init__(self, service: OnDemandService, timetable: Timetable, *,
                 dispatchers: Mapping[str, LivePlans], active_service_ids: Collection[str],
                 distance_m: Callable[[DPlace, DPlace], float] | None = None) -> None:
        self.service = service
        self.timetable = timetable
        self.dispatchers: dict[str, LivePlans] = dict(dispatchers)
        self.active_service_ids = frozenset(active_service_ids)
        self._distance = distance_m
        #: Held while quoting; hold it too when changing a dispatcher in place.
        self.lock = threading.Lock()
        self._next_id = QUOTE_ID_BASE
        self._hubs: dict[str, tuple[int, ...]] = {}
        for z in service.zones:
            self._hubs[z.zone_id] = service.hub_stop_indices(z, timetable.stop_index)
        buffers = [r.transfer_buffer_s for r in service.booking_rules]
        self._buffer = max(buffers) if buffers else DEFAULT_TRANSFER_BUFFER_S

    def set_dispatcher(self, zone_id: str, dispatcher: LivePlans) -> None:
        """Replace a zone's live plans (e.g. rebuilt from the booking store after a booking).

        Quotes running in other threads finish on the old plans.
        """
        self.service.zone(zone_id)  # LookupError naming the zone when unknown
        with self.lock:
            self.dispatchers[zone_id] = dispatcher

    def serves(self, lat: float, lon: float, time_s: int) -> bool:
        """Whether a zone with live plans holds the point and is open at ``time_s``."""
        zone = self.service.zone_at(lat, lon)
        if zone is None or zone.zone_id not in self.dispatchers:
            return False
        return any(a <= time_s <= b for a, b in zone.windows_on(self.active_service_ids))

    # -- the Protocol ----------------------------------------------------------------

    @property
    def transfer_buffer_s(self) -> int:
        """Slack kept between a ride and the bus (the largest of the zones' rules)."""
        return self._buffer

    def access(self, lat: float, lon: float, depart_s: int, *,
               booked_at_s: int) -> Sequence[OnDemandOffer]:
        """Earliest ride from the door to each hub of its zone."""
        zone = self.service.zone_at(lat, lon)
        if zone is None:
            return []
        out = []
        door = DPlace(lat, lon)
        for hub in self._hubs.get(zone.zone_id, ()):
            offer = self._quote(zone, door, self._stop_place(hub), depart_s, None,
                                DOOR, hub, booked_at_s)
            if offer is not None:
                out.append(offer)
        return out

    def access_by(self, lat: float, lon: float, stop: int, depart_s: int,
                  arrive_by_s: int, *, booked_at_s: int) -> OnDemandOffer | None:
        """Ride from the door to hub ``stop`` with a drop-off deadline of ``arrive_by_s``."""
        zone = self.service.zone_at(lat, lon)
        if zone is None or stop not in self._hubs.get(zone.zone_id, ()):
            return None
        return self._quote(zone, DPlace(lat, lon), self._stop_place(stop), depart_s,
                           arrive_by_s, DOOR, stop, booked_at_s)

    def egress_stops(self, lat: float, lon: float) -> Sequence[int]:
        """Hubs of the zone holding the door."""
        zone = self.service.zone_at(lat, lon)
        return self._hubs.get(zone.zone_id, ()) if zone is not None else ()

    def egress(self, stop: int, lat: float, lon: float, ready_s: int, *,
               booked_at_s: int) -> OnDemandOffer | None:
        """Ride from hub ``stop`` to the door, picked up at or after ``ready_s``."""
        zone = self.service.zone_at(lat, lon)
        if zone is None or stop not in self._hubs.get(zone.zone_id, ()):
            return None
        return self._quote(zone, self._stop_place(stop), DPlace(lat, lon), ready_s, None,
                           stop, DOOR, booked_at_s)

    def egress_by(self, stop: int, lat: float, lon: float, depart_s: int,
                  arrive_by_s: int, *, booked_at_s: int) -> OnDemandOffer | None:
        """Ride from hub ``stop`` to the door with a drop-off deadline of ``arrive_by_s``."""
        zone = self.service.zone_at(lat, lon)
        if zone is None or stop not in self._hubs.get(zone.zone_id, ()):
            return None
        return self._quote(zone, self._stop_place(stop), DPlace(lat, lon), depart_s,
                           arrive_by_s, stop, DOOR, booked_at_s)

    def direct(self, from_lat: float, from_lon: float, to_lat: float, to_lon: float,
               depart_s: int, arrive_by_s: int | None = None, *,
               booked_at_s: int) -> OnDemandOffer | None:
        """Door-to-door ride when both doors are in the same zone."""
        zone = self.service.zone_at(from_lat, from_lon)
        if zone is None or self.service.zone_at(to_lat, to_lon) != zone:
            return None
        return self._quote(zone, DPlace(from_lat, from_lon), DPlace(to_lat, to_lon), depart_s,
                           arrive_by_s, DOOR, DOOR, booked_at_s)

    # -- quoting -----------------------------------------------------------------------

    def rules(self, zone: OnDemandZone) -> BookingRules:
        """The zone's booking rules (defaults when it has none)."""
        return self.service.booking(zone) or DEFAULT_RULES

    def _stop_place(self, stop: int) -> DPlace:
        tt = self.timetable
        return DPlace(float(tt.stop_lat[stop]), float(tt.stop_lon[stop]), stop_index=stop)

    def _quote(self, zone: OnDemandZone, pickup: DPlace, dropoff: DPlace, depart_s: int,
               arrive_by_s: int | None, from_stop: int, to_stop: int,
               booked: int) -> OnDemandOffer | None:
        rules = self.rules(zone)
        earliest = max(depart_s, booked + (rules.min_notice_s if rules.booking_type != REAL_TIME
                                           else 0))
        if not rules.accepts(booked, earliest, day_start_s=0):
            return None
        # the window open at the earliest pickup, else the next one that day
        slot = next(((a, b) for a, b in sorted(zone.windows_on(self.active_service_ids))
                     if b > earliest), None)
        if slot is None:
            return None
        earliest, open_until = max(earliest, slot[0]), slot[1]
        with self.lock:
            disp = self.dispatchers.get(zone.zone_id)
            if disp is None:
                return None
            self._next_id += 1
            rid = self._next_id
            if arrive_by_s is None:
                window = max(0, min(rules.pickup_window_s, open_until - 1 - earliest))
                req = RideRequest(rid, pickup, dropoff, earliest, EARLIEST_PICKUP,
                                  window_s=window, ride_alpha=rules.max_ride_factor,
                                  ride_beta_s=rules.max_ride_offset_s,
                                  service_s=rules.boarding_s)
            else:
                deadline = arrive_by_s - rules.alighting_s
                direct = int(disp.travel.durations_s([pickup], [dropoff])[0, 0])
                latest = min(deadline - rules.boarding_s - direct, open_until - 1)
                if latest < earliest:
                    return None
                window = min(rules.pickup_window_s, latest - earliest)
                req = RideRequest(rid, pickup, dropoff, deadline, LATEST_DROPOFF,
                                  window_s=window, ride_alpha=rules.max_ride_factor,
                                  ride_beta_s=rules.max_ride_offset_s,
                                  service_s=rules.boarding_s)
            try:
                res = disp.quote(req)
                direct = int(disp.travel.durations_s([pickup], [dropoff])[0, 0])
            except DispatchError:
                return None
            # inside the lock: the drive-time searches and caches are shared
            return self._offer(zone, rules, req, res, direct, from_stop, to_stop, booked)

    def _distance_m(self, zone: OnDemandZone, a: DPlace, b: DPlace) -> float:
        if self._distance is not None:
            return self._distance(a, b)
        plans = self.dispatchers.get(zone.zone_id)
        travel = plans.travel if plans is not None else None
        measure = getattr(travel, "distance_m", None)
        if measure is not None and not isinstance(travel, CrowFlyTravelTimes):
            return float(measure(a, b))
        crow = CrowFlyTravelTimes()
        return float(crow.distance_m([a], [b])[0, 0]) * crow.detour_factor

    def _offer(self, zone: OnDemandZone, rules: BookingRules, req: RideRequest,
               res: InsertionResult, direct: int, from_stop: int, to_stop: int,
               booked: int) -> OnDemandOffer | None:
        if not res.accepted or res.pickup_window_s is None or res.pickup_eta_s is None \
                or res.dropoff_eta_s is None:
            return None
        lo, hi = res.pickup_window_s
        pickup = min(max(res.pickup_eta_s, lo), hi)
        dropoff = res.dropoff_eta_s + rules.alighting_s
        deadline = req.dropoff_deadline_s(direct) + rules.alighting_s
        return OnDemandOffer(
            from_stop=from_stop, to_stop=to_stop, pickup_earliest_s=lo, pickup_latest_s=hi,
            pickup_s=pickup, dropoff_s=max(dropoff, pickup),
            dropoff_latest_s=max(deadline, dropoff, pickup),
            distance_m=round(self._distance_m(zone, req.pickup, req.dropoff), 1),
            zone_id=zone.zone_id, zone_name=zone.name,
            booking=_booking_info(rules, lo, booked))


def _booking_info(rules: BookingRules, pickup_earliest_s: int, booked_at_s: int) -> BookingInfo:
    if rules.booking_type == REAL_TIME:
        latest: int | None = pickup_earliest_s
    elif rules.booking_type == PRIOR_DAYS:
        assert rules.last_day_before is not None and rules.last_time_s is not None
        latest = -rules.last_day_before * 86_400 + rules.last_time_s
    else:
        latest = pickup_earliest_s - rules.min_notice_s
    how = rules.message or (f"Book at least {rules.min_notice_s // 60} min before pickup"
                            if rules.min_notice_s else "Book before pickup")
    return BookingInfo(how_to_book=how, phone=rules.phone_number,
                       url=rules.booking_url, info_url=rules.info_url,
                       latest_booking_s=max(latest, booked_at_s) if latest is not None
                       else None,
                       min_notice_s=rules.min_notice_s, fare_yen=rules.fare_yen)


# ---------------------------------------------------------------------------
# building the live state


def idle_vehicles(service: OnDemandService, zone: OnDemandZone) -> list[Vehicle]:
    """The zone's fleet idle at its depot from shift start (vehicle ids 1..n in fleet order)."""
    fleet = service.fleet(zone)
    if fleet is None:
        return []
    depot = DPlace(fleet.depot_lat, fleet.depot_lon)
    out = []
    for k, (_, type_id) in enumerate(fleet.vehicle_ids(), start=1):
        vt = service.vehicle_type(type_id)
        out.append(Vehicle(k, vt.seats, vt.wheelchair_spaces, depot, fleet.shift_start_s,
                           fleet.shift_end_s))
    return out


def read_fleet_state(path: str | Path, service: OnDemandService,
                     travel: TravelTimes | Mapping[str, TravelTimes]) -> dict[str, Dispatcher]:
    """Read the live state of every zone's fleet from a JSON file.

    Format::

        {"now": "08:00:00",
         "zones": {"drt_zone_1": {
            "vehicles": [{"vehicle_id": "drt_zone_1-01", "lat": 36.69, "lon": 140.66,
                          "at": "08:00:00"}],
            "rides": [{"id": 1, "from": [36.69, 140.66], "to": [36.70, 140.70],
                       "pickup_earliest": "08:10:00", "pickup_latest": "08:25:00",
                       "passengers": 1}]}}}

    Vehicles not listed are idle at the depot; rides are promised pickups not
    yet made (inserted in order, every promise kept). ``travel`` is one source for
    every zone or one per zone id.

    Raises
    ------
    FleetStateError
        Naming the file and the entry, for anything that cannot be read or served.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FleetStateError(f"{p}: cannot read the fleet state: {exc}") from None
    if not isinstance(data, dict):
        raise FleetStateError(f"{p}: expected a JSON object")
    try:
        now = parse_clock(str(data.get("now", "00:00:00")), argument=f"{p}: now")
        zones = data.get("zones", {})
        if not isinstance(zones, dict):
            raise FleetStateError(f"{p}: zones: expected an object")
        out: dict[str, Dispatcher] = {}
        for z in service.zones:
            vehicles = idle_vehicles(service, z)
            if not vehicles:
                continue
            entry: dict[str, Any] = zones.get(z.zone_id, {})
            zt = travel[z.zone_id] if isinstance(travel, Mapping) else travel
            out[z.zone_id] = _zone_state(p, service, z, vehicles, entry, zt, now)
        unknown = sorted(set(zones) - {z.zone_id for z in service.zones})
        if unknown:
            raise FleetStateError(f"{p}: zones.{unknown[0]}: not a zone of the service")
        return out
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, FleetStateError):
            raise
        raise FleetStateError(f"{p}: {exc}") from None


def _zone_state(p: Path, service: OnDemandService, z: OnDemandZone, vehicles: list[Vehicle],
                entry: dict[str, Any], travel: TravelTimes, now: int) -> Dispatcher:
    fleet = service.fleet(z)
    assert fleet is not None
    ids = {vid: k for k, (vid, _) in enumerate(fleet.vehicle_ids())}
    where = f"{p}: zones.{z.zone_id}"
    for i, v in enumerate(entry.get("vehicles", [])):
        vid = v["vehicle_id"]
        if vid not in ids:
            raise FleetStateError(f"{where}.vehicles[{i}].vehicle_id: {vid!r} is not a vehicle "
                                  f"of the zone ({', '.join(ids)})")
        k = ids[vid]
        at = parse_clock(str(v.get("at", "00:00:00")), argument=f"{where}.vehicles[{i}].at")
        base = vehicles[k]
        vehicles[k] = Vehicle(base.vehicle_id, base.seats, base.wheelchair_spaces, base.depot,
                              base.shift_start_s, base.shift_end_s,
                              position=DPlace(float(v["lat"]), float(v["lon"])),
                              position_time_s=at)
    rules = service.booking(z) or DEFAULT_RULES
    rides, promises = [], {}
    for i, r in enumerate(entry.get("rides", [])):
        w = f"{where}.rides[{i}]"
        lo = parse_clock(str(r["pickup_earliest"]), argument=f"{w}.pickup_earliest")
        hi = parse_clock(str(r["pickup_latest"]), argument=f"{w}.pickup_latest")
        if hi < lo:
            raise FleetStateError(f"{w}: pickup_latest is before pickup_earliest")
        rid = int(r["id"])
        (la1, lo1), (la2, lo2) = r["from"], r["to"]
        rides.append(RideRequest(rid, DPlace(float(la1), float(lo1)),
                                 DPlace(float(la2), float(lo2)), lo, window_s=hi - lo,
                                 passengers=int(r.get("passengers", 1)),
                                 ride_alpha=rules.max_ride_factor,
                                 ride_beta_s=rules.max_ride_offset_s,
                                 service_s=rules.boarding_s))
        promises[rid] = (lo, hi)
    try:
        return Dispatcher(vehicles, travel, now_s=now, requests=rides, promises=promises)
    except DispatchError as exc:
        raise FleetStateError(f"{where}: {exc}") from None


def build_ondemand_provider(service: OnDemandService, timetable: Timetable,
                            streets: StreetNetwork | None, *,
                            active_service_ids: Collection[str],
                            fleet_state: str | Path | None = None) -> DispatchOnDemandProvider:
    """Return the provider over the zones' fleets (idle at depots, or ``fleet_state``).

    Drive times come from the streets' drive graph, one
    :class:`~web.services.drive.ZoneDriveTimes` per zone (its places, hubs and
    depot), or crow-fly when ``streets`` is ``None``.
    """
    travel = zone_travel_times(service, timetable, streets)
    if fleet_state is not None:
        dispatchers = read_fleet_state(fleet_state, service, travel)
    else:
        dispatchers = {}
        for z in service.zones:
            vehicles = idle_vehicles(service, z)
            if vehicles:
                start = min(v.shift_start_s for v in vehicles)
                dispatchers[z.zone_id] = Dispatcher(vehicles, travel[z.zone_id], now_s=start)
    return DispatchOnDemandProvider(service, timetable, dispatchers=dispatchers,
                                    active_service_ids=active_service_ids)


def zone_travel_times(service: OnDemandService, timetable: Timetable,
                      streets: StreetNetwork | None) -> dict[str, TravelTimes]:
    """Return each zone's vehicle travel times: driving on ``streets``, else crow-fly."""
    if streets is None or not streets.n_edges:
        crow = CrowFlyTravelTimes()
        return {z.zone_id: crow for z in service.zones}
    index = NodeIndex.of_network(streets, int(DRIVE))
    tt = timetable
    out: dict[str, TravelTimes] = {}
    for z in service.zones:
        extra = [(float(tt.stop_lat[s]), float(tt.stop_lon[s]))
                 for s in service.hub_stop_indices(z, tt.stop_index)]
        fleet = service.fleet(z)
        if fleet is not None:
            extra.append((fleet.depot_lat, fleet.depot_lon))
        out[z.zone_id] = ZoneDriveTimes(streets, z.polygon, extra, index)
    return out


__all__ = ["DispatchOnDemandProvider", "FleetStateError", "LivePlans",
           "build_ondemand_provider", "idle_vehicles", "read_fleet_state", "zone_travel_times"]

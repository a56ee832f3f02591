"""The real on-demand provider on the demo city: quotes by insertion into the live plans."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from dispatch.checker import check_plan
from dispatch.insertion import Dispatcher
from dispatch.model import Place as DPlace
from dispatch.model import RideRequest, Vehicle
from dispatch.travel import CrowFlyTravelTimes
from gtfs.compile import compile_feed_file
from gtfs.democity.services import SAMPLE_WEEKDAY
from gtfs.ondemand import load_ondemand_service
from routing.itinerary import describe
from routing.journey import ON_DEMAND, RIDE
from routing.multimodal import MultimodalPlanner
from routing.ondemand import DOOR, OnDemandProvider
from routing.osm import load_osm
from routing.planner import Place, Planner
from transit.ondemand import OnDemandService
from transit.streets import StreetNetwork
from transit.timetable import Timetable
from web.services.drive import ZoneDriveTimes
from web.services.ondemand_provider import (
    DispatchOnDemandProvider,
    FleetStateError,
    build_ondemand_provider,
    idle_vehicles,
    read_fleet_state,
    zone_travel_times,
)

HOME = (36.692, 140.660)  # inside drt_zone_1 (the hills), far from any stop
HOME2 = (36.697, 140.655)
H = 3600


@dataclass
class Demo:
    tt: Timetable
    streets: StreetNetwork
    service: OnDemandService
    folder: Path


@pytest.fixture(scope="module")
def demo(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The session's demo city compiled for its sample weekday."""
    folder = data_root / "demo"
    cache = tmp_path_factory.mktemp("odcache")
    tt = compile_feed_file(folder / "gtfs.zip", SAMPLE_WEEKDAY, cache_dir=cache)
    return Demo(tt, load_osm(folder / "streets.osm"),
                load_ondemand_service(folder / "gtfs.zip", folder / "drt_service.yaml"), folder)


def _travel(demo: Demo) -> ZoneDriveTimes:
    t = zone_travel_times(demo.service, demo.tt, demo.streets)["drt_zone_1"]
    assert isinstance(t, ZoneDriveTimes)
    return t


def _provider(demo: Demo, **kw: object) -> DispatchOnDemandProvider:
    return build_ondemand_provider(demo.service, demo.tt, demo.streets,
                                   active_service_ids={"weekday"}, **kw)  # type: ignore[arg-type]


def test_provider_satisfies_routing_protocol(demo: Demo) -> None:
    """The adapter is an OnDemandProvider; the buffer is the zone's rule (180 s)."""
    p = _provider(demo)
    assert isinstance(p, OnDemandProvider)
    assert p.transfer_buffer_s == 180


def test_access_offers_come_from_insertion(demo: Demo) -> None:
    """Each hub gets the window and ETAs an independent insertion into idle vehicles gives."""
    p = _provider(demo)
    offers = p.access(*HOME, 8 * H, booked_at_s=8 * H)
    hubs = demo.service.hub_stop_indices("drt_zone_1", demo.tt.stop_index)
    assert sorted(o.to_stop for o in offers) == sorted(hubs)
    rules = demo.service.booking("drt_zone_1")
    assert rules is not None
    travel = _travel(demo)
    for o in offers:
        assert o.from_stop == DOOR and o.zone_id == "drt_zone_1"
        # 30 min notice from the query time, 15 min window
        assert (o.pickup_earliest_s, o.pickup_latest_s) == (8 * H + 1800, 8 * H + 2700)
        # an independent dispatcher over the same idle fleet
        fresh = Dispatcher(idle_vehicles(demo.service, demo.service.zones[0]), travel,
                           now_s=7 * H)
        hub = DPlace(float(demo.tt.stop_lat[o.to_stop]), float(demo.tt.stop_lon[o.to_stop]),
                     stop_index=o.to_stop)
        res = fresh.insert(RideRequest(1, DPlace(*HOME), hub, 8 * H + 1800, window_s=900,
                                       ride_alpha=rules.max_ride_factor,
                                       ride_beta_s=rules.max_ride_offset_s,
                                       service_s=rules.boarding_s))
        assert res.accepted and res.pickup_eta_s is not None and res.dropoff_eta_s is not None
        assert o.pickup_s == res.pickup_eta_s
        assert o.dropoff_s == res.dropoff_eta_s + rules.alighting_s
        drive = int(travel.durations_s([DPlace(*HOME)], [hub])[0, 0])
        assert o.dropoff_s - o.pickup_s == rules.boarding_s + drive + rules.alighting_s
        assert o.distance_m > 1000
        assert o.booking.latest_booking_s == o.pickup_earliest_s - 1800
        assert o.booking.fare_yen == 300


def test_quoting_leaves_the_live_plans_unchanged(demo: Demo) -> None:
    """Asking for access, egress and direct rides inserts nothing."""
    p = _provider(demo)
    disp = p.dispatchers["drt_zone_1"]
    before = (disp.plan(), dict(disp.promises), disp.travel_time_s())
    p.access(*HOME, 9 * H, booked_at_s=8 * H)
    hub = demo.service.hub_stop_indices("drt_zone_1", demo.tt.stop_index)[1]
    p.egress(hub, *HOME, 9 * H, booked_at_s=8 * H)
    p.direct(*HOME, *HOME2, 9 * H, booked_at_s=8 * H)
    p.access_by(*HOME, hub, 9 * H, 10 * H, booked_at_s=8 * H)
    assert (disp.plan(), dict(disp.promises), disp.travel_time_s()) == before


def test_booked_fleet_gives_later_windows_or_none(demo: Demo) -> None:
    """Fill every vehicle around 08:30: the quote for that time moves later or disappears."""
    p = _provider(demo)
    hub = demo.service.hub_stop_indices("drt_zone_1", demo.tt.stop_index)[0]
    first = next(o for o in p.access(*HOME, 8 * H, booked_at_s=8 * H) if o.to_stop == hub)
    assert first.pickup_s == 8 * H + 1800  # idle fleet: picked up at once
    disp = p.dispatchers["drt_zone_1"]
    far = DPlace(36.6995, 140.6505)
    rid, fails = 1, 0
    while fails < 3 and rid < 200:  # rides to the far corner of the zone and back
        for a, b in ((far, DPlace(*HOME2)), (DPlace(*HOME2), far)):
            res = disp.insert(RideRequest(rid, a, b, 8 * H + 1800, window_s=600,
                                          passengers=6))
            rid += 1
            fails += 0 if res.accepted else 1
    again = p.access(*HOME, 8 * H, booked_at_s=8 * H)
    late = [o for o in again if o.to_stop == hub]
    assert not late or late[0].pickup_s > first.pickup_s


def test_outside_service_hours_and_zone(demo: Demo) -> None:
    """After 19:00 (weekday hours), on a day without service, or outside the zone: nothing."""
    p = _provider(demo)
    assert p.access(*HOME, 19 * H + 60, booked_at_s=19 * H) == []
    t = 18 * H + 45 * 60  # the 30 min notice ends past 19:00
    assert p.access(*HOME, t, booked_at_s=t) == []
    assert p.direct(*HOME, *HOME2, 20 * H, booked_at_s=8 * H) is None
    sunday = build_ondemand_provider(demo.service, demo.tt, demo.streets,
                                     active_service_ids={"holiday_only"})
    assert sunday.access(*HOME, 9 * H, booked_at_s=8 * H) == []
    stop0 = (float(demo.tt.stop_lat[0]), float(demo.tt.stop_lon[0]))
    assert demo.service.zone_at(*stop0) is None
    assert p.access(*stop0, 9 * H, booked_at_s=8 * H) == []
    assert p.egress_stops(*stop0) == ()


def test_early_query_waits_for_opening_and_notice(demo: Demo) -> None:
    """Booked at 06:00 for a 06:10 trip: pickups start when the service opens at 07:00."""
    p = _provider(demo)
    offers = p.access(*HOME, 6 * H + 600, booked_at_s=6 * H)
    assert offers and min(o.pickup_earliest_s for o in offers) == 7 * H
    # booked at 09:00 for 09:10: the notice runs to 09:30
    later = p.access(*HOME, 9 * H + 600, booked_at_s=9 * H)
    assert min(o.pickup_earliest_s for o in later) == 9 * H + 1800


def test_egress_is_time_dependent(demo: Demo) -> None:
    """A ride from a hub starts no earlier than the time the rider is ready there."""
    p = _provider(demo)
    hub = p.egress_stops(*HOME)[0]
    for ready in (8 * H, 8 * H + 1234, 12 * H):
        o = p.egress(hub, *HOME, ready, booked_at_s=7 * H)
        assert o is not None and o.from_stop == hub and o.to_stop == DOOR
        assert o.pickup_earliest_s == ready and o.pickup_s >= ready


def test_access_by_meets_the_deadline(demo: Demo) -> None:
    """A ride timed to a bus: its promised drop-off deadline is the given arrival."""
    p = _provider(demo)
    hub = p.egress_stops(*HOME)[0]
    o = p.access_by(*HOME, hub, 8 * H, 9 * H, booked_at_s=8 * H)
    assert o is not None
    assert o.dropoff_latest_s <= 9 * H and o.pickup_earliest_s >= 8 * H + 1800
    assert p.access_by(*HOME, hub, 8 * H, 8 * H + 1900, booked_at_s=8 * H) is None  # cannot make it


def test_multimodal_plan_on_demo_city(demo: Demo) -> None:
    """From the hills to the main station: ride to a hub, bus on; the ride meets the bus."""
    p = _provider(demo)
    mm = MultimodalPlanner(Planner(demo.tt, demo.streets), p)
    dest = demo.tt.stop_index["B00011"]
    js = mm.depart_at(Place(lat=HOME[0], lon=HOME[1]), Place(stop=dest), 8 * H)
    assert js
    j = js[0]
    text = describe(j, demo.tt)
    assert text.startswith("ON_DEMAND 08:3") and "→ B00011 " in text
    ride = next(leg for leg in j.legs if leg.kind == RIDE)
    od = j.legs[0]
    assert od.kind == ON_DEMAND and od.offer is not None
    assert od.offer.dropoff_latest_s <= ride.departure_s - 180


def test_fleet_state_file(demo: Demo, tmp_path: Path) -> None:
    """A state with a promised ride is loaded; unknown vehicles are errors naming the file."""
    travel = zone_travel_times(demo.service, demo.tt, demo.streets)
    good = tmp_path / "state.json"
    good.write_text(json.dumps({"now": "08:00:00", "zones": {"drt_zone_1": {
        "vehicles": [{"vehicle_id": "drt_zone_1-02", "lat": HOME2[0], "lon": HOME2[1],
                      "at": "08:00:00"}],
        "rides": [{"id": 7, "from": list(HOME2), "to": [36.702902, 140.700891],
                   "pickup_earliest": "08:10:00", "pickup_latest": "08:25:00"}]}}}))
    disps = read_fleet_state(good, demo.service, travel)
    plan = disps["drt_zone_1"].plan()
    assert sum(len(r.stops) for r in plan.routes) == 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"zones": {"drt_zone_1": {"vehicles": [
        {"vehicle_id": "nope", "lat": 36.7, "lon": 140.66}]}}}))
    with pytest.raises(FleetStateError, match=r"bad\.json: zones\.drt_zone_1\.vehicles\[0\]"):
        read_fleet_state(bad, demo.service, travel)
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(FleetStateError, match=r"broken\.json"):
        read_fleet_state(broken, demo.service, travel)


def test_multimodal_arrive_by_on_demo_city(demo: Demo) -> None:
    """Arrive at the main station by 10:00: ride timed to the latest bus; home by 18:00 too."""
    p = _provider(demo)
    mm = MultimodalPlanner(Planner(demo.tt, demo.streets), p)
    station = demo.tt.stop_index["B00011"]
    home = Place(lat=HOME[0], lon=HOME[1])
    js = mm.arrive_by(home, Place(stop=station), 10 * H, booked_at_s=7 * H)
    assert js and all(j.arrival_s <= 10 * H for j in js)
    od, ride = js[0].legs[0], next(leg for leg in js[0].legs if leg.kind == RIDE)
    assert od.kind == ON_DEMAND and od.offer is not None
    assert od.offer.dropoff_latest_s <= ride.departure_s - 180
    back = mm.arrive_by(Place(lat=float(demo.tt.stop_lat[station]),
                              lon=float(demo.tt.stop_lon[station])), home, 18 * H,
                      booked_at_s=7 * H)
    assert back and all(j.arrival_s <= 18 * H for j in back)
    last = back[0].legs[-1]
    assert last.kind == ON_DEMAND and last.offer is not None
    bus = back[0].legs[-2]
    assert last.offer.pickup_earliest_s >= bus.arrival_s + 180
    assert last.offer.dropoff_latest_s <= 18 * H


def test_quote_is_what_booking_gets_and_the_plan_stays_feasible(demo: Demo) -> None:
    """Into busy plans: booking the quoted ride gives the quoted times; the checker agrees."""
    p = _provider(demo)
    disp = p.dispatchers["drt_zone_1"]
    rules = demo.service.booking("drt_zone_1")
    assert rules is not None
    rng_doors = [DPlace(36.6995, 140.6505), DPlace(*HOME2), DPlace(36.690, 140.665)]
    hubs = demo.service.hub_stop_indices("drt_zone_1", demo.tt.stop_index)
    requests = []
    for i in range(12):  # rides around 08:00-09:00 between doors and hubs
        hub = hubs[i % 3]
        stop = DPlace(float(demo.tt.stop_lat[hub]), float(demo.tt.stop_lon[hub]),
                      stop_index=hub)
        r = RideRequest(i + 1, rng_doors[i % 3], stop, 8 * H + 300 * i, window_s=900,
                        ride_alpha=rules.max_ride_factor, ride_beta_s=rules.max_ride_offset_s,
                        service_s=rules.boarding_s)
        if disp.insert(r).accepted:
            requests.append(r)
    assert len(requests) >= 6
    offer = next(o for o in p.access(*HOME, 8 * H, booked_at_s=8 * H) if o.to_stop == hubs[0])
    hub0 = DPlace(float(demo.tt.stop_lat[hubs[0]]), float(demo.tt.stop_lon[hubs[0]]),
                  stop_index=hubs[0])
    mine = RideRequest(99, DPlace(*HOME), hub0, offer.pickup_earliest_s,
                       window_s=offer.pickup_latest_s - offer.pickup_earliest_s,
                       ride_alpha=rules.max_ride_factor, ride_beta_s=rules.max_ride_offset_s,
                       service_s=rules.boarding_s)
    res = disp.insert(mine)
    assert res.accepted
    assert res.pickup_eta_s == offer.pickup_s
    assert res.dropoff_eta_s is not None
    assert res.dropoff_eta_s + rules.alighting_s == offer.dropoff_s
    assert check_plan(disp.plan(), disp.vehicles, [*requests, mine], disp.travel,
                      now_s=disp.now_s, promises=disp.promises) == []


def test_drive_times_follow_the_streets(demo: Demo) -> None:
    """Drive times: 0 to the same place, never faster than the crow at the top speed."""
    travel = _travel(demo)
    places = [DPlace(*HOME), DPlace(*HOME2), DPlace(36.702902, 140.700891)]
    fwd = travel.durations_s(places, places)
    assert list(np.diag(fwd)) == [0, 0, 0]
    crow = CrowFlyTravelTimes().distance_m(places, places)
    top = float(demo.streets.drive_speed_m_s.max())
    assert np.all(fwd + 1 >= crow / top)
    # many origins to one destination: the same answer per pair
    back = travel.durations_s(places * 3, places[2:])
    assert np.array_equal(back[:3, 0], fwd[:, 2])
    assert travel.distance_m(places[0], places[2]) >= float(crow[0, 2])


def test_set_dispatcher_swaps_the_live_plans(demo: Demo) -> None:
    """After a swap to a fully booked fleet (no vehicles' seats) quotes use the new plans."""
    p = _provider(demo)
    assert p.access(*HOME, 9 * H, booked_at_s=9 * H)
    zone = demo.service.zones[0]
    tiny = [Vehicle(v.vehicle_id, 0, 1, v.depot, v.shift_start_s, v.shift_end_s)
            for v in idle_vehicles(demo.service, zone)]  # wheelchair places only
    p.set_dispatcher(zone.zone_id, Dispatcher(tiny, _travel(demo), now_s=7 * H))
    assert p.access(*HOME, 9 * H, booked_at_s=9 * H) == []
    with pytest.raises(LookupError):
        p.set_dispatcher("nowhere", Dispatcher(tiny, _travel(demo), now_s=7 * H))

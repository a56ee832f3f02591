"""Tests for transit.ondemand: zones, windows, fleets, booking rules and the service."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapely.geometry import MultiPolygon, Point, Polygon

from transit.errors import ModelError, TsunaguError, UnknownIdError
from transit.ondemand import (
    DAY_S,
    BookingRules,
    Fleet,
    OnDemandService,
    OnDemandZone,
    ServiceWindow,
    VehicleType,
)

SHELL = [(140.60, 36.60), (140.62, 36.60), (140.62, 36.62), (140.60, 36.62)]
HOLE = [(140.605, 36.605), (140.605, 36.615), (140.615, 36.615), (140.615, 36.605)]


def _zone(zone_id: str = "Z1", **kw: object) -> OnDemandZone:
    args: dict[str, object] = {
        "polygon": Polygon(SHELL, [HOLE]),
        "windows": (ServiceWindow("WK", 7 * 3600, 19 * 3600),
                    ServiceWindow("WE", 8 * 3600, 12 * 3600)),
        "hub_stop_ids": ("S1", "S2"), "booking_rule_id": "R1"}
    args.update(kw)
    return OnDemandZone(zone_id, "Hill", **args)  # type: ignore[arg-type]


def _service(**kw: object) -> OnDemandService:
    args: dict[str, object] = {
        "zones": (_zone(), _zone("Z2", polygon=Polygon([(140.70, 36.70), (140.71, 36.70),
                                                         (140.71, 36.71)]),
                                 windows=(), booking_rule_id=None)),
        "vehicle_types": (VehicleType("van", 9, 1, "diesel", 225.0),
                          VehicleType("ev", 6, 0, "ev", 70.0)),
        "fleets": (Fleet("Z1", (("ev", 2), ("van", 1)), 36.63, 140.61, 25200, 68400, "S1"),),
        "booking_rules": (BookingRules("R1", min_notice_s=1800, max_advance_days=7),)}
    args.update(kw)
    return OnDemandService(**args)  # type: ignore[arg-type]


def test_zone_at_inside_outside_and_hole() -> None:
    """A point in the shell is in the zone; in the hole or outside it is not."""
    s = _service()
    inside = s.zone_at(36.601, 140.601)
    assert inside is not None and inside.zone_id == "Z1"
    assert s.zone_at(36.61, 140.61) is None  # the hole
    assert s.zone_at(36.50, 140.50) is None
    assert s.zone_at(36.60, 140.61) is not None  # on the boundary counts as inside
    assert s.zone_at(36.702, 140.708).zone_id == "Z2"  # type: ignore[union-attr]


def test_zones_at_agrees_with_shapely_point_by_point() -> None:
    """The vectorised lookup gives, point by point, what shapely's covers gives."""
    rng = np.random.default_rng(5)
    lat = np.concatenate([rng.uniform(36.595, 36.625, 1000), rng.uniform(36.698, 36.712, 500)])
    lon = np.concatenate([rng.uniform(140.595, 140.625, 1000), rng.uniform(140.698, 140.712, 500)])
    s = _service()
    got = s.zones_at(lat, lon)
    expected = [next((i for i, z in enumerate(s.zones) if z.polygon.covers(Point(o, a))), -1)
                for a, o in zip(lat, lon, strict=True)]
    assert got.tolist() == expected
    assert (got == 0).sum() > 50 and (got == 1).sum() > 5 and (got == -1).sum() > 50


def test_area_matches_the_spherical_rectangle_formula() -> None:
    """Area of a lon/lat rectangle is R²·Δλ·(sin φ2 − sin φ1) on the sphere, within 0.5 %."""
    z = OnDemandZone("sq", "", Polygon([(140.0, 36.0), (140.1, 36.0), (140.1, 36.1),
                                        (140.0, 36.1)]))
    r_km = 6371.0072  # authalic radius of WGS84
    sphere = r_km ** 2 * math.radians(0.1) * (math.sin(math.radians(36.1))
                                              - math.sin(math.radians(36.0)))
    assert z.area_km2 == pytest.approx(sphere, rel=5e-3)
    holed = _zone()
    assert holed.area_km2 < OnDemandZone("x", "", Polygon(SHELL)).area_km2 * 0.76


def test_is_open_is_half_open_and_follows_the_day_services() -> None:
    """Windows are [start, end) and count only on days their GTFS service runs."""
    s = _service()
    assert s.is_open("Z1", 7 * 3600, service_ids={"WK"})
    assert not s.is_open("Z1", 19 * 3600, service_ids={"WK"})
    assert not s.is_open("Z1", 7 * 3600, service_ids={"WE"})
    assert s.is_open("Z1", 11 * 3600, service_ids={"WE", "X"})
    assert not s.is_open("Z2", 11 * 3600, service_ids={"WK", "WE"})
    assert s.zone("Z1").windows_on({"WE"}) == ((8 * 3600, 12 * 3600),)


def test_hubs_fleet_booking_and_vehicle_ids() -> None:
    """Lookups give hubs, hub indices, the fleet (vehicles numbered) and the booking rules."""
    s = _service()
    assert s.hubs("Z1") == ("S1", "S2")
    assert s.hub_stop_indices("Z1", {"S2": 4, "S1": 9}) == (9, 4)
    with pytest.raises(ModelError, match="hub stop_id 'S2' is not a stop"):
        s.hub_stop_indices("Z1", {"S1": 0})
    fleet = s.fleet("Z1")
    assert fleet is not None and fleet.n_vehicles == 3
    assert fleet.vehicle_ids() == (("Z1-01", "ev"), ("Z1-02", "ev"), ("Z1-03", "van"))
    assert s.fleet("Z2") is None and s.booking("Z2") is None
    assert s.booking("Z1") == s.booking_rules[0]
    assert s.vehicle_type("van").seats == 9
    with pytest.raises(LookupError, match="zone='nope'") as unknown:
        s.zone("nope")
    assert isinstance(unknown.value, TsunaguError)  # the API answers it with 404, not 500
    with pytest.raises(UnknownIdError, match="vehicle_type_id='bus'"):
        s.vehicle_type("bus")


def test_fleets_are_kept_in_zone_order() -> None:
    """Fleets given in any order come out in the order of their zones."""
    f1 = Fleet("Z1", (("ev", 1),), 36.6, 140.6, 0, 3600)
    f2 = Fleet("Z2", (("ev", 1),), 36.6, 140.6, 0, 3600)
    s = _service(fleets=(f2, f1))
    assert [f.zone_id for f in s.fleets] == ["Z1", "Z2"]
    assert s == _service(fleets=(f1, f2))


@pytest.mark.parametrize(("build", "message"), [
    (lambda: ServiceWindow("WK", 3600, 1800),
     r"end_s=1800 is not after start_s=3600 \(the window ends before it starts\)"),
    (lambda: _zone(polygon=Polygon([(140.0, 36.0), (140.1, 36.1), (140.1, 36.0),
                                    (140.0, 36.1)])),
     r"OnDemandZone\('Z1'\): polygon is not valid: Self-intersection\["),
    (lambda: _zone(polygon=Polygon([(0, 0), (500, 0), (500, 500)])),
     "are not lon/lat in WGS84"),
    (lambda: _zone(polygon=Point(140.0, 36.0)), "polygon='Point' is not a Polygon"),
    (lambda: _zone(hub_stop_ids=("S1", "S1")), "hub_stop_ids='S1' is listed twice"),
    (lambda: _zone(zone_id=" Z"), "zone_id=' Z' is not a non-blank id"),
    (lambda: VehicleType("v", 6, 0, "steam", 1.0), "energy='steam' is not one of"),
    (lambda: VehicleType("v", -1, 0, "ev", 1.0), "seats=-1 must be at least 0"),
    (lambda: VehicleType("v", 0, 0, "ev", 1.0), "the vehicle carries nobody"),
    (lambda: VehicleType("v", 6, 0, "ev", -5.0), "co2_g_per_km=-5.0 must be at least 0"),
    (lambda: Fleet("Z1", (("ev", -2),), 36.6, 140.6, 0, 10),
     r"vehicle_counts\['ev'\]=-2 must be at least 0"),
    (lambda: Fleet("Z1", (("ev", 1),), 96.6, 140.6, 0, 10), "depot_lat=96.6 is not a latitude"),
    (lambda: Fleet("Z1", (("ev", 1),), 36.6, 140.6, 10, 10), "shift_end_s=10 is not after"),
    (lambda: BookingRules("R", booking_type=0, min_notice_s=60),
     "min_notice_s=60 is only allowed with booking_type 1"),
    (lambda: BookingRules("R", booking_type=2), "booking_type 2 needs last_day_before"),
    (lambda: BookingRules("R", booking_type=3), r"booking_type=3 is not one of \(0, 1, 2\)"),
    (lambda: BookingRules("R", max_ride_factor=0.9), "max_ride_factor=0.9 must be at least 1"),
    (lambda: BookingRules("R", pickup_window_s=0), "pickup_window_s=0 must be at least 1"),
    (lambda: BookingRules("R", min_notice_s=3 * DAY_S, max_advance_days=1),
     "max_advance_days=1 opens bookings after min_notice_s"),
    (lambda: _service(fleets=(Fleet("Z9", (), 36.6, 140.6, 0, 10),)),
     "fleets\\[\\].zone_id='Z9' is not a zone"),
    (lambda: _service(fleets=(Fleet("Z1", (("bus", 1),), 36.6, 140.6, 0, 10),)),
     "vehicle type='bus' is not one of vehicle_types"),
    (lambda: _service(booking_rules=()), "booking_rule_id='R1' is not one of booking_rules"),
    (lambda: _service(zones=(_zone(), _zone())), r"zones\[\].zone_id='Z1' is not unique"),
])
def test_invalid_definitions_name_field_and_value(build: object, message: str) -> None:
    """Each inconsistent value is a ModelError (a ValueError) naming the field and the value."""
    with pytest.raises(ModelError, match=message) as info:
        build()  # type: ignore[operator]
    assert isinstance(info.value, ValueError) and isinstance(info.value, TsunaguError)


def test_booking_rules_accept_by_type() -> None:
    """Real time, same day with notice and advance limit, prior day with a deadline."""
    day = 10 * DAY_S
    pickup = day + 9 * 3600
    now = BookingRules("R0", booking_type=0)
    assert now.accepts(pickup - 1, pickup, day_start_s=day)
    assert not now.accepts(pickup + 1, pickup, day_start_s=day)
    same = BookingRules("R1", min_notice_s=1800, max_advance_days=7, opens_at_s=8 * 3600)
    assert same.accepts(pickup - 1800, pickup, day_start_s=day)
    assert not same.accepts(pickup - 1799, pickup, day_start_s=day)
    assert same.accepts(day - 7 * DAY_S + 8 * 3600, pickup, day_start_s=day)
    assert not same.accepts(day - 7 * DAY_S + 8 * 3600 - 1, pickup, day_start_s=day)
    prior = BookingRules("R2", booking_type=2, last_day_before=1, last_time_s=17 * 3600)
    assert prior.accepts(day - DAY_S + 17 * 3600, pickup, day_start_s=day)
    assert not prior.accepts(day - DAY_S + 17 * 3600 + 1, pickup, day_start_s=day)
    assert same.max_ride_s(600) == math.floor(1.5 * 600 + 300)


def test_multipolygon_zone_and_equality_by_geometry() -> None:
    """A MultiPolygon zone works; zones with the same fields but other polygons differ."""
    parts = MultiPolygon([Polygon([(140.70, 36.70), (140.71, 36.70), (140.71, 36.71)]),
                          Polygon([(140.72, 36.70), (140.73, 36.70), (140.73, 36.71)])])
    z = OnDemandZone("M", "Twin", parts)
    assert z.contains(36.701, 140.728) and not z.contains(36.705, 140.715)
    assert z.service_id == "M"
    assert z == OnDemandZone("M", "Twin", MultiPolygon(list(parts.geoms)))
    assert z != OnDemandZone("M", "Twin", parts.geoms[0])

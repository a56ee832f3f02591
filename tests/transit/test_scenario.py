"""Tests for the scenario modification model: checks, field paths and labels."""

from __future__ import annotations

from typing import Any

import pytest
from shapely.geometry import box

from transit.ondemand import Fleet, OnDemandZone
from transit.scenario import (
    KINDS,
    AddRoute,
    AddZone,
    AdjustFrequency,
    AdjustSpeed,
    HeadwayPeriod,
    RemoveRoutes,
    Reroute,
    ResizeZone,
    Scenario,
    ScenarioError,
    SetFleet,
    StopRef,
)

PEAK = HeadwayPeriod(7 * 3600, 9 * 3600, 600)


def _route(**kw: Any) -> AddRoute:
    values: dict[str, Any] = {"route_id": "B", "stops": (StopRef("S1"), StopRef("S2")),
                              "headways": (PEAK,), "service_ids": ("WK",), "speed_kmh": 20.0}
    values.update(kw)
    return AddRoute(**values)


def test_headway_period_departures() -> None:
    """A period departs every headway from its start, the end excluded."""
    assert list(HeadwayPeriod(0, 1800, 600).departures()) == [0, 600, 1200]
    assert list(HeadwayPeriod(0, 1801, 600).departures()) == [0, 600, 1200, 1800]


@pytest.mark.parametrize(("build", "field", "problem"), [
    (lambda: HeadwayPeriod(0, 3600, -5), "headway_s", "-5 must be positive"),
    (lambda: HeadwayPeriod(3600, 3600, 60), "end_s", "3600 is not after start_s=3600"),
    (lambda: HeadwayPeriod(0, 60, True), "headway_s", "True is not an integer"),
    (lambda: StopRef("", lat=36.6), "lon", "is missing: a new stop needs both lat and lon"),
    (lambda: StopRef("X", lat=136.6, lon=140.0), "lat", "136.6 is not a latitude"),
    (lambda: StopRef(""), "stop_id", "'' is not a non-blank id"),
    (lambda: _route(stops=(StopRef("S1"),)), "stops", "has 1 stops; at least 2 needed"),
    (lambda: _route(headways=(PEAK, HeadwayPeriod(8 * 3600, 10 * 3600, 300))),
     "headways[1].start_s", "28800 overlaps headways[0] (which ends at 32400)"),
    (lambda: _route(service_ids=()), "service_ids", "is empty"),
    (lambda: _route(speed_kmh=None), "speed_kmh", "give exactly one of"),
    (lambda: _route(speed_kmh=-3.0), "speed_kmh", "-3.0 must be positive"),
    (lambda: _route(speed_kmh=None, running_times_s=(60, 60)), "running_times_s",
     "has 2 values; 2 stops need 1"),
    (lambda: _route(speed_kmh=None, running_times_s=(0,)), "running_times_s[0]",
     "0 must be positive"),
    (lambda: _route(dwell_s=-1), "dwell_s", "-1 must be at least 0"),
    (lambda: AdjustFrequency("R", (PEAK,), direction_id=2), "direction_id", "2 is not 0 or 1"),
    (lambda: RemoveRoutes(("R1", "R1")), "route_ids", "'R1' is listed twice"),
    (lambda: Reroute("R", "A", "A", (), 20.0), "to_stop_id", "'A' is also from_stop_id"),
    (lambda: AdjustSpeed(("R",), 1.2, start_s=0), "end_s", "is missing"),
    (lambda: ResizeZone("Z"), "buffer_m", "give one of"),
    (lambda: ResizeZone("Z", buffer_m=10.0, scale_factor=2.0), "scale_factor",
     "give only one of"),
    (lambda: SetFleet("Z", ()), "vehicle_counts", "is empty"),
    (lambda: SetFleet("Z", (("van", -1),)), "vehicle_counts.van", "-1 must be at least 0"),
])
def test_bad_values_name_the_field(build: Any, field: str, problem: str) -> None:
    """Every bad value is a ScenarioError whose field path and problem say what is wrong."""
    with pytest.raises(ScenarioError) as info:
        build()
    assert info.value.field == field
    assert problem in info.value.problem
    assert str(info.value).startswith(f"{field}: ")


def test_error_placed_at_a_modification() -> None:
    """An error moved to modification 2 reads modifications[2] (label): field: problem."""
    err = ScenarioError("headway_s", "-5 must be positive").inside("headways[0]")
    placed = err.at(2, "add-route 'BRT-B'")
    assert str(placed) == ("modifications[2] (add-route 'BRT-B'): headways[0].headway_s: "
                           "-5 must be positive")
    assert isinstance(placed, ValueError)


def test_labels_and_kinds() -> None:
    """Labels read kind 'subject'; KINDS maps every YAML kind to its class."""
    assert _route().label == "add-route 'B'"
    assert _route().short_name == "B"  # a route needs a name: the id by default
    assert RemoveRoutes(("F1", "F2")).label == "remove-routes 'F1, F2'"
    assert set(KINDS) == {"add-route", "adjust-frequency", "remove-routes", "remove-trips",
                          "remove-stops", "reroute", "adjust-speed", "adjust-dwell",
                          "add-zone", "resize-zone", "remove-zone", "set-fleet"}
    zone = OnDemandZone("Z2", "Hill", box(140.6, 36.6, 140.61, 36.61))
    fleet = Fleet("Z3", (("van", 1),), 36.6, 140.6, 0, 3600)
    with pytest.raises(ScenarioError, match="fleet: serves zone 'Z3', not 'Z2'"):
        AddZone(zone, fleet)
    assert AddZone(zone).label == "add-zone 'Z2'"
    assert Scenario("alt", (AddZone(zone),)).modifications[0].kind == "add-zone"

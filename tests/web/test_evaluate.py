"""Scenario evaluation on a small OD sample of the demo city: KPIs checked by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from gtfs.cells_io import read_cells
from gtfs.democity import DemoCity
from routing.accessibility import AccessibilityCalculator, accessibility, departure_times
from routing.journey import ON_DEMAND
from routing.planner import Place
from transit.demand import generate_demand
from web.planning.evaluate import (
    EvaluationError,
    EvaluationOptions,
    RouteTask,
    TripOutcome,
    _multimodal,
    _planner,
    bus_supply,
    evaluate_scenarios,
    prepare_scenarios,
    route_task,
    trip_kpis,
)

SCENARIOS = Path(__file__).resolve().parents[2] / "docs" / "scenarios"
OPTS = EvaluationOptions(trips=40, seed=3, departures=2, access_origins=30, trips_per_task=15,
                         origins_per_task=20, reopt_time_limit_s=0.2)


@pytest.fixture(scope="module")
def results(city: DemoCity, tmp_path_factory: pytest.TempPathFactory) -> list:
    """Base and the DRT alternative evaluated on 40 trips."""
    return evaluate_scenarios([SCENARIOS / "base.yml", SCENARIOS / "alt2_drt_replaces_feeders.yml"],
                              out_dir=tmp_path_factory.mktemp("eval"), base_dir=city.out_dir,
                              options=OPTS)


def test_trip_kpis_by_hand() -> None:
    """Mean, p50, p90, option share, transfers and walking of four outcomes, by hand."""
    outs = [TripOutcome(0, True, 600, 1, 0, 300, 0, True),
            TripOutcome(1, True, 1200, 2, 1, 120, 0, True),
            TripOutcome(2, True, 3600, 1, 0, 600, 1, False),
            TripOutcome(3, False, -1, 0, 0, 0, 0, False)]
    k = trip_kpis(outs)
    assert k["trips"] == 4 and k["trips_reached_pct"] == 75.0
    assert k["door_to_door_mean_min"] == pytest.approx((10 + 20 + 60) / 3)
    assert k["door_to_door_p50_min"] == 20.0
    assert k["door_to_door_p90_min"] == pytest.approx(20 + 0.8 * 40)  # linear interpolation
    assert k["good_option_45min_pct"] == 50.0
    assert k["transfers_mean"] == pytest.approx(1 / 3)
    assert k["walk_mean_min"] == pytest.approx((5 + 2 + 10) / 3)
    assert k["ondemand_trips_pct"] == 25.0
    assert math.isnan(trip_kpis([])["door_to_door_mean_min"])


def test_bus_supply_equals_a_loop_over_trips(city: DemoCity, tmp_path: Path) -> None:
    """Bus vehicle-hours equal the sum over compiled trips of last arrival - first departure."""
    spec = prepare_scenarios([SCENARIOS / "base.yml"], out_dir=tmp_path, base_dir=city.out_dir,
                             day=OPTS.day)[0].spec
    tt = _planner(spec, {}).timetable
    total = 0
    for p in range(len(tt.pattern_stop_offsets) - 1):
        n_s = int(tt.pattern_stop_offsets[p + 1] - tt.pattern_stop_offsets[p])
        for t in range(int(tt.pattern_trip_offsets[p + 1] - tt.pattern_trip_offsets[p])):
            e = int(tt.pattern_event_offsets[p]) + t * n_s
            total += int(tt.arrival_s[e + n_s - 1]) - int(tt.departure_s[e])
    s = bus_supply(tt, co2_g_per_km=1000.0)
    assert s["bus_vehicle_hours"] == pytest.approx(total / 3600)
    assert s["bus_co2_kg"] == pytest.approx(s["bus_vehicle_km"])  # 1 kg per km
    assert s["bus_vehicle_km"] > 1000


def test_route_task_matches_the_multimodal_planner(city: DemoCity, tmp_path: Path) -> None:
    """Each outcome is the earliest-arriving journey of MultimodalPlanner.depart_at."""
    spec = prepare_scenarios([SCENARIOS / "base.yml"], out_dir=tmp_path, base_dir=city.out_dir,
                             day=OPTS.day)[0].spec
    od = generate_demand(read_cells(city.out_dir / "cells.csv"), n_trips=25, seed=5)
    rows = tuple((i, float(od.origin_lat[i]), float(od.origin_lon[i]),
                  float(od.destination_lat[i]), float(od.destination_lon[i]),
                  int(od.depart_s[i])) for i in range(od.n_trips))
    cache: dict = {}
    outs = route_task(RouteTask(spec, rows, 3600), cache)
    mm = _multimodal(spec, cache)
    assert mm.provider is not None
    for (i, olat, olon, dlat, dlon, dep), o in zip(rows, outs, strict=True):
        js = mm.depart_at(Place(lat=olat, lon=olon), Place(lat=dlat, lon=dlon), dep,
                          booked_at_s=dep - 3600)
        assert o.index == i and o.reached == bool(js)
        if js:
            assert o.duration_s == min(j.arrival_s for j in js) - dep
            best = min(js, key=lambda j: (j.arrival_s, j.n_ondemand, j.n_rides))
            assert len(o.rides_ondemand) == sum(leg.kind == ON_DEMAND for leg in best.legs)
            assert o.walk_s <= o.duration_s


def test_evaluation_kpis_are_consistent(results: list, city: DemoCity) -> None:
    """Percentiles ordered, shares in range, jobs grow with time, totals add up."""
    assert [r.name for r in results] == ["base", "alt2_drt_replaces_feeders"]
    for r in results:
        k = r.kpis
        assert k["trips"] == 40
        assert k["door_to_door_p50_min"] <= k["door_to_door_p90_min"]
        assert 0 <= k["good_option_45min_pct"] <= k["trips_reached_pct"] <= 100
        assert k["jobs_30min_pop_weighted"] <= k["jobs_45min_pop_weighted"] \
            <= k["jobs_60min_pop_weighted"]
        assert k["vehicle_hours_total"] == pytest.approx(k["bus_vehicle_hours"]
                                                         + k["drt_vehicle_hours"])
        assert k["co2_kg_total"] == pytest.approx(k["bus_co2_kg"] + k["drt_co2_kg"])
        if k["drt_requests"] > 0:
            assert 0 <= k["drt_served_pct"] <= 100
        assert len(r.access_origins) == 30
    # alt2 removes two feeders: fewer bus hours
    assert results[1].kpis["bus_vehicle_hours"] < results[0].kpis["bus_vehicle_hours"]
    d = results[0].as_dict()
    assert d["kpis"]["trips"] == 40 and len(d["access_median_jobs"]) == 30


def test_accessibility_medians_equal_a_direct_computation(results: list, city: DemoCity,
                                                          tmp_path: Path) -> None:
    """The base's medians equal routing.accessibility run directly (with on-demand access)."""
    spec = prepare_scenarios([SCENARIOS / "base.yml"], out_dir=tmp_path, base_dir=city.out_dir,
                             day=OPTS.day)[0].spec
    cells = read_cells(city.out_dir / "cells.csv")
    calc = AccessibilityCalculator(_planner(spec, {}), cells.lat, cells.lon,
                                   jobs=np.rint(cells.jobs).astype(np.int64))
    origins = list(results[0].access_origins)
    provider = _multimodal(spec, {}).provider
    assert provider is not None
    res = accessibility(calc, origins[:8], departure_times(7 * 3600, 9 * 3600, 2),
                        provider=provider, booking_ahead_s=OPTS.booking_ahead_s)
    assert res.median_jobs.tolist() == [list(r) for r in results[0].access_median_jobs[:8]]
    walk_only = accessibility(calc, origins[:8], departure_times(7 * 3600, 9 * 3600, 2))
    assert (walk_only.jobs <= res.jobs).all()  # a ride to a hub only adds options


def test_bad_options_are_refused() -> None:
    """Bad evaluation options raise EvaluationError naming the option."""
    with pytest.raises(EvaluationError, match="trips"):
        EvaluationOptions(trips=0)
    with pytest.raises(EvaluationError, match="access_end_s"):
        EvaluationOptions(access_start_s=9 * 3600, access_end_s=8 * 3600)

"""One-to-all accessibility against per-pair Planner queries on the demo city."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import numpy as np
import pytest

from gtfs.cells_io import read_cells
from gtfs.compile import compile_feed_file
from gtfs.democity import generate_demo_city
from routing.accessibility import (
    AccessibilityCalculator,
    accessibility,
    departure_times,
    isochrone,
    jobs_within,
    ondemand_access,
    population_weighted,
)
from routing.errors import QueryError
from routing.geo import haversine_m
from routing.ondemand import OnDemandOffer, OnDemandProvider
from routing.osm import load_osm
from routing.planner import Place, Planner
from routing.raptor import StopTimes


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """Size-1 demo city: timetable of its sample weekday, its streets and its cells."""
    out = Path(tmp_path_factory.mktemp("access"))
    c = generate_demo_city(out, size=1)
    tt = compile_feed_file(c.feed_path, c.sample_weekday, cache_dir=out / "cache")
    return tt, load_osm(c.streets_path), read_cells(out / "cells.csv")


def _sample(cells, n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).choice(len(cells.lat), n, replace=False)


def test_one_to_all_equals_per_pair_planner_queries_crow_fly(city: tuple) -> None:
    """Crow-fly walking: every sampled cell's travel time equals Planner.arrival_time."""
    tt, _, cells = city
    planner = Planner(tt)
    sub = _sample(cells, 300, 1)
    calc = AccessibilityCalculator(planner, cells.lat[sub], cells.lon[sub], jobs=cells.jobs[sub])
    rng = np.random.default_rng(2)
    reached = 0
    for o in rng.choice(len(sub), 8, replace=False).tolist():
        t0 = int(rng.integers(6 * 3600, 20 * 3600))
        got = calc.travel_times_from_cell(o, t0)
        origin = Place(lat=float(calc.cell_lat[o]), lon=float(calc.cell_lon[o]))
        for d in rng.choice(len(sub), 40, replace=False).tolist():
            dest = Place(lat=float(calc.cell_lat[d]), lon=float(calc.cell_lon[d]))
            arr, _ = planner.arrival_time(origin, dest, t0)
            want = -1 if arr < 0 else arr - t0
            assert got[d] == want, (o, d, t0)
            reached += want >= 0
    assert reached > 50


def test_one_to_all_equals_planner_on_streets_beyond_walking(city: tuple) -> None:
    """Street walking: cells beyond a walk's reach agree with Planner.arrival_time."""
    tt, streets, cells = city
    planner = Planner(tt, streets)
    sub = _sample(cells, 150, 3)
    calc = AccessibilityCalculator(planner, cells.lat[sub], cells.lon[sub])
    rng = np.random.default_rng(4)
    compared = 0
    for o in rng.choice(len(sub), 4, replace=False).tolist():
        t0 = int(rng.integers(7 * 3600, 18 * 3600))
        got = calc.travel_times_from_cell(o, t0)
        crow = haversine_m(calc.cell_lat[o], calc.cell_lon[o], calc.cell_lat, calc.cell_lon)
        far = np.flatnonzero(crow / planner.config.speed_m_s > planner.config.walk_limit_s)
        origin = Place(lat=float(calc.cell_lat[o]), lon=float(calc.cell_lon[o]))
        for d in far[:30].tolist():
            dest = Place(lat=float(calc.cell_lat[d]), lon=float(calc.cell_lon[d]))
            arr, _ = planner.arrival_time(origin, dest, t0)
            assert got[d] == (-1 if arr < 0 else arr - t0), (o, d, t0)
            compared += 1
    assert compared >= 60


def test_jobs_median_and_population_weighting_by_hand(city: tuple) -> None:
    """Jobs within a threshold, the median over departures and the weighting, checked by hand."""
    times = np.array([0, 600, 2000, -1, 3600, 4000])
    jobs = np.array([1, 10, 100, 1000, 10000, 100000])
    assert jobs_within(times, jobs, (1800, 2700, 3600)).tolist() == [11, 111, 10111]
    med = np.array([[10.0, 20.0], [30.0, 60.0]])
    assert population_weighted(med, [1, 3]).tolist() == [25.0, 50.0]
    tt, _, cells = city
    planner = Planner(tt)
    sub = _sample(cells, 120, 5)
    calc = AccessibilityCalculator(planner, cells.lat[sub], cells.lon[sub], jobs=cells.jobs[sub])
    deps = departure_times(7 * 3600, 9 * 3600, 3)
    assert deps.tolist() == [25200, 27600, 30000]
    res = accessibility(calc, [0, 7], deps)
    assert res.jobs.shape == (2, 3, 3)
    for i, c in enumerate((0, 7)):
        rows = [jobs_within(calc.travel_times_from_cell(c, int(t)), calc.jobs, (1800, 2700, 3600))
                for t in deps]
        assert res.jobs[i].tolist() == [r.tolist() for r in rows]
        assert res.median_jobs[i].tolist() == np.median(np.array(rows, float), axis=0).tolist()
        assert (np.diff(res.jobs[i], axis=1) >= 0).all()  # more time, no fewer jobs
    iso = isochrone(calc, float(calc.cell_lat[0]), float(calc.cell_lon[0]), int(deps[0]), 1800)
    t = calc.travel_times_from_cell(0, int(deps[0]))
    assert iso.tolist() == np.flatnonzero((t >= 0) & (t <= 1800)).tolist()
    assert 0 in iso.tolist()


def test_bad_inputs_name_the_argument(city: tuple) -> None:
    """Out-of-range origins, thresholds and cells raise QueryError naming the argument."""
    tt, _, _ = city
    calc = AccessibilityCalculator(Planner(tt), [36.6, 36.61], [140.65, 140.66])
    with pytest.raises(QueryError, match="origins"):
        accessibility(calc, [5], [28800])
    with pytest.raises(QueryError, match="thresholds_s"):
        accessibility(calc, [0], [28800], thresholds_s=(0,))
    with pytest.raises(QueryError, match="cell_lat"):
        AccessibilityCalculator(Planner(tt), [95.0], [140.0])


class _Hubs:
    """A fake provider: fixed rides from anywhere to two hubs."""

    transfer_buffer_s = 120

    def __init__(self, hubs: dict[int, list[int]]) -> None:
        self.hubs = hubs  # hub -> minutes of each quoted ride

    def access(self, lat: float, lon: float, depart_s: int, *,
               booked_at_s: int) -> list[OnDemandOffer]:
        return [OnDemandOffer(-1, h, depart_s, depart_s + 60, depart_s + 60,
                              depart_s + 60 + m * 60, depart_s + 60 + m * 60, 1000.0, "z")
                for h, mins in self.hubs.items() for m in mins]


def test_ondemand_access_to_hubs(city: tuple) -> None:
    """Rides to hubs: the best per hub plus the buffer; they only add options."""
    tt, _, cells = city
    fake = cast(OnDemandProvider, _Hubs({3: [10, 7], 40: [5]}))
    acc = ondemand_access(fake, 36.6, 140.65, 28800)
    assert acc is not None
    assert acc.as_dict() == {3: 60 + 7 * 60 + 120, 40: 60 + 5 * 60 + 120}
    assert ondemand_access(cast(OnDemandProvider, _Hubs({})), 36.6, 140.65, 28800) is None
    sub = _sample(cells, 200, 6)
    calc = AccessibilityCalculator(Planner(tt), cells.lat[sub], cells.lon[sub],
                                   jobs=cells.jobs[sub])
    far = int(np.argmax(haversine_m(calc.cell_lat, calc.cell_lon, float(tt.stop_lat[40]),
                                    float(tt.stop_lon[40]))))
    walk = calc.travel_times_from_cell(far, 28800)
    ride = calc.travel_times_from_cell(far, 28800, extra_access=acc)
    reach_w, reach_r = walk >= 0, ride >= 0
    assert (reach_w <= reach_r).all() and (ride[reach_w] <= walk[reach_w]).all()
    assert reach_r.sum() > reach_w.sum() or (ride[reach_w] < walk[reach_w]).any()
    res_w = accessibility(calc, [far], [28800])
    res_r = accessibility(calc, [far], [28800], provider=fake)
    assert (res_r.jobs >= res_w.jobs).all()
    with pytest.raises(QueryError, match="extra_access"):
        calc.travel_times_from_cell(0, 28800, extra_access=StopTimes.of({10**6: 5}))

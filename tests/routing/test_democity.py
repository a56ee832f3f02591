"""The demo city end to end: its GTFS and its OSM XML streets, against the oracle."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gtfs.compile import compile_feed_file
from gtfs.democity import generate_demo_city
from routing.itinerary import describe
from routing.osm import load_osm
from routing.planner import Place, Planner
from tests.routing.oracle import connections, earliest_by_rides, pareto_from_rounds
from transit.streets import DRIVE, WALK


@pytest.fixture(scope="module")
def planner(tmp_path_factory: pytest.TempPathFactory) -> Planner:
    """Size-1 demo city, its sample weekday, walking on its streets.osm."""
    out = Path(tmp_path_factory.mktemp("democity"))
    city = generate_demo_city(out, size=1)
    tt = compile_feed_file(city.feed_path, city.sample_weekday, cache_dir=out / "cache")
    net = load_osm(city.streets_path)
    assert net.n_nodes > 1000
    assert np.any(net.flags & WALK) and np.any(net.flags & DRIVE)
    return Planner(tt, net)


def test_demo_city_queries_agree_with_the_oracle(planner: Planner) -> None:
    """Coordinate queries walked on the demo streets: RAPTOR equals the CSA oracle."""
    tt = planner.timetable
    assert (planner.walker.stop_node >= 0).mean() > 0.9
    conn = connections(tt)
    rng = np.random.default_rng(3)
    reached = 0
    for _ in range(40):
        a, b = rng.choice(tt.n_stops, 2, replace=False)
        o = Place(lat=float(tt.stop_lat[a]) + rng.normal(0, 0.002),
                  lon=float(tt.stop_lon[a]) + rng.normal(0, 0.002))
        d = Place(stop=int(b))
        t0 = int(rng.integers(7 * 3600, 19 * 3600))
        js = [j for j in planner.depart_at(o, d, t0) if j.n_rides]
        want = pareto_from_rounds(earliest_by_rides(
            conn, planner.footpaths, planner.access(o).as_dict(),
            planner.egress(d).as_dict(), t0, 9))
        assert [(j.arrival_s, j.n_rides) for j in js] == want
        if js:
            reached += 1
            assert describe(js[-1], tt).startswith(("WALK", "BUS"))
    assert reached >= 30

"""Porto Alegre: EPTC buses with walking on the OpenStreetMap extract, against the oracle."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from gtfs.compile import compile_feed_file
from routing.geo import haversine_m
from routing.itinerary import ItineraryWriter
from routing.osm import load_osm
from routing.planner import Place, Planner
from routing.polyline import decode
from tests.conftest import shared_path
from tests.routing.oracle import connections, earliest_by_rides, pareto_from_rounds

pytestmark = [pytest.mark.shared, pytest.mark.slow]
BBOX = (-30.113328, -51.266354, -29.987643, -51.132157)  # OSM data bbox (PROVENANCE.md)


@pytest.fixture(scope="module")
def planner(tmp_path_factory: pytest.TempPathFactory) -> Planner:
    """EPTC on 2019-04-15 with the OSM street network."""
    net = load_osm(shared_path("osm_portoalegre/poa_osm.pbf"))
    tt = compile_feed_file(shared_path("gtfs_portoalegre_eptc/poa_eptc_gtfs.zip"),
                           date(2019, 4, 15),
                           cache_dir=Path(tmp_path_factory.getbasetemp()) / "tt")
    return Planner(tt, net)


def test_stops_snap_and_street_walks_are_never_shorter_than_crow_fly(planner: Planner) -> None:
    """Stops inside the extract snap; every street footpath is at least the crow-fly distance."""
    tt, fp, w = planner.timetable, planner.footpaths, planner.walker
    inside = ((tt.stop_lat > BBOX[0]) & (tt.stop_lat < BBOX[2]) & (tt.stop_lon > BBOX[1])
              & (tt.stop_lon < BBOX[3]))
    assert (w.stop_node[inside] >= 0).mean() > 0.9
    tails = np.repeat(np.arange(tt.n_stops), np.diff(fp.offsets))
    crow = haversine_m(tt.stop_lat[tails], tt.stop_lon[tails], tt.stop_lat[fp.to_stop],
                       tt.stop_lon[fp.to_stop])
    on_streets = (w.stop_node[tails] >= 0) & (w.stop_node[fp.to_stop] >= 0)
    assert on_streets.sum() > 10_000
    assert np.all(fp.distance_m[on_streets] >= crow[on_streets] - 1e-6)
    assert np.all(fp.duration_s <= round(400 * 1.3 / 1.2))  # closure: walks up to 433 s


def test_coordinate_queries_agree_with_the_oracle(planner: Planner) -> None:
    """From points inside the extract, on foot over the streets, RAPTOR equals the CSA."""
    tt = planner.timetable
    conn = connections(tt)
    rng = np.random.default_rng(42)
    inside = np.flatnonzero(planner.walker.stop_node >= 0)
    reached = 0
    writer = ItineraryWriter(tt, planner.walker)
    checked_walk = False
    for _ in range(40):
        a, b = rng.choice(inside, 2, replace=False)
        o = Place(lat=float(tt.stop_lat[a]) + rng.normal(0, 0.002),
                  lon=float(tt.stop_lon[a]) + rng.normal(0, 0.002))
        d = Place(lat=float(tt.stop_lat[b]) + rng.normal(0, 0.002),
                  lon=float(tt.stop_lon[b]) + rng.normal(0, 0.002))
        t0 = int(rng.integers(12 * 3600, 16 * 3600))
        acc, egr = planner.access(o), planner.egress(d)
        js = [j for j in planner.depart_at(o, d, t0) if j.n_rides]
        want = pareto_from_rounds(earliest_by_rides(conn, planner.footpaths, acc.as_dict(),
                                                    egr.as_dict(), t0, 9))
        assert [(j.arrival_s, j.n_rides) for j in js] == want
        reached += bool(js)
        if js and not checked_walk:
            it = writer.itinerary(js[-1], (o.lat, o.lon, "o"), (d.lat, d.lon, "d"))
            walk = it["legs"][0]
            assert walk["mode"] == "WALK"
            pts = decode(walk["legGeometry"]["points"])
            assert len(pts) > 2  # follows the streets
            assert walk["distance"] >= float(haversine_m(o.lat, o.lon, walk["to"]["lat"],
                                                         walk["to"]["lon"])) - 1.0
            checked_walk = True
    assert reached >= 20 and checked_walk

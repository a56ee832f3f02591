"""Walking on the street network: snapping, bounded Dijkstra, access and footpaths."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from routing.geo import haversine_m
from routing.itinerary import describe
from routing.planner import Place, Planner
from routing.snap import NodeIndex
from routing.streetsearch import StreetSearch
from tests.routing.tinyfeed import TinyFeed, Trip, hms
from transit.streets import DRIVE, WALK, StreetNetwork


def _grid(tf: TinyFeed, points: list[tuple[float, float]],
          ways: list[tuple[int, int]]) -> StreetNetwork:
    ll = [tf.latlon(x, y) for x, y in points]
    lat = np.array([p[0] for p in ll])
    lon = np.array([p[1] for p in ll])
    tail = np.array([a for a, b in ways] + [b for a, b in ways])
    head = np.array([b for a, b in ways] + [a for a, b in ways])
    xy = np.array(points, float)
    length = np.hypot(*(xy[tail] - xy[head]).T)
    return StreetNetwork.from_edges(lat, lon, tail, head, length,
                                    np.full(len(tail), WALK | DRIVE, np.uint8),
                                    np.full(len(tail), 10.0))


def test_27_walking_transfer_follows_the_streets() -> None:
    """B-X is 240 m apart but 440 m (367 s) by street; a detour over 520 m is no transfer."""
    stops = {"A": (0, 0), "B": (2000, 0), "X": (2000, 240), "C": (4000, 240)}
    tf = TinyFeed(stops, [Trip("1", [("A", "08:00"), ("B", "08:10")]),
                          Trip("2", [("X", "08:17"), ("C", "08:30")])])
    tt = tf.build()
    o, d = Place(stop=tt.stop_index["A"]), Place(stop=tt.stop_index["C"])
    short = _grid(tf, [(2000, 0), (2100, 0), (2100, 240), (2000, 240)], [(0, 1), (1, 2), (2, 3)])
    js = Planner(tt, short).depart_at(o, d, hms("07:55"))
    assert [describe(j, tt) for j in js] == [
        "BUS 1 A 08:00 → B 08:10 → WALK 367s X → BUS 2 X 08:17 → C 08:30"]
    # B -> (2300,0) -> (2300,240) -> X = 840 m
    long = _grid(tf, [(2000, 0), (2300, 0), (2300, 240), (2000, 240)], [(0, 1), (1, 2), (2, 3)])
    assert Planner(tt, long).depart_at(o, d, hms("07:55")) == []


def test_28_access_on_streets_from_a_coordinate() -> None:
    """From a point 50 m off the street by stop A: 50 m snap + 360 m street = 342 s."""
    stops = {"A": (0, 0), "B": (3000, 0)}
    tf = TinyFeed(stops, [Trip("1", [("A", "08:00"), ("B", "08:10")])])
    net = _grid(tf, [(-360, 0), (0, 0), (3000, 0)], [(0, 1), (1, 2)])
    tt = tf.build()
    planner = Planner(tt, net)
    lat, lon = tf.latlon(-360, 50)
    js = planner.depart_at(Place(lat=lat, lon=lon), Place(stop=tt.stop_index["B"]),
                           hms("07:50"))
    assert [describe(j, tt) for j in js] == ["WALK 342s → BUS 1 A 08:00 → B 08:10"]


def test_snap_matches_brute_force() -> None:
    """The grid index returns the same nearest node as a full scan."""
    rng = np.random.default_rng(3)
    lat = 35 + rng.random(2000) * 0.05
    lon = 139 + rng.random(2000) * 0.05
    idx = NodeIndex(lat, lon, cell_m=150.0)
    for _ in range(200):
        a, b = 35 + rng.random() * 0.06 - 0.005, 139 + rng.random() * 0.06 - 0.005
        node, dist = idx.nearest(a, b)
        d = haversine_m(a, b, lat, lon)
        assert dist == pytest.approx(d.min())
        assert d[node] == pytest.approx(d.min())


def test_street_search_matches_networkx() -> None:
    """Bounded Dijkstra equals networkx shortest paths on a random graph, walk and drive."""
    rng = np.random.default_rng(5)
    n = 300
    tail = rng.integers(0, n, 1500)
    head = rng.integers(0, n, 1500)
    keep = tail != head
    tail, head = tail[keep], head[keep]
    length = rng.random(len(tail)) * 500 + 1
    flags = rng.choice(np.array([WALK, DRIVE, WALK | DRIVE], np.uint8), len(tail))
    speed = np.where(flags & DRIVE, rng.random(len(tail)) * 20 + 5, 0.0)
    net = StreetNetwork.from_edges(np.zeros(n), np.zeros(n), tail, head, length, flags, speed)
    for flag in (WALK, DRIVE):
        g = nx.DiGraph()
        for a, b, w, f, s in zip(tail, head, length, flags, speed, strict=True):
            if f & flag:
                cost = w if flag == WALK else w / s
                if not g.has_edge(a, b) or g[a][b]["w"] > cost:
                    g.add_edge(int(a), int(b), w=cost)
        search = StreetSearch(net, int(flag))
        limit = 1500.0 if flag == WALK else 100.0
        for src in (0, 7, 42):
            nodes, cost = search.run(np.array([src]), np.array([0.0]), limit)
            got = dict(zip(nodes.tolist(), cost.tolist(), strict=True))
            want = (nx.single_source_dijkstra_path_length(g, src, cutoff=limit, weight="w")
                    if src in g else {src: 0.0})
            assert got.keys() == want.keys()
            for k, v in want.items():
                assert got[k] == pytest.approx(v)

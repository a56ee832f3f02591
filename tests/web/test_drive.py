"""Zone driving times and the street drive matrix agree with networkx Dijkstra."""

from __future__ import annotations

import itertools
import math
import random

import networkx as nx
import numpy as np
import pytest
from flask import Flask

from dispatch.model import Place
from routing.snap import NodeIndex
from transit.streets import DRIVE, WALK, StreetNetwork
from web.app import services_of
from web.services.drive import StreetDriveMatrix, ZoneDriveTimes


def test_zone_drive_times_match_networkx(shared_app: Flask) -> None:
    """Zone node pairs: seconds = ceil(networkx shortest path), metres of that path, 0 to self."""
    s = services_of(shared_app)
    net, svc = s.streets, s.drt[0]
    g = nx.DiGraph()
    tails = np.repeat(np.arange(net.n_nodes), np.diff(net.offsets))
    for e in np.flatnonzero(net.flags & DRIVE).tolist():
        u, v = int(tails[e]), int(net.to_node[e])
        w = float(net.length_m[e] / net.drive_speed_m_s[e])
        if not g.has_edge(u, v) or g[u][v]["w"] > w:
            g.add_edge(u, v, w=w, m=float(net.length_m[e]))
    index = NodeIndex.of_network(net, int(DRIVE))
    times = ZoneDriveTimes(net, svc.zone, [(h.lat, h.lon) for h in svc.hubs], index)
    minx, miny, maxx, maxy = svc.zone.bounds
    rng = random.Random(7)
    pts = []
    while len(pts) < 20:
        lat, lon = rng.uniform(miny, maxy), rng.uniform(minx, maxx)
        if svc.covers(lat, lon):
            n = times.node_of(Place(lat, lon))
            pts.append(Place(float(net.node_lat[n]), float(net.node_lon[n])))
    got = times.durations_s(pts, pts)
    for i in range(0, 20, 2):
        a, b = times.node_of(pts[i]), times.node_of(pts[i + 1])
        want = nx.shortest_path_length(g, a, b, weight="w") if a != b else 0.0
        assert got[i, i + 1] == math.ceil(want - 1e-9)
        assert got[i, i] == 0
        # the driven metres are those of the fastest path (the provider's leg distance)
        path = nx.shortest_path(g, a, b, weight="w") if a != b else [a]
        metres = sum(g[u][v]["m"] for u, v in itertools.pairwise(path))
        assert math.isclose(times.distance_m(pts[i], pts[i + 1]), metres, abs_tol=0.5)


def test_street_drive_matrix_agrees_with_networkx() -> None:
    """Times and fastest-path lengths of StreetDriveMatrix equal networkx's on a random grid."""
    rng = np.random.default_rng(3)
    side = 6
    lat = np.repeat(35.0 + np.arange(side) * 0.002, side)
    lon = np.tile(139.0 + np.arange(side) * 0.002, side)
    tail, head = [], []
    for r in range(side):
        for c in range(side):
            u = r * side + c
            for v in ((u + 1) if c + 1 < side else -1, (u + side) if r + 1 < side else -1):
                if v >= 0:
                    tail += [u, v]
                    head += [v, u]
    n_e = len(tail)
    length = rng.uniform(150, 400, n_e)
    speed = rng.choice([5.0, 8.0, 13.0], n_e)
    flags = np.where(rng.random(n_e) < 0.1, WALK, WALK | DRIVE).astype(np.uint8)
    net = StreetNetwork.from_edges(lat, lon, np.array(tail), np.array(head), length, flags,
                                   np.where(flags & DRIVE, speed, 0.0))
    g = nx.DiGraph()
    for t, h, ln, sp, f in zip(tail, head, length, speed, flags, strict=True):
        if f & DRIVE:
            g.add_edge(t, h, time=ln / sp, length=ln)
    nodes = [0, 7, 20, 35]
    places = [Place(float(lat[n]), float(lon[n])) for n in nodes]
    m = StreetDriveMatrix(net, places)
    secs = m.durations_s(places, places)
    metres = m.distances_m(places, places)
    for i, a in enumerate(nodes):
        dist, paths = nx.single_source_dijkstra(g, a, weight="time")
        for j, b in enumerate(nodes):
            if b not in dist:
                assert secs[i, j] >= 10 ** 9
                continue
            assert secs[i, j] == math.ceil(dist[b] - 1e-9)
            path = paths[b]
            want = sum(g.edges[u, v]["length"] for u, v in itertools.pairwise(path))
            assert metres[i, j] == pytest.approx(want)

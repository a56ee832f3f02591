"""Zone driving times agree with networkx Dijkstra on the demo city's drive graph."""

from __future__ import annotations

import itertools
import math
import random

import networkx as nx
import numpy as np
from flask import Flask

from dispatch.model import Place
from routing.snap import NodeIndex
from transit.streets import DRIVE
from web.app import services_of
from web.services.drive import ZoneDriveTimes


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

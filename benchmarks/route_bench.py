"""Journey-planner benchmarks: RAPTOR family vs a networkx time-expanded Dijkstra.

Usage::

    .venv/bin/python benchmarks/route_bench.py [--queries 1000] [--nx-queries 100]
        [--feeds nyc,hart] [--demo /tmp/democity1,/tmp/democity10,/tmp/democity100]
        [--batch-workers 2] [--cache-dir var/cache]

For each feed (NYC subway 2018-07-11, HART 2020-12-02 by default): compile the
day (cached), build the planner (transfers "walk"), warm the numba kernels,
then time, on one core, the same random stop pairs departing 07:00-20:00:

* earliest arrival (Pareto over arrival and transfers, journeys traced);
* the batch fast path (arrival only);
* range RAPTOR over 60 minutes;
* McRAPTOR with walking time and with generalized cost as third criterion;
* ``routing.batch.run_batch`` on ``--batch-workers`` processes (queries/s);
* a plain networkx time-expanded Dijkstra on a subset, same rules, reported
  as a ratio to RAPTOR (and checked for agreement).

With ``--street-queries N`` each demo city is also timed door to door:
coordinates near random stops, access and egress walked on its streets.osm.

With ``--demo``, the demo city folders (as written by ``tsunagu demo --size N
--out DIR``) are timed too, to show how query time grows with the city.
Prints one block of figures per network.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

import networkx as nx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gtfs.compile import compile_feed_file  # noqa: E402
from routing.batch import BatchQuery, run_batch  # noqa: E402
from routing.osm import load_osm  # noqa: E402
from routing.planner import Place, Planner  # noqa: E402
from transit.timetable import Timetable  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
FEEDS = {
    "nyc": (SHARED / "gtfs_large_nyc_subway/nyc_subway_gtfs.zip", date(2018, 7, 11)),
    "hart": (SHARED / "gtfs_large_hart_tampa/hart_tampa_gtfs.zip", date(2020, 12, 2)),
}


def pct(values: list[float], q: float) -> float:
    """Return the q-th percentile in milliseconds."""
    return float(np.percentile(np.asarray(values) * 1000.0, q))


class TimeExpanded:
    """A plain networkx time-expanded graph with the planner's rules.

    Nodes: per stop event an arrival node and a departure node, and a waiting
    node per boardable departure chained in time at its stop. Edges: ride
    (departure -> next arrival), stay on (arrival -> departure), board (wait ->
    departure), wait (wait -> next wait), and from every arrival that may
    alight, a transfer edge to the first wait node at each footpath target
    (and at the stop itself after its change time) plus an edge to the stop's
    sink. Weights are seconds; Dijkstra from a query node gives the arrival.
    """

    def __init__(self, tt: Timetable, planner: Planner) -> None:
        fp = planner.footpaths
        n_e = tt.n_events
        self.tt = tt
        self.wait_base = 2 * n_e
        self.sink_base = 3 * n_e
        g = nx.DiGraph()
        edges: list[tuple[int, int, int]] = []
        # stop of each event, and trip structure
        stop_of = np.empty(n_e, np.int64)
        last_in_trip = np.zeros(n_e, bool)
        first_in_trip = np.zeros(n_e, bool)
        for p in range(tt.n_patterns):
            stops = tt.pattern_stop_ids(p)
            n_s = len(stops)
            a, b = int(tt.pattern_event_offsets[p]), int(tt.pattern_event_offsets[p + 1])
            stop_of[a:b] = np.tile(stops, (b - a) // n_s)
            idx = np.arange(a, b)
            last_in_trip[idx[(idx - a) % n_s == n_s - 1]] = True
            first_in_trip[idx[(idx - a) % n_s == 0]] = True
        arr, dep = tt.arrival_s.astype(np.int64), tt.departure_s.astype(np.int64)
        board = (tt.pickup_type != 1) & ~last_in_trip
        alight = (tt.drop_off_type != 1) & ~first_in_trip
        # ride and stay-on edges
        ride = np.flatnonzero(~last_in_trip)
        edges += zip((n_e + ride).tolist(), (ride + 1).tolist(),
                     (arr[ride + 1] - dep[ride]).tolist(), strict=True)
        stay = np.flatnonzero(~first_in_trip & ~last_in_trip)
        edges += zip(stay.tolist(), (n_e + stay).tolist(), (dep[stay] - arr[stay]).tolist(),
                     strict=True)
        # wait chains per stop
        self.stop_waits: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        bevents = np.flatnonzero(board)
        order = np.lexsort((dep[bevents], stop_of[bevents]))
        bevents = bevents[order]
        bstops = stop_of[bevents]
        bounds = np.flatnonzero(np.diff(bstops)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(bevents)], strict=True):
            ev = bevents[lo:hi]
            self.stop_waits[int(bstops[lo])] = (dep[ev], self.wait_base + ev)
            edges += zip((self.wait_base + ev).tolist(), (n_e + ev).tolist(), [0] * len(ev),
                         strict=True)
            edges += zip((self.wait_base + ev[:-1]).tolist(), (self.wait_base + ev[1:]).tolist(),
                         np.diff(dep[ev]).tolist(), strict=True)
        # alight: sink and transfers
        for e in np.flatnonzero(alight).tolist():
            s = int(stop_of[e])
            t = int(arr[e])
            edges.append((e, self.sink_base + s, 0))
            targets = []
            if fp.change_s[s] >= 0:
                targets.append((s, int(fp.change_s[s])))
            to, dur = fp.edges_from(s)
            targets += zip(to.tolist(), dur.tolist(), strict=True)
            for q, d in targets:
                w = self._first_wait(q, t + d)
                if w is not None:
                    edges.append((e, w[1], w[0] - t))
        g.add_weighted_edges_from(edges)
        self.g = g
        self.planner = planner

    def _first_wait(self, stop: int, t: int) -> tuple[int, int] | None:
        got = self.stop_waits.get(stop)
        if got is None:
            return None
        times, nodes = got
        i = int(np.searchsorted(times, t))
        if i >= len(times):
            return None
        return int(times[i]), int(nodes[i])

    def earliest_arrival(self, origin: int, dest: int, t0: int) -> int:
        """Return the earliest arrival at stop ``dest`` leaving stop ``origin`` at ``t0``."""
        src = -1
        access = self.planner.access(Place(stop=origin)).as_dict()
        egress = self.planner.egress(Place(stop=dest)).as_dict()
        added = []
        for s, d in access.items():
            w = self._first_wait(s, t0 + d)
            if w is not None:
                self.g.add_edge(src, w[1], weight=w[0] - t0)
                added.append((src, w[1]))
        sink = -2
        for s, d in egress.items():
            self.g.add_edge(self.sink_base + s, sink, weight=d)
            added.append((self.sink_base + s, sink))
        try:
            return t0 + int(nx.dijkstra_path_length(self.g, src, sink, weight="weight"))
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            return -1
        finally:
            self.g.remove_edges_from(added)
            for node in (src, sink):
                if node in self.g and self.g.degree(node) == 0:
                    self.g.remove_node(node)


def bench_network(name: str, tt: Timetable, n_queries: int, nx_queries: int,
                  batch_workers: int, seed: int, streets_note: str = "") -> dict[str, object]:
    """Time every query kind on ``tt``; return the figures."""
    t = time.perf_counter()
    planner = Planner(tt)
    build_s = time.perf_counter() - t
    rng = np.random.default_rng(seed)
    served = np.unique(tt.pattern_stops)
    pairs = [(int(a), int(b)) for a, b in (rng.choice(served, 2, replace=False)
                                           for _ in range(n_queries))]
    times = rng.integers(7 * 3600, 20 * 3600, n_queries).tolist()
    queries = [(Place(stop=a), Place(stop=b), t0) for (a, b), t0 in zip(pairs, times,
                                                                         strict=True)]
    # warm-up: compile/load every kernel, build both directions
    for o, d, t0 in queries[:20]:
        planner.depart_at(o, d, t0)
        planner.depart_at(o, d, t0, window_s=3600)
        planner.depart_at(o, d, t0, criterion="walk")
        planner.depart_at(o, d, t0, criterion="cost")
        planner.arrival_time(o, d, t0)
    res: dict[str, object] = {"network": name, "stops": tt.n_stops, "trips": tt.n_trips,
                              "events": tt.n_events, "patterns": tt.n_patterns,
                              "footpaths": planner.footpaths.n_edges,
                              "planner_build_s": round(build_s, 2), "queries": n_queries}

    def run(label: str, f) -> list[float]:  # type: ignore[no-untyped-def]
        out = []
        for o, d, t0 in queries:
            a = time.perf_counter()
            f(o, d, t0)
            out.append(time.perf_counter() - a)
        res[f"{label}_p50_ms"] = round(pct(out, 50), 3)
        res[f"{label}_p95_ms"] = round(pct(out, 95), 3)
        return out

    ea = run("earliest_arrival", lambda o, d, t0: planner.depart_at(o, d, t0))
    run("arrival_only", lambda o, d, t0: planner.arrival_time(o, d, t0))
    run("range_60min", lambda o, d, t0: planner.depart_at(o, d, t0, window_s=3600))
    run("mcraptor_walk", lambda o, d, t0: planner.depart_at(o, d, t0, criterion="walk"))
    run("mcraptor_cost", lambda o, d, t0: planner.depart_at(o, d, t0, criterion="cost"))
    reach = sum(planner.arrival_time(o, d, t0)[0] >= 0 for o, d, t0 in queries)
    res["reachable_share"] = round(reach / n_queries, 3)
    # batch throughput over forked workers (planner already built)
    bq = [BatchQuery(str(i), o, d, t0) for i, (o, d, t0) in enumerate(queries)]
    run_batch(planner, bq[:100], workers=batch_workers)
    a = time.perf_counter()
    run_batch(planner, bq, workers=batch_workers)
    el = time.perf_counter() - a
    res["batch_workers"] = batch_workers
    res["batch_queries_per_s"] = round(n_queries / el, 1)
    # networkx time-expanded Dijkstra on a subset
    if nx_queries > 0:
        a = time.perf_counter()
        te = TimeExpanded(tt, planner)
        res["nx_build_s"] = round(time.perf_counter() - a, 1)
        res["nx_nodes"] = te.g.number_of_nodes()
        res["nx_edges"] = te.g.number_of_edges()
        nx_times, agree = [], 0
        for (o, d, t0), ea_s in zip(queries[:nx_queries], ea[:nx_queries], strict=True):
            a = time.perf_counter()
            got = te.earliest_arrival(o.stop, d.stop, t0)
            nx_times.append(time.perf_counter() - a)
            agree += got == planner.arrival_time(o, d, t0)[0]
            del ea_s
        res["nx_queries"] = nx_queries
        res["nx_p50_ms"] = round(pct(nx_times, 50), 2)
        res["nx_agree"] = f"{agree}/{nx_queries}"
        res["nx_over_raptor_p50"] = round(pct(nx_times, 50) / pct(ea[:nx_queries], 50), 1)
    if streets_note:
        res["note"] = streets_note
    return res


def bench_streets(name: str, tt: Timetable, osm: Path, n_queries: int,
                  seed: int) -> dict[str, object]:
    """Time door-to-door queries between coordinates, walking on the OSM streets."""
    t = time.perf_counter()
    net = load_osm(osm)
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    planner = Planner(tt, net)
    build_s = time.perf_counter() - t
    rng = np.random.default_rng(seed)
    queries = []
    for _ in range(n_queries):
        a = int(rng.integers(tt.n_stops))
        b = int(rng.integers(tt.n_stops))
        queries.append((Place(lat=float(tt.stop_lat[a]) + rng.normal(0, 0.002),
                              lon=float(tt.stop_lon[a]) + rng.normal(0, 0.002)),
                        Place(lat=float(tt.stop_lat[b]) + rng.normal(0, 0.002),
                              lon=float(tt.stop_lon[b]) + rng.normal(0, 0.002)),
                        int(rng.integers(7 * 3600, 20 * 3600))))
    for o, d, t0 in queries[:10]:
        planner.depart_at(o, d, t0)
    times = []
    for o, d, t0 in queries:
        a = time.perf_counter()
        planner.depart_at(o, d, t0)
        times.append(time.perf_counter() - a)
    return {"network": name, "street_nodes": net.n_nodes, "street_edges": net.n_edges,
            "osm_load_s": round(load_s, 1), "planner_build_s": round(build_s, 1),
            "queries": n_queries, "coord_query_p50_ms": round(pct(times, 50), 2),
            "coord_query_p95_ms": round(pct(times, 95), 2)}


def main() -> None:
    """Run the benchmarks and print JSON lines."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--nx-queries", type=int, default=100)
    ap.add_argument("--feeds", default="nyc,hart")
    ap.add_argument("--demo", default="")
    ap.add_argument("--demo-date", default="2026-10-07")
    ap.add_argument("--batch-workers", type=int, default=2)
    ap.add_argument("--cache-dir", default=str(ROOT / "var" / "cache"))
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--street-queries", type=int, default=0,
                    help="with --demo: coordinate queries walked on streets.osm")
    args = ap.parse_args()
    print(json.dumps({"machine": platform.node(), "python": platform.python_version(),
                      "cpus": len(os.sched_getaffinity(0)), "date": time.strftime("%Y-%m-%d"),
                      "command": " ".join(sys.argv)}), flush=True)
    cache = Path(args.cache_dir)
    for name in [f for f in args.feeds.split(",") if f]:
        path, day = FEEDS[name]
        tt = compile_feed_file(path, day, cache_dir=cache)
        print(json.dumps(bench_network(f"{name} {day}", tt, args.queries, args.nx_queries,
                                       args.batch_workers, args.seed)), flush=True)
    for folder in [f for f in args.demo.split(",") if f]:
        tt = compile_feed_file(Path(folder) / "gtfs.zip", date.fromisoformat(args.demo_date),
                               cache_dir=cache)
        print(json.dumps(bench_network(f"demo {folder}", tt, args.queries, 0,
                                       args.batch_workers, args.seed)), flush=True)
        if args.street_queries > 0:
            print(json.dumps(bench_streets(f"demo {folder} + streets.osm", tt,
                                           Path(folder) / "streets.osm", args.street_queries,
                                           args.seed)), flush=True)


if __name__ == "__main__":
    main()

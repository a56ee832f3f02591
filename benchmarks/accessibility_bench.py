"""Accessibility and scenario-evaluation batch: demo city on Dask, demo x10 growth.

Part 1 — the demo city (size 1, every cell as origin x 12 departures 07:00-09:00,
walking on its streets): in this process, then on a Dask LocalCluster with 1
and 2 worker processes (threads_per_worker=1); wall time with and without the
cluster start, the speed-up 1 -> 2 workers, and a check that all three runs give
identical jobs arrays.

Part 2 — the demo city x10 (33,280 cells): each step runs in a fresh
subprocess (so its peak RSS is its own): accessibility from N origin cells x 1
departure to every cell (OD pairs = N x cells), and multimodal routing of N OD
trips (``web.planning.evaluate.route_task``, on-demand quotes included); time
and peak RSS per step, and time per OD pair.

    .venv/bin/python benchmarks/accessibility_bench.py [--demo var/demo] [--skip-x10]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gtfs.cells_io import read_cells  # noqa: E402
from gtfs.democity import generate_demo_city  # noqa: E402
from gtfs.democity.services import SAMPLE_WEEKDAY  # noqa: E402
from routing.accessibility import DEFAULT_THRESHOLDS_S, departure_times  # noqa: E402
from transit.demand import generate_demand  # noqa: E402
from web.planning.distributed import ClusterOptions, TaskRunner  # noqa: E402
from web.planning.evaluate import (  # noqa: E402
    RouteTask,
    ScenarioSpec,
    _calculator,
    access_task,
    accessibility_tasks,
    merge_accessibility,
    prepare_scenarios,
    route_task,
)

SCENARIO = ROOT / "docs" / "scenarios" / "base.yml"


def _spec(city_dir: Path, work: Path) -> ScenarioSpec:
    prepared = prepare_scenarios([SCENARIO], out_dir=work, base_dir=city_dir, day=SAMPLE_WEEKDAY)
    return prepared[0].spec


def part1(city_dir: Path, work: Path, departures: int) -> dict:
    """Demo city, all cells x departures: in-process, Dask 1 worker, Dask 2 workers."""
    spec = _spec(city_dir, work)
    cells_path = city_dir / "cells.csv"
    n = len(read_cells(cells_path).lat)
    origins = np.arange(n, dtype=np.int64)
    deps = departure_times(7 * 3600, 9 * 3600, departures)
    tasks = accessibility_tasks([spec], str(cells_path), origins, deps,
                                thresholds_s=DEFAULT_THRESHOLDS_S, origins_per_task=500)
    out: dict = {"cells": n, "departures": departures, "tasks": len(tasks),
                 "searches": n * departures}
    ref = None
    for label, opts in (("in-process", ClusterOptions(progress=False)),
                        ("dask 1 worker", ClusterOptions(workers=1, progress=False)),
                        ("dask 2 workers", ClusterOptions(workers=2, progress=False))):
        t0 = time.perf_counter()
        with TaskRunner(opts) as runner:
            if opts.uses_dask:
                _ = runner.n_workers  # start the cluster
            t1 = time.perf_counter()
            res = runner.run(access_task, tasks)
            t2 = time.perf_counter()
        jobs = merge_accessibility(tasks, res, [spec], origins, deps)[spec.name]
        same = True if ref is None else bool(np.array_equal(jobs, ref))
        ref = jobs if ref is None else ref
        out[label] = {"wall_s": round(time.perf_counter() - t0, 2),
                      "compute_s": round(t2 - t1, 2), "identical": same}
        print(f"  {label:15s} wall {out[label]['wall_s']:7.2f} s  compute "
              f"{out[label]['compute_s']:7.2f} s  identical {same}", flush=True)
    out["speedup_1_to_2"] = round(out["dask 1 worker"]["compute_s"]
                                  / out["dask 2 workers"]["compute_s"], 2)
    return out


def one_step(kind: str, city_dir: Path, work: Path, n: int) -> dict:
    """One measured step (run in a subprocess): accessibility or routing of ``n`` OD units."""
    spec = _spec(city_dir, work)
    cells_path = city_dir / "cells.csv"
    cells = read_cells(cells_path)
    cache: dict = {}
    t0 = time.perf_counter()
    if kind == "access":
        origins = np.sort(np.random.default_rng(1).choice(len(cells.lat), n, replace=False))
        tasks = accessibility_tasks([spec], str(cells_path), origins,
                                    departure_times(8 * 3600, 9 * 3600, 1),
                                    thresholds_s=DEFAULT_THRESHOLDS_S, origins_per_task=n)
        _calculator(spec, str(cells_path), cache)  # planner and the stop -> cell table
        t1 = time.perf_counter()
        for t in tasks:
            access_task(t, cache)
        pairs = n * len(cells.lat)
    else:
        od = generate_demand(cells, n_trips=n, seed=1)
        rows = tuple((i, float(od.origin_lat[i]), float(od.origin_lon[i]),
                      float(od.destination_lat[i]), float(od.destination_lon[i]),
                      int(od.depart_s[i])) for i in range(od.n_trips))
        route_task(RouteTask(spec, rows[:1]), cache)  # builds planner and provider
        t1 = time.perf_counter()
        route_task(RouteTask(spec, rows), cache)
        pairs = n
    t2 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"kind": kind, "n": n, "od_pairs": pairs, "setup_s": round(t1 - t0, 2),
            "run_s": round(t2 - t1, 2), "us_per_pair": round(1e6 * (t2 - t1) / pairs, 3),
            "peak_rss_mib": round(rss)}


def part2(city_dir: Path, work: Path) -> list[dict]:
    """Demo x10: accessibility origins and routed OD trips, each step in a fresh process."""
    rows = []
    for kind, sizes in (("access", (500, 1000, 2000, 4000)), ("route", (100, 200, 400))):
        for n in sizes:
            cmd = [sys.executable, __file__, "--step", kind, str(n), "--demo", str(city_dir),
                   "--work", str(work)]
            res = subprocess.run(cmd, capture_output=True, text=True, check=True)
            row = json.loads(res.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(f"  {kind:6s} n={n:5d}  OD pairs {row['od_pairs']:>11,d}  setup "
                  f"{row['setup_s']:6.2f} s  run {row['run_s']:7.2f} s  "
                  f"{row['us_per_pair']:8.3f} us/pair  peak RSS {row['peak_rss_mib']} MiB",
                  flush=True)
    return rows


def main() -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", type=Path, default=None, help="demo city folder (size 1)")
    ap.add_argument("--departures", type=int, default=12)
    ap.add_argument("--skip-x10", action="store_true")
    ap.add_argument("--skip-demo", action="store_true")
    ap.add_argument("--step", nargs=2, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.step is not None:
        print(json.dumps(one_step(a.step[0], a.demo, a.work, int(a.step[1]))))
        return
    print(f"machine: {platform.node()} {platform.machine()}, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        demo = a.demo or generate_demo_city(t / "demo1", size=1).out_dir
        if not a.skip_demo:
            print(f"part 1: demo city {demo}, all cells x {a.departures} departures")
            p1 = part1(demo, t / "w1", a.departures)
            print(f"  speed-up 1 -> 2 Dask workers: {p1['speedup_1_to_2']}x")
        if not a.skip_x10:
            t0 = time.perf_counter()
            x10 = generate_demo_city(t / "demo10", size=10).out_dir
            print(f"part 2: demo city x10 (generated in {time.perf_counter() - t0:.1f} s)")
            part2(x10, t / "w10")


if __name__ == "__main__":
    main()

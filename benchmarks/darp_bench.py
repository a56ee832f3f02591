"""Benchmark the DARP/PDPTW solver on Cordeau (2006) a/b and Li & Lim 100 instances.

Every solution goes through the independent checker.  Prints one line per
instance (cost, vehicles, gap to best-known, time, feasibility) and the means.
Optionally runs pyvroom (VROOM) on the Li & Lim instances with the same budget.

Example::

    .venv/bin/python benchmarks/darp_bench.py --set cordeau --time-limit 30 --jobs 2
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import itertools
import json
import math
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dispatch.instance_solver import solve_instance  # noqa: E402
from dispatch.instances import read_instance  # noqa: E402

SETS = {
    "cordeau": ("darp_cordeau2006", "cordeau"),
    "lilim": ("pdptw_li_lim_100", "lilim"),
}


def _data_dir() -> Path:
    env = os.environ.get("TSUNAGU_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def _bks(folder: Path, kind: str) -> dict[str, tuple[int | None, float]]:
    out: dict[str, tuple[int | None, float]] = {}
    if kind == "cordeau":
        with open(folder / "bks_cordeau2006.csv", newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                out[row["instance"]] = (None, float(row["bks_total_routing_cost"]))
    else:
        with open(folder / "bks_li_lim_100.csv", newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                out[row["instance"]] = (int(row["bks_vehicles"]), float(row["bks_distance"]))
    return out


def _vroom(path: Path, time_limit_s: float) -> dict[str, Any] | None:
    try:
        import vroom  # type: ignore[import-not-found]
    except ImportError:
        return None
    inst = read_instance(path, "lilim")
    scale = 1000
    problem = vroom.Input()
    n = inst.n_nodes - 1  # file nodes (without our end-depot copy)
    dist = inst.distance_matrix()[:n, :n]
    matrix = [[math.ceil(d * scale) for d in row] for row in dist]
    problem.set_durations_matrix("car", matrix)
    problem.set_costs_matrix("car", [[round(d * scale) for d in row] for row in dist])
    horizon = int(inst.tw_end[0] * scale)
    fixed = int(float(dist.max()) * scale * (n + 1))
    problem.add_vehicle([vroom.Vehicle(k + 1, start=0, end=0, capacity=[inst.capacity],
                                       time_window=vroom.TimeWindow(0, horizon),
                                       costs=vroom.VehicleCosts(fixed=fixed))
                         for k in range(inst.vehicles)])
    for p, d in inst.requests:
        pick = vroom.ShipmentStep(
            id=p, location=p, default_service=round(inst.service[p] * scale),
            time_windows=[vroom.TimeWindow(math.ceil(inst.tw_start[p] * scale),
                                           int(inst.tw_end[p] * scale))])
        drop = vroom.ShipmentStep(
            id=d, location=d, default_service=round(inst.service[d] * scale),
            time_windows=[vroom.TimeWindow(math.ceil(inst.tw_start[d] * scale),
                                           int(inst.tw_end[d] * scale))])
        problem.add_shipment(pick, drop, amount=vroom.Amount([inst.load[p]]))
    started = time.monotonic()
    sol = problem.solve(exploration_level=5, nb_threads=1,
                        timeout=timedelta(seconds=time_limit_s))
    elapsed = time.monotonic() - started
    routes = sol.routes
    used = routes["vehicle_id"].nunique()
    cost = 0.0
    for _vid, group in routes.groupby("vehicle_id"):
        locs = [int(x) for x in group["location_index"]]
        cost += sum(float(dist[a, b]) for a, b in itertools.pairwise(locs))
    unassigned = len(sol.unassigned) if hasattr(sol, "unassigned") else 0
    return {"vehicles": int(used), "cost": cost, "time_s": elapsed, "unassigned": unassigned}


def run_one(task: tuple[str, str, float, int, bool]) -> dict[str, Any]:
    """Solve one instance file; return a row of figures."""
    path_s, kind, time_limit_s, seed, with_vroom = task
    path = Path(path_s)
    inst = read_instance(path, kind)
    sol = solve_instance(inst, time_limit_s=time_limit_s, seed=seed)
    row: dict[str, Any] = {
        "instance": inst.name, "kind": kind, "cost": sol.cost, "vehicles": sol.vehicles,
        "unserved": len(sol.unserved), "feasible": not sol.violations and not sol.unserved,
        "violations": [v.detail for v in sol.violations[:3]], "time_s": sol.elapsed_s,
    }
    if with_vroom and kind == "lilim":
        row["vroom"] = _vroom(path, time_limit_s)
    return row


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=("cordeau", "lilim", "all"), default="all")
    ap.add_argument("--time-limit", type=float, default=None,
                    help="seconds per instance (default 30 Cordeau, 60 Li & Lim)")
    ap.add_argument("--instances", default="*", help="glob on instance names, e.g. 'a2-*'")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--vroom", action="store_true", help="also run pyvroom on Li & Lim")
    ap.add_argument("--json", type=Path, default=None, help="write all rows to this file")
    args = ap.parse_args(argv)
    data = _data_dir()
    sets = ("cordeau", "lilim") if args.set == "all" else (args.set,)
    tasks: list[tuple[str, str, float, int, bool]] = []
    bks: dict[str, tuple[int | None, float]] = {}
    for s in sets:
        folder, kind = SETS[s]
        limit = args.time_limit or (30.0 if kind == "cordeau" else 60.0)
        bks.update(_bks(data / folder, kind))
        for f in sorted((data / folder / "instances").glob("*.txt")):
            if kind == "cordeau" and f.stem[0] not in "ab":
                continue
            if fnmatch.fnmatch(f.stem, args.instances):
                tasks.append((str(f), kind, limit, args.seed, args.vroom))
    print(f"# {len(tasks)} instances, time limit {args.time_limit or 'default'} s, "
          f"jobs {args.jobs}, seed {args.seed}", flush=True)
    rows: list[dict[str, Any]] = []
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for row in pool.map(run_one, tasks):
            bv, bd = bks.get(row["instance"], (None, math.nan))
            row["bks_vehicles"], row["bks_cost"] = bv, bd
            row["gap_pct"] = 100.0 * (row["cost"] - bd) / bd
            extra = ""
            if row["kind"] == "lilim":
                extra = f" veh {row['vehicles']}/{bv}"
                vr = row.get("vroom")
                if vr:
                    extra += (f" | vroom veh {vr['vehicles']} cost {vr['cost']:.2f} "
                              f"unassigned {vr['unassigned']}")
            print(f"{row['instance']:8s} cost {row['cost']:9.2f} bks {bd:9.2f} "
                  f"gap {row['gap_pct']:6.2f}%{extra} time {row['time_s']:5.1f}s "
                  f"{'ok' if row['feasible'] else 'INFEASIBLE ' + str(row['violations'])}",
                  flush=True)
            rows.append(row)
    _summary(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


def _summary(rows: list[dict[str, Any]]) -> None:
    cord = [r for r in rows if r["kind"] == "cordeau"]
    if cord:
        gaps = [r["gap_pct"] for r in cord]
        print(f"Cordeau: {len(cord)} instances, feasible {sum(r['feasible'] for r in cord)}, "
              f"mean gap {statistics.mean(gaps):.2f}%, worst {max(gaps):.2f}%, "
              f"mean time {statistics.mean(r['time_s'] for r in cord):.1f}s")
    lil = [r for r in rows if r["kind"] == "lilim"]
    if lil:
        same = [r for r in lil if r["vehicles"] == r["bks_vehicles"]]
        fewer = sum(r["vehicles"] < r["bks_vehicles"] for r in lil)
        gap = statistics.mean(r["gap_pct"] for r in same) if same else math.nan
        print(f"Li & Lim: {len(lil)} instances, feasible {sum(r['feasible'] for r in lil)}, "
              f"vehicles = BKS on {len(same)} ({100 * len(same) / len(lil):.0f}%), "
              f"fewer on {fewer}, mean distance gap where equal {gap:.2f}%, "
              f"mean extra vehicles "
              f"{statistics.mean(r['vehicles'] - r['bks_vehicles'] for r in lil):.2f}")
        vr = [r for r in lil if r.get("vroom")]
        if vr:
            vv = statistics.mean(r["vroom"]["vehicles"] for r in vr)
            ov = statistics.mean(r["vehicles"] for r in vr)
            ratio = statistics.mean(r["cost"] / r["vroom"]["cost"] for r in vr)
            print(f"pyvroom: {len(vr)} instances, mean vehicles ours {ov:.2f} vs vroom {vv:.2f}, "
                  f"mean distance ratio ours/vroom {ratio:.3f}")


if __name__ == "__main__":
    raise SystemExit(main())

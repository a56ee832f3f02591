"""Benchmark the day simulation: one demo-city day (>= 2,000 requests, 20 vehicles).

Builds (or reuses) the demo city in ``--data-dir``/demo, generates the day's
requests from its population cells (``--demand-scale``), computes the street
drive matrix, then times ``dispatch.simulation.simulate_day`` (insertion of
every booking, re-optimization every ``--reopt-every`` minutes with
``--reopt-time-limit`` s each) and prints wall times and the KPIs. With
``--check`` every plan adopted during the day is verified by
``dispatch.checker.check_plan`` (outside the timed run: the day is replayed).

Example::

    .venv/bin/python benchmarks/simulate_bench.py --fleet 20 --demand-scale 6
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dispatch.checker import check_plan  # noqa: E402
from dispatch.kpi import compute_kpis  # noqa: E402
from dispatch.simulation import PlanSnapshot, SimulationOptions, simulate_day  # noqa: E402
from gtfs.democity import generate_demo_city  # noqa: E402
from gtfs.democity.services import SAMPLE_WEEKDAY  # noqa: E402
from web.commands.simulate import prepare_day  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=ROOT / "var")
    ap.add_argument("--fleet", type=int, default=20)
    ap.add_argument("--demand-scale", type=float, default=6.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--date", type=date.fromisoformat, default=SAMPLE_WEEKDAY)
    ap.add_argument("--reopt-every", type=float, default=15.0, help="minutes (0: never)")
    ap.add_argument("--reopt-time-limit", type=float, default=0.5, help="seconds per call")
    ap.add_argument("--check", action="store_true",
                    help="replay the day checking every adopted plan (not timed)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    generate_demo_city(args.data_dir / "demo", reuse=True)
    t1 = time.perf_counter()
    prep = prepare_day(args.data_dir, fleet=args.fleet, requests_path=None,
                       demand_scale=args.demand_scale, seed=args.seed, day=args.date)
    t2 = time.perf_counter()
    options = SimulationOptions(reopt_every_s=round(args.reopt_every * 60),
                                reopt_time_limit_s=args.reopt_time_limit, seed=args.seed)
    result = simulate_day(prep.service, prep.vehicles, prep.requests, prep.travel,
                          service_ids=prep.service_ids, distances=prep.distances,
                          options=options)
    t3 = time.perf_counter()
    kpis = compute_kpis(result.events, co2_g_per_km=result.co2_g_per_km)
    out = {
        "requests": len(prep.requests), "vehicles": len(prep.vehicles),
        "travel": prep.travel_kind, "reopt_every_min": args.reopt_every,
        "reopt_time_limit_s": args.reopt_time_limit, "city_s": round(t1 - t0, 2),
        "prepare_s": round(t2 - t1, 2), "simulate_s": round(t3 - t2, 2),
        "events": len(result.events), "kpis": kpis.as_dict(),
    }
    if args.check:
        snaps: list[PlanSnapshot] = []
        simulate_day(prep.service, prep.vehicles, prep.requests, prep.travel,
                     service_ids=prep.service_ids, distances=prep.distances, options=options,
                     on_plan=snaps.append)
        bad = sum(len(check_plan(s.plan, s.vehicles, s.requests, prep.travel, now_s=s.now_s,
                                 promises=s.promises)) for s in snaps)
        out["plans_checked"] = len(snaps)
        out["violations"] = bad
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        k = out["kpis"]
        print(f"{out['requests']} requests, {out['vehicles']} vehicles, travel on "
              f"{out['travel']}, re-optimize every {args.reopt_every:g} min "
              f"({args.reopt_time_limit:g} s)")
        print(f"wall: city {out['city_s']} s, prepare {out['prepare_s']} s, "
              f"simulate {out['simulate_s']} s ({out['events']} events)")
        for key, value in k.items():
            print(f"  {key:34s} {value}")
        if args.check:
            print(f"checked {out['plans_checked']} plans: {out['violations']} violations")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

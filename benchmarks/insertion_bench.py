"""Benchmark real-time insertion: 200 vehicles, 1,000 active requests, p50/p95 per request.

A synthetic city of 20 km x 12 km (around Hitachi, Ibaraki) with crow-fly
travel times; requests ask for earliest pickups spread over ``--spread-s``
(default three hours).  The first ``--active`` accepted requests fill the plan
(not timed), then each of ``--measure`` further requests is timed.  The final
plan is verified by the independent checker.

Example::

    .venv/bin/python benchmarks/insertion_bench.py --vehicles 200 --active 1000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dispatch.checker import check_plan  # noqa: E402
from dispatch.insertion import Dispatcher  # noqa: E402
from dispatch.model import Place, RideRequest, Vehicle  # noqa: E402
from dispatch.travel import CrowFlyTravelTimes  # noqa: E402

LAT0, LON0 = 36.55, 140.60


def _place(rng: np.random.Generator) -> Place:
    return Place(round(LAT0 + rng.random() * 0.11, 6), round(LON0 + rng.random() * 0.22, 6))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vehicles", type=int, default=200)
    ap.add_argument("--active", type=int, default=1000)
    ap.add_argument("--measure", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--spread-s", type=int, default=3 * 3600,
                    help="requested pickup times spread over this many seconds")
    ap.add_argument("--no-check", action="store_true")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    travel = CrowFlyTravelTimes(speed_mps=8.0, detour_factor=1.3)
    now = 8 * 3600
    vehicles = [Vehicle(k, seats=6, wheelchair_spaces=1, depot=_place(rng),
                        shift_start_s=now, shift_end_s=now + 8 * 3600)
                for k in range(args.vehicles)]
    disp = Dispatcher(vehicles, travel, now_s=now)
    requests: list[RideRequest] = []
    next_id = 0

    def new_request() -> RideRequest:
        nonlocal next_id
        next_id += 1
        return RideRequest(next_id, _place(rng), _place(rng),
                           requested_time_s=now + int(rng.integers(0, args.spread_s)),
                           passengers=int(rng.integers(1, 3)),
                           wheelchair=bool(rng.random() < 0.05))

    started = time.perf_counter()
    attempts = 0
    while len(requests) < args.active and attempts < 20 * args.active:
        r = new_request()
        attempts += 1
        if disp.insert(r).accepted:
            requests.append(r)
    fill_s = time.perf_counter() - started
    active = len(requests)
    times_ms = []
    accepted = 0
    for _ in range(args.measure):
        r = new_request()
        t = time.perf_counter()
        res = disp.insert(r)
        times_ms.append(1000 * (time.perf_counter() - t))
        if res.accepted:
            accepted += 1
            requests.append(r)
    times_ms.sort()
    p50 = statistics.median(times_ms)
    p95 = times_ms[int(0.95 * (len(times_ms) - 1))]
    print(f"vehicles {args.vehicles}, active requests {active} "
          f"(pickups spread over {args.spread_s} s) "
          f"(filled with {attempts} attempts in {fill_s:.1f} s)")
    print(f"insertion of {args.measure} new requests: p50 {p50:.2f} ms, p95 {p95:.2f} ms, "
          f"max {times_ms[-1]:.2f} ms, accepted {accepted}")
    if not args.no_check:
        violations = check_plan(disp.plan(), vehicles, requests, travel, now_s=now,
                                promises=disp.promises)
        print(f"checker: {len(violations)} violations over {len(requests)} requests")
        for v in violations[:5]:
            print("  ", v)
        return 1 if violations else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

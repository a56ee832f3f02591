"""Demo city at 1x, 10x, 100x: generate, read and compile time, peak memory, file sizes.

Usage::

    .venv/bin/python benchmarks/democity_bench.py [--sizes 1 10 100] [--repeat N] [--out DIR]

Each run is a fresh child process so that its peak resident memory
(``ru_maxrss``) is its own; with ``--repeat N`` every size runs N times and
the median of each time is printed. Per size: generate (``generate_demo_city``),
read the feed (``gtfs.reader.read_feed``), compile the sample weekday
(``gtfs.compile.compile_service_day``), and load ``streets.osm`` with the
router's loader (``routing.osm.load_osm``). Figures go to docs/benchmarks.md
("Demo city").
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_one(size: int, out: Path) -> dict[str, float | int]:
    """Generate, read and compile one city in this process; return the figures."""
    sys.path.insert(0, str(ROOT))
    from gtfs.compile import compile_service_day
    from gtfs.democity import generate_demo_city
    from gtfs.reader import read_feed
    from routing.osm import load_osm

    rss_imports = _peak_mib()
    t0 = time.perf_counter()
    city = generate_demo_city(out, size=size)
    t1 = time.perf_counter()
    rss_generate = _peak_mib()
    feed = read_feed(city.feed_path, dist_units="km")
    t2 = time.perf_counter()
    timetable = compile_service_day(feed, city.sample_weekday)
    t3 = time.perf_counter()
    rss_compile = _peak_mib()
    streets = load_osm(city.streets_path)
    t4 = time.perf_counter()
    return {
        "size": size,
        "generate_s": round(t1 - t0, 2),
        "read_s": round(t2 - t1, 2),
        "compile_s": round(t3 - t2, 3),
        "osm_load_s": round(t4 - t3, 2),
        "rss_imports_mib": round(rss_imports),
        "peak_rss_generate_mib": round(rss_generate),
        "peak_rss_compile_mib": round(rss_compile),
        "peak_rss_osm_mib": round(_peak_mib()),
        "loaded_street_nodes": streets.n_nodes,
        "stops": city.n_stops,
        "trips": city.n_trips,
        "stop_times": city.n_stop_times,
        "street_nodes": city.n_street_nodes,
        "street_edges": city.n_street_edges,
        "cells": city.n_cells,
        "compiled_trips": timetable.n_trips,
        "connections": timetable.n_connections,
        "gtfs_zip_mib": round(city.feed_path.stat().st_size / 2**20, 1),
        "streets_osm_mib": round(city.streets_path.stat().st_size / 2**20, 1),
    }


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.3g}"


def main() -> None:
    """Run every size in a child process and print one line per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None,
                        help="Keep the cities under this folder (default: a temporary one).")
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.out)))
        return
    print(f"# python {platform.python_version()}, {platform.machine()}, "
          f"{platform.system()} {platform.release()}")
    with tempfile.TemporaryDirectory() as tmp:
        base = args.out if args.out is not None else Path(tmp)
        for size in args.sizes:
            out = base / f"size{size}"
            runs = []
            for _ in range(args.repeat):
                child = subprocess.run(
                    [sys.executable, __file__, "--one", str(size), "--out", str(out)],
                    check=True, capture_output=True, text=True)
                runs.append(json.loads(child.stdout.strip().splitlines()[-1]))
            figures = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            print(" ".join(f"{k}={_fmt(v)}" for k, v in figures.items()), flush=True)


if __name__ == "__main__":
    main()

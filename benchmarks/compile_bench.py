"""Benchmark reading a GTFS feed and compiling one service day, cold and warm.

Each measurement runs in a fresh Python process, so peak memory (``ru_maxrss``)
belongs to that measurement alone:

* **cold**: ``read_feed`` (unzip with checks, parse, validate, convert) then
  ``compile_service_day`` without a cache;
* **warm**: ``compile_feed_file`` with a cache directory already holding the
  day (hash the feed bytes, load the ``.npz``).

Prints one Markdown table row per feed and mode (best and median of
``--repeat`` runs, peak RSS, the RSS after imports and the import time, which
the timings exclude).

Example::

    .venv/bin/python benchmarks/compile_bench.py --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASES = {
    "nyc": ("gtfs_large_nyc_subway/nyc_subway_gtfs.zip", "2018-07-11"),
    "hart": ("gtfs_large_hart_tampa/hart_tampa_gtfs.zip", "2020-12-02"),
    "yamanashi": ("gtfs_jp_yamanashi/yamanashi_gtfs.zip", "2019-06-12"),
}

_CHILD = r"""
import json, resource, sys, time
t_import = time.perf_counter()
from datetime import date
sys.path.insert(0, sys.argv[1])
from gtfs.reader import read_feed
from gtfs.compile import compile_service_day, compile_feed_file
import_s = time.perf_counter() - t_import

def rss_mib():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")

mode, path, day, cache = sys.argv[2], sys.argv[3], date.fromisoformat(sys.argv[4]), sys.argv[5]
base = rss_mib()
t0 = time.perf_counter()
if mode == "cold":
    feed = read_feed(path)
    t1 = time.perf_counter()
    tt = compile_service_day(feed, day)
    t2 = time.perf_counter()
    read_s, compile_s = t1 - t0, t2 - t1
else:
    tt = compile_feed_file(path, day, cache_dir=cache)
    t2 = time.perf_counter()
    read_s, compile_s = 0.0, t2 - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"total_s": t2 - t0, "import_s": import_s, "read_s": read_s,
                  "compile_s": compile_s,
                  "peak_mib": peak, "base_mib": base, "trips": tt.n_trips,
                  "patterns": tt.n_patterns, "connections": tt.n_connections}))
"""


def _data_dir() -> Path:
    env = os.environ.get("TSUNAGU_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def _run(mode: str, path: Path, day: str, cache: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT), mode, str(path), day,
                          str(cache)], check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--feeds", nargs="*", default=list(CASES), choices=list(CASES))
    args = parser.parse_args()
    print(f"# {platform.node()} {platform.machine()} Python {platform.python_version()} "
          f"cpus={os.cpu_count()}")
    print("| feed | date | mode | best s | median s | read s | compile s | peak RSS MiB "
          "| RSS after imports MiB | imports s | trips | patterns | connections |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in args.feeds:
        relative, day = CASES[name]
        path = _data_dir() / relative
        if not path.exists():
            print(f"| {name} | {day} | missing {path} |")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp)
            _run("warm", path, day, cache)  # fills the cache
            for mode in ("cold", "warm"):
                runs = [_run(mode, path, day, cache) for _ in range(args.repeat)]
                totals = [r["total_s"] for r in runs]
                best = min(runs, key=lambda r: r["total_s"])
                print(f"| {name} | {day} | {mode} | {min(totals):.2f} | "
                      f"{statistics.median(totals):.2f} | {best['read_s']:.2f} | "
                      f"{best['compile_s']:.2f} | {max(r['peak_mib'] for r in runs):.0f} | "
                      f"{best['base_mib']:.0f} | {best['import_s']:.2f} | "
                      f"{int(best['trips'])} | "
                      f"{int(best['patterns'])} | {int(best['connections'])} |")


if __name__ == "__main__":
    main()

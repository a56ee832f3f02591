"""Planning with on-demand legs on the demo city: latency per query (warm).

Usage::

    .venv/bin/python benchmarks/ondemand_plan_bench.py [--queries 500] [--prebook 40]
        [--demo var/demo] [--seed 1]

Builds the demo city if ``--demo`` is missing, compiles the sample weekday,
loads the streets, the on-demand service (GTFS-Flex + ``drt_service.yaml``) and
the provider over the zone's live dispatcher (drive times on the streets'
drive graph). ``--prebook N`` first books N random rides in the zone through
the dispatcher (so quotes are inserted into busy vehicle plans, not an idle
fleet). Then ``--queries`` random origins inside the zone go to random stops
(half) or random doors across the city (half: a random stop moved by up to
~800 m each way), leaving between 07:00
and 18:00; every query runs ``MultimodalPlanner.depart_at`` (walk, walk +
transit, on-demand access + transit, transit + on-demand egress, door to
door). 20 queries warm up first (numba, caches). Prints p50/p95/max ms and how
many plans hold an on-demand leg; then the same pairs arrive-by (departure +
2 h). Figures go to docs/benchmarks.md ("On-demand planning").
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dispatch.model import Place as DPlace  # noqa: E402
from dispatch.model import RideRequest  # noqa: E402
from gtfs.compile import compile_feed_file  # noqa: E402
from gtfs.democity import generate_demo_city  # noqa: E402
from gtfs.democity.services import SAMPLE_WEEKDAY  # noqa: E402
from gtfs.ondemand import load_ondemand_service  # noqa: E402
from gtfs.reader import read_feed  # noqa: E402
from routing.multimodal import MultimodalPlanner  # noqa: E402
from routing.osm import load_osm  # noqa: E402
from routing.planner import Place, Planner  # noqa: E402
from web.services.ondemand_provider import build_ondemand_provider  # noqa: E402


def _points_in_zone(zone: object, n: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    lon0, lat0, lon1, lat1 = zone.polygon.bounds  # type: ignore[attr-defined]
    out: list[tuple[float, float]] = []
    while len(out) < n:
        lat, lon = float(rng.uniform(lat0, lat1)), float(rng.uniform(lon0, lon1))
        if zone.contains(lat, lon):  # type: ignore[attr-defined]
            out.append((lat, lon))
    return out


def main() -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--prebook", type=int, default=40)
    ap.add_argument("--demo", default="var/demo")
    ap.add_argument("--cache-dir", default="var/cache")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    demo = Path(a.demo)
    if not (demo / "gtfs.zip").exists():
        generate_demo_city(demo)
    cache = Path(a.cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    tt = compile_feed_file(demo / "gtfs.zip", SAMPLE_WEEKDAY, cache_dir=cache)
    streets = load_osm(demo / "streets.osm")
    service = load_ondemand_service(demo / "gtfs.zip", demo / "drt_service.yaml")
    active = read_feed(demo / "gtfs.zip").calendar.active_services(SAMPLE_WEEKDAY)
    provider = build_ondemand_provider(service, tt, streets, active_service_ids=active)
    planner = MultimodalPlanner(Planner(tt, streets), provider)
    build_s = time.perf_counter() - t0
    rng = np.random.default_rng(a.seed)
    zone = service.zones[0]
    disp = provider.dispatchers[zone.zone_id]
    rules = service.booking(zone)
    assert rules is not None
    booked = 0
    pts = _points_in_zone(zone, 2 * a.prebook, rng)
    hubs = service.hub_stop_indices(zone, tt.stop_index)
    for i in range(a.prebook):
        hub = int(rng.choice(hubs))
        door = DPlace(*pts[2 * i])
        stop = DPlace(float(tt.stop_lat[hub]), float(tt.stop_lon[hub]), stop_index=hub)
        a_, b_ = (door, stop) if i % 2 == 0 else (stop, door)
        t = int(rng.integers(7 * 3600, 18 * 3600))
        res = disp.insert(RideRequest(i + 1, a_, b_, t, window_s=rules.pickup_window_s,
                                      ride_alpha=rules.max_ride_factor,
                                      ride_beta_s=rules.max_ride_offset_s,
                                      service_s=rules.boarding_s))
        booked += res.accepted
    origins = _points_in_zone(zone, a.queries + 20, rng)
    queries = []
    for k, (lat, lon) in enumerate(origins):
        s = int(rng.integers(tt.n_stops))
        if k % 2 == 0:
            dest = Place(stop=s)
        else:  # a door up to ~800 m from a random stop (the city, not the sea)
            dest = Place(lat=float(tt.stop_lat[s] + rng.uniform(-0.007, 0.007)),
                         lon=float(tt.stop_lon[s] + rng.uniform(-0.009, 0.009)))
        queries.append((Place(lat=lat, lon=lon), dest, int(rng.integers(7 * 3600, 18 * 3600))))
    for o, d, t in queries[:20]:
        planner.depart_at(o, d, t)
    times, with_od, found = [], 0, 0
    for o, d, t in queries[20:]:
        t1 = time.perf_counter()
        js = planner.depart_at(o, d, t)
        times.append((time.perf_counter() - t1) * 1000)
        found += bool(js)
        with_od += any(j.n_ondemand for j in js)
    times.sort()
    p95 = float(np.percentile(times, 95))
    back = []
    for o, d, t in queries[20:]:  # arrive-by the same pairs, 2 h after the departure
        t1 = time.perf_counter()
        planner.arrive_by(o, d, t + 7200)
        back.append((time.perf_counter() - t1) * 1000)
    print(f"machine: {platform.node()} {platform.python_version()}; build {build_s:.2f} s; "
          f"prebooked {booked}/{a.prebook} rides")
    print(f"{len(times)} queries: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
          f"max {times[-1]:.1f} ms; {found} with a journey, {with_od} with an on-demand leg")
    print(f"arrive-by (same pairs, departure + 2 h): p50 {statistics.median(back):.1f} ms, "
          f"p95 {float(np.percentile(back, 95)):.1f} ms, max {max(back):.1f} ms")


if __name__ == "__main__":
    main()

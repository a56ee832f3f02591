"""Load on the web API: concurrent clients against ``tsunagu serve`` on loopback.

Usage::

    .venv/bin/python benchmarks/web_load.py [--clients 20] [--plan-requests 2000]
        [--booking-requests 300] [--time-limit 60] [--threads 4] [--data-dir var]

Starts ``tsunagu serve`` on 127.0.0.1 on a free port in a subprocess (the demo
city under ``--data-dir``, generated when missing; a fresh SQLite booking
database in a temporary folder; rate limits lifted so the server, not the
limiter, is measured), reads the demo dispatcher token it prints, then runs
two phases, each bounded by a request count and ``--time-limit`` seconds:

* **plan**: ``--clients`` threads, one keep-alive HTTP connection each, send
  ``GET /api/v1/plan`` between random doors ~150 m from random stops,
  departing 06:00-20:00;
* **booking**: the same number of threads send ``POST /api/v1/bookings``
  (the dispatcher booking for rider ``r<i>``, a door in an on-demand zone to one
  of its hubs, a 20-minute window 07:00-18:30), each with a fresh
  ``Idempotency-Key``; one in ten is sent twice and must come back ``200`` with
  the same booking. A ``409`` (no vehicle can take the ride) is an answer,
  not an error.

Reports throughput, p50/p95/p99 latency and errors (5xx, transport errors,
unexpected statuses) per phase, then stops the server and checks that every
acknowledged booking is in the database, in state ``booked``, and that the
store's audit is empty ("0 lost bookings"). Loopback only; nothing leaves
the machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dispatch.store import BookingStore  # noqa: E402
from gtfs.democity import generate_demo_city  # noqa: E402
from gtfs.ondemand import load_ondemand_service  # noqa: E402


@dataclass
class Phase:
    """Latencies and outcomes of one phase."""

    name: str
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, ms: float, status: int) -> None:
        with self.lock:
            self.latencies_ms.append(ms)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)

    def report(self) -> str:
        lat = sorted(self.latencies_ms)
        n = len(lat)

        def q(p: float) -> float:
            return lat[min(n - 1, int(p * n))] if n else float("nan")

        rate = n / self.wall_s if self.wall_s else 0.0
        return (f"{self.name:8s} {n:6d} requests in {self.wall_s:6.1f} s = {rate:7.1f}/s   "
                f"p50 {q(0.50):7.1f} ms  p95 {q(0.95):7.1f} ms  p99 {q(0.99):7.1f} ms  "
                f"max {lat[-1] if n else float('nan'):7.1f} ms   "
                f"statuses {dict(sorted(self.statuses.items()))}   errors {len(self.errors)}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, threads: int, data_dir: Path, db_url: str, log: Path
                 ) -> tuple[subprocess.Popen[str], dict[str, str]]:
    env = dict(os.environ, TSUNAGU_DATA_DIR=str(data_dir), TSUNAGU_DATABASE_URL=db_url,
               TSUNAGU_DEMO_TOKENS="true", TSUNAGU_PLANNER_POOL=str(threads),
               TSUNAGU_RATE_PLAN_PER_MIN="1000000", TSUNAGU_RATE_PLAN_BURST="1000000",
               TSUNAGU_RATE_BOOKING_PER_MIN="1000000", TSUNAGU_RATE_BOOKING_BURST="1000000")
    cmd = [sys.executable, "-c", "from web.cli import main; main()", "serve", "--host",
           "127.0.0.1", "--port", str(port), "--threads", str(threads)]
    with log.open("w") as err:  # waitress logs (queue depth...) go to a file
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err,
                                text=True)
    tokens: dict[str, str] = {}
    deadline = time.monotonic() + 120
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"tsunagu serve exited with {proc.wait()}")
        parts = line.split()
        if len(parts) >= 2 and parts[1].startswith("tsu_"):
            tokens[parts[0]] = parts[1]
        if "Ctrl-C" in line:
            break
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # drain
    for _ in range(100):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return proc, tokens
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not answer /healthz")


def run_phase(phase: Phase, clients: int, count: int, time_limit_s: float, port: int,
              make: Callable[[int, random.Random], tuple[str, str, Any, dict[str, str]]],
              check: Callable[[int, int, Any, http.client.HTTPConnection, dict[str, str]],
                              None]) -> None:
    counter = iter(range(count))
    lock = threading.Lock()
    stop_at = time.monotonic() + time_limit_s

    def worker(w: int) -> None:
        rng = random.Random(w)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop_at:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            method, url, body, headers = make(i, rng)
            data = None if body is None else json.dumps(body)
            t = time.perf_counter()
            try:
                conn.request(method, url, body=data, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
            except (OSError, http.client.HTTPException) as exc:
                phase.error(f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            ms = (time.perf_counter() - t) * 1000
            phase.record(ms, resp.status)
            try:
                payload = json.loads(raw) if raw else None
            except ValueError:
                phase.error(f"{resp.status}: body is not JSON")
                continue
            check(i, resp.status, payload, conn, headers)
        conn.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(w,)) for w in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    phase.wall_s = time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--plan-requests", type=int, default=2000)
    ap.add_argument("--booking-requests", type=int, default=300)
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per phase")
    ap.add_argument("--threads", type=int, default=4, help="server threads")
    ap.add_argument("--data-dir", type=Path, default=ROOT / "var")
    args = ap.parse_args()

    city = generate_demo_city(args.data_dir / "demo", reuse=True)
    service = load_ondemand_service(None, city.drt_service_path)
    import zipfile
    with zipfile.ZipFile(city.feed_path) as z:
        lines = z.read("stops.txt").decode("utf-8").splitlines()[1:]
    stops = [(float(r.split(",")[4]), float(r.split(",")[5])) for r in lines if r]
    zones = [z for z in service.zones if service.fleet(z) is not None]
    zone_pts: list[tuple[int, float, float]] = []
    for k, zone in enumerate(zones):
        minx, miny, maxx, maxy = zone.polygon.bounds
        rng0 = random.Random(k)
        while sum(1 for p in zone_pts if p[0] == k) < 400:
            lat, lon = rng0.uniform(miny, maxy), rng0.uniform(minx, maxx)
            if zone.contains(lat, lon):
                zone_pts.append((k, lat, lon))

    tmp = Path(tempfile.mkdtemp(prefix="tsunagu-load-"))
    db_url = f"sqlite:///{tmp / 'bookings.sqlite3'}"
    port = free_port()
    t_start = time.perf_counter()
    proc, tokens = start_server(port, args.threads, args.data_dir, db_url, tmp / "server.log")
    print(f"server up on 127.0.0.1:{port} in {time.perf_counter() - t_start:.1f} s "
          f"({args.threads} threads); {args.clients} clients; machine {platform.node()} "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}")
    auth = {"Authorization": f"Bearer {tokens['dispatcher']}"}
    try:
        plan = Phase("plan")

        def make_plan(i: int, rng: random.Random) -> tuple[str, str, Any, dict[str, str]]:
            a, b = rng.sample(stops, 2)
            j = lambda p: (p[0] + rng.uniform(-0.0015, 0.0015),  # noqa: E731
                           p[1] + rng.uniform(-0.0015, 0.0015))
            (la, lo), (lb, lob) = j(a), j(b)
            t = rng.randrange(6 * 3600, 20 * 3600) // 60
            url = (f"/api/v1/plan?from={la:.6f},{lo:.6f}&to={lb:.6f},{lob:.6f}"
                   f"&time={t // 60:02d}:{t % 60:02d}")
            return "GET", url, None, auth

        def check_plan(i: int, status: int, payload: Any, conn: Any, h: dict[str, str]) -> None:
            if status != 200 or "plan" not in payload:
                plan.error(f"plan {status}: {str(payload)[:200]}")

        run_phase(plan, args.clients, args.plan_requests, args.time_limit, port, make_plan,
                  check_plan)
        print(plan.report(), flush=True)

        book = Phase("booking")
        _last_body: dict[int, Any] = {}  # thread -> body of its last request
        acked: dict[str, str] = {}
        replays = {"ok": 0, "bad": 0}
        ack_lock = threading.Lock()

        def make_book(i: int, rng: random.Random) -> tuple[str, str, Any, dict[str, str]]:
            k, lat, lon = rng.choice(zone_pts)
            hub = rng.choice(zones[k].hub_stop_ids)
            t = rng.randrange(7 * 60, 18 * 60 + 30)
            body = {"pickup": {"lat": round(lat, 6), "lon": round(lon, 6)},
                    "dropoff": {"stopId": hub}, "riderId": f"r{i}",
                    "earliestPickup": f"{t // 60:02d}:{t % 60:02d}",
                    "latestPickup": f"{(t + 20) // 60:02d}:{(t + 20) % 60:02d}"}
            if rng.random() < 0.5:
                body["pickup"], body["dropoff"] = body["dropoff"], body["pickup"]
            headers = {**auth, "Idempotency-Key": f"load-{i}",
                       "Content-Type": "application/json"}
            return "POST", "/api/v1/bookings", body, headers

        def check_book(i: int, status: int, payload: Any, conn: http.client.HTTPConnection,
                       headers: dict[str, str]) -> None:
            if status == 201:
                with ack_lock:
                    acked[payload["id"]] = headers["Idempotency-Key"]
                if i % 10 == 0:  # replay the same request: same booking, 200
                    conn.request("POST", "/api/v1/bookings", body=json.dumps(
                        _last_body[threading.get_ident()]), headers=headers)
                    r = conn.getresponse()
                    again = json.loads(r.read())
                    ok = r.status == 200 and again.get("id") == payload["id"]
                    with ack_lock:
                        replays["ok" if ok else "bad"] += 1
            elif status != 409:
                book.error(f"booking {status}: {str(payload)[:200]}")

        def make_book_remember(i: int, rng: random.Random
                               ) -> tuple[str, str, Any, dict[str, str]]:
            req = make_book(i, rng)
            _last_body[threading.get_ident()] = req[2]
            return req

        run_phase(book, args.clients, args.booking_requests, args.time_limit, port,
                  make_book_remember, check_book)
        print(book.report(), flush=True)
        print(f"booking  acknowledged {len(acked)}, refused (409) {book.statuses.get(409, 0)}, "
              f"replays same booking {replays['ok']}/{replays['ok'] + replays['bad']}")
        for ph in (plan, book):
            for e in ph.errors[:5]:
                print(f"  {ph.name} error: {e}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    store = BookingStore.open(db_url)
    try:
        lost = []
        for bid in acked:
            try:
                if store.get(bid).status.value != "booked":
                    lost.append(bid)
            except LookupError:
                lost.append(bid)
        audit = store.audit()
        counts = store.counts()
    finally:
        store.close()
    print(f"after restart: {len(acked) - len(lost)}/{len(acked)} acknowledged bookings found "
          f"booked, lost {len(lost)}; store holds {counts['booked']} booked; audit problems "
          f"{len(audit)}")
    if lost or audit or plan.errors or book.errors or replays["bad"]:
        sys.exit(1)


if __name__ == "__main__":
    main()

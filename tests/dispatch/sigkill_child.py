"""Child process of the SIGKILL test: streams bookings and acknowledges each commit.

Usage: ``python -m tests.dispatch.sigkill_child URL RUN_ID PREFIX [--hang-at N]``

For i = 0, 1, 2, ... it books a ride for rider ``PREFIX-i`` (idempotency key
``PREFIX-k-i``) on the run's day and, only after ``book`` has returned (the
transaction is committed), prints ``B <booking_id> <rider> <key>``.  Every third
booking it also assigns an earlier one (``A <id>``) and every fifth cancels one
(``C <id>``), so multi-row changes are in flight too.  With ``--hang-at N`` the
N-th commit that changed seats (a booking or a cancellation) prints
``IN_COMMIT`` and sleeps just before COMMIT is sent, so the parent can kill the
process inside an open write transaction.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from sqlalchemy import event

from dispatch.booking import RideRequest, RunWindowCheck
from dispatch.store import BookingStore


def grid_ride_s(a: int, b: int) -> int:
    """Manhattan ride time on a 10-wide grid of street nodes, 60 s a block."""
    return 60 * (abs(a % 10 - b % 10) + abs(a // 10 - b // 10))


def main(argv: list[str]) -> int:
    """Stream bookings until killed (or out of seats); return an exit code."""
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("run_id")
    parser.add_argument("prefix")
    parser.add_argument("--hang-at", type=int, default=0)
    args = parser.parse_args(argv)
    store = BookingStore(args.url)
    run = store.run(args.run_id)
    seat_commits = 0

    def note_seat_write(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE SERVICE_RUNS"):
            conn.info["seat_write"] = True

    def before_commit(conn: Any) -> None:
        nonlocal seat_commits
        if not conn.info.pop("seat_write", False):
            return
        seat_commits += 1
        if args.hang_at and seat_commits == args.hang_at:
            print("IN_COMMIT", flush=True)
            time.sleep(600)

    event.listen(store.engine, "before_cursor_execute", note_seat_write)
    event.listen(store.engine, "commit", before_commit)
    event.listen(store.engine, "rollback", lambda conn: conn.info.pop("seat_write", None))
    check = RunWindowCheck(grid_ride_s)
    booked: list[str] = []
    for i in range(100_000):
        rider, key = f"{args.prefix}-{i}", f"{args.prefix}-k-{i}"
        request = RideRequest(rider, run.service_date, i % 50, 50 + i % 50,
                              run.start_s, run.start_s + 1800)
        outcome = store.book(request, idempotency_key=key, feasibility=check)
        if outcome.booking is None:
            print(f"X {rider} {outcome.reason}", flush=True)
            return 0
        booked.append(outcome.booking.booking_id)
        print(f"B {outcome.booking.booking_id} {rider} {key}", flush=True)
        if i % 3 == 2:
            store.assign(booked[-2])
            print(f"A {booked[-2]}", flush=True)
        if i % 5 == 4:
            cancelled = store.cancel(booked[-5], rider_id=f"{args.prefix}-{i - 4}")
            print(f"C {cancelled.booking_id}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

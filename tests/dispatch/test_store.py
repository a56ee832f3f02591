"""The durable booking store on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, delete, inspect, text

from dispatch.booking import (
    Actor,
    BookingError,
    BookingNotFound,
    BookingOutcome,
    BookingStatus,
    FeasibilityResult,
    IdempotencyConflict,
    PickupOffer,
    RideRequest,
    RunWindowCheck,
    ServiceRun,
    request_fingerprint,
)
from dispatch.store import BookingStore, StoreError, database_url
from dispatch.store.migrate import downgrade, head_revision, upgrade
from dispatch.store.models import Base, BookingEventRow
from tests.conftest import REPO_ROOT

DAY = date(2026, 11, 24)
H = 3600
S = BookingStatus


def grid_ride_s(a: int, b: int) -> int:
    """Manhattan ride time on a 10-wide grid of street nodes, 60 s a block."""
    return 60 * (abs(a % 10 - b % 10) + abs(a // 10 - b // 10))


CHECK = RunWindowCheck(grid_ride_s, window_s=600)


def request(rider: str, *, at_h: float = 8, seats: int = 1, origin: int = 1,
            destination: int = 25, latest_dropoff_s: int | None = None) -> RideRequest:
    """A ride for ``rider`` with a half-hour pick-up window from ``at_h`` o'clock."""
    return RideRequest(rider, DAY, origin, destination, int(at_h * H), int(at_h * H) + 1800,
                       seats=seats, latest_dropoff_s=latest_dropoff_s)


# -- backends ---------------------------------------------------------------------

def _postgres_url() -> str | None:
    url = os.environ.get("TSUNAGU_TEST_POSTGRES_URL", "").strip()
    if not url:
        if os.environ.get("TSUNAGU_REQUIRE_POSTGRES") == "1":
            pytest.fail("TSUNAGU_REQUIRE_POSTGRES=1 but TSUNAGU_TEST_POSTGRES_URL is not set")
        return None
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bookings.sqlite3'}"
        return
    base = _postgres_url()
    if base is None:
        pytest.skip("TSUNAGU_TEST_POSTGRES_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        sep = "&" if "?" in base else "?"
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


class Clock:
    """An injected clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """A hand-moved clock."""
    return Clock()


@pytest.fixture
def store(db_url: str, clock: Clock) -> Iterator[BookingStore]:
    """A migrated store with run r1 (07-10 h, 4 seats) and run r2 (07-10 h, 2 seats)."""
    with BookingStore.open(db_url, clock=clock) as st:
        st.add_run("r1", vehicle_id="v1", service_date=DAY, start_s=7 * H, end_s=10 * H,
                   capacity_seats=4)
        st.add_run("r2", vehicle_id="v2", service_date=DAY, start_s=7 * H, end_s=10 * H,
                   capacity_seats=2)
        yield st
        assert st.audit() == []


def book(st: BookingStore, rider: str, key: str | None = None, **kw: object) -> BookingOutcome:
    """Book ``request(rider)`` with key ``key`` (default ``k-<rider>``)."""
    return st.book(request(rider, **kw),  # type: ignore[arg-type]
                   idempotency_key=key or f"k-{rider}", feasibility=CHECK)


# -- configuration and schema --------------------------------------------------------

def test_database_url_precedence(tmp_path: Path) -> None:
    """An explicit URL wins over TSUNAGU_DATABASE_URL, which wins over the SQLite default."""
    env = {"TSUNAGU_DATABASE_URL": "postgresql+psycopg://u@h/db"}
    assert database_url("sqlite:///x.db", data_dir=tmp_path, environ=env) == "sqlite:///x.db"
    assert database_url(None, data_dir=tmp_path, environ=env) == env["TSUNAGU_DATABASE_URL"]
    default = database_url(None, data_dir=tmp_path / "data", environ={})
    assert default == f"sqlite:///{(tmp_path / 'data' / 'bookings.sqlite3').resolve()}"
    assert (tmp_path / "data").is_dir()


@pytest.mark.parametrize(("url", "message"), [
    ("not a url", "cannot be parsed"),
    ("mysql://u@h/db", "backend 'mysql' is not supported"),
    ("sqlite://", "use a SQLite file"),
    ("sqlite:////no/such/folder/b.db", "folder /no/such/folder does not exist"),
])
def test_bad_url_is_a_clear_error(url: str, message: str) -> None:
    """A bad database URL raises StoreError saying what is wrong with it."""
    with pytest.raises(StoreError, match=message):
        BookingStore(url)


def test_unreachable_postgres_is_a_clear_error() -> None:
    """A PostgreSQL server that is not there gives a StoreError naming the URL, no password."""
    with pytest.raises(StoreError, match=r"u:\*\*\*@127.0.0.1:9/db"):
        BookingStore.open("postgresql+psycopg://u:secret@127.0.0.1:9/db?connect_timeout=2")


def test_migrations_match_models(db_url: str) -> None:
    """The Alembic head creates exactly the tables the ORM models describe; twice is harmless."""
    with BookingStore(db_url) as st:
        assert st.schema_revision() is None
        assert st.migrate() == head_revision()
        assert st.migrate() == head_revision()
        assert st.schema_revision() == head_revision()
        with st.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        downgrade(st.engine, "base")
        assert st.schema_revision() is None
        assert not {"bookings", "booking_events", "service_runs"} & set(
            inspect(st.engine).get_table_names())
        assert st.migrate() == head_revision()


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    """SQLite connections use WAL, full sync, foreign keys and a busy timeout."""
    with BookingStore.open(f"sqlite:///{tmp_path / 'b.db'}") as st, st.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000


def test_sqlite_waits_for_a_busy_writer(tmp_path: Path) -> None:
    """A booking waits for another process's write lock instead of failing."""
    path = tmp_path / "b.db"
    with BookingStore.open(f"sqlite:///{path}") as st:
        st.add_run("r1", vehicle_id="v1", service_date=DAY, start_s=7 * H, end_s=10 * H,
                   capacity_seats=4)
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        releasing = threading.Event()

        def release() -> None:
            releasing.set()  # set before the lock goes: a booking done earlier sees it unset
            other.rollback()

        timer = threading.Timer(0.5, release)
        timer.start()
        outcome = book(st, "alice")
        waited = releasing.is_set()
        timer.join()
        other.close()
        assert outcome.ok and waited


# -- runs -----------------------------------------------------------------------------

def test_add_run_is_idempotent_and_checked(store: BookingStore) -> None:
    """Adding the same run twice is harmless; other values or bad values are refused."""
    again = store.add_run("r1", vehicle_id="v1", service_date=DAY, start_s=7 * H,
                          end_s=10 * H, capacity_seats=4)
    assert again == ServiceRun("r1", "v1", DAY, 7 * H, 10 * H, 4, 4)
    with pytest.raises(BookingError, match="run 'r1' already exists with other values"):
        store.add_run("r1", vehicle_id="v1", service_date=DAY, start_s=7 * H, end_s=10 * H,
                      capacity_seats=8)
    with pytest.raises(BookingError, match="capacity_seats must be >= 1"):
        store.add_run("r3", vehicle_id="v1", service_date=DAY, start_s=0, end_s=1,
                      capacity_seats=0)
    with pytest.raises(BookingNotFound, match="no service run 'nope'"):
        store.run("nope")
    assert [r.run_id for r in store.runs(DAY)] == ["r1", "r2"]


# -- booking and idempotency --------------------------------------------------------------

def test_book_confirms_a_pickup_window(store: BookingStore) -> None:
    """A feasible booking takes a seat and confirms a window inside the one asked for."""
    outcome = book(store, "alice")
    assert outcome.ok and not outcome.replayed
    booking = outcome.booking
    assert booking is not None and booking.status is S.BOOKED
    assert booking.offer.run_id == "r1"
    assert 8 * H <= booking.offer.pickup_earliest_s <= booking.offer.pickup_latest_s
    assert booking.offer.pickup_latest_s - booking.offer.pickup_earliest_s == 600
    assert booking.offer.dropoff_eta_s == booking.offer.pickup_earliest_s + 360
    assert store.run("r1").seats_left == 3
    assert [(e.from_status, e.to_status) for e in store.events(booking.booking_id)] == [
        (None, S.QUOTED), (S.QUOTED, S.BOOKED)]
    assert store.get(booking.booking_id) == booking


def test_same_key_twice_is_one_booking(store: BookingStore) -> None:
    """The same rider and key twice gives back the first booking and takes one seat."""
    first = book(store, "alice", "key-1")
    second = book(store, "alice", "key-1")
    assert first.booking is not None and second.booking is not None
    assert second.replayed and second.booking.booking_id == first.booking.booking_id
    assert store.run("r1").seats_left == 3
    assert store.counts()["booked"] == 1
    assert store.find("alice", "key-1") == first.booking


def test_same_key_other_request_conflicts(store: BookingStore) -> None:
    """Reusing a key for a different request is an IdempotencyConflict naming rider and key."""
    book(store, "alice", "key-1")
    with pytest.raises(IdempotencyConflict, match="rider 'alice': idempotency key 'key-1'"):
        book(store, "alice", "key-1", at_h=9)
    assert store.counts()["booked"] == 1


def test_keys_are_per_rider(store: BookingStore) -> None:
    """Two riders may use the same key for their own bookings."""
    a, b = book(store, "alice", "k"), book(store, "bob", "k")
    assert a.booking and b.booking and a.booking.booking_id != b.booking.booking_id


def test_bad_key_is_refused(store: BookingStore) -> None:
    """An empty idempotency key is a BookingError naming the argument."""
    with pytest.raises(BookingError, match="idempotency_key must be a non-empty string"):
        store.book(request("alice"), idempotency_key="", feasibility=CHECK)


def test_same_key_concurrently_is_one_booking(store: BookingStore) -> None:
    """Twenty simultaneous requests with one key make one booking, all told its id."""
    barrier = threading.Barrier(20)

    def go(_: int) -> str:
        barrier.wait()
        outcome = book(store, "alice", "same-key")
        assert outcome.booking is not None
        return outcome.booking.booking_id

    with ThreadPoolExecutor(20) as pool:
        ids = set(pool.map(go, range(20)))
    assert len(ids) == 1
    assert store.counts()["booked"] == 1 and store.run("r1").seats_left == 3


def _assert_last_seats_sold_once(st: BookingStore, outcomes: list[BookingOutcome],
                                 seats: int) -> None:
    won = [o.booking for o in outcomes if o.booking is not None]
    assert len(won) == seats, [o.reason for o in outcomes if not o.ok][:3]
    assert len({b.booking_id for b in won}) == seats
    assert len({b.request.rider_id for b in won}) == seats
    refused = [o for o in outcomes if not o.ok]
    assert all("fewer than 1 seat(s) left" in o.reason for o in refused)
    assert st.run("last").seats_left == 0
    assert len(st.bookings(run_id="last", status=S.BOOKED)) == 10
    assert len(st.bookings(run_id="last")) == 10  # refusals leave no row behind
    assert st.audit() == []


def _add_last_run(st: BookingStore) -> None:
    """A 10-seat run with 5 seats already sold: 5 last seats left."""
    st.add_run("last", vehicle_id="v9", service_date=date(2026, 11, 25), start_s=7 * H,
               end_s=10 * H, capacity_seats=10)
    for i in range(5):
        assert _book_last(st, f"early-{i}").ok


def _book_last(st: BookingStore, rider: str) -> BookingOutcome:
    req = RideRequest(rider, date(2026, 11, 25), 3, 47, 8 * H, 9 * H)
    return st.book(req, idempotency_key=f"k-{rider}", feasibility=CHECK)


def test_200_threads_for_5_last_seats(store: BookingStore) -> None:
    """200 concurrent bookings (threads) for the 5 last seats sell exactly 5, none twice."""
    _add_last_run(store)
    barrier = threading.Barrier(50)

    def go(i: int) -> BookingOutcome:
        if i < 50:
            barrier.wait()
        return _book_last(store, f"rider-{i}")

    with ThreadPoolExecutor(50) as pool:
        outcomes = list(pool.map(go, range(200)))
    _assert_last_seats_sold_once(store, outcomes, 5)


def _process_worker(url: str, worker: int, count: int,
                    start: multiprocessing.synchronize.Event) -> list[tuple[str, str]]:
    with BookingStore(url, pool_size=5, max_overflow=5) as st:
        start.wait(30)
        with ThreadPoolExecutor(5) as pool:
            outcomes = list(pool.map(lambda i: _book_last(st, f"p{worker}-{i}"), range(count)))
    return [(o.booking.booking_id if o.booking else "", o.reason) for o in outcomes]


def test_200_processes_and_threads_for_5_last_seats(store: BookingStore, db_url: str) -> None:
    """200 bookings from 4 processes at once for the 5 last seats sell exactly 5."""
    _add_last_run(store)
    ctx = multiprocessing.get_context("spawn")
    manager = ctx.Manager()
    try:
        start = manager.Event()
        with ctx.Pool(4) as pool:
            pending = [pool.apply_async(_process_worker, (db_url, w, 50, start))
                       for w in range(4)]
            time.sleep(1.0)
            start.set()
            results = [r for p in pending for r in p.get(timeout=120)]
    finally:
        manager.shutdown()
    assert len(results) == 200
    won = [bid for bid, _ in results if bid]
    assert len(won) == 5 and len(set(won)) == 5
    assert all("fewer than 1 seat(s) left" in reason for bid, reason in results if not bid)
    assert store.run("last").seats_left == 0
    assert len(store.bookings(run_id="last", status=S.BOOKED)) == 10
    assert len(store.bookings(run_id="last")) == 10


def test_multi_seat_requests_never_oversell(store: BookingStore) -> None:
    """Concurrent 2-seat requests for 3 last seats sell one and leave one seat."""
    store.add_run("odd", vehicle_id="v8", service_date=date(2026, 11, 26), start_s=7 * H,
                  end_s=10 * H, capacity_seats=3)

    def go(i: int) -> BookingOutcome:
        req = RideRequest(f"pair-{i}", date(2026, 11, 26), 0, 9, 8 * H, 9 * H, seats=2)
        return store.book(req, idempotency_key="k", feasibility=CHECK)

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(go, range(40)))
    assert sum(o.ok for o in outcomes) == 1
    assert store.run("odd").seats_left == 1
    assert len(store.bookings(run_id="odd")) == 1


# -- feasibility re-check, quotes ----------------------------------------------------------

def test_infeasible_request_gets_reason_and_alternatives(store: BookingStore) -> None:
    """A request outside every run is refused with a reason and the nearest runs instead."""
    outcome = book(store, "alice", at_h=13)
    assert not outcome.ok and "13:00-13:30" in outcome.reason
    assert {a.run_id for a in outcome.alternatives} == {"r1", "r2"}
    assert store.counts()["booked"] == 0


def test_full_run_moves_the_booking_to_another(store: BookingStore) -> None:
    """When r1 sells out the re-check books r2; when both are full it refuses."""
    for i in range(4):
        assert book(store, f"a{i}").booking.offer.run_id == "r1"  # type: ignore[union-attr]
    assert book(store, "b0").booking.offer.run_id == "r2"  # type: ignore[union-attr]
    assert book(store, "b1").ok
    refused = book(store, "c")
    assert not refused.ok and "fewer than 1 seat(s) left" in refused.reason


def test_quote_holds_no_seat_and_booking_rechecks(store: BookingStore) -> None:
    """A quote takes no seat; booking it re-checks and lands on the run that has seats."""
    quote = store.quote(request("alice"), feasibility=CHECK)
    assert quote.booking is not None and quote.booking.status is S.QUOTED
    assert quote.booking.offer.run_id == "r1" and store.run("r1").seats_left == 4
    for i in range(4):
        book(store, f"other-{i}")
    booked = store.book(request("alice"), idempotency_key="q", feasibility=CHECK,
                        quote_id=quote.booking.booking_id)
    assert booked.booking is not None
    assert booked.booking.booking_id == quote.booking.booking_id
    assert booked.booking.status is S.BOOKED and booked.booking.offer.run_id == "r2"
    assert store.book(request("alice"), idempotency_key="q", feasibility=CHECK,
                      quote_id=quote.booking.booking_id).replayed


def test_quote_rules(store: BookingStore, clock: Clock) -> None:
    """A quote is bound to its rider and request, is booked once, and expires."""
    q = store.quote(request("alice"), feasibility=CHECK, ttl_s=60).booking
    assert q is not None
    with pytest.raises(BookingError, match="belongs to another rider"):
        store.book(request("bob"), idempotency_key="x", feasibility=CHECK,
                   quote_id=q.booking_id)
    with pytest.raises(BookingError, match="request differs from the one quoted"):
        store.book(request("alice", at_h=8.5), idempotency_key="x", feasibility=CHECK,
                   quote_id=q.booking_id)
    clock.now += timedelta(seconds=61)
    with pytest.raises(BookingError, match=f"quote {q.booking_id} expired"):
        store.book(request("alice"), idempotency_key="x", feasibility=CHECK,
                   quote_id=q.booking_id)
    q2 = store.quote(request("alice"), feasibility=CHECK).booking
    assert q2 is not None
    assert store.book(request("alice"), idempotency_key="y", feasibility=CHECK,
                      quote_id=q2.booking_id).ok
    with pytest.raises(BookingError, match="cannot go from booked to booked"):
        store.book(request("alice"), idempotency_key="z", feasibility=CHECK,
                   quote_id=q2.booking_id)
    with pytest.raises(BookingNotFound, match="no quote 'nope'"):
        store.book(request("alice"), idempotency_key="w", feasibility=CHECK, quote_id="nope")
    assert store.run("r1").seats_left == 3


def test_expired_quotes_are_cancelled(store: BookingStore, clock: Clock) -> None:
    """Housekeeping cancels quotes past their expiry and leaves fresh ones and bookings."""
    old = store.quote(request("alice"), feasibility=CHECK, ttl_s=60).booking
    fresh = store.quote(request("bob"), feasibility=CHECK, ttl_s=600).booking
    booked = book(store, "carol").booking
    assert old and fresh and booked
    clock.now += timedelta(seconds=120)
    assert store.expire_quotes() == 1
    assert store.get(old.booking_id).status is S.CANCELLED
    assert store.events(old.booking_id)[-1].actor is Actor.SYSTEM
    assert store.get(fresh.booking_id).status is S.QUOTED
    assert store.get(booked.booking_id).status is S.BOOKED
    assert store.expire_quotes() == 0


class OutsideWindow:
    """A faulty check that offers a pick-up an hour after the window asked for."""

    def check(self, request: RideRequest, runs: Sequence[ServiceRun]) -> FeasibilityResult:
        start = request.latest_pickup_s + H
        return FeasibilityResult(PickupOffer(runs[0].run_id, start, start + 600, start + 900))


def test_offer_outside_the_asked_window_is_refused(store: BookingStore) -> None:
    """The store does not confirm a pick-up the rider did not ask for, whatever the check says."""
    with pytest.raises(BookingError, match="outside the window asked for"):
        store.book(request("alice"), idempotency_key="k", feasibility=OutsideWindow())
    assert store.run("r1").seats_left == 4 and store.counts()["booked"] == 0


# -- lifecycle in the store ----------------------------------------------------------------

def test_ride_from_booking_to_drop_off(store: BookingStore) -> None:
    """A ride goes booked, assigned, en route, picked up, dropped off; seats stay sold."""
    b = book(store, "alice").booking
    assert b is not None
    bid = b.booking_id
    assert store.assign(bid, planned_pickup_s=8 * H + 120).planned_pickup_s == 8 * H + 120
    store.change(bid, S.EN_ROUTE, actor=Actor.VEHICLE)
    store.change(bid, S.PICKED_UP, actor=Actor.VEHICLE)
    done = store.change(bid, S.DROPPED_OFF, actor=Actor.VEHICLE)
    assert done.status is S.DROPPED_OFF and done.version == 6
    assert [e.to_status for e in store.events(bid)] == [
        S.QUOTED, S.BOOKED, S.ASSIGNED, S.EN_ROUTE, S.PICKED_UP, S.DROPPED_OFF]
    assert store.run("r1").seats_left == 3


def test_rider_cancels_and_seat_returns(store: BookingStore) -> None:
    """Only the owning rider may cancel; cancelling gives the seat back."""
    b = book(store, "alice").booking
    assert b is not None
    with pytest.raises(BookingError, match="rider 'bob' does not own it"):
        store.cancel(b.booking_id, rider_id="bob")
    with pytest.raises(BookingError, match="a rider must give rider_id"):
        store.cancel(b.booking_id)
    cancelled = store.cancel(b.booking_id, rider_id="alice", note="plans changed")
    assert cancelled.status is S.CANCELLED and store.run("r1").seats_left == 4
    assert store.events(b.booking_id)[-1].note == "plans changed"


def test_forbidden_change_leaves_no_trace(store: BookingStore) -> None:
    """A refused transition changes neither the booking, its events nor the seats."""
    b = book(store, "alice").booking
    assert b is not None
    with pytest.raises(BookingError, match=f"booking {b.booking_id}: cannot go from booked "
                                           "to picked_up"):
        store.change(b.booking_id, S.PICKED_UP, actor=Actor.VEHICLE)
    with pytest.raises(BookingError, match="a vehicle may not move it from booked"):
        store.change(b.booking_id, S.CANCELLED, actor=Actor.VEHICLE)
    assert store.get(b.booking_id) == b and len(store.events(b.booking_id)) == 2
    assert store.run("r1").seats_left == 3
    with pytest.raises(BookingNotFound, match="no booking 'nope'"):
        store.cancel("nope", actor=Actor.DISPATCHER)


def test_dispatcher_reassigns_seats_move(store: BookingStore) -> None:
    """Reassignment moves the seats to the new run in one step; a full run refuses it."""
    b = book(store, "alice", seats=2).booking
    assert b is not None and b.offer.run_id == "r1"
    moved = store.reassign(b.booking_id, run_id="r2", note="v1 broke down")
    assert moved.status is S.ASSIGNED and moved.offer.run_id == "r2"
    assert moved.offer.pickup_earliest_s == b.offer.pickup_earliest_s
    assert (store.run("r1").seats_left, store.run("r2").seats_left) == (4, 0)
    other = book(store, "bob", seats=3).booking
    assert other is not None and other.offer.run_id == "r1"
    with pytest.raises(BookingError, match="run 'r2' has fewer than 3 seat"):
        store.reassign(other.booking_id, run_id="r2", note="try")
    assert store.get(other.booking_id) == other
    assert (store.run("r1").seats_left, store.run("r2").seats_left) == (1, 0)
    with pytest.raises(BookingNotFound, match="no service run 'r9'"):
        store.reassign(other.booking_id, run_id="r9", note="try")


def test_crossing_reassignments_stay_consistent(store: BookingStore) -> None:
    """Twenty reassignments at once in both directions between two runs all land, seats add up."""
    day = date(2026, 11, 27)
    for run_id in ("ra", "rb"):
        store.add_run(run_id, vehicle_id=f"v-{run_id}", service_date=day, start_s=7 * H,
                      end_s=10 * H, capacity_seats=20)
    ids: dict[str, list[str]] = {"ra": [], "rb": []}
    for i in range(20):
        req = RideRequest(f"x{i}", day, 1, 2, 8 * H, 9 * H)
        b = store.book(req, idempotency_key="k", feasibility=CHECK).booking
        assert b is not None
        if b.offer.run_id == "ra" and len(ids["ra"]) == 10:
            b = store.reassign(b.booking_id, run_id="rb", note="balance")
        ids[b.offer.run_id].append(b.booking_id)
    barrier = threading.Barrier(20)

    def move(job: tuple[str, str]) -> str:
        booking_id, target = job
        barrier.wait()
        return store.reassign(booking_id, run_id=target, note="swap").offer.run_id

    jobs = [(b, "rb") for b in ids["ra"]] + [(b, "ra") for b in ids["rb"]]
    with ThreadPoolExecutor(20) as pool:
        landed = list(pool.map(move, jobs))
    assert landed == [target for _, target in jobs]
    assert store.run("ra").seats_left == 10 and store.run("rb").seats_left == 10
    assert {b.booking_id for b in store.bookings(run_id="rb")} == set(ids["ra"])


def test_dispatcher_overrides(store: BookingStore) -> None:
    """A dispatcher undoes a mistaken no-show and reinstates a cancelled ride if seats allow."""
    b = book(store, "alice").booking
    assert b is not None
    bid = b.booking_id
    store.assign(bid)
    store.change(bid, S.EN_ROUTE, actor=Actor.VEHICLE)
    store.change(bid, S.NO_SHOW, actor=Actor.VEHICLE)
    assert store.run("r1").seats_left == 3
    with pytest.raises(BookingError, match="needs a note"):
        store.override(bid, S.PICKED_UP, note="")
    assert store.override(bid, S.PICKED_UP, note="rider was at the other door").status \
        is S.PICKED_UP
    c = book(store, "bob").booking
    assert c is not None
    store.cancel(c.booking_id, rider_id="bob")
    for i in range(3):
        book(store, f"fill-{i}", origin=2)
    assert store.run("r1").seats_left == 0
    with pytest.raises(BookingError, match="run 'r1' has fewer than 1 seat"):
        store.override(c.booking_id, S.BOOKED, note="bob called back")
    assert store.get(c.booking_id).status is S.CANCELLED


def test_stale_version_refused(store: BookingStore) -> None:
    """A dispatcher screen showing an old version cannot overwrite a newer change."""
    b = book(store, "alice").booking
    assert b is not None
    store.assign(b.booking_id)
    with pytest.raises(BookingError, match="is at version 3, not 2"):
        store.change(b.booking_id, S.CANCELLED, actor=Actor.DISPATCHER, expected_version=2)


def test_audit_finds_half_written_state(store: BookingStore) -> None:
    """The audit reports a booking whose last event is missing and seats that do not add up."""
    b = book(store, "alice").booking
    assert b is not None
    with store.engine.begin() as conn:
        conn.execute(delete(BookingEventRow).where(BookingEventRow.seq == 2))
        conn.execute(text("UPDATE service_runs SET seats_left = 1 WHERE run_id = 'r2'"))
    problems = store.audit()
    assert any(f"booking {b.booking_id}: version 2 but 1 event(s)" in p for p in problems)
    assert any("run r2: 1 seat(s) sold but bookings hold 0" in p for p in problems)
    with store.engine.begin() as conn:  # repair, so the fixture's final audit passes
        conn.execute(text("UPDATE service_runs SET seats_left = 2 WHERE run_id = 'r2'"))
        conn.execute(text("DELETE FROM booking_events"))
        conn.execute(text("DELETE FROM bookings"))
        conn.execute(text("UPDATE service_runs SET seats_left = capacity_seats"))


# -- crash safety ---------------------------------------------------------------------------

def _child(url: str, prefix: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.dispatch.sigkill_child", url, "big", prefix, *extra],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _check_acknowledged(url: str, lines: list[str]) -> int:
    """Every acknowledged booking, assignment and cancellation is in the reopened store."""
    with BookingStore.open(url) as st:
        assert st.audit() == []
        booked = [line.split() for line in lines if line.startswith("B ")]
        for _, bid, rider, key in booked:
            found = st.find(rider, key)
            assert found is not None and found.booking_id == bid
        for line in lines:
            kind, bid = line.split()[:2]
            if kind == "A":
                assert st.get(bid).status in (S.ASSIGNED, S.CANCELLED)
            elif kind == "C":
                assert st.get(bid).status is S.CANCELLED
        return len(booked)


def test_sigkill_mid_stream_loses_nothing(db_url: str) -> None:
    """A booking process killed by SIGKILL mid-stream keeps every acknowledged change."""
    with BookingStore.open(db_url) as st:
        st.add_run("big", vehicle_id="v1", service_date=DAY, start_s=7 * H, end_s=12 * H,
                   capacity_seats=1000)
    rng = random.Random(5)
    total = 0
    for round_ in range(2):
        child = _child(db_url, f"s{round_}")
        assert child.stdout is not None
        lines: list[str] = []
        target = rng.randint(20, 40)
        while sum(line.startswith("B ") for line in lines) < target:
            line = child.stdout.readline()
            assert line, f"child died early: {child.stderr.read() if child.stderr else ''}"
            lines.append(line.strip())
        time.sleep(rng.uniform(0, 0.05))
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL
        lines += [x for x in rest.splitlines() if x.endswith(tuple("0123456789abcdef"))]
        total += _check_acknowledged(db_url, lines)
    assert total >= 40


def test_sigkill_inside_commit_leaves_nothing_half_written(db_url: str) -> None:
    """Killed inside an open write transaction, the process leaves none of that change."""
    with BookingStore.open(db_url) as st:
        st.add_run("big", vehicle_id="v1", service_date=DAY, start_s=7 * H, end_s=12 * H,
                   capacity_seats=1000)
        # The child's 7th seat-changing commit is rider h-5's booking (after the
        # bookings of h-0..h-4 and the cancellation of h-0; assigning takes no seat).
        child = _child(db_url, "h", "--hang-at", "7")
        assert child.stdout is not None
        lines = []
        while True:
            line = child.stdout.readline()
            assert line, f"child ended early: {child.stderr.read() if child.stderr else ''}"
            if line.strip() == "IN_COMMIT":
                break
            lines.append(line.strip())
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL
        assert sum(x.startswith("B ") for x in lines) == 5
        count = _check_acknowledged(db_url, lines)
        assert count == 5
        # The hung commit was rider h-5's booking: no row, no event, no seat.
        assert st.find("h-5", "h-k-5") is None
        held = sum(b.seats_held for b in st.bookings(run_id="big"))
        assert held == 4 and st.run("big").seats_left == 996
        assert st.counts()["booked"] + st.counts()["assigned"] == 4


# -- by rider, stop order (revision 0002) ----------------------------------------------

def test_bookings_for_rider_uses_its_index(store: BookingStore, clock: Clock) -> None:
    """bookings_for_rider returns one rider's bookings and quotes, oldest first, no others."""
    a1 = book(store, "alice", "a1").booking
    clock.now += timedelta(seconds=1)  # same instant: the order would be the random ids'
    book(store, "bob", "b1")
    clock.now += timedelta(seconds=1)
    q = store.quote(request("alice", at_h=9), feasibility=CHECK).booking
    assert a1 is not None and q is not None
    assert [b.booking_id for b in store.bookings_for_rider("alice")] == [a1.booking_id,
                                                                         q.booking_id]
    assert store.bookings_for_rider("carol") == []
    names = {ix["name"]: ix["column_names"]
             for ix in inspect(store.engine).get_indexes("bookings")}
    assert names.get("ix_bookings_rider_id") == ["rider_id"]


def test_stop_order_round_trips(store: BookingStore) -> None:
    """A run's stop order is unset at first, then read back as saved; unknown runs are 404s."""
    assert store.stop_order("r1") is None
    order = [("b1", "pickup"), ("b2", "pickup"), ("b1", "dropoff"), ("b2", "dropoff")]
    store.set_stop_order("r1", order)
    assert store.stop_order("r1") == order
    store.set_stop_order("r1", order[:0])
    assert store.stop_order("r1") == []
    with pytest.raises(BookingNotFound):
        store.stop_order("nope")
    with pytest.raises(BookingNotFound):
        store.set_stop_order("nope", order)


# -- the drop-off deadline (revision 0003) ---------------------------------------------

def test_deadline_is_stored_and_kept_by_the_baseline_check(store: BookingStore) -> None:
    """latest_dropoff_s is persisted on book, returned on get, and bounds the offered pick-up."""
    # 6 min ride (grid 1 -> 25): a deadline at 08:16 leaves pick-ups 08:00-08:10 only
    deadline = 8 * H + 16 * 60
    b = book(store, "alice", latest_dropoff_s=deadline).booking
    assert b is not None and b.request.latest_dropoff_s == deadline
    assert b.offer.dropoff_eta_s <= deadline and b.offer.pickup_latest_s == 8 * H + 600
    got = store.get(b.booking_id)
    assert got == b and got.request.latest_dropoff_s == deadline
    assert store.find("alice", "k-alice") == b
    # a deadline closer than the ride: refused with the deadline named, nothing sold
    out = book(store, "bob", latest_dropoff_s=8 * H + 5 * 60)
    assert not out.ok and "drop-off deadline 08:05" in out.reason
    assert store.run("r1").seats_left == 3 and store.run("r2").seats_left == 2
    # without a deadline the column stays NULL
    c = book(store, "carol").booking
    assert c is not None and store.get(c.booking_id).request.latest_dropoff_s is None
    with store.engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT rider_id, latest_dropoff_s FROM bookings "
                                        "WHERE status = 'booked'")).all())
    assert stored == {"alice": deadline, "carol": None}


def test_replay_with_another_deadline_conflicts(store: BookingStore) -> None:
    """The deadline is part of the idempotent request: same key, other deadline -> conflict."""
    first = book(store, "alice", "k1", latest_dropoff_s=9 * H).booking
    assert first is not None
    again = book(store, "alice", "k1", latest_dropoff_s=9 * H)
    assert again.replayed and again.booking == first
    for other in (9 * H - 60, None):
        with pytest.raises(IdempotencyConflict, match="idempotency key 'k1'"):
            book(store, "alice", "k1", latest_dropoff_s=other)
    plain = book(store, "bob", "k1").booking
    assert plain is not None
    with pytest.raises(IdempotencyConflict):
        book(store, "bob", "k1", latest_dropoff_s=9 * H)
    assert store.counts()["booked"] == 2


class LateDropoff:
    """A faulty check that offers a drop-off after the rider's deadline."""

    def check(self, request: RideRequest, runs: Sequence[ServiceRun]) -> FeasibilityResult:
        lo = request.earliest_pickup_s
        assert request.latest_dropoff_s is not None
        return FeasibilityResult(PickupOffer(runs[0].run_id, lo, lo + 600,
                                             request.latest_dropoff_s + 60))


def test_offer_after_the_deadline_is_refused(store: BookingStore) -> None:
    """The store does not confirm a drop-off after the rider's deadline, whatever the check says."""
    with pytest.raises(BookingError, match="after the rider's deadline"):
        store.book(request("alice", latest_dropoff_s=9 * H), idempotency_key="k",
                   feasibility=LateDropoff())
    assert store.run("r1").seats_left == 4 and store.counts()["booked"] == 0


def _columns(st: BookingStore) -> set[str]:
    return {c["name"] for c in inspect(st.engine).get_columns("bookings")}


def test_migration_0003_from_0002_with_rows(db_url: str) -> None:
    """0002 -> 0003 keeps every booking (no deadline: NULL); 0003 -> 0002 drops only the column."""
    with BookingStore(db_url) as st:
        upgrade(st.engine, "0002")
        assert st.schema_revision() == "0002" and "latest_dropoff_s" not in _columns(st)
        now = datetime(2026, 11, 24, 6, 0, tzinfo=UTC).replace(tzinfo=None)
        with st.engine.begin() as conn:  # rows written by a 0002-era store
            conn.execute(text(
                "INSERT INTO service_runs (run_id, vehicle_id, service_date, start_s, end_s, "
                "capacity_seats, seats_left, created_at, stop_order) VALUES "
                "('r1', 'v1', :d, 25200, 36000, 4, 3, :t, NULL)"), {"d": DAY, "t": now})
            conn.execute(text(
                "INSERT INTO bookings (booking_id, rider_id, idempotency_key, request_hash, "
                "status, version, service_date, origin, destination, earliest_pickup_s, "
                "latest_pickup_s, seats, run_id, seats_held, pickup_earliest_s, "
                "pickup_latest_s, dropoff_eta_s, planned_pickup_s, quote_expires_at, note, "
                "created_at, updated_at) VALUES ('b-old', 'alice', 'k-old', :h, 'booked', 2, "
                ":d, 1, 25, 28800, 30600, 1, 'r1', 1, 28800, 29400, 29160, NULL, NULL, '', "
                ":t, :t)"), {"d": DAY, "t": now, "h": request_fingerprint(request("alice"))})
            for seq, (a, b) in enumerate([(None, "quoted"), ("quoted", "booked")], start=1):
                conn.execute(text(
                    "INSERT INTO booking_events (booking_id, seq, from_status, to_status, "
                    "actor, run_id, note, at) VALUES ('b-old', :s, :a, :b, 'rider', 'r1', '', "
                    ":t)"), {"s": seq, "a": a, "b": b, "t": now})
        assert st.migrate() == head_revision() == "0003"
        assert "latest_dropoff_s" in _columns(st)
        old = st.get("b-old")
        assert old.request == request("alice") and old.request.latest_dropoff_s is None
        assert st.audit() == []
        # the old booking's stored hash still matches its request: a replay is a replay
        again = st.book(request("alice"), idempotency_key="k-old", feasibility=CHECK)
        assert again.replayed and again.booking == old
        new = st.book(request("bob", latest_dropoff_s=9 * H), idempotency_key="k",
                      feasibility=CHECK).booking
        assert new is not None and st.get(new.booking_id).request.latest_dropoff_s == 9 * H
        # and back: the column goes, the bookings stay
        downgrade(st.engine, "0002")
        assert st.schema_revision() == "0002" and "latest_dropoff_s" not in _columns(st)
        with st.engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM bookings")).scalar() == 2
        assert st.migrate() == "0003"
        assert st.get(new.booking_id).request.latest_dropoff_s is None
        assert st.get("b-old") == old and st.audit() == []

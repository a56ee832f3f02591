"""The durable booking store: every change one database transaction.

:class:`BookingStore` sells seats on service runs and keeps each booking's life
(see :mod:`dispatch.booking`).  Every write runs in one transaction that also
appends the matching :class:`~dispatch.store.models.BookingEventRow`, so a crash
leaves either all of a change or none of it.  Seats are taken with a
conditional ``UPDATE ... WHERE seats_left >= n`` whose row count is checked —
atomic on SQLite (``BEGIN IMMEDIATE``: one writer at a time) and on PostgreSQL
(the row lock taken by the update makes the second writer re-read the row) —
so a run is never oversold.  Requests carry a rider's idempotency key; a
unique ``(rider_id, idempotency_key)`` constraint makes a repeated request
return the first booking instead of a second one.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import TypeVar

from sqlalchemy import Engine, and_, func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from dispatch.booking import (
    MAX_KEY_LENGTH,
    SEAT_HOLDING,
    Actor,
    Booking,
    BookingError,
    BookingEvent,
    BookingNotFound,
    BookingOutcome,
    BookingStatus,
    FeasibilityCheck,
    IdempotencyConflict,
    PickupOffer,
    RideRequest,
    ServiceRun,
    check_transition,
    parse_actor,
    parse_status,
    request_fingerprint,
    transition,
)
from dispatch.store.engine import READONLY, StoreError, is_retryable, make_engine
from dispatch.store.migrate import current_revision, head_revision, upgrade
from dispatch.store.models import BookingEventRow, BookingRow, RunRow

__all__ = ["BookingStore"]

T = TypeVar("T")

RETRY_BUDGET_S = 60.0
"""Stop retrying a transaction (locked, serialization failure) after this long."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _run_value(row: RunRow) -> ServiceRun:
    return ServiceRun(run_id=row.run_id, vehicle_id=row.vehicle_id,
                      service_date=row.service_date, start_s=row.start_s, end_s=row.end_s,
                      capacity_seats=row.capacity_seats, seats_left=row.seats_left)


def _booking_value(row: BookingRow) -> Booking:
    request = RideRequest(rider_id=row.rider_id, service_date=row.service_date,
                          origin=row.origin, destination=row.destination,
                          earliest_pickup_s=row.earliest_pickup_s,
                          latest_pickup_s=row.latest_pickup_s, seats=row.seats,
                          latest_dropoff_s=row.latest_dropoff_s)
    offer = PickupOffer(run_id=row.run_id, pickup_earliest_s=row.pickup_earliest_s,
                        pickup_latest_s=row.pickup_latest_s, dropoff_eta_s=row.dropoff_eta_s)
    return Booking(booking_id=row.booking_id, request=request,
                   status=BookingStatus(row.status), offer=offer, version=row.version,
                   created_at=row.created_at, updated_at=row.updated_at,
                   idempotency_key=row.idempotency_key, planned_pickup_s=row.planned_pickup_s,
                   quote_expires_at=row.quote_expires_at, note=row.note)


def _event_value(row: BookingEventRow) -> BookingEvent:
    return BookingEvent(booking_id=row.booking_id, seq=row.seq,
                        from_status=None if row.from_status is None
                        else BookingStatus(row.from_status),
                        to_status=BookingStatus(row.to_status), actor=Actor(row.actor),
                        run_id=row.run_id, at=row.at, note=row.note)


def _check_key(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BookingError(f"{name} must be a non-empty string, got {value!r}")
    if len(value) > MAX_KEY_LENGTH:
        raise BookingError(f"{name} is {len(value)} characters long; at most {MAX_KEY_LENGTH}")
    return value


class BookingStore:
    """Bookings and the seats they hold, in SQLite or PostgreSQL.

    Parameters
    ----------
    url : str
        ``sqlite:///path/to/file`` or ``postgresql+psycopg://user@host:port/db``;
        see :func:`dispatch.store.engine.database_url` for picking one.
    clock : callable
        Returns the current timezone-aware time (injected for tests).
    pool_size, max_overflow : int
        Connection pool limits.
    max_attempts : int
        How often a transaction is retried after a lock timeout, a
        serialization failure or a deadlock.

    Notes
    -----
    Call :meth:`migrate` once before use (or open with :meth:`open`).  The
    store is safe to share between threads; several processes may open the
    same database.
    """

    def __init__(self, url: str, *, clock: Callable[[], datetime] = _utc_now,
                 pool_size: int = 10, max_overflow: int = 20, max_attempts: int = 10) -> None:
        self.engine: Engine = make_engine(url, pool_size=pool_size, max_overflow=max_overflow)
        self._clock = clock
        self._max_attempts = max_attempts
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(self.engine.execution_options(**{READONLY: True}),
                                    expire_on_commit=False)
        self._where = self.engine.url.render_as_string(hide_password=True)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True,
             clock: Callable[[], datetime] = _utc_now) -> BookingStore:
        """Return a store on ``url``, migrated to the newest schema unless told not to."""
        store = cls(url, clock=clock)
        if migrate:
            store.migrate()
        return store

    def __enter__(self) -> BookingStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"BookingStore({self._where!r})"

    # -- schema --------------------------------------------------------------------

    def migrate(self) -> str:
        """Bring the schema to the newest Alembic revision; return that revision."""
        try:
            upgrade(self.engine)
        except OperationalError as exc:
            raise StoreError(f"booking database {self._where}: cannot migrate: "
                             f"{exc.orig}") from exc
        return head_revision()

    def schema_revision(self) -> str | None:
        """Return the schema revision the database is at (``None`` when empty)."""
        return current_revision(self.engine)

    # -- transactions --------------------------------------------------------------

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise StoreError(f"the store's clock returned a naive datetime {now}")
        return now

    def _retrying(self, factory: sessionmaker[Session], work: Callable[[Session], T]) -> T:
        deadline = time.monotonic() + RETRY_BUDGET_S
        for attempt in range(1, self._max_attempts + 1):
            try:
                with factory.begin() as session:
                    return work(session)
            except DBAPIError as exc:
                if isinstance(exc, IntegrityError):
                    raise
                if (is_retryable(exc) and attempt < self._max_attempts
                        and time.monotonic() < deadline):
                    time.sleep(min(0.5, 0.005 * 2 ** attempt) * random.random())
                    continue
                raise StoreError(f"booking database {self._where}: {exc.orig} "
                                 f"(after {attempt} attempt(s))") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _write(self, work: Callable[[Session], T]) -> T:
        return self._retrying(self._writer, work)

    def _read(self, work: Callable[[Session], T]) -> T:
        return self._retrying(self._reader, work)

    # -- runs ----------------------------------------------------------------------

    def add_run(self, run_id: str, *, vehicle_id: str, service_date: date, start_s: int,
                end_s: int, capacity_seats: int) -> ServiceRun:
        """Offer a vehicle run's seats for sale; repeating the same call is harmless.

        Raises
        ------
        BookingError
            When the values are invalid, or ``run_id`` exists with other values.
        """
        wanted = ServiceRun(run_id=run_id, vehicle_id=vehicle_id, service_date=service_date,
                            start_s=start_s, end_s=end_s, capacity_seats=capacity_seats,
                            seats_left=capacity_seats)

        def work(s: Session) -> ServiceRun:
            row = s.get(RunRow, run_id, with_for_update=True)
            if row is not None:
                have = _run_value(row)
                if (have.vehicle_id, have.service_date, have.start_s, have.end_s,
                        have.capacity_seats) != (vehicle_id, service_date, start_s, end_s,
                                                 capacity_seats):
                    raise BookingError(f"run {run_id!r} already exists with other values: "
                                       f"{have}")
                return have
            s.add(RunRow(run_id=run_id, vehicle_id=vehicle_id, service_date=service_date,
                         start_s=start_s, end_s=end_s, capacity_seats=capacity_seats,
                         seats_left=capacity_seats, created_at=self._now()))
            return wanted

        try:
            return self._write(work)
        except IntegrityError:  # a concurrent add_run of the same id won
            return self.run(run_id)

    def run(self, run_id: str) -> ServiceRun:
        """Return a run with its seats left now (:class:`BookingNotFound` if unknown)."""
        def work(s: Session) -> ServiceRun:
            row = s.get(RunRow, run_id)
            if row is None:
                raise BookingNotFound(f"no service run {run_id!r}")
            return _run_value(row)
        return self._read(work)

    def runs(self, service_date: date) -> list[ServiceRun]:
        """Return the runs of a service day, by start time."""
        def work(s: Session) -> list[ServiceRun]:
            rows = s.scalars(select(RunRow).where(RunRow.service_date == service_date)
                             .order_by(RunRow.start_s, RunRow.run_id))
            return [_run_value(r) for r in rows]
        return self._read(work)

    def stop_order(self, run_id: str) -> list[tuple[str, str]] | None:
        """Return a run's saved planned stop order (``(booking_id, kind)``), ``None`` if unset."""
        def work(s: Session) -> str | None:
            row = s.get(RunRow, run_id)
            if row is None:
                raise BookingNotFound(f"no service run {run_id!r}")
            return row.stop_order
        text = self._read(work)
        if text is None:
            return None
        return [(str(b), str(k)) for b, k in json.loads(text)]

    def set_stop_order(self, run_id: str, order: Sequence[tuple[str, str]]) -> None:
        """Save a run's planned stop order (``(booking_id, kind)`` pairs, in visiting order)."""
        text = json.dumps([[b, k] for b, k in order])

        def work(s: Session) -> None:
            row = s.get(RunRow, run_id, with_for_update=True)
            if row is None:
                raise BookingNotFound(f"no service run {run_id!r}")
            row.stop_order = text
        self._write(work)

    # -- quotes and bookings -------------------------------------------------------

    def quote(self, request: RideRequest, *, feasibility: FeasibilityCheck,
              ttl_s: int = 300) -> BookingOutcome:
        """Check a request and, if it fits, record a quote valid for ``ttl_s`` seconds.

        A quote holds no seats; :meth:`book` with its ``quote_id`` checks again.
        """
        if not isinstance(request, RideRequest):
            raise BookingError(f"quote: request must be a RideRequest, got {request!r}")
        if isinstance(ttl_s, bool) or not isinstance(ttl_s, int) or ttl_s <= 0:
            raise BookingError(f"quote: ttl_s must be a positive int, got {ttl_s!r}")
        result = feasibility.check(request, self.runs(request.service_date))
        if result.offer is None:
            return BookingOutcome(None, reason=result.reason, alternatives=result.alternatives)
        offer = result.offer

        def work(s: Session) -> Booking:
            self._check_offer(s, request, offer)
            now = self._now()
            row = self._new_row(request, offer, now=now, status=BookingStatus.QUOTED,
                                request_hash=request_fingerprint(request))
            row.quote_expires_at = now + timedelta(seconds=ttl_s)
            s.add(row)
            s.flush()
            self._log(s, row, None, Actor.SYSTEM, now, "quoted")
            return _booking_value(row)

        return BookingOutcome(self._write(work), alternatives=result.alternatives)

    def book(self, request: RideRequest, *, idempotency_key: str,
             feasibility: FeasibilityCheck, quote_id: str | None = None,
             actor: Actor = Actor.RIDER, max_rounds: int = 5) -> BookingOutcome:
        """Book a ride: re-check feasibility, take the seats, confirm a pick-up window.

        Parameters
        ----------
        request : RideRequest
            What the rider asks for.
        idempotency_key : str
            The rider's key for this request; the same key with the same request
            returns the first booking (``replayed=True``), with another request it
            raises :class:`IdempotencyConflict`.
        feasibility : FeasibilityCheck
            Decides on which run and in which window the ride fits.
        quote_id : str, optional
            A quote from :meth:`quote` this booking takes up.
        actor : Actor
            Who books (a rider, or a dispatcher on the phone).
        max_rounds : int
            How often to re-check when the offered run sells out meanwhile.

        Returns
        -------
        BookingOutcome
            The confirmed booking, or the reason it cannot be booked and alternatives.
        """
        if not isinstance(request, RideRequest):
            raise BookingError(f"book: request must be a RideRequest, got {request!r}")
        key = _check_key("idempotency_key", idempotency_key)
        actor = parse_actor(actor)
        if quote_id is not None:
            _check_key("quote_id", quote_id)
        if isinstance(max_rounds, bool) or not isinstance(max_rounds, int) or max_rounds < 1:
            raise BookingError(f"book: max_rounds must be an int >= 1, got {max_rounds!r}")
        fingerprint = request_fingerprint(request, quote_id=quote_id)
        rider = request.rider_id
        for _ in range(max_rounds):
            earlier = self._find(rider, key)
            if earlier is not None:
                return self._replay(earlier, fingerprint)
            result = feasibility.check(request, self.runs(request.service_date))
            if result.offer is None:
                return BookingOutcome(None, reason=result.reason,
                                      alternatives=result.alternatives)
            offer = result.offer
            try:
                outcome = self._write(partial(self._take_seats_and_book, request=request,
                                              offer=offer, key=key, fingerprint=fingerprint,
                                              quote_id=quote_id, actor=actor))
            except IntegrityError as exc:
                earlier = self._find(rider, key)
                if earlier is None:
                    raise StoreError(f"booking database {self._where}: rejected booking "
                                     f"for rider {rider!r}: {exc.orig}") from exc
                return self._replay(earlier, fingerprint)
            if outcome is not None:
                return BookingOutcome(outcome.booking, alternatives=result.alternatives,
                                      replayed=outcome.replayed)
        return BookingOutcome(None, reason=f"the runs offered kept selling out during "
                              f"{max_rounds} attempts; ask again")

    @staticmethod
    def _replay(found: tuple[Booking, str], fingerprint: str) -> BookingOutcome:
        earlier, row_hash = found
        if row_hash != fingerprint:
            raise IdempotencyConflict(
                f"rider {earlier.request.rider_id!r}: idempotency key "
                f"{earlier.idempotency_key!r} was already used for booking "
                f"{earlier.booking_id} with a different request")
        return BookingOutcome(earlier, replayed=True)

    def _check_offer(self, s: Session, request: RideRequest, offer: PickupOffer) -> RunRow:
        run = s.get(RunRow, offer.run_id)
        if run is None:
            raise BookingError(f"the feasibility check offered unknown run {offer.run_id!r}")
        if run.service_date != request.service_date:
            raise BookingError(f"the feasibility check offered run {offer.run_id!r} of "
                               f"{run.service_date}, not of {request.service_date}")
        if not request.earliest_pickup_s <= offer.pickup_earliest_s <= request.latest_pickup_s:
            raise BookingError(
                f"the feasibility check offered pick-up from {offer.pickup_earliest_s}, outside"
                f" the window asked for ({request.earliest_pickup_s}-"
                f"{request.latest_pickup_s})")
        if not (run.start_s <= offer.pickup_earliest_s <= offer.pickup_latest_s <= run.end_s
                and offer.pickup_earliest_s <= offer.dropoff_eta_s <= run.end_s):
            raise BookingError(
                f"the feasibility check offered pick-up {offer.pickup_earliest_s}-"
                f"{offer.pickup_latest_s} (drop-off {offer.dropoff_eta_s}) outside run "
                f"{offer.run_id!r} ({run.start_s}-{run.end_s})")
        if request.latest_dropoff_s is not None and offer.dropoff_eta_s > request.latest_dropoff_s:
            raise BookingError(
                f"the feasibility check offered drop-off at {offer.dropoff_eta_s} on run "
                f"{offer.run_id!r}, after the rider's deadline {request.latest_dropoff_s}")
        return run

    def _new_row(self, request: RideRequest, offer: PickupOffer, *, now: datetime,
                 status: BookingStatus, request_hash: str) -> BookingRow:
        return BookingRow(
            booking_id=str(uuid.uuid4()), rider_id=request.rider_id, idempotency_key=None,
            request_hash=request_hash, status=status.value, version=0,
            service_date=request.service_date, origin=request.origin,
            destination=request.destination, earliest_pickup_s=request.earliest_pickup_s,
            latest_pickup_s=request.latest_pickup_s, seats=request.seats,
            latest_dropoff_s=request.latest_dropoff_s, run_id=offer.run_id, seats_held=0,
            pickup_earliest_s=offer.pickup_earliest_s,
            pickup_latest_s=offer.pickup_latest_s, dropoff_eta_s=offer.dropoff_eta_s,
            planned_pickup_s=None, quote_expires_at=None, note="", created_at=now,
            updated_at=now)

    @staticmethod
    def _log(s: Session, row: BookingRow, from_status: BookingStatus | None, actor: Actor,
             at: datetime, note: str) -> None:
        row.version += 1
        s.add(BookingEventRow(booking_id=row.booking_id, seq=row.version,
                              from_status=None if from_status is None else from_status.value,
                              to_status=row.status, actor=actor.value, run_id=row.run_id,
                              note=note, at=at))

    @staticmethod
    def _grab(s: Session, run_id: str, seats: int) -> bool:
        done = s.execute(update(RunRow)
                         .where(RunRow.run_id == run_id, RunRow.seats_left >= seats)
                         .values(seats_left=RunRow.seats_left - seats)
                         .execution_options(synchronize_session=False))
        return done.rowcount == 1  # type: ignore[attr-defined]

    def _release(self, s: Session, run_id: str, seats: int) -> None:
        done = s.execute(update(RunRow)
                         .where(RunRow.run_id == run_id,
                                RunRow.seats_left + seats <= RunRow.capacity_seats)
                         .values(seats_left=RunRow.seats_left + seats)
                         .execution_options(synchronize_session=False))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise StoreError(f"booking database {self._where}: releasing {seats} seat(s) "
                             f"would overfill run {run_id!r}; seat counts are inconsistent")

    def _take_seats_and_book(self, s: Session, *, request: RideRequest, offer: PickupOffer,
                             key: str, fingerprint: str, quote_id: str | None,
                             actor: Actor) -> BookingOutcome | None:
        earlier = s.scalars(select(BookingRow).where(
            BookingRow.rider_id == request.rider_id,
            BookingRow.idempotency_key == key)).one_or_none()
        if earlier is not None:  # a concurrent request with our key committed first
            if earlier.request_hash != fingerprint:
                raise IdempotencyConflict(
                    f"rider {request.rider_id!r}: idempotency key {key!r} was already used "
                    f"for booking {earlier.booking_id} with a different request")
            return BookingOutcome(_booking_value(earlier), replayed=True)
        self._check_offer(s, request, offer)
        now = self._now()
        row: BookingRow | None = None
        if quote_id is not None:
            row = s.get(BookingRow, quote_id, with_for_update=True)
            if row is None:
                raise BookingNotFound(f"no quote {quote_id!r}")
            if row.rider_id != request.rider_id:
                raise BookingError(f"quote {quote_id} belongs to another rider, not "
                                   f"{request.rider_id!r}")
            check_transition(quote_id, BookingStatus(row.status), BookingStatus.BOOKED,
                             actor=actor)
            if row.request_hash != request_fingerprint(request):
                raise BookingError(f"quote {quote_id}: the request differs from the one "
                                   "quoted; ask for a new quote")
            expires = row.quote_expires_at
            if expires is not None and now > expires:
                raise BookingError(f"quote {quote_id} expired at {expires.isoformat()}; "
                                   "ask for a new quote")
        # Seats first: when the run sold out meanwhile nothing has been written yet.
        if not self._grab(s, offer.run_id, request.seats):
            return None
        if row is None:
            row = self._new_row(request, offer, now=now, status=BookingStatus.QUOTED,
                                request_hash=fingerprint)
            s.add(row)
            s.flush()
            self._log(s, row, None, actor, now, "booked without a separate quote")
        row.status = BookingStatus.BOOKED.value
        row.idempotency_key = key
        row.request_hash = fingerprint
        row.run_id = offer.run_id
        row.seats_held = request.seats
        row.pickup_earliest_s = offer.pickup_earliest_s
        row.pickup_latest_s = offer.pickup_latest_s
        row.dropoff_eta_s = offer.dropoff_eta_s
        row.quote_expires_at = None
        row.updated_at = now
        self._log(s, row, BookingStatus.QUOTED, actor, now, "")
        s.flush()
        return BookingOutcome(_booking_value(row))

    # -- the lifecycle after booking -----------------------------------------------

    def change(self, booking_id: str, to_status: BookingStatus, *, actor: Actor,
               note: str = "", rider_id: str | None = None, run_id: str | None = None,
               planned_pickup_s: int | None = None,
               expected_version: int | None = None) -> Booking:
        """Move a booking to ``to_status`` in one transaction, seats and event log included.

        Parameters
        ----------
        booking_id : str
            Which booking.
        to_status : BookingStatus
            Where it goes; the move must be allowed for ``actor``
            (:data:`dispatch.booking.TRANSITIONS`, :data:`~dispatch.booking.OVERRIDES`).
        actor : Actor
            Who asks.  A rider must also give ``rider_id``, which must own the booking.
        note : str
            Why (required for overrides).
        run_id : str, optional
            Move the booking to another run (reassignment); its seats move along.
        planned_pickup_s : int, optional
            The planned pick-up time when assigning.
        expected_version : int, optional
            Refuse unless the booking is still at this version (stale screens).

        Raises
        ------
        BookingNotFound
            No such booking or run.
        BookingError
            The move is not allowed, the rider does not own it, the version is
            stale, or the new run has no seats for it.
        """
        _check_key("booking_id", booking_id)
        to_status = parse_status(to_status, name="to_status")
        actor = parse_actor(actor)

        def work(s: Session) -> Booking:
            row = s.get(BookingRow, booking_id, with_for_update=True)
            if row is None:
                raise BookingNotFound(f"no booking {booking_id!r}")
            if expected_version is not None and row.version != expected_version:
                raise BookingError(f"booking {booking_id} is at version {row.version}, not "
                                   f"{expected_version}: someone changed it meanwhile")
            if actor is Actor.RIDER and rider_id is None:
                raise BookingError(f"booking {booking_id}: a rider must give rider_id")
            if actor is Actor.RIDER and rider_id != row.rider_id:
                raise BookingError(f"booking {booking_id}: rider {rider_id!r} does not own "
                                   "it")
            current = _booking_value(row)
            offer = None
            if run_id is not None and run_id != row.run_id:
                offer = self._offer_on(s, current, run_id)
            now = self._now()
            new = transition(current, to_status, actor=actor, at=now, note=note,
                             offer=offer, planned_pickup_s=planned_pickup_s)
            old_run, new_run = current.offer.run_id, new.offer.run_id
            if (old_run, current.seats_held) != (new_run, new.seats_held):
                if old_run != new_run:  # lock both runs in one order: no deadlock
                    s.execute(select(RunRow.run_id)
                              .where(RunRow.run_id.in_(sorted({old_run, new_run})))
                              .order_by(RunRow.run_id).with_for_update())
                if current.seats_held:
                    self._release(s, old_run, current.seats_held)
                if new.seats_held and not self._grab(s, new_run, new.seats_held):
                    raise BookingError(f"booking {booking_id}: run {new_run!r} has fewer "
                                       f"than {new.seats_held} seat(s) left")
            row.status = new.status.value
            row.run_id = new_run
            row.seats_held = new.seats_held
            row.pickup_earliest_s = new.offer.pickup_earliest_s
            row.pickup_latest_s = new.offer.pickup_latest_s
            row.dropoff_eta_s = new.offer.dropoff_eta_s
            row.planned_pickup_s = new.planned_pickup_s
            row.note = new.note
            row.updated_at = now
            self._log(s, row, current.status, actor, now, note)
            s.flush()
            return _booking_value(row)

        return self._write(work)

    def _offer_on(self, s: Session, booking: Booking, run_id: str) -> PickupOffer:
        run = s.get(RunRow, run_id)
        if run is None:
            raise BookingNotFound(f"booking {booking.booking_id}: no service run {run_id!r}")
        if run.service_date != booking.request.service_date:
            raise BookingError(f"booking {booking.booking_id}: run {run_id!r} is on "
                               f"{run.service_date}, the ride on "
                               f"{booking.request.service_date}")
        ride_s = booking.offer.dropoff_eta_s - booking.offer.pickup_earliest_s
        lo = max(booking.offer.pickup_earliest_s, run.start_s)
        hi = min(booking.offer.pickup_latest_s, run.end_s - ride_s)
        if lo > hi:
            raise BookingError(
                f"booking {booking.booking_id}: run {run_id!r} ({run.start_s}-{run.end_s}) "
                f"cannot pick up in {booking.offer.pickup_earliest_s}-"
                f"{booking.offer.pickup_latest_s} and finish the {ride_s} s ride")
        return PickupOffer(run_id, lo, hi, lo + ride_s)

    def cancel(self, booking_id: str, *, actor: Actor = Actor.RIDER,
               rider_id: str | None = None, note: str = "") -> Booking:
        """Cancel a booking (a rider gives ``rider_id``); its seats go back on sale."""
        return self.change(booking_id, BookingStatus.CANCELLED, actor=actor,
                           rider_id=rider_id, note=note)

    def assign(self, booking_id: str, *, planned_pickup_s: int | None = None,
               actor: Actor = Actor.SYSTEM) -> Booking:
        """Mark a booking as planned into its vehicle's route (pick-up in the window)."""
        return self.change(booking_id, BookingStatus.ASSIGNED, actor=actor,
                           planned_pickup_s=planned_pickup_s)

    def reassign(self, booking_id: str, *, run_id: str, note: str,
                 planned_pickup_s: int | None = None,
                 actor: Actor = Actor.DISPATCHER) -> Booking:
        """Move a booked or assigned ride to another run; its seats move atomically."""
        return self.change(booking_id, BookingStatus.ASSIGNED, actor=actor, note=note,
                           run_id=run_id, planned_pickup_s=planned_pickup_s)

    def override(self, booking_id: str, to_status: BookingStatus, *, note: str,
                 expected_version: int | None = None) -> Booking:
        """Let a dispatcher correct a state (:data:`~dispatch.booking.OVERRIDES`)."""
        return self.change(booking_id, to_status, actor=Actor.DISPATCHER, note=note,
                           expected_version=expected_version)

    def expire_quotes(self) -> int:
        """Cancel every quote past its expiry (as the system); return how many."""
        now = self._now()

        def work(s: Session) -> list[str]:
            return list(s.scalars(select(BookingRow.booking_id).where(
                BookingRow.status == BookingStatus.QUOTED.value,
                BookingRow.quote_expires_at < now)))

        expired = 0
        for booking_id in self._read(work):
            try:
                self.change(booking_id, BookingStatus.CANCELLED, actor=Actor.SYSTEM,
                            note="quote expired")
            except BookingError:  # booked or cancelled meanwhile
                continue
            expired += 1
        return expired

    # -- reading -------------------------------------------------------------------

    def _find(self, rider_id: str, key: str) -> tuple[Booking, str] | None:
        def work(s: Session) -> tuple[Booking, str] | None:
            row = s.scalars(select(BookingRow).where(
                BookingRow.rider_id == rider_id,
                BookingRow.idempotency_key == key)).one_or_none()
            return None if row is None else (_booking_value(row), row.request_hash)
        return self._read(work)

    def find(self, rider_id: str, idempotency_key: str) -> Booking | None:
        """Return the rider's booking made with this idempotency key, if any."""
        found = self._find(_check_key("rider_id", rider_id),
                           _check_key("idempotency_key", idempotency_key))
        return None if found is None else found[0]

    def get(self, booking_id: str) -> Booking:
        """Return a booking (:class:`BookingNotFound` if unknown)."""
        _check_key("booking_id", booking_id)

        def work(s: Session) -> Booking:
            row = s.get(BookingRow, booking_id)
            if row is None:
                raise BookingNotFound(f"no booking {booking_id!r}")
            return _booking_value(row)
        return self._read(work)

    def bookings(self, *, run_id: str | None = None,
                 status: BookingStatus | None = None) -> list[Booking]:
        """Return bookings, optionally of one run and/or in one state, oldest first."""
        def work(s: Session) -> list[Booking]:
            query = select(BookingRow)
            if run_id is not None:
                query = query.where(BookingRow.run_id == run_id)
            if status is not None:
                query = query.where(BookingRow.status == parse_status(status).value)
            rows = s.scalars(query.order_by(BookingRow.created_at, BookingRow.booking_id))
            return [_booking_value(r) for r in rows]
        return self._read(work)

    def bookings_for_rider(self, rider_id: str) -> list[Booking]:
        """Return one rider's bookings (quotes included), oldest first (indexed by rider)."""
        def work(s: Session) -> list[Booking]:
            rows = s.scalars(select(BookingRow).where(BookingRow.rider_id == rider_id)
                             .order_by(BookingRow.created_at, BookingRow.booking_id))
            return [_booking_value(r) for r in rows]
        return self._read(work)

    def events(self, booking_id: str) -> list[BookingEvent]:
        """Return a booking's recorded state changes in order."""
        def work(s: Session) -> list[BookingEvent]:
            rows = s.scalars(select(BookingEventRow)
                             .where(BookingEventRow.booking_id == booking_id)
                             .order_by(BookingEventRow.seq))
            return [_event_value(r) for r in rows]
        return self._read(work)

    def audit(self) -> list[str]:
        """Return every inconsistency found (empty when the store is whole).

        Checks that each booking's version equals its number of events and its
        status the last event's, that seats held match the status, and that
        each run's sold seats equal the seats its bookings hold.
        """
        def work(s: Session) -> list[str]:
            problems: list[str] = []
            agg = (select(BookingEventRow.booking_id, func.count().label("n"),
                          func.max(BookingEventRow.seq).label("last"))
                   .group_by(BookingEventRow.booking_id).subquery())
            last = BookingEventRow.__table__.alias("last_event")
            rows = s.execute(
                select(BookingRow.booking_id, BookingRow.status, BookingRow.version,
                       BookingRow.seats, BookingRow.seats_held, agg.c.n, agg.c.last,
                       last.c.to_status)
                .outerjoin(agg, agg.c.booking_id == BookingRow.booking_id)
                .outerjoin(last, and_(last.c.booking_id == BookingRow.booking_id,
                                      last.c.seq == agg.c.last)))
            for bid, status, version, seats, held, n, last_seq, last_to in rows:
                if n != version or last_seq != version:
                    problems.append(f"booking {bid}: version {version} but {n or 0} "
                                    f"event(s), last seq {last_seq}")
                if last_to != status:
                    problems.append(f"booking {bid}: status {status} but last event says "
                                    f"{last_to}")
                should = seats if BookingStatus(status) in SEAT_HOLDING else 0
                if held != should:
                    problems.append(f"booking {bid}: holds {held} seat(s) in state {status}, "
                                    f"should hold {should}")
            orphans = s.scalars(select(BookingEventRow.booking_id).where(
                ~BookingEventRow.booking_id.in_(select(BookingRow.booking_id))).distinct())
            problems.extend(f"events of missing booking {b}" for b in orphans)
            held = (select(BookingRow.run_id, func.sum(BookingRow.seats_held).label("held"))
                    .group_by(BookingRow.run_id).subquery())
            for run_id, capacity, left, sold in s.execute(
                    select(RunRow.run_id, RunRow.capacity_seats, RunRow.seats_left,
                           func.coalesce(held.c.held, 0))
                    .outerjoin(held, held.c.run_id == RunRow.run_id)):
                if capacity - left != sold:
                    problems.append(f"run {run_id}: {capacity - left} seat(s) sold but "
                                    f"bookings hold {sold}")
            return problems
        return self._read(work)

    def counts(self) -> dict[str, int]:
        """Return how many bookings are in each state (every state listed)."""
        def work(s: Session) -> dict[str, int]:
            found = {status: n for status, n in s.execute(
                select(BookingRow.status, func.count()).group_by(BookingRow.status))}
            return {st.value: int(found.get(st.value, 0)) for st in BookingStatus}
        return self._read(work)


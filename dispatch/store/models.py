"""The booking store's tables as typed SQLAlchemy 2 ORM models.

The schema itself is created and changed only by the Alembic migrations in
``dispatch/store/migrations``; a test checks that they agree with these models.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from dispatch.booking import BookingStatus

__all__ = ["Base", "BookingEventRow", "BookingRow", "RunRow", "UTCDateTime"]

STATUS_VALUES = ", ".join(f"'{s.value}'" for s in BookingStatus)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC instant on every backend (SQLite keeps no zone itself)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value} given where an aware one is needed")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (for migrations)."""

    metadata = MetaData(naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


class RunRow(Base):
    """A vehicle's run on a service day and its seats still for sale."""

    __tablename__ = "service_runs"
    __table_args__ = (
        CheckConstraint("seats_left >= 0 AND seats_left <= capacity_seats", name="seats"),
        CheckConstraint("end_s > start_s", name="span"),
        Index(None, "service_date"),
    )

    run_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    vehicle_id: Mapped[str] = mapped_column(String(200))
    service_date: Mapped[date] = mapped_column(Date)
    start_s: Mapped[int] = mapped_column(Integer)
    end_s: Mapped[int] = mapped_column(Integer)
    capacity_seats: Mapped[int] = mapped_column(Integer)
    seats_left: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The planned stop order, JSON ``[[booking_id, "pickup"|"dropoff"], ...]`` (revision 0002).
    stop_order: Mapped[str | None] = mapped_column(Text, nullable=True)


class BookingRow(Base):
    """A quote or booking: the request, its status, the offer and what it holds."""

    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("rider_id", "idempotency_key"),
        CheckConstraint(f"status IN ({STATUS_VALUES})", name="status"),
        CheckConstraint("seats >= 1", name="seats"),
        CheckConstraint("seats_held = 0 OR seats_held = seats", name="seats_held"),
        Index(None, "run_id", "status"),
        Index(None, "rider_id"),
    )

    booking_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rider_id: Mapped[str] = mapped_column(String(200))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    service_date: Mapped[date] = mapped_column(Date)
    origin: Mapped[int] = mapped_column(Integer)
    destination: Mapped[int] = mapped_column(Integer)
    earliest_pickup_s: Mapped[int] = mapped_column(Integer)
    latest_pickup_s: Mapped[int] = mapped_column(Integer)
    seats: Mapped[int] = mapped_column(Integer)
    #: The rider's hard drop-off deadline, service-day seconds (revision 0003; NULL: none).
    latest_dropoff_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("service_runs.run_id"))
    seats_held: Mapped[int] = mapped_column(Integer)
    pickup_earliest_s: Mapped[int] = mapped_column(Integer)
    pickup_latest_s: Mapped[int] = mapped_column(Integer)
    dropoff_eta_s: Mapped[int] = mapped_column(Integer)
    planned_pickup_s: Mapped[int | None] = mapped_column(Integer)
    quote_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BookingEventRow(Base):
    """One state change of a booking, written in the same transaction as the change."""

    __tablename__ = "booking_events"
    __table_args__ = (UniqueConstraint("booking_id", "seq"),)

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    booking_id: Mapped[str] = mapped_column(ForeignKey("bookings.booking_id"))
    seq: Mapped[int] = mapped_column(Integer)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(16))
    run_id: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())

"""Service runs, bookings and the booking event log.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from dispatch.store.models import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES = ("'quoted', 'booked', 'assigned', 'en_route', 'picked_up', 'dropped_off', "
             "'cancelled', 'no_show'")


def upgrade() -> None:
    """Create the three tables with their keys, checks and indexes."""
    op.create_table(
        "service_runs",
        sa.Column("run_id", sa.String(200), nullable=False),
        sa.Column("vehicle_id", sa.String(200), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("start_s", sa.Integer(), nullable=False),
        sa.Column("end_s", sa.Integer(), nullable=False),
        sa.Column("capacity_seats", sa.Integer(), nullable=False),
        sa.Column("seats_left", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", name="pk_service_runs"),
        sa.CheckConstraint("seats_left >= 0 AND seats_left <= capacity_seats",
                           name="ck_service_runs_seats"),
        sa.CheckConstraint("end_s > start_s", name="ck_service_runs_span"),
    )
    op.create_index("ix_service_runs_service_date", "service_runs", ["service_date"])
    op.create_table(
        "bookings",
        sa.Column("booking_id", sa.String(36), nullable=False),
        sa.Column("rider_id", sa.String(200), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("origin", sa.Integer(), nullable=False),
        sa.Column("destination", sa.Integer(), nullable=False),
        sa.Column("earliest_pickup_s", sa.Integer(), nullable=False),
        sa.Column("latest_pickup_s", sa.Integer(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(200), nullable=False),
        sa.Column("seats_held", sa.Integer(), nullable=False),
        sa.Column("pickup_earliest_s", sa.Integer(), nullable=False),
        sa.Column("pickup_latest_s", sa.Integer(), nullable=False),
        sa.Column("dropoff_eta_s", sa.Integer(), nullable=False),
        sa.Column("planned_pickup_s", sa.Integer(), nullable=True),
        sa.Column("quote_expires_at", UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("booking_id", name="pk_bookings"),
        sa.UniqueConstraint("rider_id", "idempotency_key",
                            name="uq_bookings_rider_id_idempotency_key"),
        sa.CheckConstraint(f"status IN ({_STATUSES})", name="ck_bookings_status"),
        sa.CheckConstraint("seats >= 1", name="ck_bookings_seats"),
        sa.CheckConstraint("seats_held = 0 OR seats_held = seats",
                           name="ck_bookings_seats_held"),
        sa.ForeignKeyConstraint(["run_id"], ["service_runs.run_id"],
                                name="fk_bookings_run_id_service_runs"),
    )
    op.create_index("ix_bookings_run_id_status", "bookings", ["run_id", "status"])
    op.create_table(
        "booking_events",
        sa.Column("event_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("booking_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(16), nullable=False),
        sa.Column("run_id", sa.String(200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_booking_events"),
        sa.UniqueConstraint("booking_id", "seq", name="uq_booking_events_booking_id_seq"),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.booking_id"],
                                name="fk_booking_events_booking_id_bookings"),
    )


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("booking_events")
    op.drop_index("ix_bookings_run_id_status", table_name="bookings")
    op.drop_table("bookings")
    op.drop_index("ix_service_runs_service_date", table_name="service_runs")
    op.drop_table("service_runs")

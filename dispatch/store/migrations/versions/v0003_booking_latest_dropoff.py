"""A booking's hard drop-off deadline (a ride timed to meet a bus).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``bookings.latest_dropoff_s`` (nullable int; existing bookings get NULL: no deadline)."""
    op.add_column("bookings", sa.Column("latest_dropoff_s", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop the column (the deadlines are lost; the bookings stay).

    A plain ``ALTER TABLE ... DROP COLUMN`` (SQLite >= 3.35), not a batch
    table copy: ``booking_events`` rows reference ``bookings``, so with foreign
    keys on, SQLite refuses to drop and recreate a table that holds bookings.
    """
    op.drop_column("bookings", "latest_dropoff_s")

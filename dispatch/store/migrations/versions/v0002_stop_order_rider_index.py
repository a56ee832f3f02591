"""A run's planned stop order; bookings found by rider.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``service_runs.stop_order`` (nullable JSON text) and an index on rider ids."""
    with op.batch_alter_table("service_runs") as batch:
        batch.add_column(sa.Column("stop_order", sa.Text(), nullable=True))
    op.create_index("ix_bookings_rider_id", "bookings", ["rider_id"])


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index("ix_bookings_rider_id", table_name="bookings")
    with op.batch_alter_table("service_runs") as batch:
        batch.drop_column("stop_order")

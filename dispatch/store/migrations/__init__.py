"""Alembic migrations of the booking store (applied by ``BookingStore.migrate``)."""

"""Alembic revision scripts of the booking store, oldest first."""

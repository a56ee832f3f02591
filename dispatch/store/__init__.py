"""The durable booking store: SQLite (WAL) by default, PostgreSQL when configured.

Open one at the entry point::

    url = database_url(None, data_dir=instance_dir, environ=os.environ)
    store = BookingStore.open(url)      # applies the Alembic migrations

See ``docs/design/booking.md``.
"""

from dispatch.store.engine import ENV_VAR, StoreError, database_url, make_engine
from dispatch.store.store import BookingStore

__all__ = ["ENV_VAR", "BookingStore", "StoreError", "database_url", "make_engine"]

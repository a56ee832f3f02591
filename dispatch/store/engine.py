"""Where the booking database is and how to talk to it safely.

* :func:`database_url` picks the URL: an explicit one, else
  ``TSUNAGU_DATABASE_URL`` from the environment handed in, else a SQLite file in
  the data directory handed in.  Nothing is read at import time.
* :func:`make_engine` builds a SQLAlchemy engine.  For SQLite it turns on WAL,
  ``synchronous=FULL``, ``foreign_keys`` and a ``busy_timeout``, and makes every
  write transaction ``BEGIN IMMEDIATE`` so two writers never interleave (reads
  marked ``tsunagu_readonly`` use a plain deferred ``BEGIN``).  PostgreSQL runs
  at READ COMMITTED; the store locks rows it changes.
* :func:`is_retryable` tells which database errors mean "try the whole
  transaction again" (SQLite busy/locked, PostgreSQL serialization failure or
  deadlock).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.pool import ConnectionPoolEntry

from transit.errors import TsunaguError

__all__ = ["ENV_VAR", "READONLY", "StoreError", "database_url", "is_retryable", "make_engine"]

ENV_VAR = "TSUNAGU_DATABASE_URL"
"""The environment variable naming the booking database."""

READONLY = "tsunagu_readonly"
"""Execution option: this connection only reads (SQLite: deferred ``BEGIN``)."""

DEFAULT_FILE = "bookings.sqlite3"
SQLITE_BUSY_TIMEOUT_MS = 30_000


class StoreError(RuntimeError, TsunaguError):
    """The booking database cannot be reached, is misconfigured, or is inconsistent."""


def database_url(url: str | None = None, *, data_dir: Path,
                 environ: Mapping[str, str]) -> str:
    """Return the booking database URL to use.

    Parameters
    ----------
    url : str, optional
        An explicit URL (``sqlite:///path`` or ``postgresql+psycopg://...``); wins.
    data_dir : Path
        Where the default SQLite file ``bookings.sqlite3`` lives (created if needed).
    environ : Mapping
        The environment to read ``TSUNAGU_DATABASE_URL`` from (pass ``os.environ``
        at the entry point).
    """
    chosen = url or environ.get(ENV_VAR, "").strip()
    if chosen:
        return chosen
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(data_dir / DEFAULT_FILE).resolve()}"


def _on_sqlite_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy's "begin" hook issue BEGIN itself (pysqlite would defer it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() not in ("wal", "memory"):
            raise StoreError(f"SQLite refused WAL journal mode (got {mode!r})")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    readonly = conn.get_execution_options().get(READONLY, False)
    conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparsable URL>"


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 20,
                echo: bool = False) -> Engine:
    """Return an engine for ``url`` set up for safe concurrent bookings.

    Raises
    ------
    StoreError
        When the URL cannot be parsed, names an unknown backend, or points at a
        SQLite file in a directory that does not exist.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"booking database URL {url!r} cannot be parsed: {exc}") from exc
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(f"booking database URL {_safe(url)}: backend {backend!r} is not "
                         "supported (use sqlite:///path or postgresql+psycopg://...)")
    if backend == "postgresql" and parsed.get_driver_name() in ("psycopg2", ""):
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        if backend == "sqlite":
            database = parsed.database or ""
            if database in ("", ":memory:") or database.startswith("file:"):
                raise StoreError(f"booking database URL {_safe(url)}: use a SQLite file "
                                 "(an in-memory database would lose every booking)")
            folder = Path(database).resolve().parent
            if not folder.is_dir():
                raise StoreError(f"booking database URL {_safe(url)}: folder {folder} "
                                 "does not exist")
            engine = create_engine(parsed, echo=echo, pool_size=pool_size,
                                   max_overflow=max_overflow, pool_timeout=60,
                                   connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                                                 "check_same_thread": False})
            event.listen(engine, "connect", _on_sqlite_connect)
            event.listen(engine, "begin", _on_sqlite_begin)
        else:
            engine = create_engine(parsed, echo=echo, pool_size=pool_size,
                                   max_overflow=max_overflow, pool_timeout=60,
                                   pool_pre_ping=True, isolation_level="READ COMMITTED")
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"booking database URL {_safe(url)}: driver missing: {exc}") from exc
    return engine


_RETRY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def is_retryable(exc: BaseException) -> bool:
    """Return whether ``exc`` means the transaction may simply be run again."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _RETRY_SQLSTATES:
        return True
    message = str(orig).lower()
    return "database is locked" in message or "database is busy" in message

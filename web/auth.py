"""API tokens with roles, stored hashed beside the bookings.

A token reads ``tsu_<id>_<secret>``: ``id`` (12 hex) finds the row, the
SHA-256 of the whole token is compared with :func:`hmac.compare_digest`. Only
the hash is stored; the token is shown once, when created.

The table ``api_tokens`` belongs to ``web`` (the booking store's Alembic chain
knows nothing of web auth), so :meth:`TokenStore.open` creates it with
``metadata.create_all`` — idempotent ``CREATE TABLE IF NOT EXISTS`` — in the
same database as the bookings. Verified tokens are cached in-process for
``cache_ttl_s`` so a request costs no database round trip.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import DateTime, Engine, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from dispatch.store import make_engine
from dispatch.store.engine import READONLY
from transit.errors import TsunaguError


class Role(StrEnum):
    """What a token may do."""

    RESIDENT = "resident"
    DRIVER = "driver"
    DISPATCHER = "dispatcher"
    PLANNER = "planner"
    ADMIN = "admin"


class TokenError(ValueError, TsunaguError):
    """A token cannot be created with these values."""


class _Base(DeclarativeBase):
    pass


class TokenRow(_Base):
    """One API token (hashed)."""

    __tablename__ = "api_tokens"

    token_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    rider_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    vehicle_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the token's id, name, role and what it is bound to."""

    token_id: str
    name: str
    role: Role
    rider_id: str | None = None
    vehicle_id: str | None = None


_TOKEN = re.compile(r"^tsu_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})$")
_NAME = re.compile(r"^[\w.@ -]{1,200}$")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore:
    """Create and verify API tokens in the booking database.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        From :func:`dispatch.store.make_engine` (SQLite WAL or PostgreSQL).
    clock : callable
        Monotonic seconds, for the verification cache.
    cache_ttl_s : float
        How long a verified token is trusted without reading the table again.
    """

    def __init__(self, engine: Engine, *, clock: Callable[[], float] = time.monotonic,
                 cache_ttl_s: float = 60.0) -> None:
        self.engine = engine
        self._reader = engine.execution_options(**{READONLY: True})
        self._clock = clock
        self._ttl = cache_ttl_s
        self._cache: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    @classmethod
    def open(cls, url: str, *, clock: Callable[[], float] = time.monotonic,
             cache_ttl_s: float = 60.0) -> TokenStore:
        """Return a store on ``url``, creating the ``api_tokens`` table if needed."""
        engine = make_engine(url, pool_size=5, max_overflow=10)
        _Base.metadata.create_all(engine)
        return cls(engine, clock=clock, cache_ttl_s=cache_ttl_s)

    def close(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()

    def create(self, *, name: str, role: Role | str, rider_id: str | None = None,
               vehicle_id: str | None = None) -> tuple[str, Principal]:
        """Create a token; return it (shown once) and its principal.

        A resident is bound to ``rider_id`` (default: ``name``); a driver must
        name a ``vehicle_id``.

        Raises
        ------
        TokenError
            An unknown role, an empty or odd name, a driver without a vehicle.
        """
        try:
            role = Role(role)
        except ValueError:
            raise TokenError(f"role must be one of {', '.join(r.value for r in Role)}; "
                             f"got {role!r}") from None
        if not isinstance(name, str) or not _NAME.match(name):
            raise TokenError(f"name must be 1-200 letters, digits, spaces or ._@-; got {name!r}")
        for label, value in (("rider", rider_id), ("vehicle", vehicle_id)):
            if value is not None and not _NAME.match(value):
                raise TokenError(f"{label} must be 1-200 letters, digits or ._@-; got {value!r}")
        if role is Role.RESIDENT and rider_id is None:
            rider_id = name
        if role is Role.DRIVER and not vehicle_id:
            raise TokenError("a driver token needs --vehicle (the vehicle it drives)")
        if role is not Role.DRIVER and vehicle_id is not None:
            raise TokenError(f"--vehicle is for driver tokens, not {role.value}")
        token_id = secrets.token_hex(6)
        token = f"tsu_{token_id}_{secrets.token_urlsafe(32)}"
        principal = Principal(token_id, name, role, rider_id, vehicle_id)
        with Session(self.engine) as s, s.begin():
            s.add(TokenRow(token_id=token_id, secret_sha256=_digest(token), name=name,
                           role=role.value, rider_id=rider_id, vehicle_id=vehicle_id,
                           created_at=datetime.now(UTC)))
        return token, principal

    def revoke(self, token_id: str) -> bool:
        """Revoke a token by id; return whether it existed (caches expire within the TTL)."""
        with Session(self.engine) as s, s.begin():
            row = s.get(TokenRow, token_id)
            if row is None:
                return False
            row.revoked_at = datetime.now(UTC)
        with self._lock:
            self._cache = {k: v for k, v in self._cache.items() if v[1].token_id != token_id}
        return True

    def verify(self, token: str) -> Principal | None:
        """Return the principal of a valid, unrevoked token, else ``None``."""
        m = _TOKEN.match(token)
        if m is None:
            return None
        digest = _digest(token)
        now = self._clock()
        with self._lock:
            hit = self._cache.get(digest)
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        with Session(self._reader) as s:
            row = s.scalars(select(TokenRow).where(TokenRow.token_id == m.group(1))).first()
            if row is None or row.revoked_at is not None:
                return None
            if not hmac.compare_digest(row.secret_sha256, digest):
                return None
            principal = Principal(row.token_id, row.name, Role(row.role), row.rider_id,
                                  row.vehicle_id)
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = (now, principal)
        return principal

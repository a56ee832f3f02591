"""In-process token buckets: one per (API token, endpoint class).

A bucket holds at most ``burst`` requests and refills at ``per_minute / 60``
requests a second. :meth:`RateLimiter.take` answers ``0.0`` when a request may
pass, else the seconds until one token is back (the ``Retry-After``). The
clock is injected, so tests run without sleeping. State lives in the limiter
object held by the app, so two apps never share buckets; with several server
processes each has its own buckets (documented in ``docs/design/web.md``).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from transit.errors import TsunaguError


class RateLimitConfigError(ValueError, TsunaguError):
    """A rate limit setting is not a positive number."""


@dataclass(frozen=True, slots=True)
class Limit:
    """``per_minute`` sustained requests with bursts of up to ``burst``."""

    per_minute: float
    burst: int

    def __post_init__(self) -> None:
        if not (isinstance(self.per_minute, int | float) and self.per_minute > 0):
            raise RateLimitConfigError(f"per_minute must be > 0, got {self.per_minute!r}")
        if isinstance(self.burst, bool) or not isinstance(self.burst, int) or self.burst < 1:
            raise RateLimitConfigError(f"burst must be an int >= 1, got {self.burst!r}")


class RateLimiter:
    """Token buckets keyed by ``(who, endpoint class)``.

    Parameters
    ----------
    limits : mapping of str to Limit
        The limit of each endpoint class (``"plan"``, ``"booking"``).
    clock : callable
        Monotonic seconds (``time.monotonic`` in production).
    max_keys : int
        Buckets kept before the fullest (idle) ones are forgotten.
    """

    def __init__(self, limits: Mapping[str, Limit], *, clock: Callable[[], float],
                 max_keys: int = 100_000) -> None:
        self.limits = dict(limits)
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, who: str, kind: str) -> float:
        """Spend one request of ``who`` on class ``kind``; return 0 or seconds to wait."""
        limit = self.limits.get(kind)
        if limit is None:
            return 0.0
        rate = limit.per_minute / 60.0
        now = self._clock()
        key = (who, kind)
        with self._lock:
            tokens, last = self._buckets.get(key, (float(limit.burst), now))
            tokens = min(float(limit.burst), tokens + max(0.0, now - last) * rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > self._max_keys:
                    self._forget_full(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / rate

    def _forget_full(self, now: float) -> None:
        for key, (tokens, last) in list(self._buckets.items()):
            limit = self.limits[key[1]]
            if tokens + (now - last) * limit.per_minute / 60.0 >= limit.burst:
                del self._buckets[key]


def retry_after_header(wait_s: float) -> str:
    """Return the ``Retry-After`` value (whole seconds, at least 1) for a wait."""
    return str(max(1, math.ceil(wait_s)))

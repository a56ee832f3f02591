"""The app's settings: defaults, ``TSUNAGU_*`` environment variables, checked once.

Every key may come from ``create_app(config)`` or, when no mapping is given,
from ``TSUNAGU_<KEY>`` (values parsed as JSON when they are, so
``TSUNAGU_DEMO_TOKENS=false`` is a bool). Without ``FEED`` the demo city under
``DATA_DIR/demo`` is used (generated when missing).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from transit.errors import TsunaguError

DEFAULTS: dict[str, Any] = {
    "DATA_DIR": "var",
    "DATABASE_URL": None,
    "FEED": None,
    "STREETS": None,
    "DRT_SERVICE": None,
    "DATE": None,
    "CACHE_DIR": None,
    "DEMO_TOKENS": None,  # None: on for the demo city, off with FEED
    "PLANNER_POOL": 4,
    "RATE_PLAN_PER_MIN": 120,
    "RATE_PLAN_BURST": 30,
    "RATE_BOOKING_PER_MIN": 30,
    "RATE_BOOKING_BURST": 10,
    "QUOTE_TTL_S": 300,
    "TOKEN_CACHE_TTL_S": 60,
}
"""Keys and defaults (``CLOCK`` and ``NOW``, callables, are for tests)."""


class ConfigError(ValueError, TsunaguError):
    """A setting has a value the app cannot use; the message names the key."""


def _positive(config: Mapping[str, Any], key: str, kind: type) -> Any:
    value = config.get(key, DEFAULTS[key])
    if isinstance(value, str):
        try:
            value = kind(value)
        except ValueError:
            raise ConfigError(f"{key}: expected a {kind.__name__}, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigError(f"{key}: expected a positive {kind.__name__}, got {value!r}")
    return kind(value)


def _path(config: Mapping[str, Any], key: str) -> Path | None:
    value = config.get(key)
    return None if value in (None, "") else Path(str(value))


def _bool(config: Mapping[str, Any], key: str, default: bool) -> bool:
    value = config.get(key, DEFAULTS[key])
    if value is None:
        return default
    if isinstance(value, str):
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{key}: expected true or false, got {value!r}")
    return bool(value)


@dataclass(frozen=True, slots=True)
class Settings:
    """Checked settings of one app."""

    data_dir: Path
    database_url: str | None
    feed: Path | None
    streets: Path | None
    drt_service: Path | None
    date: date | None
    cache_dir: Path
    demo_tokens: bool
    planner_pool: int
    rate_plan: tuple[float, int]
    rate_booking: tuple[float, int]
    quote_ttl_s: int
    token_cache_ttl_s: float
    clock: Callable[[], float]
    now: Callable[[], datetime]

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> Settings:
        """Return the settings of a Flask config (raises :class:`ConfigError`)."""
        data_dir = Path(str(config.get("DATA_DIR") or DEFAULTS["DATA_DIR"]))
        day = config.get("DATE")
        if isinstance(day, str) and day:
            try:
                day = date.fromisoformat(day)
            except ValueError:
                raise ConfigError(f"DATE: expected YYYY-MM-DD, got {day!r}") from None
        elif not isinstance(day, date):
            day = None
        cache = _path(config, "CACHE_DIR") or data_dir / "cache"
        feed = _path(config, "FEED")
        if feed is not None and day is None:
            raise ConfigError("DATE: required with FEED (the service day to load)")
        clock = config.get("CLOCK", time.monotonic)
        now = config.get("NOW", lambda: datetime.now(UTC))
        if not callable(clock) or not callable(now):
            raise ConfigError("CLOCK and NOW must be callables")
        return cls(
            data_dir=data_dir, database_url=config.get("DATABASE_URL") or None, feed=feed,
            streets=_path(config, "STREETS"), drt_service=_path(config, "DRT_SERVICE"),
            date=day, cache_dir=cache, demo_tokens=_bool(config, "DEMO_TOKENS", feed is None),
            planner_pool=int(_positive(config, "PLANNER_POOL", int)),
            rate_plan=(_positive(config, "RATE_PLAN_PER_MIN", float),
                       _positive(config, "RATE_PLAN_BURST", int)),
            rate_booking=(_positive(config, "RATE_BOOKING_PER_MIN", float),
                          _positive(config, "RATE_BOOKING_BURST", int)),
            quote_ttl_s=_positive(config, "QUOTE_TTL_S", int),
            token_cache_ttl_s=_positive(config, "TOKEN_CACHE_TTL_S", float),
            clock=clock, now=now)

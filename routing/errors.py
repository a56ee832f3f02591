"""Errors raised by the journey planner."""

from __future__ import annotations

from transit.errors import TsunaguError


class QueryError(ValueError, TsunaguError):
    """A journey query is malformed: unknown stop, bad time, bad option."""


class StreetDataError(ValueError, TsunaguError):
    """A street network file cannot be read or holds no usable ways."""

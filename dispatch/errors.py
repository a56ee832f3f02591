"""Errors the dispatch package raises on purpose."""

from __future__ import annotations

from transit.errors import TsunaguError


class DispatchError(ValueError, TsunaguError):
    """A dispatch input (request, vehicle, plan, option) is inconsistent."""


class InstanceError(DispatchError):
    """A benchmark instance file cannot be read; the message names ``file:line``."""

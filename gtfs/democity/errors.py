"""Errors raised by the demo-city generator."""

from __future__ import annotations

from transit.errors import TsunaguError


class DemoCityError(ValueError, TsunaguError):
    """The demo city cannot be generated: the message names the argument and the value."""

"""The root of Tsunagu's exception hierarchy.

Every package raises errors that subclass both :class:`TsunaguError` and the
matching built-in exception (``ValueError``, ``LookupError``...), so callers may
catch either.
"""

from __future__ import annotations


class TsunaguError(Exception):
    """Base class of every error Tsunagu raises on purpose."""


class ModelError(ValueError, TsunaguError):
    """A transit model object was built from inconsistent parts."""


class UnknownIdError(LookupError, TsunaguError):
    """An id names nothing in the model (an API answers it with 404)."""

"""How the ``tsunagu`` sub-commands report bad input: one ``error:`` line on stderr, exit 2."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from typing import NoReturn, TypeVar

import click

from transit.errors import TsunaguError

__all__ = ["fail", "guarded", "os_error_message", "parse_day"]

T = TypeVar("T")


def fail(message: object) -> NoReturn:
    """Print ``error: message`` as one line on stderr and exit with code 2.

    Parameters
    ----------
    message
        What is wrong; runs of white space (newlines included) become one blank.
    """
    click.echo(f"error: {' '.join(str(message).split())}", err=True)
    sys.exit(2)


def parse_day(text: str, *, option: str = "--date") -> date:
    """Return the date ``text`` (``YYYY-MM-DD``); anything else is :func:`fail` naming ``option``.

    Parameters
    ----------
    text
        The option's value.
    option
        The option's name, for the message.

    Returns
    -------
    datetime.date
    """
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {text!r} is not a date (YYYY-MM-DD)")


def os_error_message(exc: OSError) -> str:
    """``file: reason`` for an :class:`OSError` (just the reason when it names no file)."""
    where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
    return f"{where}{exc.strerror or exc}"


def guarded(action: Callable[[], T]) -> T:
    """Run ``action``; a :class:`TsunaguError` or :class:`OSError` it raises is :func:`fail`.

    Parameters
    ----------
    action
        What to run, e.g. ``lambda: read_feed(path)``.

    Returns
    -------
    The action's result.
    """
    try:
        return action()
    except TsunaguError as exc:  # FeedError, ModelError, QueryError...
        fail(exc)
    except OSError as exc:
        fail(os_error_message(exc))

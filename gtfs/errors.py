"""Errors raised while reading or compiling a GTFS feed."""

from __future__ import annotations

from transit.errors import TsunaguError


class FeedError(ValueError, TsunaguError):
    """A feed cannot be used: the message names the file, the line and the problem.

    Parameters
    ----------
    message
        What is wrong, naming the field and the value.
    file
        The feed member, e.g. ``"stop_times.txt"``.
    line
        1-based line number in that file (the header is line 1).
    """

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None):
        self.file = file
        self.line = line
        where = file if file else ""
        if file and line is not None:
            where = f"{file}:{line}"
        super().__init__(f"{where}: {message}" if where else message)

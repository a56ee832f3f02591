"""Tests for gtfs.calendar: which services run on a date."""

from __future__ import annotations

from datetime import date

import numpy as np

from gtfs.calendar import ADDED, REMOVED, ServiceCalendar


def _calendar(exceptions: list[tuple[str, date, int]]) -> ServiceCalendar:
    weekdays = np.array([[1, 1, 1, 1, 1, 0, 0], [0, 0, 0, 0, 0, 1, 1]], bool)
    return ServiceCalendar(
        service_ids=("WK", "WE"),
        start=np.array([date(2026, 1, 1).toordinal()] * 2, np.int64),
        end=np.array([date(2026, 6, 30).toordinal()] * 2, np.int64),
        weekdays=weekdays,
        exception_service_ids=tuple(e[0] for e in exceptions),
        exception_date=np.array([e[1].toordinal() for e in exceptions], np.int64),
        exception_type=np.array([e[2] for e in exceptions], np.int8),
    )


def test_weekday_and_range() -> None:
    """calendar.txt alone: weekday flags within [start_date, end_date]."""
    cal = _calendar([])
    assert cal.active_services(date(2026, 1, 5)) == {"WK"}        # Monday
    assert cal.active_services(date(2026, 1, 10)) == {"WE"}       # Saturday
    assert cal.active_services(date(2026, 7, 6)) == frozenset()   # after end_date
    assert cal.active_services(date(2025, 12, 29)) == frozenset()  # before start_date


def test_exceptions_add_and_remove() -> None:
    """calendar_dates removes (2) and adds (1) single dates."""
    cal = _calendar([("WK", date(2026, 1, 12), REMOVED), ("WE", date(2026, 1, 12), ADDED),
                     ("XTRA", date(2026, 8, 1), ADDED)])
    assert cal.active_services(date(2026, 1, 12)) == {"WE"}
    assert cal.active_services(date(2026, 8, 1)) == {"XTRA"}


def test_date_in_both_files_counts_once() -> None:
    """Adding a date calendar.txt already runs changes nothing; the set has it once."""
    cal = _calendar([("WK", date(2026, 1, 5), ADDED)])
    assert cal.active_services(date(2026, 1, 5)) == {"WK"}


def test_date_range_includes_added_dates() -> None:
    """The service range spans calendar rows and added dates, not removed ones."""
    cal = _calendar([("XTRA", date(2026, 8, 1), ADDED), ("WK", date(2025, 1, 1), REMOVED)])
    assert cal.date_range() == (date(2026, 1, 1), date(2026, 8, 1))
    empty = ServiceCalendar((), np.zeros(0, np.int64), np.zeros(0, np.int64),
                            np.zeros((0, 7), bool), (), np.zeros(0, np.int64),
                            np.zeros(0, np.int8))
    assert empty.date_range() is None and empty.active_services(date(2026, 1, 5)) == set()

"""Tests for gtfs.times: GTFS clock strings to seconds and back."""

from __future__ import annotations

import pandas as pd

from gtfs.times import MISSING, format_time, parse_time, parse_times


def test_parses_one_and_two_digit_hours_and_past_midnight() -> None:
    """``7:05:00``, ``07:05:00``, ``25:10:00`` and ``100:00:00`` are seconds after midnight."""
    secs, bad = parse_times(pd.Series(["7:05:00", "07:05:00", "25:10:00", "100:00:00",
                                       " 00:00:01 "]))
    assert secs.tolist() == [25500, 25500, 90600, 360000, 1]
    assert bad.tolist() == []


def test_blank_is_missing_not_malformed() -> None:
    """Empty or blank strings are MISSING and not reported as malformed."""
    secs, bad = parse_times(pd.Series(["", "  ", "08:00:00"]))
    assert secs.tolist() == [MISSING, MISSING, 28800] and bad.size == 0


def test_malformed_positions_reported_in_order() -> None:
    """Malformed values are reported by position, each occurrence, in order."""
    values = ["8:1:00", "08:00:00", "08:60:00", "8:00", "x", "8:1:00", "-1:00:00"]
    secs, bad = parse_times(pd.Series(values))
    assert bad.tolist() == [0, 2, 3, 4, 5, 6]
    assert secs[1] == 28800 and all(secs[i] == MISSING for i in bad)


def test_format_time_round_trips() -> None:
    """format_time writes HH:MM:SS, hours past 23 kept, negatives signed."""
    assert format_time(90600) == "25:10:00"
    assert format_time(25500) == "07:05:00"
    assert format_time(-600) == "-00:10:00"
    secs, _ = parse_times(pd.Series([format_time(s) for s in (0, 59, 3599, 86400, 99999)]))
    assert secs.tolist() == [0, 59, 3599, 86400, 99999]


def test_parse_time_agrees_with_parse_times() -> None:
    """The scalar parse_time gives parse_times' seconds, and None where it reports MISSING."""
    values = ["7:05:00", " 25:10:30 ", "100:00:00", "7:5", "07:60:00", "", "x"]
    secs, _ = parse_times(pd.Series(values))
    assert [parse_time(v) for v in values] == [None if s == MISSING else s for s in secs.tolist()]
    assert parse_time("25:10:30") == 25 * 3600 + 10 * 60 + 30

"""Tests for transit.timetable_store: saving and loading a timetable without pickle."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from transit.build import RouteTable, StopTable, TransferTable, TripEvents, build_timetable
from transit.errors import ModelError
from transit.timetable import Timetable
from transit.timetable_store import load_timetable, save_timetable


def _timetable() -> Timetable:
    stops = np.array([0, 1, 2, 0, 1, 2], np.int32)
    times = np.array([100, 200, 300, 400, 500, 600], np.int32)
    trips = TripEvents(
        trip_ids=("T1", "T2"), trip_headsigns=("東京", ""),
        trip_route=np.zeros(2, np.int32), trip_shape=np.full(2, -1, np.int32),
        trip_day_offset=np.array([-1, 0], np.int8),
        event_trip_offsets=np.array([0, 3, 6], np.int64), event_stop=stops,
        event_arrival_s=times, event_departure_s=times + 10,
        event_pickup_type=np.array([0, 3, 1, 0, 0, 1], np.int8),
        event_drop_off_type=np.zeros(6, np.int8),
        event_shape_dist_m=np.array([0, 1.5, np.nan, 0, 1.5, 3.0]),
    )
    return build_timetable(
        service_date=date(2026, 1, 5), timezone="Asia/Tokyo", utc_offset_s=32400,
        agency_names=("日立",), stops=StopTable(("007", "S2", "S3"), ("a", "b", "c"),
                                               np.array([36.6, 36.61, 36.62]),
                                               np.array([140.6, 140.61, 140.62])),
        routes=RouteTable(("R1",), ("1",), ("BRT",), np.array([3], np.int32)), trips=trips,
        transfers=TransferTable(np.array([0], np.int32), np.array([1], np.int32),
                                np.array([2], np.int8), np.array([120], np.int32)))


def test_round_trip_is_exact(tmp_path: Path) -> None:
    """Every field (arrays, strings, dates) comes back equal, dtypes included."""
    tt = _timetable()
    path = tmp_path / "day.npz"
    save_timetable(tt, path)
    back = load_timetable(path)
    for f in fields(Timetable):
        a, b = getattr(tt, f.name), getattr(back, f.name)
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True), f.name
        else:
            assert a == b, f.name
    back.validate()
    assert back.stop_lookup("007") == 0


def test_refuses_garbage_and_other_versions(tmp_path: Path) -> None:
    """A file that is not a stored timetable is a ModelError, not a crash."""
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ModelError):
        load_timetable(bad)
    other = tmp_path / "other.npz"
    np.savez(other, __meta__=np.frombuffer(b'{"version": 999}', np.uint8))
    with pytest.raises(ModelError, match="version"):
        load_timetable(other)


def test_no_temporary_files_left(tmp_path: Path) -> None:
    """Saving leaves only the destination file behind."""
    save_timetable(_timetable(), tmp_path / "x.npz")
    assert [p.name for p in tmp_path.iterdir()] == ["x.npz"]

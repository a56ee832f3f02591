"""Tests for writing GTFS (+ Flex) zips: structure checks, determinism, round trips."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import gtfs_kit
import numpy as np
import pandas as pd
import pytest

from gtfs.compile import compile_service_day
from gtfs.democity import generate_demo_city
from gtfs.errors import FeedError
from gtfs.ondemand import load_ondemand_service
from gtfs.reader import read_feed
from gtfs.scenario_apply import apply_modifications
from gtfs.writer import check_structure, write_gtfs
from tests.conftest import shared_path
from tests.gtfs.conftest import FeedMaker
from transit.scenario import AdjustDwell, AdjustSpeed

DAY = date(2026, 10, 7)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo city, generated once for this module."""
    return generate_demo_city(tmp_path_factory.mktemp("demo"), size=1).out_dir


def test_demo_round_trip_compiles_the_same_day(demo: Path, tmp_path: Path) -> None:
    """The unmodified demo feed written back compiles to the same trips, patterns and times."""
    feed = read_feed(demo / "gtfs.zip")
    service = load_ondemand_service(demo / "gtfs.zip", demo / "drt_service.yaml")
    out = write_gtfs(feed.tables, tmp_path / "gtfs.zip", ondemand=service)
    again = read_feed(out)
    assert again.warnings == feed.warnings
    a, b = compile_service_day(feed, DAY), compile_service_day(again, DAY)
    assert a.trip_ids == b.trip_ids and a.stop_ids == b.stop_ids
    assert len(a.pattern_event_offsets) == len(b.pattern_event_offsets)
    assert np.array_equal(a.arrival_s, b.arrival_s)
    assert np.array_equal(a.departure_s, b.departure_s)
    assert load_ondemand_service(out, tmp_path / "drt_service.yaml") == service


def test_output_is_deterministic(demo: Path, tmp_path: Path) -> None:
    """Writing the same tables twice gives the same bytes (fixed order and timestamps)."""
    feed = read_feed(demo / "gtfs.zip")
    service = load_ondemand_service(demo / "gtfs.zip", demo / "drt_service.yaml")
    one = write_gtfs(feed.tables, tmp_path / "a" / "gtfs.zip", ondemand=service)
    two = write_gtfs(feed.tables, tmp_path / "b" / "gtfs.zip", ondemand=service)
    assert one.read_bytes() == two.read_bytes()
    assert (tmp_path / "a" / "drt_service.yaml").read_bytes() == \
        (tmp_path / "b" / "drt_service.yaml").read_bytes()
    names = zipfile.ZipFile(one).namelist()
    assert names[:5] == ["agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt"]
    assert "locations.geojson" in names and "booking_rules.txt" in names


def test_gtfs_kit_reads_the_export(demo: Path, tmp_path: Path) -> None:
    """gtfs-kit (which has no validator in version 13) reads the export and computes trip stats."""
    assert not hasattr(gtfs_kit, "validate")  # why check_structure exists
    feed = read_feed(demo / "gtfs.zip")
    out = write_gtfs(feed.tables, tmp_path / "gtfs.zip")
    gk = gtfs_kit.read_feed(out, dist_units="km")
    stats = gtfs_kit.compute_trip_stats(gk)
    assert len(stats) == len(feed.tables["trips"])
    assert (stats["distance"] > 0).all()
    assert len(gtfs_kit.get_trips(gk, DAY.strftime("%Y%m%d"))) > 0


def test_tiny_feed_round_trip(make_feed: FeedMaker, tmp_path: Path) -> None:
    """A tiny folder feed written as a zip reads back with equal tables."""
    feed = read_feed(make_feed())
    out = write_gtfs(feed.tables, tmp_path / "t.zip")
    again = read_feed(out)
    for name, df in feed.tables.items():
        pd.testing.assert_frame_equal(again.tables[name], df, check_dtype=False)


@pytest.mark.parametrize(("table", "edit", "message"), [
    ("trips", lambda df: df.assign(route_id="R9"), "trips.txt:2: route_id 'R9' is not in "
                                                   "routes.txt"),
    ("trips", lambda df: df.assign(trip_id="T1"), "trips.txt:3: duplicated trip_id 'T1'"),
    ("trips", lambda df: df.assign(service_id="XX"), "trips.txt:2: service_id 'XX' is in "
                                                     "neither calendar file"),
    ("agency", lambda df: df.assign(agency_url=""), "agency.txt:2: agency_url is blank"),
    ("stops", lambda df: df.drop(columns=["stop_lat"]), "stops.txt:1: missing required column"),
    ("routes", lambda df: df.assign(route_short_name="", route_long_name=""),
     "routes.txt:2: route_short_name and route_long_name are both blank"),
    ("stop_times", lambda df: df.assign(arrival_time=["08:00:00", "07:10:00", "08:20:00",
                                                      "09:00:00", "09:10:00", "09:20:00"]),
     "stop_times.txt:3: trip goes back in time"),
    ("stop_times", lambda df: df.iloc[[0, 3, 4, 5]],
     "stop_times.txt:2: trip has fewer than two stop times"),
    ("stop_times", lambda df: df.assign(stop_sequence=["1", "1", "3", "1", "2", "3"]),
     "stop_times.txt:3: stop_sequence repeats"),
    ("stop_times", lambda df: df.assign(arrival_time=["", "08:10:00", "08:20:00", "09:00:00",
                                                      "09:10:00", "09:20:00"],
                                        departure_time=["", "08:10:00", "08:20:00",
                                                        "09:00:00", "09:10:00", "09:20:00"]),
     "stop_times.txt:2: the first and last stop of a trip must be timed"),
])
def test_structure_errors(make_feed: FeedMaker, tmp_path: Path, table: str, edit: object,
                          message: str) -> None:
    """Tables breaking a GTFS structural rule are refused before anything is written."""
    tables = dict(read_feed(make_feed()).tables)
    tables[table] = edit(tables[table].copy())  # type: ignore[operator]
    with pytest.raises(FeedError) as info:
        write_gtfs(tables, tmp_path / "x.zip")
    assert message in str(info.value)
    assert not (tmp_path / "x.zip").exists()
    check_structure(read_feed(make_feed()).tables)  # the unedited feed passes


REAL = {
    "yamanashi": ("gtfs_jp_yamanashi/yamanashi_gtfs.zip", date(2019, 6, 12)),
    "donanbus": ("gtfs_jp_donanbus_muroran/donanbus_muroran_gtfs_jp.zip", date(2020, 4, 1)),
    "sample": ("gtfs_small_gtfskit_sample/sample_gtfs.zip", date(2007, 1, 1)),
    "cairns": ("gtfs_small_cairns/cairns_gtfs.zip", date(2014, 5, 30)),
}


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(REAL))
def test_real_feed_round_trip_through_the_scenario_tables(name: str, tmp_path: Path) -> None:
    """A real feed through apply (no edit) and the writer compiles to the same day; edits load."""
    relative, day = REAL[name]
    feed = read_feed(shared_path(relative))
    out = write_gtfs(apply_modifications(feed, None, []).tables, tmp_path / "same.zip")
    again = read_feed(out)
    assert set(again.warnings) == set(feed.warnings)
    a, b = compile_service_day(feed, day), compile_service_day(again, day)
    assert a.trip_ids == b.trip_ids
    assert np.array_equal(a.arrival_s, b.arrival_s)
    assert np.array_equal(a.departure_s, b.departure_s)
    route = str(feed.tables["routes"]["route_id"].iloc[0])
    edited = apply_modifications(feed, None, [AdjustSpeed((route,), 1.1),
                                              AdjustDwell((route,), 15)])
    assert edited.results[0].changes["trip_minutes"] < 0
    tt = compile_service_day(read_feed(write_gtfs(edited.tables, tmp_path / "e.zip")), day)
    tt.validate()

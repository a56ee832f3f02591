"""Tests for gtfs.compile: one service day into a Timetable, on tiny feeds and real ones."""

from __future__ import annotations

import csv
import io
import itertools
import math
import zipfile
from collections import defaultdict
from dataclasses import fields
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

import gtfs.compile as compile_module
from gtfs.compile import (
    compile_feed_file,
    compile_service_day,
    count_active_trips,
    interpolate_times,
)
from gtfs.reader import Feed, read_feed
from tests.conftest import shared_path
from tests.gtfs.conftest import BASE_FILES, FeedMaker
from transit.timetable import PICKUP_COORDINATE_WITH_DRIVER, Timetable

MONDAY = date(2026, 1, 5)
ST_HEADER = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"


def _trip_times(tt: Timetable, trip: int) -> tuple[list[int], list[int], list[str]]:
    a, b = tt.trip_event_range(trip)
    p = int(tt.trip_pattern[trip])
    stops = [tt.stop_ids[s] for s in tt.pattern_stop_ids(p)]
    return tt.arrival_s[a:b].tolist(), tt.departure_s[a:b].tolist(), stops


def _compiled(path: Path, day: date = MONDAY) -> Timetable:
    tt = compile_service_day(read_feed(path), day)
    tt.validate()
    return tt


# -- tiny feeds: the traps -------------------------------------------------

def test_weekday_service(make_feed: FeedMaker) -> None:
    """Weekday trips run on a Monday and not on a Saturday."""
    feed = read_feed(make_feed())
    assert count_active_trips(feed, MONDAY) == 2
    assert count_active_trips(feed, date(2026, 1, 10)) == 0
    tt = compile_service_day(feed, MONDAY)
    assert tt.n_trips == 2 and tt.n_patterns == 1 and tt.n_connections == 4
    assert tt.utc_offset_s == 9 * 3600 and tt.timezone == "Asia/Tokyo"


def test_date_in_both_calendar_files(make_feed: FeedMaker) -> None:
    """A date added in calendar_dates.txt that calendar.txt already runs is counted once."""
    dates = ("service_id,date,exception_type\n"
             "WK,20260105,1\n"    # Monday, already running
             "WK,20260106,2\n"    # Tuesday removed
             "WK,20260110,1\n")   # Saturday added
    feed = read_feed(make_feed(calendar_dates_txt=dates))
    assert count_active_trips(feed, MONDAY) == 2
    assert compile_service_day(feed, MONDAY).n_trips == 2
    assert count_active_trips(feed, date(2026, 1, 6)) == 0
    assert count_active_trips(feed, date(2026, 1, 10)) == 2


def test_loop_trip_visits_a_stop_twice(make_feed: FeedMaker) -> None:
    """A trip returning to its first stop keeps both visits in one pattern."""
    times = (ST_HEADER + "T1,08:00:00,08:00:00,S1,1\nT1,08:10:00,08:10:00,S2,2\n"
             "T1,08:20:00,08:20:00,S3,3\nT1,08:30:00,08:30:00,S1,4\n"
             "T2,09:00:00,09:00:00,S1,1\nT2,09:10:00,09:10:00,S2,2\n"
             "T2,09:20:00,09:20:00,S3,3\nT2,09:30:00,09:30:00,S1,4\n")
    tt = _compiled(make_feed(stop_times_txt=times))
    assert tt.n_patterns == 1
    assert [tt.stop_ids[s] for s in tt.pattern_stop_ids(0)] == ["S1", "S2", "S3", "S1"]
    s1 = tt.stop_lookup("S1")
    a, b = tt.stop_pattern_offsets[s1], tt.stop_pattern_offsets[s1 + 1]
    assert tt.stop_pattern_positions[a:b].tolist() == [0, 3]


def test_zero_second_hops(make_feed: FeedMaker) -> None:
    """Consecutive stops at the same second are kept as they are."""
    times = (ST_HEADER + "T1,08:00:00,08:00:00,S1,1\nT1,08:00:00,08:00:00,S2,2\n"
             "T1,08:00:00,08:00:00,S3,3\nT2,09:00:00,09:00:00,S1,1\n"
             "T2,09:00:00,09:00:00,S2,2\nT2,09:05:00,09:05:00,S3,3\n")
    tt = _compiled(make_feed(stop_times_txt=times))
    arr, dep, _ = _trip_times(tt, tt.trip_ids.index("T1"))
    assert arr == dep == [28800, 28800, 28800]


def test_pickup_type_3_is_kept(make_feed: FeedMaker) -> None:
    """pickup_type 3 (coordinate with driver) and drop_off_type 1 survive the compile."""
    times = ("trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,"
             "drop_off_type\n"
             "T1,08:00:00,08:00:00,S1,1,0,1\nT1,08:10:00,08:10:00,S2,2,3,3\n"
             "T1,08:20:00,08:20:00,S3,3,1,0\nT2,09:00:00,09:00:00,S1,1,,\n"
             "T2,09:10:00,09:10:00,S2,2,,\nT2,09:20:00,09:20:00,S3,3,,\n")
    tt = _compiled(make_feed(stop_times_txt=times))
    a, b = tt.trip_event_range(tt.trip_ids.index("T1"))
    assert tt.pickup_type[a:b].tolist() == [0, PICKUP_COORDINATE_WITH_DRIVER, 1]
    assert tt.drop_off_type[a:b].tolist() == [1, 3, 0]
    a, b = tt.trip_event_range(tt.trip_ids.index("T2"))
    assert tt.pickup_type[a:b].tolist() == [0, 0, 0]


def test_one_digit_hours(make_feed: FeedMaker) -> None:
    """``7:05:00`` compiles to 25500 s and orders before ``10:00:00``."""
    times = (ST_HEADER + "T1,10:00:00,10:00:00,S1,1\nT1,10:10:00,10:10:00,S2,2\n"
             "T2,7:05:00,7:05:00,S1,1\nT2,7:15:00,7:15:00,S2,2\n")
    tt = _compiled(make_feed(stop_times_txt=times))
    assert [tt.trip_ids[t] for t in tt.pattern_trip_ids(0)] == ["T2", "T1"]
    assert _trip_times(tt, tt.trip_ids.index("T2"))[0] == [25500, 26100]


def test_blank_times_interpolated_by_straight_line(make_feed: FeedMaker) -> None:
    """Blank times are shared out by the distance between stops (1 : 1 : 2 here)."""
    times = (ST_HEADER + "T1,08:00:00,08:00:00,S1,1\nT1,,,S2,2\nT1,,,S3,3\n"
             "T1,08:40:00,08:40:00,S4,4\n"
             "T2,09:00:00,09:00:00,S1,1\nT2,09:10:00,09:10:00,S2,2\n")
    tt = _compiled(make_feed(stop_times_txt=times))
    arr, dep, stops = _trip_times(tt, tt.trip_ids.index("T1"))
    assert stops == ["S1", "S2", "S3", "S4"]
    assert arr == dep == [28800, 29400, 30000, 31200]


def test_blank_times_interpolated_by_shape_distance(make_feed: FeedMaker) -> None:
    """With shape_dist_traveled everywhere, it drives the interpolation."""
    times = ("trip_id,arrival_time,departure_time,stop_id,stop_sequence,shape_dist_traveled\n"
             "T1,08:00:00,08:00:00,S1,1,0\nT1,,,S2,2,1\nT1,,,S3,3,3\n"
             "T1,08:40:00,08:40:00,S4,4,4\n"
             "T2,09:00:00,09:01:00,S1,1,0\nT2,,,S2,2,3\nT2,09:11:00,09:11:00,S3,3,4\n")
    tt = _compiled(make_feed(stop_times_txt=times))
    assert _trip_times(tt, tt.trip_ids.index("T1"))[0] == [28800, 29400, 30600, 31200]
    # interpolation starts from the departure of the previous timed stop
    assert _trip_times(tt, tt.trip_ids.index("T2"))[0] == [32400, 32400 + 60 + 450, 33060]


def test_interpolated_times_are_monotone(make_feed: FeedMaker) -> None:
    """A decreasing shape_dist_traveled falls back to straight lines, keeping order."""
    times = ("trip_id,arrival_time,departure_time,stop_id,stop_sequence,shape_dist_traveled\n"
             "T1,08:00:00,08:00:00,S1,1,0\nT1,,,S2,2,5\nT1,,,S3,3,2\n"
             "T1,08:40:00,08:40:00,S4,4,4\n"
             "T2,09:00:00,09:00:00,S1,1,\nT2,09:10:00,09:10:00,S2,2,\n")
    feed = read_feed(make_feed(stop_times_txt=times))
    arr, _ = interpolate_times(feed)
    assert arr[:4].tolist() == [28800, 29400, 30000, 31200]


def test_only_arrival_given(make_feed: FeedMaker) -> None:
    """A stop with only an arrival time departs at that time."""
    times = (ST_HEADER + "T1,08:00:00,08:00:00,S1,1\nT1,08:10:00,,S2,2\n"
             "T1,,08:20:00,S3,3\nT2,09:00:00,09:00:00,S1,1\nT2,09:10:00,09:10:00,S2,2\n")
    tt = _compiled(make_feed(stop_times_txt=times))
    arr, dep, _ = _trip_times(tt, tt.trip_ids.index("T1"))
    assert arr == dep == [28800, 29400, 30000]


def test_times_past_midnight_and_previous_day(make_feed: FeedMaker) -> None:
    """A late trip keeps 24:00+ times; on the next day it reappears shifted by -86400."""
    trips = BASE_FILES["trips.txt"] + "R1,WK,T3\nR1,WK,T4\n"
    times = (BASE_FILES["stop_times.txt"]
             + "T3,23:50:00,23:50:00,S1,1\nT3,24:10:00,24:10:00,S2,2\n"
             + "T3,24:30:00,24:30:00,S3,3\n"
             + "T4,23:00:00,23:00:00,S1,1\nT4,24:00:00,24:00:00,S2,2\n")
    path = make_feed(trips_txt=trips, stop_times_txt=times)
    monday = _compiled(path, MONDAY)  # Sunday has no service
    assert sorted(monday.trip_ids) == ["T1", "T2", "T3", "T4"]
    assert set(monday.trip_day_offset.tolist()) == {0}
    assert _trip_times(monday, monday.trip_ids.index("T3"))[0] == [85800, 87000, 88200]
    tuesday = _compiled(path, MONDAY + timedelta(days=1))
    prev = [t for t in range(tuesday.n_trips) if tuesday.trip_day_offset[t] == -1]
    assert sorted(tuesday.trip_ids[t] for t in prev) == ["T3", "T4"]  # T4 ends at 24:00
    t3 = next(t for t in prev if tuesday.trip_ids[t] == "T3")
    assert _trip_times(tuesday, t3)[0] == [-600, 600, 1800]
    assert tuesday.n_trips == 6
    saturday = _compiled(path, date(2026, 1, 10))
    assert sorted(saturday.trip_ids) == ["T3", "T4"]


def test_previous_day_trip_over_before_midnight_dropped(make_feed: FeedMaker) -> None:
    """Trips of the day before that end before 24:00 are not compiled."""
    tt = _compiled(make_feed(), date(2026, 1, 10))  # Saturday: Friday's trips end at 09:20
    assert tt.n_trips == 0 and tt.n_patterns == 0


@pytest.mark.parametrize("exact", ["0", "1", ""])
def test_frequencies_expanded(make_feed: FeedMaker, exact: str) -> None:
    """A frequency trip runs at start + k * headway < end, shifted from its template times."""
    freq = ("trip_id,start_time,end_time,headway_secs,exact_times\n"
            f"T1,8:00:00,9:00:00,1200,{exact}\n")
    tt = _compiled(make_feed(frequencies_txt=freq))
    copies = [t for t in range(tt.n_trips) if tt.trip_ids[t] == "T1"]
    firsts = sorted(_trip_times(tt, t)[1][0] for t in copies)
    assert firsts == [28800, 30000, 31200]
    for t in copies:
        arr, dep, _ = _trip_times(tt, t)
        assert [x - dep[0] for x in arr] == [0, 600, 1200]
    assert tt.n_trips == 4  # three copies of T1 and T2 as scheduled


def test_utc_offset_follows_daylight_saving(make_feed: FeedMaker) -> None:
    """utc_offset_s is the agency zone's offset at noon of the service date."""
    agency = BASE_FILES["agency.txt"].replace("Asia/Tokyo", "America/New_York")
    feed = read_feed(make_feed(agency_txt=agency))
    assert compile_service_day(feed, date(2026, 1, 5)).utc_offset_s == -5 * 3600
    assert compile_service_day(feed, date(2026, 7, 6)).utc_offset_s == -4 * 3600


def test_service_date_must_be_a_date(make_feed: FeedMaker) -> None:
    """A string date is refused with a message naming the argument."""
    feed = read_feed(make_feed())
    with pytest.raises(ValueError, match="service_date"):
        compile_service_day(feed, "2026-01-05")  # type: ignore[arg-type]


def test_cache_round_trip(make_feed: FeedMaker, tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A second compile comes from the cache without reading the feed again."""
    path = make_feed(as_zip=True)
    cache = tmp_path / "cache"
    cold = compile_feed_file(path, MONDAY, cache_dir=cache)
    assert len(list(cache.glob("*.npz"))) == 1

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("feed read on a warm cache")

    monkeypatch.setattr(compile_module, "read_feed", boom)
    warm = compile_feed_file(path, MONDAY, cache_dir=cache)
    assert warm.trip_ids == cold.trip_ids
    assert np.array_equal(warm.arrival_s, cold.arrival_s)
    other = compile_service_day(read_feed(path), MONDAY + timedelta(days=1), cache_dir=cache)
    assert other.service_date == MONDAY + timedelta(days=1)
    assert len(list(cache.glob("*.npz"))) == 2


def test_damaged_cache_entry_is_recompiled(make_feed: FeedMaker, tmp_path: Path) -> None:
    """A corrupt cache file is ignored and overwritten."""
    feed = read_feed(make_feed())
    cache = tmp_path / "cache"
    compile_service_day(feed, MONDAY, cache_dir=cache)
    (entry,) = cache.glob("*.npz")
    entry.write_bytes(b"garbage")
    assert compile_service_day(feed, MONDAY, cache_dir=cache).n_trips == 2
    assert entry.stat().st_size > 100


# -- real feeds --------------------------------------------------------------

REAL = {
    "yamanashi": ("gtfs_jp_yamanashi/yamanashi_gtfs.zip", date(2019, 6, 12)),
    "donanbus": ("gtfs_jp_donanbus_muroran/donanbus_muroran_gtfs_jp.zip", date(2020, 4, 1)),
    "hart": ("gtfs_large_hart_tampa/hart_tampa_gtfs.zip", date(2020, 12, 2)),
    "nyc": ("gtfs_large_nyc_subway/nyc_subway_gtfs.zip", date(2018, 7, 11)),
    "eptc": ("gtfs_portoalegre_eptc/poa_eptc_gtfs.zip", date(2019, 5, 15)),
    "sample": ("gtfs_small_gtfskit_sample/sample_gtfs.zip", date(2007, 1, 1)),
    "cairns": ("gtfs_small_cairns/cairns_gtfs.zip", date(2014, 5, 30)),
}


def _rows(path: Path, name: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(path) as zf:
        if name not in zf.namelist():
            return []
        text = zf.read(name).decode("utf-8-sig")
    return [{k.strip(): (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(io.StringIO(text))]


def _secs(text: str) -> int:
    h, m, s = text.split(":")
    return int(h) * 3600 + int(m) * 60 + int(s)


def _services_on(path: Path, day: date) -> set[str]:
    """Independent calendar evaluation, straight from the GTFS reference."""
    ymd = day.strftime("%Y%m%d")
    weekday = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
               "sunday")[day.weekday()]
    on = {r["service_id"] for r in _rows(path, "calendar.txt")
          if r["start_date"] <= ymd <= r["end_date"] and r[weekday] == "1"}
    for r in _rows(path, "calendar_dates.txt"):
        if r["date"] == ymd and r["exception_type"] == "2":
            on.discard(r["service_id"])
    for r in _rows(path, "calendar_dates.txt"):
        if r["date"] == ymd and r["exception_type"] == "1":
            on.add(r["service_id"])
    return on


class _Oracle:
    """Plain-Python expectations for one real feed and date."""

    def __init__(self, path: Path, day: date) -> None:
        trips = _rows(path, "trips.txt")
        today = _services_on(path, day)
        yesterday = _services_on(path, day - timedelta(days=1))
        self.active = [t["trip_id"] for t in trips if t["service_id"] in today]
        freq = defaultdict(list)
        for r in _rows(path, "frequencies.txt"):
            freq[r["trip_id"]].append(range(_secs(r["start_time"]), _secs(r["end_time"]),
                                            int(r["headway_secs"])))
        self.freq = dict(freq)
        events: dict[str, list[tuple[int, str, str, str, str]]] = defaultdict(list)
        for r in _rows(path, "stop_times.txt"):
            events[r["trip_id"]].append((int(r["stop_sequence"]), r["stop_id"],
                                         r["arrival_time"], r["departure_time"],
                                         r.get("shape_dist_traveled", "")))
        self.events = {k: sorted(v) for k, v in events.items()}
        self.expected_trips = 0
        for tid in self.active:
            if len(self.events.get(tid, ())) < 2:
                continue
            self.expected_trips += sum(len(r) for r in self.freq[tid]) if tid in self.freq else 1
        self.previous = 0
        for t in trips:
            tid = t["trip_id"]
            if t["service_id"] not in yesterday or len(self.events.get(tid, ())) < 2:
                continue
            last = max(_secs(e[2] or e[3]) for e in self.events[tid] if e[2] or e[3])
            if tid in self.freq:
                first = _secs(self.events[tid][0][3] or self.events[tid][0][2])
                self.previous += sum(1 for r in self.freq[tid] for s in r
                                     if last - first + s >= 86400)
            elif last >= 86400:
                self.previous += 1


class RealCase(NamedTuple):
    """One real feed compiled for its test date, with its oracle and cache folder."""

    name: str
    day: date
    feed: Feed
    tt: Timetable
    oracle: _Oracle
    count: int
    cache: Path


@pytest.fixture(scope="module", params=sorted(REAL))
def real(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> RealCase:
    """Each real feed compiled once (through a cache) with its independent oracle."""
    relative, day = REAL[request.param]
    path = shared_path(relative)
    feed = read_feed(path)
    cache = tmp_path_factory.mktemp("cache")
    tt = compile_service_day(feed, day, cache_dir=cache)
    return RealCase(request.param, day, feed, tt, _Oracle(path, day),
                    count_active_trips(feed, day), cache)


@pytest.mark.shared
def test_cached_day_is_identical(real: RealCase) -> None:
    """The day loaded back from the cache equals the compiled one, field by field."""
    assert len(list(real.cache.glob("*.npz"))) == 1
    again = compile_service_day(real.feed, real.day, cache_dir=real.cache)
    assert again is not real.tt
    for f in fields(Timetable):
        a, b = getattr(real.tt, f.name), getattr(again, f.name)
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True), f.name
        else:
            assert a == b, f.name


@pytest.mark.shared
def test_active_trip_count_matches_oracle(real: RealCase) -> None:
    """Active trips equal a plain-Python calendar evaluation of the same date."""
    oracle, count = real.oracle, real.count
    assert count == len(oracle.active) > 0


@pytest.mark.shared
def test_compiled_trip_count(real: RealCase) -> None:
    """Compiled trips = active trips (frequencies expanded) + the day before past midnight."""
    tt, oracle = real.tt, real.oracle
    assert int(np.sum(tt.trip_day_offset == 0)) == oracle.expected_trips
    assert int(np.sum(tt.trip_day_offset == -1)) == oracle.previous


@pytest.mark.shared
def test_layout_invariants(real: RealCase) -> None:
    """Times monotone in trips, each trip in one pattern, no overtaking in a pattern."""
    tt = real.tt
    counts = np.bincount(tt.pattern_trips, minlength=tt.n_trips)
    assert np.all(counts == 1)
    for p in range(tt.n_patterns):
        arr, dep = tt.pattern_block(p, tt.arrival_s), tt.pattern_block(p, tt.departure_s)
        assert np.all(dep >= arr)
        assert np.all(arr[:, 1:] >= dep[:, :-1])
        assert np.all(np.diff(arr, axis=0) >= 0) and np.all(np.diff(dep, axis=0) >= 0)
        assert np.all(tt.trip_pattern[tt.pattern_trip_ids(p)] == p)
        assert np.all(tt.trip_route[tt.pattern_trip_ids(p)] == tt.pattern_route[p])
    assert tt.arrival_s.min() >= -86400
    tt.validate()


@pytest.mark.shared
def test_times_equal_the_feed(real: RealCase) -> None:
    """Every timed stop of a scheduled trip compiles to exactly its GTFS time and stop."""
    tt, oracle = real.tt, real.oracle
    checked = 0
    for t in range(tt.n_trips):
        tid = tt.trip_ids[t]
        if tid in oracle.freq:
            continue
        shift = 86400 * int(tt.trip_day_offset[t])
        arr, dep, stops = _trip_times(tt, t)
        events = oracle.events[tid]
        assert stops == [e[1] for e in events]
        for (_, _, a, d, _), ca, cd in zip(events, arr, dep, strict=True):
            if a or d:
                assert ca - shift == _secs(a or d) and cd - shift == _secs(d or a)
                checked += 1
    assert checked > 0 or tt.n_trips == 0


@pytest.mark.shared
def test_frequency_copies_exact(real: RealCase) -> None:
    """Each frequency trip starts exactly at start + k * headway of its windows."""
    name, tt, oracle = real.name, real.tt, real.oracle
    starts: dict[str, list[int]] = defaultdict(list)
    for t in range(tt.n_trips):
        if tt.trip_ids[t] in oracle.freq and tt.trip_day_offset[t] == 0:
            starts[tt.trip_ids[t]].append(_trip_times(tt, t)[1][0])
    active = set(oracle.active)
    expected = {tid: sorted(s for r in ranges for s in r)
                for tid, ranges in oracle.freq.items() if tid in active}
    assert {k: sorted(v) for k, v in starts.items()} == expected
    if name == "sample":  # the only real feed with frequencies.txt
        assert sum(map(len, expected.values())) > 50


def _haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6_371_008.8 * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))


@pytest.mark.shared
def test_blank_times_interpolated_like_the_oracle(real: RealCase) -> None:
    """Untimed stops get the interpolation a plain-Python loop computes from the GTFS text."""
    name, tt, oracle = real.name, real.tt, real.oracle
    path = shared_path(REAL[name][0])
    coords = {r["stop_id"]: (float(r["stop_lat"] or "nan"), float(r["stop_lon"] or "nan"))
              for r in _rows(path, "stops.txt")}
    checked = 0
    for t in range(tt.n_trips):
        events = oracle.events[tt.trip_ids[t]]
        if all(e[2] or e[3] for e in events) or tt.trip_ids[t] in oracle.freq:
            continue
        shift = 86400 * int(tt.trip_day_offset[t])
        arr = _trip_times(tt, t)[0]
        dists = [float(e[4]) if e[4] else math.nan for e in events]
        if all(math.isfinite(d) for d in dists) and all(
                b >= a for a, b in itertools.pairwise(dists)):
            cum = dists  # shape_dist_traveled everywhere, never decreasing
        else:
            cum = [0.0]
            for e0, e1 in itertools.pairwise(events):
                cum.append(cum[-1] + _haversine_m(coords[e0[1]], coords[e1[1]]))
        timed = [i for i, e in enumerate(events) if e[2] or e[3]]
        for lo, hi in itertools.pairwise(timed):
            dep_lo = _secs(events[lo][3] or events[lo][2])
            arr_hi = _secs(events[hi][2] or events[hi][3])
            for i in range(lo + 1, hi):
                span = cum[hi] - cum[lo]
                frac = (cum[i] - cum[lo]) / span if span > 0 else (i - lo) / (hi - lo)
                assert abs(arr[i] - shift - (dep_lo + frac * (arr_hi - dep_lo))) <= 1.0
                checked += 1
    blanks = sum(1 for ev in oracle.events.values() for e in ev if not (e[2] or e[3]))
    if name == "eptc":
        assert blanks > 100_000 and checked > 100_000
    elif blanks == 0:
        assert checked == 0


@pytest.mark.shared
def test_gtfs_kit_agrees_on_active_trips() -> None:
    """gtfs-kit's own get_trips(date) counts the same trips as we do (Yamanashi)."""
    import gtfs_kit

    path = shared_path(REAL["yamanashi"][0])
    day = REAL["yamanashi"][1]
    theirs = gtfs_kit.read_feed(path, dist_units="km").get_trips(day.strftime("%Y%m%d"))
    assert count_active_trips(read_feed(path), day) == len(theirs) == 1396

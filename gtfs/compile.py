"""Compile one service day of a checked feed into a :class:`transit.Timetable`.

For a date *D* the compiled trips are

* the trips whose service runs on *D* (``calendar.txt`` weekday and range, then
  ``calendar_dates.txt`` additions and removals), with ``trip_day_offset`` 0;
* the trips of *D - 1* still running after midnight, shifted by ``-86400`` s
  with ``trip_day_offset`` -1 (a trip of *D - 1* is kept when one of its times
  is at or after 24:00 of its own day);
* every trip of ``frequencies.txt`` expanded: one copy per departure
  ``start_time + k * headway_secs < end_time`` (``exact_times`` 0 and 1 alike),
  its stop times shifted so the first departure is that departure. The
  template trip does not run at its own ``stop_times`` times.

Blank times at non-timepoint stops are interpolated between the timed stops
around them, in proportion to ``shape_dist_traveled`` when the three stops
have one, else to the straight-line (haversine) distance along the stops.
Times are ``int32`` seconds after *D*'s midnight, past 24:00 kept.

Grouping into non-overtaking patterns is :func:`transit.build.build_timetable`'s
job. The result can be cached on disk: the key hashes the feed bytes, the date,
the options and :data:`FORMAT_VERSION`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gtfs.errors import FeedError
from gtfs.reader import METRES_PER_UNIT, TABLES, Feed, read_feed
from gtfs.times import MISSING
from gtfs.zipsafe import DEFAULT_MAX_UNCOMPRESSED_BYTES, source_sha256
from transit.build import (
    RouteTable,
    ShapeTable,
    StopTable,
    TransferTable,
    TripEvents,
    build_timetable,
    concat_ranges,
)
from transit.errors import ModelError
from transit.timetable import Timetable
from transit.timetable_store import load_timetable, save_timetable

#: Bumped whenever the compiled layout or the compile rules change.
FORMAT_VERSION = 2  # 2: station-level transfers expanded to platforms

DAY_S = 86400
_EARTH_RADIUS_M = 6_371_008.8


def active_trip_rows(feed: Feed, service_date: date) -> NDArray[np.int64]:
    """Return the rows of ``trips.txt`` whose service runs on ``service_date``.

    Frequency templates count once; trips of the day before do not count.
    """
    services = feed.calendar.active_services(service_date)
    mask = np.fromiter((s in services for s in feed.trip_service), dtype=bool,
                       count=len(feed.trip_service))
    return np.flatnonzero(mask)


def active_trip_ids(feed: Feed, service_date: date) -> tuple[str, ...]:
    """Return the GTFS ``trip_id`` of every trip whose service runs on ``service_date``."""
    ids = np.asarray(_col(feed.trips, "trip_id"), dtype=object)
    return tuple(ids[active_trip_rows(feed, service_date)].tolist())


def count_active_trips(feed: Feed, service_date: date) -> int:
    """Return how many trips of ``trips.txt`` run on ``service_date``."""
    return len(active_trip_rows(feed, service_date))


def cache_key(feed_sha256: str, service_date: date, options: dict[str, object]) -> str:
    """Return the cache key of a compiled day (hex sha256)."""
    payload = json.dumps({"feed": feed_sha256, "date": service_date.isoformat(),
                          "options": options, "format": FORMAT_VERSION}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def compile_service_day(feed: Feed, service_date: date, *,
                        cache_dir: Path | None = None) -> Timetable:
    """Compile the trips running on ``service_date`` into a timetable.

    Parameters
    ----------
    feed
        A feed from :func:`gtfs.reader.read_feed`.
    service_date
        The service day *D*; times are seconds after its midnight.
    cache_dir
        When given, the compiled day is looked up there first and stored there
        after compiling, as ``<key>.npz`` (see :func:`cache_key` and
        :mod:`transit.timetable_store`); a damaged entry is recompiled.

    Returns
    -------
    Timetable

    Raises
    ------
    FeedError
        If ``service_date`` is not a date or the day cannot be compiled.
    """
    if not isinstance(service_date, date) or isinstance(service_date, datetime):
        raise FeedError(f"service_date: expected a datetime.date, got {service_date!r}")
    options = _options(feed.dist_units_requested)
    path = None
    if cache_dir is not None:
        path = Path(cache_dir) / f"{cache_key(feed.sha256, service_date, options)}.npz"
        cached = _load_cached(path)
        if cached is not None:
            return cached
    timetable = _compile(feed, service_date)
    if path is not None:
        _store(timetable, path)
    return timetable


def compile_feed_file(path: str | Path, service_date: date, *, cache_dir: Path | None = None,
                      max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES,
                      dist_units: str | None = None) -> Timetable:
    """Compile ``service_date`` of the feed at ``path``, reading it only on a cache miss.

    The cache is consulted with a hash of the feed's bytes, so a warm call
    neither parses nor checks the feed again.

    Parameters
    ----------
    path
        A GTFS zip or folder.
    service_date, cache_dir
        As for :func:`compile_service_day`.
    max_uncompressed_bytes, dist_units
        As for :func:`gtfs.reader.read_feed`.
    """
    if cache_dir is not None:
        sha = source_sha256(Path(path), wanted=frozenset(f"{t}.txt" for t in TABLES))
        key = cache_key(sha, service_date, _options(dist_units))
        cached = _load_cached(Path(cache_dir) / f"{key}.npz")
        if cached is not None:
            return cached
    feed = read_feed(path, max_uncompressed_bytes=max_uncompressed_bytes, dist_units=dist_units)
    return compile_service_day(feed, service_date, cache_dir=cache_dir)


def _options(dist_units: str | None) -> dict[str, object]:
    # inferred units are a function of the feed bytes, so "auto" is a sound key
    return {"dist_units": dist_units or "auto", "frequencies": "expand",
            "interpolate": "shape|line"}


def _load_cached(path: Path) -> Timetable | None:
    if not path.is_file():
        return None
    try:
        return load_timetable(path)
    except (OSError, ValueError, KeyError):
        return None  # a damaged entry is recompiled and overwritten


def _store(timetable: Timetable, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    save_timetable(timetable, path)


# -- the compile -----------------------------------------------------------

def utc_offset_at_noon(timezone: str, service_date: date) -> int:
    """Return the UTC offset (seconds) of ``timezone`` at noon of ``service_date``."""
    noon = datetime.combine(service_date, time(12), tzinfo=ZoneInfo(timezone))
    offset = noon.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _compile(feed: Feed, service_date: date) -> Timetable:
    st = feed.stop_times
    arrival, departure = interpolate_times(feed)
    offsets = st.trip_offsets
    lengths = np.diff(offsets)
    first_dep = np.full(len(lengths), MISSING, np.int64)
    last_arr = np.full(len(lengths), MISSING, np.int64)
    has = lengths > 0
    first_dep[has] = departure[offsets[:-1][has]]
    last_arr[has] = arrival[offsets[1:][has] - 1]
    runnable = lengths >= 2

    freq = feed.frequencies
    is_template = np.zeros(len(lengths), bool)
    is_template[freq.trip] = True

    rows: list[NDArray[np.int64]] = []
    shifts: list[NDArray[np.int64]] = []
    days: list[NDArray[np.int8]] = []
    for day_offset, day in ((-1, service_date - timedelta(days=1)), (0, service_date)):
        active = np.zeros(len(lengths), bool)
        active[active_trip_rows(feed, day)] = True
        active &= runnable
        plain = np.flatnonzero(active & ~is_template)
        plain_shift = np.zeros(len(plain), np.int64)
        # frequency copies: one per start in [start, end) by headway
        f_sel = np.flatnonzero(active[freq.trip])
        counts = np.maximum(
            (freq.end_s[f_sel].astype(np.int64) - freq.start_s[f_sel] + freq.headway_s[f_sel] - 1)
            // freq.headway_s[f_sel], 0)
        f_rows = np.repeat(freq.trip[f_sel].astype(np.int64), counts)
        k = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(
            np.cumsum(counts) - counts, counts)
        starts = np.repeat(freq.start_s[f_sel].astype(np.int64), counts) \
            + k * np.repeat(freq.headway_s[f_sel].astype(np.int64), counts)
        f_shift = starts - first_dep[f_rows]
        r = np.concatenate([plain, f_rows])
        s = np.concatenate([plain_shift, f_shift])
        if day_offset == -1:
            keep = last_arr[r] + s >= DAY_S
            r, s = r[keep], s[keep] - DAY_S
        rows.append(r)
        shifts.append(s)
        days.append(np.full(len(r), day_offset, np.int8))
    trip_rows = np.concatenate(rows)
    trip_shift = np.concatenate(shifts)
    trip_day = np.concatenate(days)
    order = np.lexsort((trip_shift, trip_rows, trip_day))
    trip_rows, trip_shift, trip_day = trip_rows[order], trip_shift[order], trip_day[order]

    n = lengths[trip_rows]
    new_offsets = np.zeros(len(trip_rows) + 1, np.int64)
    new_offsets[1:] = np.cumsum(n)
    gather = concat_ranges(offsets[:-1][trip_rows], n)
    shift_e = np.repeat(trip_shift, n)
    metres = METRES_PER_UNIT[feed.dist_units]
    trip_id_col = np.asarray(_col(feed.trips, "trip_id"), dtype=object)
    headsign = np.asarray(_col(feed.trips, "trip_headsign"), dtype=object)
    events = TripEvents(
        trip_ids=tuple(trip_id_col[trip_rows].tolist()),
        trip_headsigns=tuple(headsign[trip_rows].tolist()),
        trip_route=feed.trip_route[trip_rows].astype(np.int32),
        trip_shape=feed.trip_shape[trip_rows].astype(np.int32),
        trip_day_offset=trip_day,
        event_trip_offsets=new_offsets,
        event_stop=st.stop[gather],
        event_arrival_s=(arrival[gather] + shift_e).astype(np.int32),
        event_departure_s=(departure[gather] + shift_e).astype(np.int32),
        event_pickup_type=st.pickup_type[gather],
        event_drop_off_type=st.drop_off_type[gather],
        event_shape_dist_m=st.shape_dist[gather] * metres,
    )
    stops = feed.stops
    routes = feed.routes
    shapes = feed.shapes
    try:
        return build_timetable(
            service_date=service_date,
            timezone=feed.timezone,
            utc_offset_s=utc_offset_at_noon(feed.timezone, service_date),
            agency_names=feed.agency_names,
            stops=StopTable(tuple(_col(stops, "stop_id")), tuple(_col(stops, "stop_name")),
                            feed.stop_lat, feed.stop_lon),
            routes=RouteTable(tuple(_col(routes, "route_id")),
                              tuple(_col(routes, "route_short_name")),
                              tuple(_col(routes, "route_long_name")), feed.route_types),
            trips=events,
            transfers=TransferTable(feed.transfers.from_stop, feed.transfers.to_stop,
                                    feed.transfers.type, feed.transfers.min_s),
            shapes=ShapeTable(shapes.ids, shapes.point_offsets, shapes.lat, shapes.lon,
                              shapes.dist * metres),
        )
    except ModelError as exc:
        raise FeedError(f"cannot compile {service_date.isoformat()}: {exc}",
                        file="stop_times.txt") from None


def _col(frame: pd.DataFrame, name: str) -> list[str]:
    """Return a text column as strings, missing values as ``""``."""
    if name in frame.columns:
        return [str(v) for v in frame[name].astype("string").fillna("").tolist()]
    return [""] * len(frame)


def interpolate_times(feed: Feed) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Return arrival and departure seconds of every stop time, blanks interpolated.

    A blank stop time lies between the timed stops before and after it in its
    trip (the first and last stop of a trip are always timed). Its time is the
    previous departure plus the running time to the next arrival, in
    proportion to the distance travelled: ``shape_dist_traveled`` when every
    stop of the trip has one and it never decreases, else the cumulative
    haversine distance between consecutive stops. Equal distances share
    the gap by position. Times are rounded to whole seconds.
    """
    st = feed.stop_times
    arr = st.arrival_s.astype(np.int64)
    dep = st.departure_s.astype(np.int64)
    blank = arr == MISSING
    if not blank.any():
        return arr, dep
    n = len(arr)
    idx = np.arange(n)
    timed = ~blank
    prev = np.maximum.accumulate(np.where(timed, idx, -1))
    nxt = np.minimum.accumulate(np.where(timed, idx, n)[::-1])[::-1]
    b = np.flatnonzero(blank)
    p, q = prev[b], nxt[b]

    # straight-line distance along the trip's stops
    lat = np.radians(feed.stop_lat[st.stop])
    lon = np.radians(feed.stop_lon[st.stop])
    hop = np.zeros(n)
    if n > 1:
        dlat, dlon = lat[1:] - lat[:-1], lon[1:] - lon[:-1]
        h = np.sin(dlat / 2) ** 2 + np.cos(lat[1:]) * np.cos(lat[:-1]) * np.sin(dlon / 2) ** 2
        hop[1:] = 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
    hop[st.trip_offsets[:-1][np.diff(st.trip_offsets) > 0]] = 0.0
    hop = np.nan_to_num(hop)
    cum = np.cumsum(hop)
    line_frac = _fraction(cum[b], cum[p], cum[q])
    # shape_dist_traveled only for trips where it is given everywhere, never decreasing
    sd = st.shape_dist
    unusable = ~np.isfinite(sd)
    unusable[1:] |= (sd[1:] < sd[:-1]) & (st.trip[1:] == st.trip[:-1])
    bad_trip = np.bincount(st.trip, weights=unusable, minlength=len(st.trip_offsets) - 1) > 0
    use_shape = ~bad_trip[st.trip[b]]
    shape_frac = _fraction(sd[b], sd[p], sd[q])
    frac = np.where(use_shape, shape_frac, line_frac)
    # equal distances (or no coordinates): share the gap by position
    by_pos = (b - p) / (q - p)
    frac = np.where(np.isfinite(frac), frac, by_pos)
    t = dep[p] + np.rint(frac * (arr[q] - dep[p])).astype(np.int64)
    arr = arr.copy()
    dep = dep.copy()
    arr[b] = t
    dep[b] = t
    return arr, dep


def _fraction(x: NDArray[np.float64], lo: NDArray[np.float64],
              hi: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(x - lo) / (hi - lo)`` when ``lo <= x <= hi`` and ``lo < hi``, else NaN."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = (lo <= x) & (x <= hi) & (lo < hi)
        return np.where(ok, (x - lo) / np.where(ok, hi - lo, 1.0), np.nan)

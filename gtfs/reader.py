"""Read a GTFS feed (zip or folder), check it, and convert it once to arrays.

The members are read through :mod:`gtfs.zipsafe` (names checked, size capped,
nothing extracted) and parsed with pandas as strings (``dtype=str``, so
``"007"`` stays ``"007"``), then handed to :class:`gtfs_kit.Feed`. Everything
the compiler needs is converted here, once and vectorised: times to int
seconds, ids to row indices, stop_times sorted by trip and ``stop_sequence``.

Errors (:class:`~gtfs.errors.FeedError`, rendered ``file:line: message``, the
header being line 1) are what no planner can work around: a missing required
file or column, a malformed time, number or date, a trip going back in time,
a dangling reference, a stop without coordinates, a duplicated id. Anything a
planner can live with is a warning on :attr:`Feed.warnings`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import gtfs_kit
import gtfs_kit.constants as gtfs_kit_constants
import numpy as np
import pandas as pd
from gtfs_kit.shapes import infer_dist_units
from numpy.typing import NDArray

from gtfs.calendar import ServiceCalendar
from gtfs.errors import FeedError
from gtfs.times import MISSING, format_time, parse_times
from gtfs.zipsafe import DEFAULT_MAX_UNCOMPRESSED_BYTES, read_feed_files

__all__ = ["DEFAULT_MAX_UNCOMPRESSED_BYTES", "Feed", "read_feed"]

TABLES = ("agency", "stops", "routes", "trips", "stop_times", "calendar", "calendar_dates",
          "frequencies", "transfers", "shapes", "feed_info", "fare_attributes", "fare_rules",
          "attributions")
REQUIRED_TABLES = ("agency", "stops", "routes", "trips", "stop_times")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "agency": ("agency_name", "agency_timezone"),
    "stops": ("stop_id", "stop_lat", "stop_lon"),
    "routes": ("route_id", "route_type"),
    "trips": ("route_id", "service_id", "trip_id"),
    "stop_times": ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"),
    "calendar": ("service_id", *WEEKDAYS, "start_date", "end_date"),
    "calendar_dates": ("service_id", "date", "exception_type"),
    "frequencies": ("trip_id", "start_time", "end_time", "headway_secs"),
    "transfers": ("from_stop_id", "to_stop_id", "transfer_type"),
    "shapes": ("shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"),
}
METRES_PER_UNIT = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "ft": 0.3048}

_PANDAS_LINE = re.compile(r"line (\d+)")

IntArray = NDArray[np.int32]
I64Array = NDArray[np.int64]
I8Array = NDArray[np.int8]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class StopTimeArrays:
    """``stop_times.txt`` as arrays sorted by trip (row of trips.txt) then stop_sequence.

    Events of trip row ``t`` are ``trip_offsets[t]:trip_offsets[t + 1]``.
    Times are seconds (``-1`` when blank; when only one of arrival and
    departure is given the other takes its value). ``shape_dist`` is in the
    feed's ``dist_units`` (NaN when blank); ``line`` is the line in the file.
    """

    trip: IntArray
    stop: IntArray
    sequence: I64Array
    arrival_s: IntArray
    departure_s: IntArray
    pickup_type: I8Array
    drop_off_type: I8Array
    shape_dist: FloatArray
    line: I64Array
    trip_offsets: I64Array


@dataclass(frozen=True, slots=True, eq=False)
class FrequencyArrays:
    """``frequencies.txt``: template trip row, window ``[start_s, end_s)`` and headway."""

    trip: IntArray
    start_s: IntArray
    end_s: IntArray
    headway_s: IntArray
    exact_times: I8Array


@dataclass(frozen=True, slots=True, eq=False)
class TransferArrays:
    """Stop-to-stop rows of ``transfers.txt`` (``min_s`` is -1 when blank)."""

    from_stop: IntArray
    to_stop: IntArray
    type: I8Array
    min_s: IntArray


@dataclass(frozen=True, slots=True, eq=False)
class ShapeArrays:
    """``shapes.txt`` sorted by shape then sequence; ``dist`` in ``dist_units``."""

    ids: tuple[str, ...]
    point_offsets: I64Array
    lat: FloatArray
    lon: FloatArray
    dist: FloatArray


@dataclass(frozen=True, slots=True, eq=False)
class Feed:
    """A checked GTFS feed: its tables, the arrays the compiler needs, and gtfs-kit.

    ``tables`` maps a table name (``"stops"``...) to the file as read: every
    column a string, blanks ``""``; row ``i`` is line ``i + 2`` of the file.
    Stops, routes and trips keep the order of their files, and the arrays
    index them by row. :attr:`gk` is the same feed as a ``gtfs_kit.Feed``,
    typed as ``gtfs_kit.read_feed`` types it (built on first use).
    ``dist_units`` is the unit of ``shape_dist_traveled``: ``dist_units_requested``
    when :func:`read_feed` was given one, else inferred by gtfs-kit.
    """

    source: Path
    sha256: str
    tables: dict[str, pd.DataFrame]
    dist_units: str
    warnings: tuple[str, ...]
    dist_units_requested: str | None
    timezone: str
    agency_names: tuple[str, ...]
    stop_lat: FloatArray
    stop_lon: FloatArray
    route_types: IntArray
    trip_route: IntArray
    trip_service: tuple[str, ...]
    trip_shape: IntArray
    calendar: ServiceCalendar
    stop_times: StopTimeArrays
    frequencies: FrequencyArrays
    transfers: TransferArrays
    shapes: ShapeArrays
    _memo: dict[str, gtfs_kit.Feed] = field(default_factory=dict, init=False, repr=False)

    @property
    def gk(self) -> gtfs_kit.Feed:
        """The feed as a typed ``gtfs_kit.Feed`` (so ``get_trips``... work on it)."""
        if "gk" not in self._memo:
            self._memo["gk"] = gtfs_kit.Feed(
                dist_units=self.dist_units,
                **{name: _as_gtfs_kit(name, df) for name, df in self.tables.items()})
        return self._memo["gk"]

    @property
    def agency(self) -> pd.DataFrame:
        """``agency.txt`` as read."""
        return self.tables["agency"]

    @property
    def stops(self) -> pd.DataFrame:
        """``stops.txt`` as read."""
        return self.tables["stops"]

    @property
    def routes(self) -> pd.DataFrame:
        """``routes.txt`` as read."""
        return self.tables["routes"]

    @property
    def trips(self) -> pd.DataFrame:
        """``trips.txt`` as read."""
        return self.tables["trips"]

    @property
    def n_stop_times(self) -> int:
        """Number of rows of ``stop_times.txt``."""
        return len(self.stop_times.trip)

    @property
    def service_date_range(self) -> tuple[date, date] | None:
        """First and last date covered by the calendar files."""
        return self.calendar.date_range()


class _Warnings:
    """Collect warnings, one line per kind of problem with its count."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[str, int]] = {}

    def add(self, kind: str, message: str, count: int = 1) -> None:
        if kind in self._items:
            first, n = self._items[kind]
            self._items[kind] = (first, n + count)
        else:
            self._items[kind] = (message, count)

    def result(self) -> tuple[str, ...]:
        out = []
        for message, n in self._items.values():
            out.append(message if n == 1 else f"{message} (and {n - 1} more like it)")
        return tuple(out)


def read_feed(path: str | Path, *,
              max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES,
              dist_units: str | None = None) -> Feed:
    """Read and check a GTFS feed.

    Parameters
    ----------
    path
        A GTFS ``.zip`` or a folder holding the ``.txt`` files.
    max_uncompressed_bytes
        Cap on the total uncompressed size of the tables read; a larger feed
        (or a zip bomb) is a :class:`FeedError`.
    dist_units
        Units of ``shape_dist_traveled`` (``"m"``, ``"km"``, ``"mi"``,
        ``"ft"``); inferred from the shapes by gtfs-kit when ``None``.

    Returns
    -------
    Feed

    Raises
    ------
    FeedError
        Naming the file and line of the first problem no planner can live with.
    OSError
        If ``path`` cannot be read.
    """
    if dist_units is not None and dist_units not in METRES_PER_UNIT:
        raise FeedError(f"dist_units: expected one of {sorted(METRES_PER_UNIT)}, "
                        f"got {dist_units!r}")
    raw = read_feed_files(Path(path), wanted=frozenset(f"{t}.txt" for t in TABLES),
                          max_uncompressed_bytes=max_uncompressed_bytes)
    tables: dict[str, pd.DataFrame] = {}
    warn = _Warnings()
    for name in TABLES:
        data = raw.files.get(f"{name}.txt")
        if data is not None:
            df = _read_csv(f"{name}.txt", data, warn)
            if df is not None:
                tables[name] = df
    for name in REQUIRED_TABLES:
        if name not in tables:
            raise FeedError("required file is missing or empty", file=f"{name}.txt")
        if tables[name].empty:
            raise FeedError("required file has a header but no rows", file=f"{name}.txt",
                            line=2)
    if "calendar" not in tables and "calendar_dates" not in tables:
        raise FeedError("required file is missing: a feed needs calendar.txt or "
                        "calendar_dates.txt", file="calendar.txt")
    for name, df in tables.items():
        for col in REQUIRED_COLUMNS.get(name, ()):
            if col not in df.columns:
                raise FeedError(f"missing required column {col!r}", file=f"{name}.txt", line=1)

    timezone, agency_names = _check_agency(tables["agency"], warn)
    stop_lat, stop_lon = _check_stops(tables["stops"])
    stop_index = pd.Index(tables["stops"]["stop_id"])
    route_types = _check_routes(tables["routes"], tables["agency"], warn)
    calendar = _check_calendar(tables.get("calendar"), tables.get("calendar_dates"), warn)
    shapes_df = tables.get("shapes")
    shapes = _check_shapes(shapes_df)
    units = dist_units or _infer_units(shapes_df, shapes)
    trips = tables["trips"]
    trip_route, trip_shape = _check_trips(trips, tables["routes"], calendar, shapes, warn)
    trip_index = pd.Index(trips["trip_id"])
    stop_times = _check_stop_times(tables["stop_times"], trip_index, stop_index,
                                   tables["stops"], warn)
    frequencies = _check_frequencies(tables.get("frequencies"), trip_index)
    transfers = _expand_station_transfers(
        _check_transfers(tables.get("transfers"), stop_index, warn), tables["stops"])
    used_routes = np.zeros(len(route_types), bool)
    used_routes[trip_route] = True
    if not used_routes.all():
        first = int(np.flatnonzero(~used_routes)[0])
        warn.add("route-no-trips", f"routes.txt:{first + 2}: route "
                 f"{tables['routes']['route_id'].iloc[first]!r} has no trips",
                 int((~used_routes).sum()))

    return Feed(
        source=raw.source, sha256=raw.sha256, tables=tables, dist_units=units,
        warnings=warn.result(), dist_units_requested=dist_units, timezone=timezone,
        agency_names=agency_names,
        stop_lat=stop_lat, stop_lon=stop_lon, route_types=route_types,
        trip_route=trip_route, trip_service=tuple(trips["service_id"].tolist()),
        trip_shape=trip_shape, calendar=calendar, stop_times=stop_times,
        frequencies=frequencies, transfers=transfers, shapes=shapes,
    )


# -- parsing helpers -------------------------------------------------------

def _as_gtfs_kit(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Type a checked table the way ``gtfs_kit.read_feed`` would (its ``DTYPES``).

    Blanks become missing values, so gtfs-kit's own functions (``get_trips``,
    ``compute_trip_stats``...) work on :attr:`Feed.gk`.
    """
    dtypes = gtfs_kit_constants.DTYPES.get(table, {})
    out = df.copy()
    for col in df.columns:
        dtype = str(dtypes.get(col, "string"))
        text = df[col].astype(str).str.strip()
        blank = text == ""
        if dtype == "string":
            out[col] = df[col].astype("string").mask(blank)
            continue
        values = pd.to_numeric(text.mask(blank), errors="coerce")
        if dtype.startswith("Int"):
            values = values.where(values == np.floor(values))
        out[col] = values.astype(pd.api.types.pandas_dtype(dtype))
    return out


_BLANK_LINE = re.compile(rb"\n[ \t\r]*\n")


def _read_csv(file: str, data: bytes, warn: _Warnings) -> pd.DataFrame | None:
    if not data.strip():
        return None
    blank = _BLANK_LINE.search(data.rstrip())
    if blank:
        line = data[:blank.start()].count(b"\n") + 2
        warn.add(f"blank-{file}", f"{file}:{line}: blank line inside the table is skipped; "
                 "line numbers reported after it are off by one per blank line")
    try:
        df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False,
                         na_filter=False, encoding="utf-8-sig", skipinitialspace=False)
    except UnicodeDecodeError as exc:
        raise FeedError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=file) from None
    except pd.errors.EmptyDataError:
        return None
    except pd.errors.ParserError as exc:
        m = _PANDAS_LINE.search(str(exc))
        raise FeedError(f"malformed CSV ({str(exc).strip()})", file=file,
                        line=int(m.group(1)) if m else None) from None
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _column(df: pd.DataFrame, col: str) -> pd.Series:
    """Return column ``col`` stripped, or all-blank when the column is absent."""
    if col not in df.columns:
        return pd.Series([""] * len(df), index=df.index, dtype=object)
    return df[col].astype(str).str.strip()


def _fail_at(file: str, row: int, message: str) -> FeedError:
    return FeedError(message, file=file, line=row + 2)


def _numbers(df: pd.DataFrame, col: str, file: str, *, integer: bool,
             default: float | None = None,
             allowed: Callable[[NDArray[np.float64]], NDArray[np.bool_]] | None = None,
             what: str = "") -> NDArray[np.float64]:
    """Parse a numeric column; blank is ``default`` (NaN when None)."""
    s = _column(df, col)
    values = np.array(pd.to_numeric(s.where(s != "", None), errors="coerce"), dtype=np.float64)
    blank = (s == "").to_numpy()
    with np.errstate(invalid="ignore"):
        bad = ~blank & ~np.isfinite(values)
        if integer:
            bad |= ~np.isnan(values) & ((values != np.floor(values))
                                        | (np.abs(values) > np.iinfo(np.int32).max))
    if allowed is not None:
        bad |= ~blank & ~np.isnan(values) & ~allowed(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        kind = what or ("an integer" if integer else "a number")
        raise _fail_at(file, i, f"{col} {s.iloc[i]!r} is not {kind}")
    if default is not None:
        values[blank] = default
    return values


def _check_unique(df: pd.DataFrame, col: str, file: str) -> None:
    dup = df[col].duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        value = df[col].iloc[i]
        first = int(np.flatnonzero((df[col] == value).to_numpy())[0])
        raise _fail_at(file, i, f"duplicated {col} {value!r} (first at line {first + 2})")


def _check_blank_ids(df: pd.DataFrame, col: str, file: str) -> None:
    blank = (df[col].astype(str).str.strip() == "").to_numpy()
    if blank.any():
        raise _fail_at(file, int(np.flatnonzero(blank)[0]), f"{col} is blank")


def _references(values: pd.Series, index: pd.Index, file: str, col: str,
                target: str) -> IntArray:
    idx = index.get_indexer(pd.Index(values))
    missing = idx < 0
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise _fail_at(file, i, f"{col} {values.iloc[i]!r} is not in {target}")
    return idx.astype(np.int32)


# -- table checks ----------------------------------------------------------

def _check_agency(agency: pd.DataFrame, warn: _Warnings) -> tuple[str, tuple[str, ...]]:
    zones = _column(agency, "agency_timezone")
    for i, tz in enumerate(zones):
        if not tz:
            raise _fail_at("agency.txt", i, "agency_timezone is blank")
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise _fail_at("agency.txt", i, f"agency_timezone {tz!r} is not a known "
                           "IANA time zone") from None
    if zones.nunique() > 1:
        warn.add("agency-tz", f"agency.txt: agencies use several time zones "
                 f"({', '.join(sorted(set(zones)))}); times are read in {zones.iloc[0]}")
    if "agency_id" in agency.columns and len(agency) > 1:
        _check_unique(agency, "agency_id", "agency.txt")
    return str(zones.iloc[0]), tuple(_column(agency, "agency_name").tolist())


def _check_stops(stops: pd.DataFrame) -> tuple[FloatArray, FloatArray]:
    _check_blank_ids(stops, "stop_id", "stops.txt")
    _check_unique(stops, "stop_id", "stops.txt")
    location = _numbers(stops, "location_type", "stops.txt", integer=True, default=0,
                        allowed=lambda v: (v >= 0) & (v <= 4), what="a location_type 0-4")
    lat = _numbers(stops, "stop_lat", "stops.txt", integer=False,
                   allowed=lambda v: np.abs(v) <= 90, what="a latitude")
    lon = _numbers(stops, "stop_lon", "stops.txt", integer=False,
                   allowed=lambda v: np.abs(v) <= 180, what="a longitude")
    needs = location <= 2  # stops, stations and entrances must be placed
    missing = needs & (np.isnan(lat) | np.isnan(lon))
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise _fail_at("stops.txt", i, f"stop {stops['stop_id'].iloc[i]!r} has no "
                       "coordinates (stop_lat/stop_lon blank)")
    return lat, lon


def _check_routes(routes: pd.DataFrame, agency: pd.DataFrame, warn: _Warnings) -> IntArray:
    _check_blank_ids(routes, "route_id", "routes.txt")
    _check_unique(routes, "route_id", "routes.txt")
    types = _numbers(routes, "route_type", "routes.txt", integer=True,
                     allowed=lambda v: v >= 0, what="a route_type")
    blank = np.isnan(types)
    if blank.any():
        raise _fail_at("routes.txt", int(np.flatnonzero(blank)[0]), "route_type is blank")
    if "agency_id" in routes.columns and "agency_id" in agency.columns:
        ids = _column(routes, "agency_id")
        known = ids.isin(set(_column(agency, "agency_id"))) | (ids == "")
        if not known.all():
            i = int(np.flatnonzero(~known.to_numpy())[0])
            warn.add("route-agency", f"routes.txt:{i + 2}: agency_id {ids.iloc[i]!r} is not "
                     "in agency.txt", int((~known).sum()))
    return types.astype(np.int32)


def _parse_dates(df: pd.DataFrame, col: str, file: str) -> I64Array:
    s = _column(df, col)
    parsed = pd.to_datetime(s, format="%Y%m%d", errors="coerce")
    bad = parsed.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _fail_at(file, i, f"{col} {s.iloc[i]!r} is not a YYYYMMDD date")
    days = parsed.to_numpy().astype("datetime64[D]").astype(np.int64)
    return days + date(1970, 1, 1).toordinal()


def _check_calendar(calendar: pd.DataFrame | None, calendar_dates: pd.DataFrame | None,
                    warn: _Warnings) -> ServiceCalendar:
    if calendar is not None:
        _check_blank_ids(calendar, "service_id", "calendar.txt")
        _check_unique(calendar, "service_id", "calendar.txt")
        flags = np.column_stack([
            _numbers(calendar, d, "calendar.txt", integer=True,
                     allowed=lambda v: (v == 0) | (v == 1), what="0 or 1") == 1
            for d in WEEKDAYS])
        start = _parse_dates(calendar, "start_date", "calendar.txt")
        end = _parse_dates(calendar, "end_date", "calendar.txt")
        backwards = end < start
        if backwards.any():
            raise _fail_at("calendar.txt", int(np.flatnonzero(backwards)[0]),
                           "end_date is before start_date")
        ids = tuple(calendar["service_id"].tolist())
    else:
        flags = np.zeros((0, 7), bool)
        start = end = np.zeros(0, np.int64)
        ids = ()
    if calendar_dates is not None:
        _check_blank_ids(calendar_dates, "service_id", "calendar_dates.txt")
        ex_date = _parse_dates(calendar_dates, "date", "calendar_dates.txt")
        ex_type = _numbers(calendar_dates, "exception_type", "calendar_dates.txt",
                           integer=True, allowed=lambda v: (v == 1) | (v == 2),
                           what="an exception_type 1 or 2")
        if np.isnan(ex_type).any():
            raise _fail_at("calendar_dates.txt", int(np.flatnonzero(np.isnan(ex_type))[0]),
                           "exception_type is blank")
        pair = pd.DataFrame({"s": calendar_dates["service_id"], "d": ex_date})
        dup = pair.duplicated().to_numpy()
        if dup.any():
            i = int(np.flatnonzero(dup)[0])
            warn.add("cd-dup", f"calendar_dates.txt:{i + 2}: service "
                     f"{calendar_dates['service_id'].iloc[i]!r} lists the same date twice",
                     int(dup.sum()))
        ex_ids = tuple(calendar_dates["service_id"].tolist())
        ex_t = ex_type.astype(np.int8)
    else:
        ex_date = np.zeros(0, np.int64)
        ex_t = np.zeros(0, np.int8)
        ex_ids = ()
    return ServiceCalendar(ids, start, end, flags, ex_ids, ex_date, ex_t)


def _check_shapes(shapes: pd.DataFrame | None) -> ShapeArrays:
    if shapes is None:
        z = np.zeros(0, np.float64)
        return ShapeArrays((), np.zeros(1, np.int64), z, z.copy(), z.copy())
    _check_blank_ids(shapes, "shape_id", "shapes.txt")
    lat = _numbers(shapes, "shape_pt_lat", "shapes.txt", integer=False,
                   allowed=lambda v: np.abs(v) <= 90, what="a latitude")
    lon = _numbers(shapes, "shape_pt_lon", "shapes.txt", integer=False,
                   allowed=lambda v: np.abs(v) <= 180, what="a longitude")
    seq = _numbers(shapes, "shape_pt_sequence", "shapes.txt", integer=True,
                   allowed=lambda v: v >= 0, what="a non-negative integer")
    dist = _numbers(shapes, "shape_dist_traveled", "shapes.txt", integer=False)
    for name, arr in (("shape_pt_lat", lat), ("shape_pt_lon", lon),
                      ("shape_pt_sequence", seq)):
        if np.isnan(arr).any():
            raise _fail_at("shapes.txt", int(np.flatnonzero(np.isnan(arr))[0]),
                           f"{name} is blank")
    codes, uniques = pd.factorize(shapes["shape_id"], sort=True)
    order = np.lexsort((seq, codes))
    counts = np.bincount(codes, minlength=len(uniques))
    offsets = np.zeros(len(uniques) + 1, np.int64)
    offsets[1:] = np.cumsum(counts)
    return ShapeArrays(tuple(str(u) for u in uniques), offsets, lat[order], lon[order],
                       dist[order])


def _infer_units(shapes_df: pd.DataFrame | None, shapes: ShapeArrays) -> str:
    if shapes_df is None or not np.isfinite(shapes.dist).any():
        return "km"
    ids = np.repeat(np.arange(len(shapes.ids)), np.diff(shapes.point_offsets))
    numeric = pd.DataFrame({
        "shape_id": np.asarray(shapes.ids, dtype=object)[ids] if len(ids) else [],
        "shape_pt_lat": shapes.lat, "shape_pt_lon": shapes.lon,
        "shape_pt_sequence": np.arange(len(ids)), "shape_dist_traveled": shapes.dist,
    })
    return str(infer_dist_units(numeric))


def _check_trips(trips: pd.DataFrame, routes: pd.DataFrame, calendar: ServiceCalendar,
                 shapes: ShapeArrays, warn: _Warnings) -> tuple[IntArray, IntArray]:
    _check_blank_ids(trips, "trip_id", "trips.txt")
    _check_unique(trips, "trip_id", "trips.txt")
    trip_route = _references(trips["route_id"], pd.Index(routes["route_id"]), "trips.txt",
                             "route_id", "routes.txt")
    services = set(calendar.service_ids) | set(calendar.exception_service_ids)
    known = trips["service_id"].isin(services).to_numpy()
    if not known.all():
        i = int(np.flatnonzero(~known)[0])
        warn.add("trip-service", f"trips.txt:{i + 2}: service_id "
                 f"{trips['service_id'].iloc[i]!r} is in neither calendar file; the trip "
                 "never runs", int((~known).sum()))
    shape_col = _column(trips, "shape_id")
    trip_shape = pd.Index(shapes.ids).get_indexer(pd.Index(shape_col)).astype(np.int32)
    dangling = (trip_shape < 0) & (shape_col != "").to_numpy()
    if dangling.any():
        i = int(np.flatnonzero(dangling)[0])
        warn.add("trip-shape", f"trips.txt:{i + 2}: shape_id {shape_col.iloc[i]!r} is not in "
                 "shapes.txt; the trip is used without a shape", int(dangling.sum()))
    return trip_route, trip_shape


def _check_stop_times(st: pd.DataFrame, trip_index: pd.Index, stop_index: pd.Index,
                      stops: pd.DataFrame, warn: _Warnings) -> StopTimeArrays:
    file = "stop_times.txt"
    trip = _references(st["trip_id"], trip_index, file, "trip_id", "trips.txt")
    stop = _references(st["stop_id"], stop_index, file, "stop_id", "stops.txt")
    seq = _numbers(st, "stop_sequence", file, integer=True, allowed=lambda v: v >= 0,
                   what="a non-negative integer")
    if np.isnan(seq).any():
        raise _fail_at(file, int(np.flatnonzero(np.isnan(seq))[0]), "stop_sequence is blank")
    arrival, departure = _times(st, "arrival_time", file), _times(st, "departure_time", file)
    pickup = _numbers(st, "pickup_type", file, integer=True, default=0,
                      allowed=lambda v: (v >= 0) & (v <= 3), what="a pickup_type 0-3")
    drop = _numbers(st, "drop_off_type", file, integer=True, default=0,
                    allowed=lambda v: (v >= 0) & (v <= 3), what="a drop_off_type 0-3")
    dist = _numbers(st, "shape_dist_traveled", file, integer=False)

    seq_i = seq.astype(np.int64)
    order = np.lexsort((seq_i, trip))
    trip, stop, seq_i = trip[order], stop[order], seq_i[order]
    arrival, departure = arrival[order], departure[order]
    line = order.astype(np.int64) + 2
    n = len(trip)
    same = np.zeros(max(n - 1, 0), bool)
    if n > 1:
        same = trip[1:] == trip[:-1]
    dup = np.flatnonzero(same & (seq_i[1:] == seq_i[:-1]))
    if dup.size:
        k = int(dup[0]) + 1
        raise FeedError(f"duplicated stop_sequence {seq_i[k]} in trip "
                        f"{trip_index[trip[k]]!r} (first at line {line[k - 1]})",
                        file=file, line=int(line[k]))
    arrival = np.where(arrival == MISSING, departure, arrival)
    departure = np.where(departure == MISSING, arrival, departure)
    early = np.flatnonzero(departure < arrival)
    if early.size:
        k = int(early[0])
        raise FeedError(f"trip {trip_index[trip[k]]!r} goes back in time: departure_time "
                        f"{format_time(int(departure[k]))} is before arrival_time "
                        f"{format_time(int(arrival[k]))}", file=file, line=int(line[k]))
    offsets = np.searchsorted(trip, np.arange(len(trip_index) + 1), side="left").astype(np.int64)
    lengths = np.diff(offsets)
    has = lengths > 0
    firsts, lasts = offsets[:-1][has], offsets[1:][has] - 1
    for ends, which in ((firsts, "first"), (lasts, "last")):
        untimed = ends[arrival[ends] == MISSING]
        if untimed.size:
            k = int(untimed[0])
            raise FeedError(f"the {which} stop of trip {trip_index[trip[k]]!r} has no "
                            "arrival_time or departure_time", file=file, line=int(line[k]))
    timed = np.flatnonzero(arrival != MISSING)
    if timed.size > 1:
        a, b = timed[:-1], timed[1:]
        back = np.flatnonzero((trip[a] == trip[b]) & (arrival[b] < departure[a]))
        if back.size:
            k, j = int(b[back[0]]), int(a[back[0]])
            raise FeedError(f"trip {trip_index[trip[k]]!r} goes back in time: arrival_time "
                            f"{format_time(int(arrival[k]))} is before departure_time "
                            f"{format_time(int(departure[j]))} at line {line[j]}",
                            file=file, line=int(line[k]))
    lonely = np.flatnonzero(lengths == 1)
    if lonely.size:
        warn.add("trip-one-stop", f"trips.txt:{int(lonely[0]) + 2}: trip "
                 f"{trip_index[lonely[0]]!r} has a single stop time; it is ignored",
                 int(lonely.size))
    empty = np.flatnonzero(lengths == 0)
    if empty.size:
        warn.add("trip-no-stops", f"trips.txt:{int(empty[0]) + 2}: trip "
                 f"{trip_index[empty[0]]!r} has no stop times; it is ignored", int(empty.size))
    location = _column(stops, "location_type").to_numpy()
    at_station = np.flatnonzero(~np.isin(location[stop], ["", "0"]))
    if at_station.size:
        k = int(at_station[0])
        warn.add("st-station", f"{file}:{line[k]}: stop_id {stops['stop_id'].iloc[stop[k]]!r} "
                 "is not a stop or platform (location_type is not 0)", int(at_station.size))
    return StopTimeArrays(
        trip=trip, stop=stop, sequence=seq_i, arrival_s=arrival.astype(np.int32),
        departure_s=departure.astype(np.int32), pickup_type=pickup[order].astype(np.int8),
        drop_off_type=drop[order].astype(np.int8), shape_dist=dist[order], line=line,
        trip_offsets=offsets,
    )


def _times(df: pd.DataFrame, col: str, file: str) -> IntArray:
    secs, bad = parse_times(df[col])
    if bad.size:
        i = int(bad[0])
        raise _fail_at(file, i, f"{col} {df[col].iloc[i]!r} is not a time H:MM:SS")
    return secs


def _check_frequencies(freq: pd.DataFrame | None, trip_index: pd.Index) -> FrequencyArrays:
    file = "frequencies.txt"
    if freq is None:
        z = np.zeros(0, np.int32)
        return FrequencyArrays(z, z.copy(), z.copy(), z.copy(), np.zeros(0, np.int8))
    trip = _references(freq["trip_id"], trip_index, file, "trip_id", "trips.txt")
    start, end = _times(freq, "start_time", file), _times(freq, "end_time", file)
    for name, arr in (("start_time", start), ("end_time", end)):
        if (arr == MISSING).any():
            raise _fail_at(file, int(np.flatnonzero(arr == MISSING)[0]), f"{name} is blank")
    backwards = end < start
    if backwards.any():
        raise _fail_at(file, int(np.flatnonzero(backwards)[0]), "end_time is before start_time")
    headway = _numbers(freq, "headway_secs", file, integer=True, allowed=lambda v: v > 0,
                       what="a positive integer")
    if np.isnan(headway).any():
        raise _fail_at(file, int(np.flatnonzero(np.isnan(headway))[0]), "headway_secs is blank")
    exact = _numbers(freq, "exact_times", file, integer=True, default=0,
                     allowed=lambda v: (v == 0) | (v == 1), what="0 or 1")
    return FrequencyArrays(trip, start, end, headway.astype(np.int32), exact.astype(np.int8))


def _check_transfers(transfers: pd.DataFrame | None, stop_index: pd.Index,
                     warn: _Warnings) -> TransferArrays:
    file = "transfers.txt"
    if transfers is None:
        z = np.zeros(0, np.int32)
        return TransferArrays(z, z.copy(), np.zeros(0, np.int8), z.copy())
    kind = _numbers(transfers, "transfer_type", file, integer=True, default=0,
                    allowed=lambda v: (v >= 0) & (v <= 5), what="a transfer_type 0-5")
    min_s = _numbers(transfers, "min_transfer_time", file, integer=True, default=-1,
                     allowed=lambda v: v >= 0, what="a non-negative integer")
    frm = stop_index.get_indexer(pd.Index(_column(transfers, "from_stop_id")))
    to = stop_index.get_indexer(pd.Index(_column(transfers, "to_stop_id")))
    keep = (frm >= 0) & (to >= 0) & (kind <= 3)
    for col in ("from_trip_id", "to_trip_id", "from_route_id", "to_route_id"):
        if col in transfers.columns:
            keep &= (_column(transfers, col) == "").to_numpy()
    if not keep.all():
        i = int(np.flatnonzero(~keep)[0])
        warn.add("transfer-skip", f"{file}:{i + 2}: transfer is not stop-to-stop between "
                 "known stops (or is an in-seat transfer); it is ignored", int((~keep).sum()))
    return TransferArrays(frm[keep].astype(np.int32), to[keep].astype(np.int32),
                          kind[keep].astype(np.int8), min_s[keep].astype(np.int32))


def _expand_station_transfers(transfers: TransferArrays, stops: pd.DataFrame) -> TransferArrays:
    """Apply a rule given for a station to every stop of that station.

    The GTFS reference says a ``transfers.txt`` stop id that names a station
    (``location_type`` 1) applies to all its stops. Vehicles only serve the
    child stops, so the rule is copied to each (from child, to child) pair; a
    rule written for the stops themselves is more specific and wins.
    """
    if len(transfers.from_stop) == 0 or "parent_station" not in stops.columns:
        return transfers
    parent = _column(stops, "parent_station").to_numpy()
    location = pd.to_numeric(_column(stops, "location_type"),
                             errors="coerce").fillna(0).to_numpy()
    stop_index = pd.Index(stops["stop_id"])
    child = np.flatnonzero((parent != "") & (location == 0))
    parent_idx = stop_index.get_indexer(pd.Index(parent[child]))
    children: dict[int, list[int]] = {}
    for c, p in zip(child.tolist(), parent_idx.tolist(), strict=True):
        if p >= 0 and location[p] == 1:
            children.setdefault(p, []).append(c)
    if not children:
        return transfers
    best: dict[tuple[int, int], tuple[int, int, int]] = {}  # pair -> (rank, type, min_s)
    for f, t, k, m in zip(transfers.from_stop.tolist(), transfers.to_stop.tolist(),
                          transfers.type.tolist(), transfers.min_s.tolist(), strict=True):
        froms = children.get(f, [f])
        tos = children.get(t, [t])
        rank = (f in children) + (t in children)
        for a in froms:
            for b in tos:
                old = best.get((a, b))
                if old is None or rank < old[0]:
                    best[(a, b)] = (rank, k, m)
    pairs = sorted(best)
    return TransferArrays(
        np.array([a for a, _ in pairs], np.int32),
        np.array([b for _, b in pairs], np.int32),
        np.array([best[p][1] for p in pairs], np.int8),
        np.array([best[p][2] for p in pairs], np.int32),
    )

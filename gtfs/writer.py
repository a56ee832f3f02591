"""Write GTFS string tables (and an on-demand service as GTFS-Flex) to a zip, deterministically.

The tables are those of :attr:`gtfs.reader.Feed.tables` (every column a string,
blanks ``""``), possibly edited by :mod:`gtfs.scenario_apply`. Members are
written in a fixed order (the reader's table order, then the Flex files) with a
fixed timestamp and permissions, so equal tables give equal bytes.

gtfs-kit 13 has no validator (its ``validators`` module was removed), so
:func:`check_structure` checks the GTFS reference's structural rules itself
before anything is written: required files and fields, unique ids, every
reference resolving, ``stop_sequence`` increasing, and times never going back.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from gtfs.errors import FeedError
from gtfs.ondemand import CONFIG_FILE, write_flex
from gtfs.ondemand_config import write_config
from gtfs.reader import TABLES
from gtfs.times import MISSING, parse_times
from transit.ondemand import OnDemandService

__all__ = ["ZIP_TIMESTAMP", "check_structure", "write_gtfs"]

#: Timestamp of every member, so the same tables give the same bytes.
ZIP_TIMESTAMP = (2026, 1, 1, 0, 0, 0)

#: Fields the GTFS reference requires (conditionally required ones are checked below).
REQUIRED_FIELDS: Mapping[str, tuple[str, ...]] = {
    "agency": ("agency_name", "agency_url", "agency_timezone"),
    "stops": ("stop_id",),
    "routes": ("route_id", "route_type"),
    "trips": ("route_id", "service_id", "trip_id"),
    "stop_times": ("trip_id", "stop_id", "stop_sequence"),
    "calendar": ("service_id", "monday", "tuesday", "wednesday", "thursday", "friday",
                 "saturday", "sunday", "start_date", "end_date"),
    "calendar_dates": ("service_id", "date", "exception_type"),
    "frequencies": ("trip_id", "start_time", "end_time", "headway_secs"),
    "shapes": ("shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"),
}
_UNIQUE = {"stops": "stop_id", "routes": "route_id", "trips": "trip_id",
           "calendar": "service_id"}
_REFERENCES = (("trips", "route_id", "routes", "route_id"),
               ("stop_times", "trip_id", "trips", "trip_id"),
               ("stop_times", "stop_id", "stops", "stop_id"),
               ("frequencies", "trip_id", "trips", "trip_id"),
               ("transfers", "from_stop_id", "stops", "stop_id"),
               ("transfers", "to_stop_id", "stops", "stop_id"))


def _fail(table: str, row: int, message: str) -> FeedError:
    return FeedError(message, file=f"{table}.txt", line=row + 2)


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df.columns:
        return pd.Series([""] * len(df), index=df.index, dtype=object)
    return df[col].astype(str).str.strip()


def check_structure(tables: Mapping[str, pd.DataFrame]) -> None:
    """Check the GTFS reference's structural rules on string tables.

    Parameters
    ----------
    tables
        Table name (``"stops"``) to a frame of strings.

    Raises
    ------
    FeedError
        ``file:line: message`` for the first broken rule (lines as the file
        would be written: header line 1).
    """
    for name in ("agency", "stops", "routes", "trips", "stop_times"):
        if name not in tables or tables[name].empty:
            raise FeedError("required file is missing or empty", file=f"{name}.txt")
    if "calendar" not in tables and "calendar_dates" not in tables:
        raise FeedError("a feed needs calendar.txt or calendar_dates.txt", file="calendar.txt")
    for name, cols in REQUIRED_FIELDS.items():
        df = tables.get(name)
        if df is None:
            continue
        for col in cols:
            if col not in df.columns:
                raise FeedError(f"missing required column {col!r}", file=f"{name}.txt", line=1)
            blank = (_text(df, col) == "").to_numpy()
            if blank.any():
                raise _fail(name, int(np.flatnonzero(blank)[0]), f"{col} is blank")
    for name, col in _UNIQUE.items():
        df = tables.get(name)
        if df is not None:
            dup = df[col].duplicated().to_numpy()
            if dup.any():
                i = int(np.flatnonzero(dup)[0])
                raise _fail(name, i, f"duplicated {col} {df[col].iloc[i]!r}")
    routes = tables["routes"]
    names = (_text(routes, "route_short_name") == "") & (_text(routes, "route_long_name") == "")
    if names.any():
        raise _fail("routes", int(np.flatnonzero(names.to_numpy())[0]),
                    "route_short_name and route_long_name are both blank")
    stops = tables["stops"]
    location = _text(stops, "location_type")
    needs_xy = location.isin(["", "0", "1", "2"]).to_numpy()
    for col in ("stop_name", "stop_lat", "stop_lon"):
        if col not in stops.columns and needs_xy.any():
            raise FeedError(f"missing required column {col!r} (stops, stations and entrances "
                            "need it)", file="stops.txt", line=1)
        missing = needs_xy & (_text(stops, col) == "").to_numpy()
        if missing.any():
            raise _fail("stops", int(np.flatnonzero(missing)[0]),
                        f"{col} is blank (required for a stop, station or entrance)")
    for table, col, target, key in _REFERENCES:
        df = tables.get(table)
        if df is None or col not in df.columns:
            continue
        values = _text(df, col)
        bad = ~values.isin(set(tables[target][key])) & (values != "")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise _fail(table, i, f"{col} {values.iloc[i]!r} is not in {target}.txt")
    services = set()
    for name in ("calendar", "calendar_dates"):
        if name in tables:
            services |= set(tables[name]["service_id"])
    unknown = ~tables["trips"]["service_id"].isin(services)
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise _fail("trips", i, f"service_id {tables['trips']['service_id'].iloc[i]!r} is in "
                    "neither calendar file")
    _check_stop_times(tables["stop_times"])


def _check_stop_times(st: pd.DataFrame) -> None:
    seq = pd.to_numeric(st["stop_sequence"], errors="coerce").to_numpy()
    bad = np.isnan(seq) | (np.nan_to_num(seq) < 0) | (np.nan_to_num(seq) != np.floor(
        np.nan_to_num(seq)))
    if bad.any():
        raise _fail("stop_times", int(np.flatnonzero(bad)[0]),
                    "stop_sequence is not a non-negative integer")
    arr, bad_a = parse_times(st["arrival_time"])
    dep, bad_d = parse_times(st["departure_time"])
    if bad_a.size or bad_d.size:
        i = int(bad_a[0] if bad_a.size else bad_d[0])
        raise _fail("stop_times", i, "arrival_time or departure_time is not H:MM:SS")
    trip_codes, _ = pd.factorize(st["trip_id"])
    order = np.lexsort((seq, trip_codes))
    t, q = trip_codes[order], seq[order]
    a = np.where(arr == MISSING, dep, arr)[order].astype(np.int64)
    d = np.where(dep == MISSING, arr, dep)[order].astype(np.int64)
    same = t[1:] == t[:-1]
    dup = np.flatnonzero(same & (q[1:] == q[:-1]))
    if dup.size:
        raise _fail("stop_times", int(order[dup[0] + 1]), "stop_sequence repeats in its trip")
    first = np.ones(len(t), bool)
    first[1:] = ~same
    last = np.ones(len(t), bool)
    last[:-1] = ~same
    untimed = (first | last) & (a == MISSING)
    if untimed.any():
        raise _fail("stop_times", int(order[np.flatnonzero(untimed)[0]]),
                    "the first and last stop of a trip must be timed")
    if ((d < a) & (a != MISSING)).any():
        raise _fail("stop_times", int(order[np.flatnonzero((d < a) & (a != MISSING))[0]]),
                    "departure_time is before arrival_time")
    timed = np.flatnonzero(a != MISSING)
    if timed.size > 1:
        prev, nxt = timed[:-1], timed[1:]
        back = (t[prev] == t[nxt]) & (a[nxt] < d[prev])
        if back.any():
            raise _fail("stop_times", int(order[nxt[np.flatnonzero(back)[0]]]),
                        "trip goes back in time")
    counts = np.bincount(trip_codes)
    if (counts < 2).any():
        lonely = int(np.flatnonzero(counts < 2)[0])
        raise _fail("stop_times", int(np.flatnonzero(trip_codes == lonely)[0]),
                    "trip has fewer than two stop times")


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _csv(df: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    df.astype(str).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8")


def write_gtfs(tables: Mapping[str, pd.DataFrame], path: str | Path, *,
               ondemand: OnDemandService | None = None,
               config_path: str | Path | None = None) -> Path:
    """Write a GTFS zip from string tables, with the on-demand service as GTFS-Flex.

    Parameters
    ----------
    tables
        Table name to a frame of strings (as :attr:`gtfs.reader.Feed.tables`);
        checked with :func:`check_structure` first.
    path
        The zip to write (replaced atomically).
    ondemand
        When given, its ``locations.geojson`` and ``booking_rules.txt`` go into
        the zip (:func:`gtfs.ondemand.write_flex`) and its YAML file to
        ``config_path`` (default: ``drt_service.yaml`` beside the zip).
    config_path
        Where the on-demand YAML file goes.

    Returns
    -------
    Path
        The zip written.

    Raises
    ------
    FeedError
        If the tables break a structural rule (nothing is written).
    """
    check_structure(tables)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    members: list[tuple[str, bytes]] = []
    order = [t for t in TABLES if t in tables] + sorted(set(tables) - set(TABLES))
    for name in order:
        members.append((f"{name}.txt", _csv(tables[name])))
    if ondemand is not None:
        with tempfile.TemporaryDirectory() as tmp:
            for written in sorted(write_flex(ondemand, tmp)):
                if written.name != CONFIG_FILE:
                    members.append((written.name, written.read_bytes()))
    tmp_zip = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp_zip, "w") as zf:
        for name, data in members:
            zf.writestr(_info(name), data)
    tmp_zip.replace(path)
    if ondemand is not None:
        target = Path(config_path) if config_path is not None else path.parent / CONFIG_FILE
        feed = path.name if target.parent.resolve() == path.parent.resolve() else str(path)
        write_config(ondemand, target, feed=feed)
    return path

"""Build a :class:`~transit.timetable.Timetable` from trips given as event arrays.

This is the one place where trips are grouped into RAPTOR patterns. The GTFS
compiler (``gtfs.compile``), scenario edits and tests all call
:func:`build_timetable`, so the pattern invariants are established once.

Grouping rule: two trips share a pattern when they belong to the same route,
visit the same stop sequence, and do not overtake each other. Trips with the
same route and stop sequence are sorted by their departure at the first stop
and assigned greedily to the first pattern whose last trip they do not
overtake at any stop (neither in arrival nor in departure); otherwise they open
a new pattern. The result is totally ordered at every stop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from transit.errors import ModelError
from transit.timetable import Timetable


@dataclass(frozen=True, slots=True, eq=False)
class TripEvents:
    """Trips as contiguous stop events, trip after trip, in travel order.

    ``event_trip_offsets[t]:event_trip_offsets[t + 1]`` are the events of trip
    ``t``. Times are seconds after the service day's midnight.
    """

    trip_ids: tuple[str, ...]
    trip_headsigns: tuple[str, ...]
    trip_route: NDArray[np.int32]
    trip_shape: NDArray[np.int32]
    trip_day_offset: NDArray[np.int8]
    event_trip_offsets: NDArray[np.int64]
    event_stop: NDArray[np.int32]
    event_arrival_s: NDArray[np.int32]
    event_departure_s: NDArray[np.int32]
    event_pickup_type: NDArray[np.int8]
    event_drop_off_type: NDArray[np.int8]
    event_shape_dist_m: NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class StopTable:
    """Stops: GTFS ids, names and WGS84 coordinates."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class RouteTable:
    """Routes: GTFS ids, names and ``route_type`` codes."""

    ids: tuple[str, ...]
    short_names: tuple[str, ...]
    long_names: tuple[str, ...]
    types: NDArray[np.int32]


@dataclass(frozen=True, slots=True, eq=False)
class TransferTable:
    """Stop-to-stop rules of ``transfers.txt`` (``min_s`` is -1 when not given)."""

    from_stop: NDArray[np.int32]
    to_stop: NDArray[np.int32]
    type: NDArray[np.int8]
    min_s: NDArray[np.int32]

    @staticmethod
    def empty() -> TransferTable:
        """Return a table without rules."""
        return TransferTable(np.zeros(0, np.int32), np.zeros(0, np.int32),
                             np.zeros(0, np.int8), np.zeros(0, np.int32))


@dataclass(frozen=True, slots=True, eq=False)
class ShapeTable:
    """Shapes as concatenated point arrays (distance NaN when unknown)."""

    ids: tuple[str, ...]
    point_offsets: NDArray[np.int64]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    dist_m: NDArray[np.float64]

    @staticmethod
    def empty() -> ShapeTable:
        """Return a table without shapes."""
        z = np.zeros(0, np.float64)
        return ShapeTable((), np.zeros(1, np.int64), z, z.copy(), z.copy())


def build_timetable(
    *,
    service_date: date,
    timezone: str,
    utc_offset_s: int,
    agency_names: tuple[str, ...],
    stops: StopTable,
    routes: RouteTable,
    trips: TripEvents,
    transfers: TransferTable | None = None,
    shapes: ShapeTable | None = None,
) -> Timetable:
    """Group trips into patterns and lay the events out for RAPTOR.

    Parameters
    ----------
    service_date, timezone, utc_offset_s, agency_names
        Describe the service day; kept on the timetable.
    stops, routes, trips, transfers, shapes
        The model, already converted to integer indices and seconds.

    Returns
    -------
    Timetable
        With patterns whose trips never overtake each other.

    Raises
    ------
    ModelError
        If a trip has fewer than two events, references an unknown stop or
        route, or goes back in time; the message names the trip.
    """
    transfers = transfers if transfers is not None else TransferTable.empty()
    shapes = shapes if shapes is not None else ShapeTable.empty()
    n_stops = len(stops.ids)
    n_trips = len(trips.trip_ids)
    offsets = trips.event_trip_offsets.astype(np.int64)
    if len(offsets) != n_trips + 1:
        raise ModelError("event_trip_offsets: expected one more entry than trips")
    _check_trips(trips, n_stops, len(routes.ids), offsets)

    # 1. group trips by (route, stop sequence)
    groups: dict[tuple[int, bytes], list[int]] = {}
    stop_bytes = trips.event_stop.astype(np.int32)
    for t in range(n_trips):
        key = (int(trips.trip_route[t]), stop_bytes[offsets[t]:offsets[t + 1]].tobytes())
        groups.setdefault(key, []).append(t)

    # 2. split each group into non-overtaking patterns
    pattern_trip_lists: list[list[int]] = []
    pattern_routes: list[int] = []
    arr, dep = trips.event_arrival_s, trips.event_departure_s
    for (route, _), members in sorted(groups.items(), key=lambda kv: kv[1][0]):
        n_s = int(offsets[members[0] + 1] - offsets[members[0]])
        idx = np.asarray(members, dtype=np.int64)
        starts = offsets[idx]
        cols = starts[:, None] + np.arange(n_s)[None, :]
        a_blk, d_blk = arr[cols], dep[cols]
        order = np.lexsort((a_blk[:, -1], d_blk[:, 0]))
        subs: list[list[int]] = []
        last_rows: list[int] = []
        for row in order:
            for k, prev in enumerate(last_rows):
                if np.all(a_blk[row] >= a_blk[prev]) and np.all(d_blk[row] >= d_blk[prev]):
                    subs[k].append(members[row])
                    last_rows[k] = int(row)
                    break
            else:
                subs.append([members[row]])
                last_rows.append(int(row))
        for sub in subs:
            pattern_trip_lists.append(sub)
            pattern_routes.append(route)

    # 3. lay events out trip-major per pattern
    n_patterns = len(pattern_trip_lists)
    pattern_trips = np.fromiter((t for sub in pattern_trip_lists for t in sub),
                                dtype=np.int32, count=n_trips)
    pattern_trip_offsets = np.zeros(n_patterns + 1, np.int64)
    pattern_trip_offsets[1:] = np.cumsum([len(s) for s in pattern_trip_lists])
    trip_pattern = np.empty(n_trips, np.int32)
    trip_pattern[pattern_trips] = np.repeat(np.arange(n_patterns, dtype=np.int32),
                                            np.diff(pattern_trip_offsets))
    lengths = (offsets[1:] - offsets[:-1])
    first_trip = pattern_trips[pattern_trip_offsets[:-1]] if n_patterns else pattern_trips
    pattern_n_stops = lengths[first_trip]
    pattern_stop_offsets = np.zeros(n_patterns + 1, np.int64)
    pattern_stop_offsets[1:] = np.cumsum(pattern_n_stops)
    pattern_stops = np.concatenate(
        [stop_bytes[offsets[t]:offsets[t + 1]] for t in first_trip]
    ).astype(np.int32) if n_patterns else np.zeros(0, np.int32)
    pattern_event_offsets = np.zeros(n_patterns + 1, np.int64)
    pattern_event_offsets[1:] = np.cumsum(pattern_n_stops * np.diff(pattern_trip_offsets))
    gather = concat_ranges(offsets[pattern_trips], lengths[pattern_trips])

    # 4. stop -> (pattern, position)
    pat_of_slot = np.repeat(np.arange(n_patterns, dtype=np.int32), pattern_n_stops)
    pos_of_slot = (np.arange(len(pattern_stops), dtype=np.int64)
                   - np.repeat(pattern_stop_offsets[:-1], pattern_n_stops)).astype(np.int32)
    by_stop = np.lexsort((pos_of_slot, pat_of_slot, pattern_stops))
    stop_pattern_offsets = np.zeros(n_stops + 1, np.int64)
    stop_pattern_offsets[1:] = np.cumsum(np.bincount(pattern_stops, minlength=n_stops))

    return Timetable(
        service_date=service_date,
        timezone=timezone,
        utc_offset_s=utc_offset_s,
        agency_names=agency_names,
        stop_ids=stops.ids,
        stop_names=stops.names,
        stop_lat=np.asarray(stops.lat, np.float64),
        stop_lon=np.asarray(stops.lon, np.float64),
        route_ids=routes.ids,
        route_short_names=routes.short_names,
        route_long_names=routes.long_names,
        route_types=np.asarray(routes.types, np.int32),
        trip_ids=trips.trip_ids,
        trip_headsigns=trips.trip_headsigns,
        trip_route=np.asarray(trips.trip_route, np.int32),
        trip_pattern=trip_pattern,
        trip_shape=np.asarray(trips.trip_shape, np.int32),
        trip_day_offset=np.asarray(trips.trip_day_offset, np.int8),
        pattern_route=np.asarray(pattern_routes, np.int32),
        pattern_stop_offsets=pattern_stop_offsets,
        pattern_stops=pattern_stops,
        pattern_trip_offsets=pattern_trip_offsets,
        pattern_trips=pattern_trips,
        pattern_event_offsets=pattern_event_offsets,
        arrival_s=np.ascontiguousarray(arr[gather], np.int32),
        departure_s=np.ascontiguousarray(dep[gather], np.int32),
        pickup_type=np.ascontiguousarray(trips.event_pickup_type[gather], np.int8),
        drop_off_type=np.ascontiguousarray(trips.event_drop_off_type[gather], np.int8),
        shape_dist_m=np.ascontiguousarray(trips.event_shape_dist_m[gather], np.float64),
        stop_pattern_offsets=stop_pattern_offsets,
        stop_patterns=np.ascontiguousarray(pat_of_slot[by_stop]),
        stop_pattern_positions=np.ascontiguousarray(pos_of_slot[by_stop]),
        transfer_from_stop=transfers.from_stop,
        transfer_to_stop=transfers.to_stop,
        transfer_type=transfers.type,
        transfer_min_s=transfers.min_s,
        shape_ids=shapes.ids,
        shape_point_offsets=shapes.point_offsets,
        shape_lat=shapes.lat,
        shape_lon=shapes.lon,
        shape_point_dist_m=shapes.dist_m,
    )


def concat_ranges(starts: NDArray[np.int64], lengths: NDArray[np.int64]) -> NDArray[np.int64]:
    """Concatenate ``range(s, s + n)`` for every pair, without a Python loop.

    Parameters
    ----------
    starts, lengths
        Equal-length arrays: where each run starts and how many it holds (``>= 0``).

    Returns
    -------
    numpy.ndarray
        ``int64`` indices, ``lengths.sum()`` of them, run after run.
    """
    heads = np.zeros(len(lengths), np.int64)
    if len(lengths) > 1:
        heads[1:] = np.cumsum(lengths)[:-1]
    total = int(lengths.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(heads - starts, lengths)


def _check_trips(trips: TripEvents, n_stops: int, n_routes: int,
                 offsets: NDArray[np.int64]) -> None:
    lengths = np.diff(offsets)
    short = np.flatnonzero(lengths < 2)
    if short.size:
        raise ModelError(f"trip {trips.trip_ids[short[0]]!r}: fewer than two stop events")
    if trips.event_stop.size and (trips.event_stop.min() < 0
                                  or trips.event_stop.max() >= n_stops):
        raise ModelError("event_stop: stop index out of range")
    if trips.trip_route.size and (trips.trip_route.min() < 0
                                  or trips.trip_route.max() >= n_routes):
        raise ModelError("trip_route: route index out of range")
    arr, dep = trips.event_arrival_s, trips.event_departure_s
    bad = np.flatnonzero(dep < arr)
    if bad.size:
        t = int(np.searchsorted(offsets, bad[0], side="right") - 1)
        raise ModelError(f"trip {trips.trip_ids[t]!r}: departs before it arrives")
    same_trip = np.ones(len(arr) - 1, bool) if len(arr) else np.zeros(0, bool)
    same_trip[offsets[1:-1] - 1] = False
    back = np.flatnonzero(same_trip & (arr[1:] < dep[:-1]))
    if back.size:
        t = int(np.searchsorted(offsets, back[0], side="right") - 1)
        raise ModelError(f"trip {trips.trip_ids[t]!r}: goes back in time")

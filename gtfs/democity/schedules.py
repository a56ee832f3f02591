"""Timetables: departures from headway plans, stop times from running times.

BRT: every 10 min in the peaks, 15 min by day, 20-30 min early and late, from
05:30 to a last departure at 24:00 (so late trips run to ~25:20); weekend
daytime BRT runs as ``frequencies.txt`` (exact times, every 15 min). Feeders:
every 30 min in the peaks and 60 min otherwise on weekdays, hourly at
weekends. Out-and-back feeders turn at the far end after a 5-minute layover.

Running times are whole minutes per hop (at least one, except the deliberate
zero-second hop), scaled by +8 % in the peaks and -8 % late in the evening;
later trips never overtake earlier ones. Everything is built as integer
arrays, one block per pattern and service, without a loop over stop times.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gtfs.democity.network import BusNetwork, Pattern, Route
from gtfs.democity.services import WEEKDAY, WEEKEND

IntArray = NDArray[np.int64]

#: Headway plans: (first departure, end (exclusive), headway), minutes after midnight.
Plan = tuple[tuple[int, int, int], ...]
BRT_WEEKDAY: Plan = ((330, 420, 20), (420, 540, 10), (540, 990, 15), (990, 1140, 10),
                     (1140, 1320, 20), (1320, 1441, 30))
BRT_WEEKEND: Plan = ((360, 420, 20), (1140, 1411, 30))
BRT_WEEKEND_FREQUENCY = (420, 1140, 15)
FEEDER_WEEKDAY: Plan = ((390, 540, 30), (540, 990, 60), (990, 1140, 30), (1140, 1291, 60))
FEEDER_WEEKEND: Plan = ((420, 1201, 60),)
LAYOVER_MIN = 5
BRT_REVERSE_OFFSET_MIN = 5


@dataclass(frozen=True, slots=True, eq=False)
class Schedule:
    """Trips, their stop times (blank time = -1) and frequency windows."""

    trip_ids: tuple[str, ...]
    trip_route: IntArray  # index into network.routes
    trip_pattern: IntArray  # index into route.patterns
    trip_service: tuple[str, ...]
    st_trip: IntArray
    st_stop: IntArray
    st_sequence: IntArray
    st_arrival_s: IntArray
    st_departure_s: IntArray
    st_pickup: IntArray
    st_dist_m: NDArray[np.float64]
    st_timepoint: IntArray
    st_unpadded: NDArray[np.bool_]
    freq_trip: IntArray
    freq_start_s: IntArray
    freq_end_s: IntArray
    freq_headway_s: IntArray

    @property
    def n_trips(self) -> int:
        """Number of GTFS trips (a frequency template counts once)."""
        return len(self.trip_ids)

    @property
    def n_stop_times(self) -> int:
        """Number of stop_times rows."""
        return int(self.st_trip.size)


def departures(plan: Plan, offset_min: int) -> IntArray:
    """Return departure minutes of ``plan`` shifted by ``offset_min``."""
    parts = [np.arange(a, b, h, dtype=np.int64) for a, b, h in plan]
    return np.concatenate(parts) + offset_min


def speed_factor(dep_min: IntArray, *, weekday: bool) -> NDArray[np.float64]:
    """Return the running-time factor of trips leaving at ``dep_min``."""
    f = np.ones(dep_min.size)
    if weekday:
        peak = ((dep_min >= 420) & (dep_min < 540)) | ((dep_min >= 1020) & (dep_min < 1140))
        f[peak] = 1.08
    f[dep_min >= 1260] = 0.92
    return f


def trip_offsets_min(pattern: Pattern, factor: NDArray[np.float64]) -> IntArray:
    """Return the (trips x stops) minutes after departure for each trip factor.

    The cumulative running time is rounded (so rounding errors do not pile up
    along a long route), then every hop is stretched to at least one minute,
    except hops whose base running time is zero.
    """
    cum = np.zeros((factor.size, pattern.stops.size))
    cum[:, 1:] = np.cumsum(pattern.hop_s[None, :] * factor[:, None], axis=1) / 60.0
    moving = np.zeros(pattern.stops.size, dtype=np.int64)
    moving[1:] = np.cumsum(pattern.hop_s > 0.0)
    slack = np.maximum.accumulate(np.rint(cum).astype(np.int64) - moving[None, :], axis=1)
    return slack + moving[None, :]


@dataclass(slots=True)
class _Blocks:
    trip_ids: list[str]
    trip_route: list[int]
    trip_pattern: list[int]
    trip_service: list[str]
    times: list[IntArray]  # trips x stops, seconds
    owners: list[tuple[int, int, int]]  # (route, pattern, first trip)
    freq: list[tuple[int, int, int, int]]


def build_schedule(network: BusNetwork) -> Schedule:
    """Timetable every route of ``network`` for both services."""
    b = _Blocks([], [], [], [], [], [], [])
    for r, route in enumerate(network.routes):
        for service in (WEEKDAY, WEEKEND):
            _route_service(b, r, route, service)
    st_trip, st_stop, st_seq, st_time, st_pick, st_dist, st_tp, st_unpad = (
        [], [], [], [], [], [], [], [])
    for (r, p, t0), times in zip(b.owners, b.times, strict=True):
        route = network.routes[r]
        pat = route.patterns[p]
        n_t, n_s = times.shape
        st_trip.append(np.repeat(np.arange(t0, t0 + n_t, dtype=np.int64), n_s))
        st_stop.append(np.tile(pat.stops, n_t))
        st_seq.append(np.tile(np.arange(1, n_s + 1, dtype=np.int64), n_t))
        masked = np.where(pat.timed[None, :], times, -1)
        st_time.append(masked.ravel())
        st_pick.append(np.tile(pat.pickup_type.astype(np.int64), n_t))
        st_dist.append(np.tile(pat.dist_m, n_t))
        st_tp.append(np.tile(pat.timed.astype(np.int64), n_t))
        st_unpad.append(np.full(n_t * n_s, route.unpadded_hours))
    freq = np.array(b.freq, dtype=np.int64).reshape(-1, 4)
    arrival = np.concatenate(st_time)
    return Schedule(
        trip_ids=tuple(b.trip_ids),
        trip_route=np.array(b.trip_route, dtype=np.int64),
        trip_pattern=np.array(b.trip_pattern, dtype=np.int64),
        trip_service=tuple(b.trip_service),
        st_trip=np.concatenate(st_trip),
        st_stop=np.concatenate(st_stop),
        st_sequence=np.concatenate(st_seq),
        st_arrival_s=arrival,
        st_departure_s=arrival.copy(),
        st_pickup=np.concatenate(st_pick),
        st_dist_m=np.concatenate(st_dist),
        st_timepoint=np.concatenate(st_tp),
        st_unpadded=np.concatenate(st_unpad),
        freq_trip=freq[:, 0],
        freq_start_s=freq[:, 1],
        freq_end_s=freq[:, 2],
        freq_headway_s=freq[:, 3],
    )


def _route_service(b: _Blocks, r: int, route: Route, service: str) -> None:
    weekday = service == WEEKDAY
    if route.kind == "brt":
        plan = BRT_WEEKDAY if weekday else BRT_WEEKEND
        for p in range(len(route.patterns)):
            shift = route.offset_min + p * BRT_REVERSE_OFFSET_MIN
            dep = departures(plan, shift)
            _add_block(b, r, route, p, service, dep, weekday=weekday)
            if not weekday:
                a, e, h = BRT_WEEKEND_FREQUENCY
                t = _add_block(b, r, route, p, service, np.array([a + shift]),
                               weekday=weekday, tag="F")
                b.freq.append((t, (a + shift) * 60, (e + shift) * 60, h * 60))
        return
    plan = FEEDER_WEEKDAY if weekday else FEEDER_WEEKEND
    dep = departures(plan, route.offset_min)
    _add_block(b, r, route, 0, service, dep, weekday=weekday)
    if len(route.patterns) > 1:
        arrive_min = b.times[-1][:, -1] // 60
        _add_block(b, r, route, 1, service, arrive_min + LAYOVER_MIN, weekday=weekday)


def _add_block(b: _Blocks, r: int, route: Route, p: int, service: str, dep_min: IntArray,
               *, weekday: bool, tag: str = "") -> int:
    pattern = route.patterns[p]
    offsets = trip_offsets_min(pattern, speed_factor(dep_min, weekday=weekday))
    times = (dep_min[:, None] + offsets) * 60
    first = len(b.trip_ids)
    for d in dep_min.tolist():
        b.trip_ids.append(f"{route.route_id}_{service}_{p}_{tag}{d // 60:02d}{d % 60:02d}")
    b.trip_route.extend([r] * dep_min.size)
    b.trip_pattern.extend([p] * dep_min.size)
    b.trip_service.extend([service] * dep_min.size)
    b.times.append(times)
    b.owners.append((r, p, first))
    return first

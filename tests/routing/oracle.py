"""An independent oracle for RAPTOR: a round-based Connection Scan (CSA).

Written from scratch, sharing no code with ``routing.raptor``: it reads the
:class:`~transit.timetable.Timetable` itself, flattens every trip into
elementary connections ``(from stop, to stop, departure, arrival, trip)``
sorted by departure, and for ``k = 1, 2, ...`` scans them all once, boarding
only from the labels of round ``k - 1``. Round ``k`` therefore holds the
earliest arrival with at most ``k`` vehicles, the same Pareto set RAPTOR
reports, found another way (no patterns, no stop-to-pattern index, no
marking, no pruning).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np
from numpy.typing import NDArray

from transit.footpaths import Footpaths
from transit.timetable import Timetable

BIG = 2**40


@dataclass(frozen=True)
class Connections:
    """Elementary connections of a timetable, sorted by departure."""

    dep_stop: NDArray[np.int64]
    arr_stop: NDArray[np.int64]
    dep_s: NDArray[np.int64]
    arr_s: NDArray[np.int64]
    trip: NDArray[np.int64]
    board_ok: NDArray[np.bool_]
    alight_ok: NDArray[np.bool_]
    n_trips: int


def connections(tt: Timetable) -> Connections:
    """Flatten every trip of ``tt`` into sorted connections."""
    ds, as_, dt, at, tr, bo, ao, pos = [], [], [], [], [], [], [], []
    for trip in range(tt.n_trips):
        first, stop = tt.trip_event_range(trip)
        p = int(tt.trip_pattern[trip])
        stops = tt.pattern_stop_ids(p)
        for i in range(stop - first - 1):
            e = first + i
            ds.append(int(stops[i]))
            as_.append(int(stops[i + 1]))
            dt.append(int(tt.departure_s[e]))
            at.append(int(tt.arrival_s[e + 1]))
            tr.append(trip)
            bo.append(int(tt.pickup_type[e]) != 1)
            ao.append(int(tt.drop_off_type[e + 1]) != 1)
            pos.append(i)
    order = np.lexsort((np.array(pos), np.array(tr), np.array(dt)))
    return Connections(
        np.array(ds, np.int64)[order], np.array(as_, np.int64)[order],
        np.array(dt, np.int64)[order], np.array(at, np.int64)[order],
        np.array(tr, np.int64)[order], np.array(bo, np.bool_)[order],
        np.array(ao, np.bool_)[order], tt.n_trips)


@nb.njit(cache=True)
def _csa_rounds(dep_stop, arr_stop, dep_s, arr_s, trip, board_ok, alight_ok, n_trips,
                n_stops, change, fp_off, fp_to, fp_dur, acc_stop, acc_time, egr_stop,
                egr_time, max_rides):
    ready = np.full(n_stops, BIG, np.int64)
    for i in range(acc_stop.shape[0]):
        if acc_time[i] < ready[acc_stop[i]]:
            ready[acc_stop[i]] = acc_time[i]
    vehicle = np.full(n_stops, BIG, np.int64)
    best = np.full(max_rides + 1, BIG, np.int64)
    for k in range(1, max_rides + 1):
        on = np.zeros(n_trips, np.bool_)
        new_vehicle = vehicle.copy()
        for c in range(dep_stop.shape[0]):
            t = trip[c]
            if not on[t] and board_ok[c] and ready[dep_stop[c]] <= dep_s[c]:
                on[t] = True
            if on[t] and alight_ok[c] and arr_s[c] < new_vehicle[arr_stop[c]]:
                new_vehicle[arr_stop[c]] = arr_s[c]
        vehicle = new_vehicle
        new_ready = ready.copy()
        for s in range(n_stops):
            a = vehicle[s]
            if a >= BIG:
                continue
            if change[s] >= 0 and a + change[s] < new_ready[s]:
                new_ready[s] = a + change[s]
            for j in range(fp_off[s], fp_off[s + 1]):
                if a + fp_dur[j] < new_ready[fp_to[j]]:
                    new_ready[fp_to[j]] = a + fp_dur[j]
        ready = new_ready
        b = BIG
        for i in range(egr_stop.shape[0]):
            v = vehicle[egr_stop[i]] + egr_time[i]
            if vehicle[egr_stop[i]] < BIG and v < b:
                b = v
        best[k] = b
    return best


def earliest_by_rides(conn: Connections, fp: Footpaths, access: dict[int, int],
                      egress: dict[int, int], depart_s: int, max_rides: int) -> list[int]:
    """Return ``best[k]``: earliest arrival with at most ``k`` rides (-1 if none)."""
    acc_stop = np.array(list(access), np.int64)
    acc_time = np.array([depart_s + v for v in access.values()], np.int64)
    egr_stop = np.array(list(egress), np.int64)
    egr_time = np.array(list(egress.values()), np.int64)
    best = _csa_rounds(conn.dep_stop, conn.arr_stop, conn.dep_s, conn.arr_s, conn.trip,
                       conn.board_ok, conn.alight_ok, conn.n_trips, fp.n_stops,
                       fp.change_s.astype(np.int64), fp.offsets.astype(np.int64),
                       fp.to_stop.astype(np.int64), fp.duration_s.astype(np.int64),
                       acc_stop, acc_time, egr_stop, egr_time, max_rides)
    return [int(b) if b < BIG else -1 for b in best]


def pareto_from_rounds(best: list[int]) -> list[tuple[int, int]]:
    """Return ``(arrival, rides)`` pairs where the arrival strictly improves."""
    out: list[tuple[int, int]] = []
    cur = BIG
    for k, b in enumerate(best):
        if b >= 0 and b < cur:
            out.append((b, k))
            cur = b
    return out

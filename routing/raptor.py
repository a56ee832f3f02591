"""RAPTOR: round-based public transit routing over :class:`RaptorData` arrays.

Delling, Pajor & Werneck (2012), as in OpenTripPlanner 2, R5 and MOTIS. Round
``k`` finds the earliest arrival at every stop using at most ``k`` vehicles.
The hot loops are numba kernels over integer arrays; Python only prepares the
query and reads the labels back into :class:`~routing.journey.Journey` objects.

Labels (``(rounds + 1) x stops`` arrays, kept in a :class:`RaptorState`):

* ``ta[k, s]`` — earliest arrival at ``s`` *by a vehicle* with at most ``k``
  rides; ``ta_round`` says in which round the label was made, and the ride
  (pattern, local trip, board and alight positions, round of the boarding
  label) is stored at ``[ta_round, s]``.
* ``rd[k, s]`` — earliest time a vehicle can be *boarded* at ``s`` after at
  most ``k`` rides: the access time in round 0, then the arrival plus the
  stop's change time or plus a footpath. ``rd_from`` is the stop whose ride
  label it extends (``-1`` for access).

Labels are cumulative over rounds and never reset between the departures of
a range query (rRAPTOR), so later departures prune earlier ones. Local pruning
compares against the same round's labels, target pruning against the best
arrival at the destination with the same number of rides.

See ``docs/design/routing.md`` for the invariants.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np
from numpy.typing import NDArray

from routing.errors import QueryError
from routing.journey import ACCESS, EGRESS, RIDE, TRANSFER, Journey, Leg
from routing.provider import RaptorData

INF = np.int32(2**30)
DEFAULT_MAX_TRANSFERS = 8


@dataclass(frozen=True, slots=True)
class StopTimes:
    """Stops with a walking time each: access (origin -> stop) or egress (stop -> destination)."""

    stops: NDArray[np.int32]
    duration_s: NDArray[np.int32]

    @staticmethod
    def of(pairs: dict[int, int]) -> StopTimes:
        """Return the table for ``{stop: seconds}``."""
        stops = np.fromiter(pairs.keys(), np.int32, len(pairs))
        secs = np.fromiter(pairs.values(), np.int32, len(pairs))
        return StopTimes(stops, secs)

    def as_dict(self) -> dict[int, int]:
        """Return ``{stop: seconds}``."""
        return {int(s): int(d) for s, d in zip(self.stops, self.duration_s, strict=True)}


class RaptorState:
    """Reusable label arrays for one :class:`RaptorData` and a maximum round count.

    Allocate one per thread or process; :func:`earliest_arrival` and
    :func:`range_query` reset it themselves.
    """

    def __init__(self, data: RaptorData, max_transfers: int = DEFAULT_MAX_TRANSFERS) -> None:
        if max_transfers < 0:
            raise QueryError(f"max_transfers: must be >= 0, got {max_transfers}")
        n = data.n_stops
        r = max_transfers + 2  # round 0 (access) + up to max_transfers + 1 rides
        self.data = data
        self.max_transfers = max_transfers
        self.n_rounds = r
        self.ta = np.empty((r, n), np.int32)
        self.ta_round = np.empty((r, n), np.int32)
        self.ta_pat = np.empty((r, n), np.int32)
        self.ta_trip = np.empty((r, n), np.int32)
        self.ta_bpos = np.empty((r, n), np.int32)
        self.ta_apos = np.empty((r, n), np.int32)
        self.ta_brnd = np.empty((r, n), np.int32)
        self.rd = np.empty((r, n), np.int32)
        self.rd_round = np.empty((r, n), np.int32)
        self.rd_from = np.empty((r, n), np.int32)
        self.tgt = np.empty(r, np.int32)
        self.tgt_round = np.empty(r, np.int32)
        self.tgt_stop = np.empty(r, np.int32)
        self.tgt_improved = np.zeros(r, np.bool_)
        self.egress = np.full(n, -1, np.int32)
        self.marked = np.zeros(n, np.bool_)
        self.marked_list = np.empty(n, np.int32)
        self.improved = np.zeros(n, np.bool_)
        self.improved_list = np.empty(n, np.int32)
        self.pat_start = np.full(len(data.pattern_stop_offsets) - 1, -1, np.int32)
        self.pat_list = np.empty(len(data.pattern_stop_offsets) - 1, np.int32)
        self.reset()

    def reset(self) -> None:
        """Forget every label."""
        self.ta.fill(INF)
        self.rd.fill(INF)
        self.tgt.fill(INF)
        self.tgt_round.fill(-1)
        self.tgt_stop.fill(-1)
        self.tgt_improved.fill(False)

    def set_egress(self, egress: StopTimes) -> None:
        """Install the destination's egress stops (replacing earlier ones)."""
        self.egress.fill(-1)
        for s, d in zip(egress.stops, egress.duration_s, strict=True):
            if self.egress[s] < 0 or d < self.egress[s]:
                self.egress[s] = d

    def run(self, access_stops: NDArray[np.int32], access_ready: NDArray[np.int32]) -> None:
        """Run all rounds from the given boarding-ready times (labels are kept)."""
        d = self.data
        _rounds(d.pattern_stop_offsets, d.pattern_stops, d.pattern_trip_offsets,
                d.pattern_event_offsets, d.arrival_s, d.departure_s, d.can_board,
                d.can_alight, d.stop_pattern_offsets, d.stop_patterns,
                d.stop_pattern_positions, d.change_s, d.fp_offsets, d.fp_to_stop,
                d.fp_duration_s, access_stops, access_ready, self.egress,
                self.ta, self.ta_round, self.ta_pat, self.ta_trip, self.ta_bpos,
                self.ta_apos, self.ta_brnd, self.rd, self.rd_round, self.rd_from,
                self.tgt, self.tgt_round, self.tgt_stop, self.tgt_improved,
                self.marked, self.marked_list, self.improved, self.improved_list,
                self.pat_start, self.pat_list)


# ---------------------------------------------------------------------------
# numba kernels


@nb.njit(cache=True, nogil=True, inline="always")
def _mark_patterns(s, spo, sp, spp, pat_start, pat_list, n_pat):
    """Queue the patterns through stop ``s`` from its earliest position; return the new count.

    ``pat_start[p]`` is -1 for a pattern not yet queued this round.
    """
    for j in range(spo[s], spo[s + 1]):
        p = sp[j]
        pos = spp[j]
        if pat_start[p] < 0:
            pat_start[p] = pos
            pat_list[n_pat] = p
            n_pat += 1
        elif pos < pat_start[p]:
            pat_start[p] = pos
    return n_pat


@nb.njit(cache=True, nogil=True)
def _rounds(pso, ps, pto, peo, arr, dep, can_board, can_alight, spo, sp, spp, change,
            fpo, fpt, fpd, acc_stops, acc_ready, egress,
            ta, ta_round, ta_pat, ta_trip, ta_bpos, ta_apos, ta_brnd,
            rd, rd_round, rd_from, tgt, tgt_round, tgt_stop, tgt_improved,
            marked, marked_list, improved, improved_list, pat_start, pat_list):
    n_rounds = ta.shape[0]
    n_marked = 0
    for r in range(n_rounds):
        tgt_improved[r] = False
    for i in range(acc_stops.shape[0]):
        s = acc_stops[i]
        t = acc_ready[i]
        if t < rd[0, s]:
            rd[0, s] = t
            rd_round[0, s] = 0
            rd_from[0, s] = -1
            if not marked[s]:
                marked[s] = True
                marked_list[n_marked] = s
                n_marked += 1
    for k in range(1, n_rounds):
        if n_marked == 0:
            break
        # carry labels with fewer rides into this round (cumulative labels)
        for s in range(ta.shape[1]):
            if ta[k - 1, s] < ta[k, s]:
                ta[k, s] = ta[k - 1, s]
                ta_round[k, s] = ta_round[k - 1, s]
            if rd[k - 1, s] < rd[k, s]:
                rd[k, s] = rd[k - 1, s]
                rd_round[k, s] = rd_round[k - 1, s]
        if tgt[k - 1] < tgt[k]:
            tgt[k] = tgt[k - 1]
            tgt_round[k] = tgt_round[k - 1]
            tgt_stop[k] = tgt_stop[k - 1]
        # patterns through the stops marked in the previous round
        n_pat = 0
        for m in range(n_marked):
            s = marked_list[m]
            marked[s] = False
            n_pat = _mark_patterns(s, spo, sp, spp, pat_start, pat_list, n_pat)
        n_marked = 0
        n_improved = 0
        # scan each pattern once
        for q in range(n_pat):
            p = pat_list[q]
            start = pat_start[p]
            pat_start[p] = -1
            s0 = pso[p]
            n_s = pso[p + 1] - s0
            n_t = pto[p + 1] - pto[p]
            e0 = peo[p]
            trip = -1
            bpos = -1
            brnd = -1
            for i in range(start, n_s):
                s = ps[s0 + i]
                if trip >= 0:
                    e = e0 + trip * n_s + i
                    if can_alight[e]:
                        a = arr[e]
                        if a < ta[k, s] and a < tgt[k]:
                            ta[k, s] = a
                            ta_round[k, s] = k
                            ta_pat[k, s] = p
                            ta_trip[k, s] = trip
                            ta_bpos[k, s] = bpos
                            ta_apos[k, s] = i
                            ta_brnd[k, s] = brnd
                            if not improved[s]:
                                improved[s] = True
                                improved_list[n_improved] = s
                                n_improved += 1
                r = rd[k - 1, s]
                if r >= INF:
                    continue
                if trip >= 0 and dep[e0 + trip * n_s + i] < r:
                    continue
                hi = trip if trip >= 0 else n_t
                # first trip with departure >= r at position i (binary search)
                lo = 0
                h = hi
                while lo < h:
                    mid = (lo + h) // 2
                    if dep[e0 + mid * n_s + i] < r:
                        lo = mid + 1
                    else:
                        h = mid
                while lo < hi and not can_board[e0 + lo * n_s + i]:
                    lo += 1
                if lo < hi:
                    trip = lo
                    bpos = i
                    brnd = rd_round[k - 1, s]
        # destination
        for m in range(n_improved):
            s = improved_list[m]
            eg = egress[s]
            if eg >= 0:
                c = ta[k, s] + eg
                if c < tgt[k]:
                    tgt[k] = c
                    tgt_round[k] = k
                    tgt_stop[k] = s
                    tgt_improved[k] = True
        if k == n_rounds - 1:
            for m in range(n_improved):
                improved[improved_list[m]] = False
            break
        # transfers: same-stop changes and footpaths
        for m in range(n_improved):
            s = improved_list[m]
            improved[s] = False
            a = ta[k, s]
            c = change[s]
            if c >= 0:
                t = a + c
                if t < rd[k, s] and t < tgt[k]:
                    rd[k, s] = t
                    rd_round[k, s] = k
                    rd_from[k, s] = s
                    if not marked[s]:
                        marked[s] = True
                        marked_list[n_marked] = s
                        n_marked += 1
            for j in range(fpo[s], fpo[s + 1]):
                q2 = fpt[j]
                t = a + fpd[j]
                if t < rd[k, q2] and t < tgt[k]:
                    rd[k, q2] = t
                    rd_round[k, q2] = k
                    rd_from[k, q2] = s
                    if not marked[q2]:
                        marked[q2] = True
                        marked_list[n_marked] = q2
                        n_marked += 1
    for m in range(n_marked):
        marked[marked_list[m]] = False


@nb.njit(cache=True, nogil=True)
def _departures(pso, pto, peo, dep, can_board, spo, sp, spp, acc_stops, acc_s, t_from, t_to):
    """Every time one could leave the origin to catch a vehicle at an access stop."""
    out = []
    for i in range(acc_stops.shape[0]):
        s = acc_stops[i]
        lo_t = t_from + acc_s[i]
        hi_t = t_to + acc_s[i]
        for j in range(spo[s], spo[s + 1]):
            p = sp[j]
            pos = spp[j]
            n_s = pso[p + 1] - pso[p]
            n_t = pto[p + 1] - pto[p]
            e0 = peo[p]
            for t in range(n_t):
                e = e0 + t * n_s + pos
                d = dep[e]
                if d >= lo_t and d <= hi_t and can_board[e] and pos < n_s - 1:
                    out.append(d - acc_s[i])
    return np.array(out, dtype=np.int64)


# ---------------------------------------------------------------------------
# queries


def _check_query(state: RaptorState, access: StopTimes, egress: StopTimes) -> None:
    n = state.data.n_stops
    for name, st in (("access", access), ("egress", egress)):
        if st.stops.size and (st.stops.min() < 0 or st.stops.max() >= n):
            raise QueryError(f"{name}: stop index out of range 0..{n - 1}")
        if st.duration_s.size and st.duration_s.min() < 0:
            raise QueryError(f"{name}: negative walking time")


def earliest_arrival(state: RaptorState, access: StopTimes, egress: StopTimes,
                     depart_s: int) -> list[Journey]:
    """Return the Pareto set over (arrival, transfers) for leaving at ``depart_s``.

    With the state's forward data this is a departure-time query; with backward
    data (see :func:`routing.planner` for the mapping) it is an arrive-by query.
    The journeys come fastest-last: fewer rides first, each one arriving
    strictly earlier than the one before. An empty list means unreachable.
    """
    _check_query(state, access, egress)
    state.reset()
    state.set_egress(egress)
    ready = (access.duration_s.astype(np.int64) + int(depart_s)).astype(np.int32)
    state.run(access.stops, ready)
    return [trace(state, k, access, egress) for k in range(1, state.n_rounds)
            if state.tgt_improved[k]]


def earliest_arrival_time(state: RaptorState, access: StopTimes, egress: StopTimes,
                          depart_s: int) -> tuple[int, int]:
    """Return ``(arrival_s, rides)`` of the earliest arrival, ``(-1, -1)`` if none.

    The fast path for batch work: no journey is traced.
    """
    _check_query(state, access, egress)
    state.reset()
    state.set_egress(egress)
    ready = (access.duration_s.astype(np.int64) + int(depart_s)).astype(np.int32)
    state.run(access.stops, ready)
    k = int(np.argmin(state.tgt))  # rounds may stop early: take the best of any round
    best = int(state.tgt[k])
    if best >= INF:
        return -1, -1
    return best, int(state.tgt_round[k])


def range_query(state: RaptorState, access: StopTimes, egress: StopTimes,
                depart_s: int, window_s: int) -> list[Journey]:
    """Return every Pareto-optimal journey over (departure, arrival, transfers).

    rRAPTOR: the searches for every departure in ``[depart_s, depart_s +
    window_s]`` that catches a vehicle at an access stop run latest first on
    the same labels. Journeys are sorted by departure.
    """
    if window_s < 0:
        raise QueryError(f"window_s: must be >= 0, got {window_s}")
    _check_query(state, access, egress)
    d = state.data
    state.reset()
    state.set_egress(egress)
    deps = _departures(d.pattern_stop_offsets, d.pattern_trip_offsets,
                       d.pattern_event_offsets, d.departure_s, d.can_board,
                       d.stop_pattern_offsets, d.stop_patterns, d.stop_pattern_positions,
                       access.stops, access.duration_s.astype(np.int64),
                       int(depart_s), int(depart_s) + int(window_s))
    times = np.unique(np.append(deps, int(depart_s)))[::-1]
    found: dict[tuple[int, int, int], Journey] = {}
    for t0 in times:
        ready = (access.duration_s.astype(np.int64) + int(t0)).astype(np.int32)
        state.run(access.stops, ready)
        for k in range(1, state.n_rounds):
            if state.tgt_improved[k]:
                j = trace(state, k, access, egress)
                found.setdefault((j.departure_s, j.arrival_s, j.n_rides), j)
    return pareto_filter(list(found.values()))


def pareto_filter(journeys: list[Journey]) -> list[Journey]:
    """Keep journeys no other beats in departure (later), arrival (earlier) and rides."""
    keep = []
    for j in journeys:
        dominated = False
        for o in journeys:
            if o is j:
                continue
            if (o.departure_s >= j.departure_s and o.arrival_s <= j.arrival_s
                    and o.n_rides <= j.n_rides
                    and (o.departure_s, o.arrival_s, o.n_rides)
                    != (j.departure_s, j.arrival_s, j.n_rides)):
                dominated = True
                break
        if not dominated:
            keep.append(j)
    keep.sort(key=lambda j: (j.departure_s, j.arrival_s, j.n_rides))
    return keep


# ---------------------------------------------------------------------------
# reading labels back


def trace(state: RaptorState, k: int, access: StopTimes, egress: StopTimes) -> Journey:
    """Return the journey behind the destination label of round ``k``.

    For backward data the legs are turned back into forward time and order.
    """
    stop = int(state.tgt_stop[k])
    return _trace_from(state, stop, int(state.tgt_round[k]), access, int(state.egress[stop]))


def trace_to_stop(state: RaptorState, k: int, stop: int, access: StopTimes) -> Journey | None:
    """Return the journey behind the arrival label of ``stop`` in round ``k``.

    Forward data: the journey ends with the ride reaching ``stop`` (no egress
    leg); time-dependent egress (an on-demand ride from a hub) starts from it.
    Backward data: the journey starts with the ride leaving ``stop`` (no access
    leg), in forward order; an on-demand ride to the hub goes before it.
    ``None`` when ``stop`` has no arrival label made in round ``k`` (with
    fewer rides the label is read from its own round).
    """
    if int(state.ta[k, stop]) >= INF or int(state.ta_round[k, stop]) != k:
        return None
    return _trace_from(state, stop, k, access, None)


def _trace_from(state: RaptorState, stop: int, rnd: int, access: StopTimes,
                eg: int | None) -> Journey:
    d = state.data
    acc = access.as_dict()
    # collected in search order: target first
    pieces: list[tuple[str, int, int, int, int, int, int, int]] = []
    # (kind, from, to, t_from, t_to, trip, board_event, alight_event) in search time
    while True:
        p = int(state.ta_pat[rnd, stop])
        trip = int(state.ta_trip[rnd, stop])
        bpos = int(state.ta_bpos[rnd, stop])
        apos = int(state.ta_apos[rnd, stop])
        brnd = int(state.ta_brnd[rnd, stop])
        n_s = int(d.pattern_stop_offsets[p + 1] - d.pattern_stop_offsets[p])
        e0 = int(d.pattern_event_offsets[p])
        be = e0 + trip * n_s + bpos
        ae = e0 + trip * n_s + apos
        bstop = int(d.pattern_stops[d.pattern_stop_offsets[p] + bpos])
        gtrip = int(d.pattern_trips[d.pattern_trip_offsets[p] + trip])
        pieces.append((RIDE, bstop, stop, int(d.departure_s[be]), int(d.arrival_s[ae]),
                       gtrip, int(d.event_map[be]), int(d.event_map[ae])))
        frm = int(state.rd_from[brnd, bstop])
        if brnd == 0 or frm < 0:
            pieces.append((ACCESS, -1, bstop, -1, -1, -1, -1, -1))
            break
        pieces.append((TRANSFER, frm, bstop, -1, -1, -1, -1, -1))
        stop, rnd = frm, brnd
    pieces.reverse()  # search order: access first
    legs = _legs_in_search_time(d, pieces, acc, eg)
    if d.reverse:
        legs = flip_backward(legs)
    return Journey(tuple(legs))


def _legs_in_search_time(d: RaptorData, pieces: list[tuple[str, int, int, int, int, int, int,
                                                               int]],
                         acc: dict[int, int], eg: int | None) -> list[Leg]:
    legs: list[Leg] = []
    fp = _footpath_lookup(d)
    for idx, (kind, a, b, t1, t2, trip, be, ae) in enumerate(pieces):
        if kind == RIDE:
            legs.append(Leg(RIDE, a, b, t1, t2, t2 - t1, trip, be, ae))
        elif kind == ACCESS:
            nxt = pieces[idx + 1]
            dur = acc[b]
            legs.append(Leg(ACCESS, -1, b, nxt[3] - dur, nxt[3] - dur + dur, dur))
        else:
            prev = legs[-1]
            dur = int(d.change_s[a]) if a == b else fp[(a, b)]
            legs.append(Leg(TRANSFER, a, b, prev.arrival_s, prev.arrival_s + dur, dur))
    if eg is not None:
        last = legs[-1]
        legs.append(Leg(EGRESS, last.to_stop, -1, last.arrival_s, last.arrival_s + eg, eg))
    return legs


def _footpath_lookup(d: RaptorData) -> _FootpathLookup:
    return _FootpathLookup(d)


class _FootpathLookup:
    """``(from, to) -> seconds`` over the CSR footpaths, looked up on demand."""

    def __init__(self, d: RaptorData) -> None:
        self.d = d

    def __getitem__(self, key: tuple[int, int]) -> int:
        a, b = key
        lo, hi = int(self.d.fp_offsets[a]), int(self.d.fp_offsets[a + 1])
        best = -1
        for j in range(lo, hi):
            if int(self.d.fp_to_stop[j]) == b:
                dur = int(self.d.fp_duration_s[j])
                best = dur if best < 0 else min(best, dur)
        if best < 0:
            raise KeyError(key)
        return best


def flip_backward(legs: list[Leg]) -> list[Leg]:
    """Turn legs of a backward search into forward legs, in forward order."""
    out: list[Leg] = []
    kinds = {ACCESS: EGRESS, EGRESS: ACCESS, TRANSFER: TRANSFER, RIDE: RIDE}
    for leg in reversed(legs):
        if leg.kind == RIDE:
            out.append(Leg(RIDE, leg.to_stop, leg.from_stop, -leg.arrival_s, -leg.departure_s,
                           leg.duration_s, leg.trip, leg.alight_event, leg.board_event))
        else:
            out.append(Leg(kinds[leg.kind], leg.to_stop, leg.from_stop, -leg.arrival_s,
                           -leg.departure_s, leg.duration_s))
    return out

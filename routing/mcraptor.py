"""McRAPTOR: multi-criteria RAPTOR with bags of labels (Delling et al. 2012, §4).

Criteria: arrival time, number of rides (the round) and a third one, chosen
per query:

* ``"walk"`` — seconds walked (access, walks between stops, egress);
* ``"cost"`` — a generalized cost in seconds: the time from the query's
  departure to arrival (waiting at the first stop included), plus every
  walking second once more (walking counts double), plus
  ``transfer_penalty_s`` per transfer.

Inside the search a label carries (time, ``extra``) where ``extra`` is the
walking seconds (plus the transfer penalties in cost mode); the cost is then
``arrival - departure + extra``. Comparing (time, extra) rather than (time,
cost) is what keeps dominance sound when waiting adds to the cost: a label
that is earlier and has less extra stays ahead whatever the wait. The final
set is filtered again on the reported criterion.

Labels live in a pool of flat arrays (no Python object per label). Each stop
has two bags, chained through the pool: *arrival* labels (alighted there) and
*ready* labels (may board there: access, or an arrival plus the stop's change
time or a footpath). A label enters a bag unless a label of that bag (from
this or an earlier round) or of the destination bag is at least as good in
time and extra; labels of the same round it beats are dropped. The route bag
of a pattern scan keeps (trip, extra) pairs that no other pair beats: an
earlier trip with no more extra wins at every later stop. Boarding takes the
earliest trip only, which is exact because patterns are homogeneous in their
pick-up/drop-off rules and a later trip never arrives earlier nor walks less.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from routing.errors import QueryError
from routing.journey import ACCESS, EGRESS, RIDE, TRANSFER, Journey, Leg
from routing.provider import RaptorData
from routing.raptor import StopTimes, _mark_patterns, flip_backward

CRITERIA = frozenset({"walk", "cost"})
_KIND_ACCESS, _KIND_RIDE, _KIND_READY = 0, 1, 2


@nb.njit(cache=True, nogil=True)
def _mc(pso, ps, pto, peo, arr, dep, can_board, can_alight, spo, sp, spp, change, fpo, fpt,
        fpd, acc_stops, acc_s, egress, t0, max_rides, cost_mode, penalty, cap):
    n_stops = spo.shape[0] - 1
    # label pool
    l_time = np.empty(cap, np.int64)
    l_c = np.empty(cap, np.int64)
    l_stop = np.empty(cap, np.int32)
    l_round = np.empty(cap, np.int32)
    l_kind = np.empty(cap, np.int8)
    l_parent = np.empty(cap, np.int64)
    l_pat = np.empty(cap, np.int32)
    l_trip = np.empty(cap, np.int32)
    l_bpos = np.empty(cap, np.int32)
    l_apos = np.empty(cap, np.int32)
    l_alive = np.empty(cap, np.bool_)
    l_next = np.empty(cap, np.int64)
    n_lab = 0
    head_arr = np.full(n_stops, -1, np.int64)
    head_rdy = np.full(n_stops, -1, np.int64)
    # destination bag (indices of ride labels)
    t_lab = np.empty(cap, np.int64)
    t_time = np.empty(cap, np.int64)
    t_c = np.empty(cap, np.int64)
    n_t = 0
    new_rdy = np.empty(cap, np.int64)
    n_new_rdy = 0
    for i in range(acc_stops.shape[0]):
        s = acc_stops[i]
        tm = t0 + acc_s[i]
        c = acc_s[i]
        dominated = False
        j = head_rdy[s]
        while j >= 0:
            if l_alive[j] and l_time[j] <= tm and l_c[j] <= c:
                dominated = True
                break
            j = l_next[j]
        if dominated:
            continue
        if n_lab >= cap:
            return -1, l_time, l_c, l_stop, l_round, l_kind, l_parent, l_pat, l_trip, \
                l_bpos, l_apos, t_lab[:0]
        l_time[n_lab] = tm
        l_c[n_lab] = c
        l_stop[n_lab] = s
        l_round[n_lab] = 0
        l_kind[n_lab] = _KIND_ACCESS
        l_parent[n_lab] = -1
        l_alive[n_lab] = True
        l_next[n_lab] = head_rdy[s]
        head_rdy[s] = n_lab
        new_rdy[n_new_rdy] = n_lab
        n_new_rdy += 1
        n_lab += 1
    pat_start = np.full(pso.shape[0] - 1, -1, np.int32)
    pat_list = np.empty(pso.shape[0] - 1, np.int32)
    stop_has_new = np.zeros(n_stops, np.int32)  # round + 1 of the newest ready label
    rb_lab = np.empty(cap, np.int64)
    rb_trip = np.empty(cap, np.int32)
    rb_bpos = np.empty(cap, np.int32)
    rb_base = np.empty(cap, np.int64)
    new_arr = np.empty(cap, np.int64)
    for k in range(1, max_rides + 1):
        if n_new_rdy == 0:
            break
        n_pat = 0
        for m in range(n_new_rdy):
            lab = new_rdy[m]
            s = l_stop[lab]
            stop_has_new[s] = k
            n_pat = _mark_patterns(s, spo, sp, spp, pat_start, pat_list, n_pat)
        n_new_arr = 0
        for q in range(n_pat):
            p = pat_list[q]
            start = pat_start[p]
            pat_start[p] = -1
            s0 = pso[p]
            n_s = pso[p + 1] - s0
            n_tr = pto[p + 1] - pto[p]
            e0 = peo[p]
            n_rb = 0
            for i in range(start, n_s):
                s = ps[s0 + i]
                # 1. alight every route-bag entry here
                for r in range(n_rb):
                    e = e0 + rb_trip[r] * n_s + i
                    if not can_alight[e]:
                        continue
                    tm = np.int64(arr[e])
                    c = rb_base[r]
                    dominated = False
                    for z in range(n_t):
                        if t_time[z] <= tm and t_c[z] <= c:
                            dominated = True
                            break
                    if dominated:
                        continue
                    j = head_arr[s]
                    while j >= 0:
                        if l_alive[j] and l_time[j] <= tm and l_c[j] <= c:
                            dominated = True
                            break
                        j = l_next[j]
                    if dominated:
                        continue
                    j = head_arr[s]
                    while j >= 0:
                        if l_alive[j] and l_round[j] == k and l_time[j] >= tm and l_c[j] >= c:
                            l_alive[j] = False
                        j = l_next[j]
                    if n_lab >= cap:
                        return -1, l_time, l_c, l_stop, l_round, l_kind, l_parent, l_pat, \
                            l_trip, l_bpos, l_apos, t_lab[:0]
                    l_time[n_lab] = tm
                    l_c[n_lab] = c
                    l_stop[n_lab] = s
                    l_round[n_lab] = k
                    l_kind[n_lab] = _KIND_RIDE
                    l_parent[n_lab] = rb_lab[r]
                    l_pat[n_lab] = p
                    l_trip[n_lab] = rb_trip[r]
                    l_bpos[n_lab] = rb_bpos[r]
                    l_apos[n_lab] = i
                    l_alive[n_lab] = True
                    l_next[n_lab] = head_arr[s]
                    head_arr[s] = n_lab
                    new_arr[n_new_arr] = n_lab
                    n_new_arr += 1
                    n_lab += 1
                # 2. board from the ready labels of the previous round
                if stop_has_new[s] != k or i == n_s - 1:
                    continue
                j = head_rdy[s]
                while j >= 0:
                    if l_alive[j] and l_round[j] == k - 1:
                        r_t = l_time[j]
                        lo = 0
                        h = n_tr
                        while lo < h:
                            mid = (lo + h) // 2
                            if dep[e0 + mid * n_s + i] < r_t:
                                lo = mid + 1
                            else:
                                h = mid
                        while lo < n_tr and not can_board[e0 + lo * n_s + i]:
                            lo += 1
                        if lo < n_tr:
                            base = l_c[j] + (penalty if cost_mode and k > 1 else 0)
                            # the criterion at any later stop is base (+ arrival there
                            # in cost mode), so an entry beats another everywhere
                            # downstream iff its trip is not later and its base not higher
                            dominated = False
                            for r in range(n_rb):
                                if rb_trip[r] <= lo and rb_base[r] <= base:
                                    dominated = True
                                    break
                            if not dominated:
                                w = 0
                                for r in range(n_rb):
                                    if not (lo <= rb_trip[r] and base <= rb_base[r]):
                                        rb_lab[w] = rb_lab[r]
                                        rb_trip[w] = rb_trip[r]
                                        rb_bpos[w] = rb_bpos[r]
                                        rb_base[w] = rb_base[r]
                                        w += 1
                                n_rb = w
                                if n_rb >= cap:
                                    return -1, l_time, l_c, l_stop, l_round, l_kind, \
                                        l_parent, l_pat, l_trip, l_bpos, l_apos, t_lab[:0]
                                rb_lab[n_rb] = j
                                rb_trip[n_rb] = lo
                                rb_bpos[n_rb] = i
                                rb_base[n_rb] = base
                                n_rb += 1
                    j = l_next[j]
        # destination
        for m in range(n_new_arr):
            lab = new_arr[m]
            if not l_alive[lab]:
                continue
            eg = egress[l_stop[lab]]
            if eg < 0:
                continue
            tm = l_time[lab] + eg
            c = l_c[lab] + eg
            dominated = False
            for z in range(n_t):
                if t_time[z] <= tm and t_c[z] <= c:
                    dominated = True
                    break
            if dominated:
                continue
            t_lab[n_t] = lab
            t_time[n_t] = tm
            t_c[n_t] = c
            n_t += 1
        # transfers
        n_new_rdy = 0
        if k == max_rides:
            break
        for m in range(n_new_arr):
            lab = new_arr[m]
            if not l_alive[lab]:
                continue
            s = l_stop[lab]
            n_fp = fpo[s + 1] - fpo[s]
            for jj in range(-1, n_fp):
                if jj < 0:
                    if change[s] < 0:
                        continue
                    q2 = s
                    tm = l_time[lab] + change[s]
                    c = l_c[lab]
                else:
                    q2 = fpt[fpo[s] + jj]
                    d = fpd[fpo[s] + jj]
                    tm = l_time[lab] + d
                    c = l_c[lab] + d
                dominated = False
                for z in range(n_t):
                    if t_time[z] <= tm and t_c[z] <= c:
                        dominated = True
                        break
                if dominated:
                    continue
                j = head_rdy[q2]
                while j >= 0:
                    if l_alive[j] and l_time[j] <= tm and l_c[j] <= c:
                        dominated = True
                        break
                    j = l_next[j]
                if dominated:
                    continue
                j = head_rdy[q2]
                while j >= 0:
                    if l_alive[j] and l_round[j] == k and l_time[j] >= tm and l_c[j] >= c:
                        l_alive[j] = False
                    j = l_next[j]
                if n_lab >= cap:
                    return -1, l_time, l_c, l_stop, l_round, l_kind, l_parent, l_pat, \
                        l_trip, l_bpos, l_apos, t_lab[:0]
                l_time[n_lab] = tm
                l_c[n_lab] = c
                l_stop[n_lab] = q2
                l_round[n_lab] = k
                l_kind[n_lab] = _KIND_READY
                l_parent[n_lab] = lab
                l_alive[n_lab] = True
                l_next[n_lab] = head_rdy[q2]
                head_rdy[q2] = n_lab
                new_rdy[n_new_rdy] = n_lab
                n_new_rdy += 1
                n_lab += 1
        # drop ready labels beaten later in the same round
        w = 0
        for m in range(n_new_rdy):
            if l_alive[new_rdy[m]]:
                new_rdy[w] = new_rdy[m]
                w += 1
        n_new_rdy = w
    # keep destination labels no other beats in (time, rides, criterion)
    keep = np.ones(n_t, np.bool_)
    for a in range(n_t):
        for b in range(n_t):
            if a != b and t_time[b] <= t_time[a] and t_c[b] <= t_c[a] \
                    and l_round[t_lab[b]] <= l_round[t_lab[a]] \
                    and (t_time[b] < t_time[a] or t_c[b] < t_c[a]
                         or l_round[t_lab[b]] < l_round[t_lab[a]] or b < a):
                keep[a] = False
                break
    return n_lab, l_time, l_c, l_stop, l_round, l_kind, l_parent, l_pat, l_trip, l_bpos, \
        l_apos, t_lab[:n_t][keep]


def mc_query(data: RaptorData, access: StopTimes, egress: StopTimes, depart_s: int, *,
             max_rides: int, criterion: str, transfer_penalty_s: int = 300) -> list[Journey]:
    """Return the Pareto set over (arrival, rides, ``criterion``).

    With backward data (arrive-by: ``depart_s`` is minus the arrival time,
    access and egress swapped) the journeys are turned back into forward
    legs: the set is then over (latest departure, rides, ``criterion``), the
    cost counting from departure to the requested arrival time.

    Raises
    ------
    QueryError
        If ``criterion`` is not ``"walk"`` or ``"cost"``.
    """
    if criterion not in CRITERIA:
        raise QueryError(f"criterion: expected one of {sorted(CRITERIA)}, got {criterion!r}")
    eg = np.full(data.n_stops, -1, np.int64)
    for s, d in zip(egress.stops.tolist(),
                    egress.duration_s.tolist(), strict=True):
        eg[s] = d if eg[s] < 0 else min(eg[s], d)
    cap = 1 << 16
    while True:
        out = _mc(data.pattern_stop_offsets, data.pattern_stops, data.pattern_trip_offsets,
                  data.pattern_event_offsets, data.arrival_s, data.departure_s, data.can_board,
                  data.can_alight, data.stop_pattern_offsets, data.stop_patterns,
                  data.stop_pattern_positions, data.change_s, data.fp_offsets,
                  data.fp_to_stop, data.fp_duration_s, access.stops,
                  access.duration_s.astype(np.int64), eg, int(depart_s), int(max_rides),
                  criterion == "cost", int(transfer_penalty_s), cap)
        if out[0] >= 0:
            break
        cap *= 4
    _, l_time, _c, l_stop, _r, l_kind, l_parent, l_pat, l_trip, l_bpos, l_apos, \
        targets = out
    acc = access.as_dict()
    journeys = []
    for lab in targets.tolist():
        legs: list[Leg] = []
        last_stop = int(l_stop[lab])
        cur = lab
        while True:
            p, t = int(l_pat[cur]), int(l_trip[cur])
            n_s = int(data.pattern_stop_offsets[p + 1] - data.pattern_stop_offsets[p])
            e0 = int(data.pattern_event_offsets[p])
            be, ae = e0 + t * n_s + int(l_bpos[cur]), e0 + t * n_s + int(l_apos[cur])
            bstop = int(data.pattern_stops[data.pattern_stop_offsets[p] + l_bpos[cur]])
            gtrip = int(data.pattern_trips[data.pattern_trip_offsets[p] + t])
            dep_t, arr_t = int(data.departure_s[be]), int(data.arrival_s[ae])
            legs.append(Leg(RIDE, bstop, int(l_stop[cur]), dep_t, arr_t, arr_t - dep_t,
                            gtrip, int(data.event_map[be]), int(data.event_map[ae])))
            rdy = int(l_parent[cur])
            if l_kind[rdy] == _KIND_ACCESS:
                d = acc[bstop]
                legs.append(Leg(ACCESS, -1, bstop, dep_t - d, dep_t, d))
                break
            prev = int(l_parent[rdy])
            a, b = int(l_stop[prev]), int(l_stop[rdy])
            dur = int(l_time[rdy] - l_time[prev])
            legs.append(Leg(TRANSFER, a, b, int(l_time[prev]), int(l_time[rdy]), dur))
            cur = prev
        legs.reverse()
        e = int(eg[last_stop])
        legs.append(Leg(EGRESS, last_stop, -1, legs[-1].arrival_s, legs[-1].arrival_s + e, e))
        journeys.append(Journey(tuple(legs)))
    if criterion == "cost":
        def cost(j: Journey) -> int:
            return j.arrival_s - int(depart_s) + j.walk_s + transfer_penalty_s * j.transfers
        keys = [(j.arrival_s, j.n_rides, cost(j)) for j in journeys]
        journeys = [j for j, x in zip(journeys, keys, strict=True)
                    if not any(y != x and y[0] <= x[0] and y[1] <= x[1] and y[2] <= x[2]
                               for y in keys)]
    if data.reverse:
        journeys = [Journey(tuple(flip_backward(list(j.legs)))) for j in journeys]
        journeys.sort(key=lambda j: (j.n_rides, j.departure_s, j.walk_s))
    else:
        journeys.sort(key=lambda j: (j.n_rides, -j.arrival_s, j.walk_s))
    return journeys

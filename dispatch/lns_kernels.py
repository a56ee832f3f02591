# ruff: noqa: NPY002 -- numba supports only the legacy np.random API inside njit code
"""Numba kernels of the large-neighbourhood search: route feasibility, insertion, removal.

Routes live in an ``(v, max_len)`` int array with the vehicle's start node at
position 0 and its end node at ``lens[v] - 1``.  ``locked[v]`` is the last
position that may not move (committed stops); insertions go after it.
Feasibility of a route is exact for its difference constraints (travel with
waiting, windows, maximum ride time, maximum route duration) plus capacity in
every dimension: the earliest schedule is a least fixpoint of longest-path
relaxations.
"""

from __future__ import annotations

import numpy as np
from numba import njit

EPS = 1e-9
INF = np.inf


@njit(cache=True)
def route_feasible(nodes, k, v, travel, service, lo, hi, demand, capacity, start_load,
                   max_dur, ride_of_pick, partner, times, posmark, stamp):
    """Return True when ``nodes[:k]`` is feasible for vehicle ``v``; fill ``times``."""
    dims = demand.shape[1]
    for d in range(dims):
        load = start_load[v, d]
        for i in range(1, k - 1):
            load += demand[nodes[i], d]
            if load > capacity[v, d] or load < 0:
                return False
    nlinks = 0
    link_p = np.empty(k, np.int64)
    link_d = np.empty(k, np.int64)
    link_l = np.empty(k, np.float64)
    stamp[0] += 1
    s = stamp[0]
    for i in range(1, k - 1):
        x = nodes[i]
        posmark[x, 0] = s
        posmark[x, 1] = i
        p = partner[x]
        if p >= 0 and ride_of_pick[p] < INF and posmark[p, 0] == s:
            link_p[nlinks] = posmark[p, 1]
            link_d[nlinks] = i
            link_l[nlinks] = ride_of_pick[p] + service[p]
            nlinks += 1
    for i in range(k):
        times[i] = lo[nodes[i]]
    md = max_dur[v]
    for _it in range(2 * k + 4):
        for i in range(1, k):
            a = nodes[i - 1]
            b = nodes[i]
            t = times[i - 1] + service[a] + travel[a, b]
            if t > times[i]:
                times[i] = t
            if times[i] > hi[b] + EPS:
                return False
        changed = False
        for li in range(nlinks):
            need = times[link_d[li]] - link_l[li]
            if need > times[link_p[li]] + EPS:
                times[link_p[li]] = need
                changed = True
        if md < INF:
            need = times[k - 1] - md
            if need > times[0] + EPS:
                times[0] = need
                changed = True
        if not changed:
            return True
        if times[0] > hi[nodes[0]] + EPS:
            return False
    return False


@njit(cache=True)
def route_cost(nodes, k, cost):
    """Sum of arc costs along ``nodes[:k]``."""
    total = 0.0
    for i in range(1, k):
        total += cost[nodes[i - 1], nodes[i]]
    return total


@njit(cache=True)
def best_insertion(p, d, v, routes, lens, locked, times_all, travel, cost, service, lo, hi,
                   demand, capacity, start_load, max_dur, ride_of_pick, partner, posmark,
                   stamp, noise, scratch, tscratch, latest_all, load_all):
    """Cheapest feasible insertion of pair ``(p, d)`` in route ``v``.

    Returns ``(delta, i, j)``: ``p`` goes after position ``i`` and ``d`` after
    position ``j`` of the current route (``j >= i``); ``delta`` is ``inf``
    when no position pair is feasible.
    """
    k = lens[v]
    nodes = routes[v]
    times = times_all[v]
    m = 0
    cand_c = np.empty((k * (k + 1)) // 2, np.float64)
    cand_i = np.empty((k * (k + 1)) // 2, np.int64)
    cand_j = np.empty((k * (k + 1)) // 2, np.int64)
    sp = service[p]
    sd = service[d]
    # necessary conditions, O(1) per position pair: latest starts ignoring ride
    # limits and loads after each position (see route_bounds)
    dims = demand.shape[1]
    latest = latest_all[v]
    over = np.zeros(k, np.bool_)  # load after x plus the new request exceeds capacity
    for dd in range(dims):
        q = demand[p, dd]
        if q > 0:
            cap = capacity[v, dd] - q
            for x in range(k):
                if load_all[v, x, dd] > cap:
                    over[x] = True
    for i in range(locked[v], k - 1):
        a = nodes[i]
        b = nodes[i + 1]
        if times[i] > hi[p] + EPS:
            break
        if over[i]:
            continue
        arr_p = times[i] + service[a] + travel[a, p]
        if arr_p > hi[p] + EPS:
            continue
        start_p = max(arr_p, lo[p])
        # d right after p
        start_d = max(start_p + sp + travel[p, d], lo[d])
        if start_d <= hi[d] + EPS and start_d + sd + travel[d, b] <= latest[i + 1] + EPS:
            cand_c[m] = cost[a, p] + cost[p, d] + cost[d, b] - cost[a, b]
            cand_i[m] = i
            cand_j[m] = i
            m += 1
        new_t = max(times[i + 1], start_p + sp + travel[p, b])
        if new_t > latest[i + 1] + EPS:
            continue
        base = cost[a, p] + cost[p, b] - cost[a, b]
        for j in range(i + 1, k - 1):
            e = nodes[j]
            f = nodes[j + 1]
            if j > i + 1:
                new_t = max(times[j], new_t + service[nodes[j - 1]] + travel[nodes[j - 1], e])
                if new_t > latest[j] + EPS:
                    break
            if over[j] or new_t > hi[d] + EPS:
                break
            start_d = max(new_t + service[e] + travel[e, d], lo[d])
            if start_d > hi[d] + EPS:
                continue
            if start_d + sd + travel[d, f] > latest[j + 1] + EPS:
                continue
            cand_c[m] = base + cost[e, d] + cost[d, f] - cost[e, f]
            cand_i[m] = i
            cand_j[m] = j
            m += 1
    if m == 0:
        return INF, -1, -1
    if noise > 0.0:
        for q in range(m):
            cand_c[q] = cand_c[q] + noise * (2.0 * np.random.random() - 1.0)
    order = np.argsort(cand_c[:m])
    for q in range(m):
        idx = order[q]
        i = cand_i[idx]
        j = cand_j[idx]
        # build candidate route
        w = 0
        for x in range(k):
            scratch[w] = nodes[x]
            w += 1
            if x == i:
                scratch[w] = p
                w += 1
            if x == j:
                scratch[w] = d
                w += 1
        if route_feasible(scratch, w, v, travel, service, lo, hi, demand, capacity,
                          start_load, max_dur, ride_of_pick, partner, tscratch, posmark,
                          stamp):
            return cand_c[idx], i, j
    return INF, -1, -1


@njit(cache=True)
def route_bounds(v, routes, lens, travel, service, hi, demand, start_load, latest_all,
                 load_all):
    """Latest start at each position ignoring ride limits, and load after it."""
    k = lens[v]
    nodes = routes[v]
    latest_all[v, k - 1] = hi[nodes[k - 1]]
    for x in range(k - 2, -1, -1):
        a = nodes[x]
        latest_all[v, x] = min(hi[a], latest_all[v, x + 1] - service[a]
                               - travel[a, nodes[x + 1]])
    for dd in range(demand.shape[1]):
        load = start_load[v, dd]
        for x in range(k):
            if 0 < x < k - 1:
                load += demand[nodes[x], dd]
            load_all[v, x, dd] = load


@njit(cache=True)
def insert_at(p, d, v, i, j, routes, lens):
    """Insert ``p`` after position ``i`` and ``d`` after position ``j`` of route ``v``."""
    k = lens[v]
    row = routes[v]
    tmp = row[:k].copy()
    w = 0
    for x in range(k):
        row[w] = tmp[x]
        w += 1
        if x == i:
            row[w] = p
            w += 1
        if x == j:
            row[w] = d
            w += 1
    lens[v] = w


@njit(cache=True)
def remove_nodes(v, routes, lens, a, b):
    """Remove nodes ``a`` and ``b`` from route ``v``."""
    k = lens[v]
    row = routes[v]
    w = 0
    for x in range(k):
        y = row[x]
        if y != a and y != b:
            row[w] = y
            w += 1
    lens[v] = w


@njit(cache=True)
def refresh_times(v, routes, lens, times_all, travel, service, lo, hi, demand, capacity,
                  start_load, max_dur, ride_of_pick, partner, posmark, stamp):
    """Recompute the earliest schedule of route ``v``; False if it became infeasible."""
    return route_feasible(routes[v], lens[v], v, travel, service, lo, hi, demand, capacity,
                          start_load, max_dur, ride_of_pick, partner, times_all[v], posmark,
                          stamp)


@njit(cache=True)
def repair(bank, nbank, routes, lens, locked, enabled, times_all, travel, cost, service, lo,
           hi, demand, capacity, start_load, max_dur, ride_of_pick, partner, pair_nodes,
           posmark, stamp, noise, regret):
    """Insert requests of ``bank[:nbank]`` (pair indices); return how many remain.

    ``regret`` selects regret-2 insertion, otherwise greedy cheapest-first;
    ``noise`` perturbs insertion costs by up to that absolute amount.
    """
    nv = lens.shape[0]
    maxlen = routes.shape[1]
    scratch = np.empty(maxlen, np.int64)
    tscratch = np.empty(maxlen, np.float64)
    best_c = np.full((nbank, nv), INF)
    best_i = np.full((nbank, nv), -1, np.int64)
    best_j = np.full((nbank, nv), -1, np.int64)
    alive = np.ones(nbank, np.bool_)
    latest_all = np.empty((nv, maxlen), np.float64)
    load_all = np.empty((nv, maxlen, demand.shape[1]), np.int64)
    for v in range(nv):
        route_bounds(v, routes, lens, travel, service, hi, demand, start_load, latest_all,
                     load_all)
    for b in range(nbank):
        r = bank[b]
        for v in range(nv):
            if enabled[v] and lens[v] + 2 <= maxlen:
                c, i, j = best_insertion(pair_nodes[r, 0], pair_nodes[r, 1], v, routes, lens,
                                         locked, times_all, travel, cost, service, lo, hi,
                                         demand, capacity, start_load, max_dur, ride_of_pick,
                                         partner, posmark, stamp, noise, scratch, tscratch,
                                         latest_all, load_all)
                best_c[b, v] = c
                best_i[b, v] = i
                best_j[b, v] = j
    remaining = nbank
    while remaining > 0:
        pick = -1
        pick_score = -INF
        for b in range(nbank):
            if not alive[b]:
                continue
            c1 = INF
            c2 = INF
            v1 = -1
            for v in range(nv):
                c = best_c[b, v]
                if c < c1:
                    c2 = c1
                    c1 = c
                    v1 = v
                elif c < c2:
                    c2 = c
            if v1 < 0:
                continue
            score = (1000000000000.0 if c2 == INF else c2 - c1) - 1e-06 * c1 if regret else -c1
            if score > pick_score:
                pick_score = score
                pick = b
        if pick < 0:
            break
        v1 = -1
        c1 = INF
        for v in range(nv):
            if best_c[pick, v] < c1:
                c1 = best_c[pick, v]
                v1 = v
        r = bank[pick]
        insert_at(pair_nodes[r, 0], pair_nodes[r, 1], v1, best_i[pick, v1], best_j[pick, v1],
                  routes, lens)
        refresh_times(v1, routes, lens, times_all, travel, service, lo, hi, demand, capacity,
                      start_load, max_dur, ride_of_pick, partner, posmark, stamp)
        route_bounds(v1, routes, lens, travel, service, hi, demand, start_load, latest_all,
                     load_all)
        alive[pick] = False
        remaining -= 1
        for b in range(nbank):
            if alive[b]:
                if lens[v1] + 2 <= maxlen:
                    r2 = bank[b]
                    c, i, j = best_insertion(pair_nodes[r2, 0], pair_nodes[r2, 1], v1, routes,
                                             lens, locked, times_all, travel, cost, service,
                                             lo, hi, demand, capacity, start_load, max_dur,
                                             ride_of_pick, partner, posmark, stamp, noise,
                                             scratch, tscratch, latest_all, load_all)
                else:
                    c, i, j = INF, -1, -1
                best_c[b, v1] = c
                best_i[b, v1] = i
                best_j[b, v1] = j
    w = 0
    for b in range(nbank):
        if alive[b]:
            bank[w] = bank[b]
            w += 1
    return w


@njit(cache=True)
def seed_rng(seed):
    """Seed numba's random generator."""
    np.random.seed(seed)


@njit(cache=True)
def destroy(kind, q, routes, lens, locked, removable, route_of_pair, pair_nodes, bank, nbank,
            travel, cost, lo, times_all, pos_buf):
    """Remove up to ``q`` removable requests; append their indices to ``bank``.

    ``kind``: 0 random, 1 related (Shaw), 2 worst (randomized), 3 one whole route.
    Returns the new bank size.
    """
    nv = lens.shape[0]
    m = pair_nodes.shape[0]
    # where is every pair now
    for r in range(m):
        route_of_pair[r] = -1
    for v in range(nv):
        for x in range(locked[v] + 1, lens[v] - 1):
            pos_buf[routes[v, x]] = x
    cand = np.empty(m, np.int64)
    nc = 0
    for r in range(m):
        if removable[r]:
            cand[nc] = r
            nc += 1
    # locate pairs by scanning routes once
    owner = np.full(travel.shape[0], -1, np.int64)
    for v in range(nv):
        for x in range(locked[v] + 1, lens[v] - 1):
            owner[routes[v, x]] = v
    served = np.empty(nc, np.int64)
    ns = 0
    for c in range(nc):
        r = cand[c]
        v = owner[pair_nodes[r, 0]]
        if v >= 0 and owner[pair_nodes[r, 1]] == v:
            route_of_pair[r] = v
            served[ns] = r
            ns += 1
    if ns == 0:
        return nbank
    q = min(q, ns)
    chosen = np.zeros(ns, np.bool_)
    picked = np.empty(q, np.int64)
    npk = 0
    if kind == 3:
        # the non-empty route with the fewest removable requests
        counts = np.zeros(nv, np.int64)
        for s in range(ns):
            counts[route_of_pair[served[s]]] += 1
        best_v = -1
        for v in range(nv):
            if counts[v] > 0 and (best_v < 0 or counts[v] < counts[best_v]
                                  or (counts[v] == counts[best_v] and np.random.random() < 0.5)):
                best_v = v
        picked = np.empty(counts[best_v], np.int64)
        for s in range(ns):
            if route_of_pair[served[s]] == best_v:
                picked[npk] = served[s]
                npk += 1
    elif kind == 1:
        s0 = np.random.randint(ns)
        chosen[s0] = True
        picked[0] = served[s0]
        npk = 1
        rel = np.empty(ns, np.float64)
        while npk < q:
            ref = picked[np.random.randint(npk)]
            rp = pair_nodes[ref, 0]
            rd = pair_nodes[ref, 1]
            for s in range(ns):
                if chosen[s]:
                    rel[s] = INF
                else:
                    r = served[s]
                    p = pair_nodes[r, 0]
                    d = pair_nodes[r, 1]
                    rel[s] = (travel[rp, p] + travel[rd, d]
                              + 0.2 * (abs(times_all[route_of_pair[r], pos_buf[p]]
                                           - times_all[route_of_pair[ref], pos_buf[rp]])
                                       + abs(times_all[route_of_pair[r], pos_buf[d]]
                                             - times_all[route_of_pair[ref], pos_buf[rd]])))
            order = np.argsort(rel)
            left = ns - npk
            y = np.random.random()
            s = order[int(y ** 6 * left)]
            chosen[s] = True
            picked[npk] = served[s]
            npk += 1
    elif kind == 2:
        gain = np.empty(ns, np.float64)
        for s in range(ns):
            r = served[s]
            v = route_of_pair[r]
            total = 0.0
            for e in range(2):
                x = pair_nodes[r, e]
                i = pos_buf[x]
                a = routes[v, i - 1]
                b = routes[v, i + 1]
                total += cost[a, x] + cost[x, b] - cost[a, b]
            gain[s] = -total
        order = np.argsort(gain)
        taken = np.zeros(ns, np.bool_)
        while npk < q:
            left = ns - npk
            y = np.random.random()
            idx = int(y ** 4 * left)
            cnt = -1
            for t in range(ns):
                if not taken[order[t]]:
                    cnt += 1
                    if cnt == idx:
                        taken[order[t]] = True
                        picked[npk] = served[order[t]]
                        npk += 1
                        break
    else:
        perm = np.random.permutation(ns)
        for t in range(q):
            picked[npk] = served[perm[t]]
            npk += 1
    for t in range(npk):
        r = picked[t]
        remove_nodes(route_of_pair[r], routes, lens, pair_nodes[r, 0], pair_nodes[r, 1])
        bank[nbank] = r
        nbank += 1
    return nbank

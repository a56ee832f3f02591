"""Build :class:`~transit.footpaths.Footpaths` from transfers.txt and stop distances.

Rules, in order:

1. Every stop allows a 0-second change of vehicle at itself.
2. ``mode="walk"``: every pair of stops at most ``radius_m`` apart (crow-fly)
   gets a walking edge. Its length is the street distance when a
   ``street_lengths`` function is given and knows both stops, else crow-fly x
   ``detour`` (1.3); edges longer than ``radius_m`` x ``detour`` (a long way
   round on the streets) are dropped. Time is length / ``speed_m_s`` (1.2 m/s).
3. ``transfers.txt`` rules override: type 2 sets the change time at a stop
   (``from == to``) or the edge's duration (``from != to``, added when
   missing); types 0 and 1 add an edge between distinct stops when missing;
   type 3 forbids the change at a stop or removes the edge.
4. The edges are closed transitively: Dijkstra from every stop over the
   edges keeps every chained walk up to ``max_chain_s`` (default the walking
   time of ``radius_m`` x ``detour``; transfers.txt edges are kept whatever
   their length, but longer chains through them are not added), so
   a router relaxes one footpath between two vehicles and still finds chained
   walks. transfers.txt durations are kept as given; forbidden pairs stay
   forbidden.

``mode="none"`` keeps only rule 1: same-stop changes at 0 s, no walking, and
``transfers.txt`` is not read.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from routing.errors import QueryError
from routing.geo import haversine_m
from transit.footpaths import Footpaths
from transit.timetable import TRANSFER_FORBIDDEN, TRANSFER_MIN_TIME, Timetable

DEFAULT_RADIUS_M = 400.0
WALK_SPEED_M_S = 1.2
DETOUR_FACTOR = 1.3

#: ``street_lengths(stop, candidates, limit_m) -> metres``: NaN where the streets
#: know nothing (a stop not snapped), +inf where no path is within ``limit_m``.
StreetLengths = Callable[[int, NDArray[np.int32], float], NDArray[np.float64]]


def build_footpaths(tt: Timetable, *, mode: str = "walk", radius_m: float = DEFAULT_RADIUS_M,
                    speed_m_s: float = WALK_SPEED_M_S, detour: float = DETOUR_FACTOR,
                    street_lengths: StreetLengths | None = None,
                    max_chain_s: int | None = None) -> Footpaths:
    """Return the footpaths of ``tt`` for transfer ``mode`` ``"walk"`` or ``"none"``.

    Parameters
    ----------
    tt
        The compiled day.
    mode
        ``"walk"`` (transfers.txt plus walking between nearby stops) or
        ``"none"`` (only 0-second changes at the same stop).
    radius_m, speed_m_s, detour
        Walking model: stops up to ``radius_m`` apart, crow-fly x ``detour``
        at ``speed_m_s`` when no street length is known.
    street_lengths
        Optional street distances, see :data:`StreetLengths`.
    max_chain_s
        Longest chained walk kept by the closure (see rule 4).

    Raises
    ------
    QueryError
        If ``mode`` is unknown or a walking parameter is not positive.
    """
    if mode not in ("walk", "none"):
        raise QueryError(f"transfers: expected 'walk' or 'none', got {mode!r}")
    if mode == "none":
        return Footpaths.same_stop_only(tt.n_stops)
    for name, value in (("radius_m", radius_m), ("speed_m_s", speed_m_s), ("detour", detour)):
        if not value > 0:
            raise QueryError(f"{name}: must be > 0, got {value}")
    n = tt.n_stops
    change = np.zeros(n, np.int32)
    edges: dict[tuple[int, int], tuple[int, float]] = {}
    src, dst = nearby_pairs(tt.stop_lat, tt.stop_lon, radius_m)
    crow = haversine_m(tt.stop_lat[src], tt.stop_lon[src], tt.stop_lat[dst], tt.stop_lon[dst])
    length = crow * detour
    if street_lengths is not None and len(src):
        order = np.argsort(src, kind="stable")
        src, dst, length, crow = src[order], dst[order], length[order], crow[order]
        bounds = np.flatnonzero(np.diff(src)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(src)], strict=True):
            street = street_lengths(int(src[lo]), dst[lo:hi], radius_m * detour)
            known = ~np.isnan(street)
            length[lo:hi][known] = street[known]
    keep = length <= radius_m * detour  # a street detour past the limit is no transfer
    src, dst, length = src[keep], dst[keep], length[keep]
    for a, b, m in zip(src.tolist(), dst.tolist(), length.tolist(), strict=True):
        edges[(a, b)] = (round(m / speed_m_s), float(m))
    forbidden: set[tuple[int, int]] = set()
    explicit: dict[tuple[int, int], tuple[int, float]] = {}
    for a, b, kind, min_s in zip(tt.transfer_from_stop.tolist(), tt.transfer_to_stop.tolist(),
                                 tt.transfer_type.tolist(), tt.transfer_min_s.tolist(),
                                 strict=True):
        if a == b:
            if kind == TRANSFER_FORBIDDEN:
                change[a] = -1
            elif kind == TRANSFER_MIN_TIME and change[a] >= 0:
                change[a] = max(int(min_s), 0)
            continue
        if kind == TRANSFER_FORBIDDEN:
            forbidden.add((a, b))
            continue
        m = float(haversine_m(tt.stop_lat[a], tt.stop_lon[a], tt.stop_lat[b], tt.stop_lon[b]))
        walk = edges.get((a, b), (round(m * detour / speed_m_s), m * detour))
        if kind == TRANSFER_MIN_TIME and min_s >= 0:
            walk = (int(min_s), walk[1])
        edges[(a, b)] = walk
        explicit[(a, b)] = walk
    chain = (round(radius_m * detour / speed_m_s) if max_chain_s is None
             else int(max_chain_s))
    closed = _close(n, edges, chain)
    closed.update(explicit)  # transfers.txt times are not shortened by chained walks
    for pair in forbidden:
        closed.pop(pair, None)
    if not closed:
        fp = Footpaths.same_stop_only(n)
        return Footpaths(change, fp.offsets, fp.to_stop, fp.duration_s, fp.distance_m)
    keys = np.array(list(closed.keys()), np.int32).reshape(-1, 2)
    vals = list(closed.values())
    return Footpaths.from_edges(change, keys[:, 0], keys[:, 1],
                                np.array([v[0] for v in vals], np.int32),
                                np.array([v[1] for v in vals], np.float64))


def nearby_pairs(lat: NDArray[np.float64], lon: NDArray[np.float64],
                 radius_m: float) -> tuple[NDArray[np.int32], NDArray[np.int32]]:
    """Return all ordered pairs ``(a, b)``, ``a != b``, at most ``radius_m`` apart.

    Points are bucketed on a grid of ``radius_m`` cells; only the 3 x 3
    neighbouring cells are compared, so the cost grows with the pairs found.
    """
    n = len(lat)
    if n < 2:
        return np.zeros(0, np.int32), np.zeros(0, np.int32)
    lat0 = float(np.nanmean(lat))
    y = (lat - lat0) * 111_320.0
    x = (lon - float(np.nanmean(lon))) * 111_320.0 * np.cos(np.radians(lat0))
    cx = np.floor(x / radius_m).astype(np.int64)
    cy = np.floor(y / radius_m).astype(np.int64)
    cells: dict[tuple[int, int], list[int]] = {}
    for i, key in enumerate(zip(cx.tolist(), cy.tolist(), strict=True)):
        cells.setdefault(key, []).append(i)
    arrays = {k: np.array(v, np.int64) for k, v in cells.items()}
    src: list[NDArray[np.int64]] = []
    dst: list[NDArray[np.int64]] = []
    for (gx, gy), members in arrays.items():
        neigh = [arrays[(gx + dx, gy + dy)] for dx in (-1, 0, 1) for dy in (-1, 0, 1)
                 if (gx + dx, gy + dy) in arrays]
        cand = np.concatenate(neigh)
        a = np.repeat(members, len(cand))
        b = np.tile(cand, len(members))
        keep = a != b
        a, b = a[keep], b[keep]
        d = haversine_m(lat[a], lon[a], lat[b], lon[b])
        ok = d <= radius_m
        src.append(a[ok])
        dst.append(b[ok])
    return (np.concatenate(src).astype(np.int32), np.concatenate(dst).astype(np.int32))


def _close(n: int, edges: dict[tuple[int, int], tuple[int, float]], chain_s: int
           ) -> dict[tuple[int, int], tuple[int, float]]:
    """Shortest walks over ``edges`` up to ``chain_s`` (explicit edges are re-added after)."""
    if not edges:
        return {}
    limit = chain_s
    adj: dict[int, list[tuple[int, int, float]]] = {}
    for (a, b), (sec, m) in edges.items():
        adj.setdefault(a, []).append((b, sec, m))
    out: dict[tuple[int, int], tuple[int, float]] = {}
    for s in adj:
        best: dict[int, tuple[int, float]] = {s: (0, 0.0)}
        heap: list[tuple[int, float, int]] = [(0, 0.0, s)]
        while heap:
            t, m, u = heapq.heappop(heap)
            if best.get(u, (t + 1, 0.0))[0] < t:
                continue
            for v, sec, mm in adj.get(u, ()):
                nt = t + sec
                if nt > limit:
                    continue
                if v not in best or nt < best[v][0]:
                    best[v] = (nt, m + mm)
                    heapq.heappush(heap, (nt, m + mm, v))
        for v, val in best.items():
            if v != s:
                out[(s, v)] = val
    return out

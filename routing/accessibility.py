"""Cumulative-opportunity accessibility: one-to-all RAPTOR from cells to every cell.

For an origin (a cell centroid, or any coordinate) and a departure time,
:meth:`AccessibilityCalculator.travel_times` runs one RAPTOR search with
walking access and *no* destination (no target pruning), so the labels hold
the earliest arrival by vehicle at every stop. The travel time to each cell is
then the best of

* the walk-only trip (great-circle distance x detour / speed, within the walk limit), and
* the earliest vehicle arrival at a stop + the walk from that stop to the cell,

computed for all cells at once from stop -> cell walking times precomputed
when the calculator is built (the planner's own walker: street lengths when it
has streets, crow-fly x 1.3 otherwise). The per-cell minimum is one
``numpy.minimum.reduceat`` over a CSR table (cell -> stops within the walk
limit). The answer equals :meth:`routing.planner.Planner.arrival_time` for the
cell centroids when the planner walks crow-fly (tested against it); with
streets the walk-only trip between cells stays crow-fly x detour.

:func:`accessibility` counts the jobs reachable within each threshold for
every origin and departure, and takes the median over departures; with an
on-demand provider, a ride to a hub of the origin's zone is one more access
option (:func:`ondemand_access`; egress by on-demand is not modelled);
:func:`population_weighted` averages it over origins by population;
:func:`isochrone` gives the cells reachable from a point within a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from routing.errors import QueryError
from routing.geo import haversine_m
from routing.ondemand import OnDemandProvider
from routing.planner import Planner
from routing.raptor import INF, RaptorState, StopTimes

#: Travel-time thresholds of the accessibility measure (30, 45 and 60 minutes).
DEFAULT_THRESHOLDS_S = (1800, 2700, 3600)
#: Travel time of an unreachable cell.
UNREACHABLE_S = -1


@dataclass(frozen=True, slots=True)
class AccessibilityResult:
    """Jobs reachable per origin, departure and threshold, and their median over departures.

    Attributes
    ----------
    origins : ndarray of int64
        Cell indices of the origins, in the order of the rows.
    departures_s : ndarray of int64
        Departure times (seconds after service-day midnight).
    thresholds_s : tuple of int
        Travel-time thresholds.
    jobs : ndarray of int64, shape (origins, departures, thresholds)
        Jobs in the cells reachable within each threshold.
    """

    origins: NDArray[np.int64]
    departures_s: NDArray[np.int64]
    thresholds_s: tuple[int, ...]
    jobs: NDArray[np.int64]

    @property
    def median_jobs(self) -> NDArray[np.float64]:
        """Median over departures, shape (origins, thresholds)."""
        return np.median(self.jobs.astype(np.float64), axis=1)


class AccessibilityCalculator:
    """Travel times from a point to every cell; build once per planner and cells.

    Parameters
    ----------
    planner
        Its timetable, walker, footpaths and walk limit are used.
    cell_lat, cell_lon
        Cell centroids (degrees).
    jobs
        Jobs per cell (for :func:`accessibility`); default zeros.

    One instance per thread or process (it owns RAPTOR labels).
    """

    def __init__(self, planner: Planner, cell_lat: ArrayLike, cell_lon: ArrayLike, *,
                 jobs: ArrayLike | None = None) -> None:
        lat = np.asarray(cell_lat, dtype=np.float64)
        lon = np.asarray(cell_lon, dtype=np.float64)
        if lat.shape != lon.shape or lat.ndim != 1:
            raise QueryError(f"cell_lat, cell_lon: expected two 1-d arrays of one length, got "
                             f"shapes {lat.shape} and {lon.shape}")
        if lat.size and (np.abs(lat).max() > 90 or np.abs(lon).max() > 180
                         or not np.isfinite(lat).all() or not np.isfinite(lon).all()):
            raise QueryError("cell_lat, cell_lon: a coordinate is out of range or not finite")
        self.planner = planner
        self.cell_lat = lat
        self.cell_lon = lon
        self.n_cells = int(lat.size)
        if jobs is None:
            self.jobs = np.zeros(self.n_cells, np.int64)
        else:
            self.jobs = np.asarray(jobs, dtype=np.int64)
            if self.jobs.shape != lat.shape:
                raise QueryError(f"jobs: expected {self.n_cells} values, got {self.jobs.size}")
        self._state = RaptorState(planner.provider.forward(), planner.config.max_transfers)
        self._state.egress.fill(-1)  # one-to-all: no destination, no target pruning
        # cell -> stops within the walk limit (walking is symmetric: access = egress)
        limit = planner.config.walk_limit_s
        offsets = np.zeros(self.n_cells + 1, np.int64)
        stops: list[NDArray[np.int32]] = []
        secs: list[NDArray[np.int64]] = []
        for c in range(self.n_cells):
            near = planner.walker.stops_near(float(lat[c]), float(lon[c]), limit)
            keys = sorted(near)
            stops.append(np.asarray(keys, np.int32))
            secs.append(np.asarray([near[s][0] for s in keys], np.int64))
            offsets[c + 1] = offsets[c] + len(keys)
        self._cell_offsets = offsets
        self._cell_stops = np.concatenate(stops) if stops else np.zeros(0, np.int32)
        self._cell_walk_s = np.concatenate(secs) if secs else np.zeros(0, np.int64)
        # reduceat over the non-empty cells only: their starts increase strictly and each
        # segment runs to the next non-empty cell's start (empty cells in between add nothing)
        self._has_stops = offsets[1:] > offsets[:-1]
        self._starts = offsets[:-1][self._has_stops]

    def cell_access(self, cell: int) -> tuple[NDArray[np.int32], NDArray[np.int64]]:
        """Return the stops walkable from ``cell`` and their walking seconds."""
        a, b = int(self._cell_offsets[cell]), int(self._cell_offsets[cell + 1])
        return self._cell_stops[a:b], self._cell_walk_s[a:b]

    def _direct_walk_s(self, lat: float, lon: float) -> NDArray[np.int64]:
        c = self.planner.config
        crow = np.asarray(haversine_m(lat, lon, self.cell_lat, self.cell_lon), np.float64)
        sec = np.rint(crow * c.detour / c.speed_m_s).astype(np.int64)
        ok = (crow / c.speed_m_s <= c.walk_limit_s) & (sec <= c.walk_limit_s)
        return np.where(ok, sec, np.int64(INF))

    def travel_times(self, lat: float, lon: float, depart_s: int) -> NDArray[np.int64]:
        """Return seconds from ``(lat, lon)`` at ``depart_s`` to every cell (-1: unreachable)."""
        near = self.planner.walker.stops_near(lat, lon, self.planner.config.walk_limit_s)
        keys = sorted(near)
        return self._run(np.asarray(keys, np.int32),
                         np.asarray([near[s][0] for s in keys], np.int64), lat, lon, depart_s)

    def travel_times_from_cell(self, cell: int, depart_s: int, *,
                               extra_access: StopTimes | None = None) -> NDArray[np.int64]:
        """Return seconds from cell ``cell``'s centroid at ``depart_s`` to every cell.

        ``extra_access`` adds access stops beside the walked ones (seconds from
        ``depart_s`` until a vehicle can be boarded there, e.g. an on-demand ride
        to a hub: :func:`ondemand_access`); the better of the two counts per stop.
        """
        if not 0 <= cell < self.n_cells:
            raise QueryError(f"cell: expected 0..{self.n_cells - 1}, got {cell}")
        stops, secs = self.cell_access(cell)
        if extra_access is not None and len(extra_access.stops):
            n_stops = self.planner.timetable.n_stops
            if extra_access.stops.min() < 0 or extra_access.stops.max() >= n_stops:
                raise QueryError("extra_access: stop index out of range")
            stops = np.concatenate([stops, extra_access.stops.astype(np.int32)])
            secs = np.concatenate([secs, extra_access.duration_s.astype(np.int64)])
        return self._run(stops, secs, float(self.cell_lat[cell]), float(self.cell_lon[cell]),
                         depart_s)

    def _run(self, stops: NDArray[np.int32], secs: NDArray[np.int64], lat: float, lon: float,
             depart_s: int) -> NDArray[np.int64]:
        st = self._state
        st.reset()
        ready = (secs + int(depart_s)).astype(np.int32)
        st.run(stops, ready)
        arrive = st.ta.min(axis=0).astype(np.int64)  # rounds may stop early: best of any
        best = np.full(self.n_cells, np.int64(INF))
        if len(self._cell_stops):
            via = arrive[self._cell_stops] + self._cell_walk_s
            best[self._has_stops] = np.minimum.reduceat(via, self._starts)
        best = np.minimum(best, self._direct_walk_s(lat, lon) + int(depart_s))
        best = np.where(best >= INF, INF, best)
        return np.where(best >= INF, UNREACHABLE_S, best - int(depart_s))


def ondemand_access(provider: OnDemandProvider, lat: float, lon: float, depart_s: int, *,
                    booked_at_s: int | None = None) -> StopTimes | None:
    """Hubs reachable by an on-demand ride leaving at ``depart_s``: seconds until boarding there.

    The provider's earliest ride to each hub of the zone holding the point
    (drop-off + the transfer buffer - ``depart_s``), booked at ``booked_at_s``
    (default ``depart_s``: the zone's minimum notice then delays the pickup);
    ``None`` outside every zone.
    """
    booked = depart_s if booked_at_s is None else booked_at_s
    best: dict[int, int] = {}
    for o in provider.access(lat, lon, depart_s, booked_at_s=booked):
        if o.to_stop >= 0:
            t = max(int(o.dropoff_s) + int(provider.transfer_buffer_s) - int(depart_s), 0)
            if o.to_stop not in best or t < best[o.to_stop]:
                best[o.to_stop] = t
    return StopTimes.of(best) if best else None


def _check_thresholds(thresholds_s: Sequence[int]) -> tuple[int, ...]:
    th = tuple(int(t) for t in thresholds_s)
    if not th or any(t <= 0 for t in th):
        raise QueryError(f"thresholds_s: expected positive seconds, got {list(thresholds_s)}")
    return th


def jobs_within(times_s: NDArray[np.int64], jobs: NDArray[np.int64],
                thresholds_s: Sequence[int]) -> NDArray[np.int64]:
    """Return the jobs in cells reached within each threshold (``times_s`` -1 = unreachable)."""
    ok = times_s >= 0
    return np.array([int(jobs[ok & (times_s <= t)].sum()) for t in thresholds_s], np.int64)


def accessibility(calc: AccessibilityCalculator, origins: ArrayLike, departures_s: ArrayLike, *,
                  thresholds_s: Sequence[int] = DEFAULT_THRESHOLDS_S,
                  provider: OnDemandProvider | None = None,
                  booking_ahead_s: int = 0) -> AccessibilityResult:
    """Return the jobs reachable from each origin cell at each departure within each threshold.

    Parameters
    ----------
    calc
        The calculator (planner, cells, jobs).
    origins
        Cell indices.
    departures_s
        Departure times (seconds after service-day midnight).
    thresholds_s
        Travel-time thresholds (default 30, 45, 60 minutes).
    provider
        When given, an on-demand ride to a hub is an access option too
        (:func:`ondemand_access`, quoted per origin and departure).
    booking_ahead_s
        The rides are booked this long before the departure.
    """
    th = _check_thresholds(thresholds_s)
    orig = np.asarray(origins, dtype=np.int64).reshape(-1)
    deps = np.asarray(departures_s, dtype=np.int64).reshape(-1)
    if orig.size and (orig.min() < 0 or orig.max() >= calc.n_cells):
        raise QueryError(f"origins: cell index out of range 0..{calc.n_cells - 1}")
    out = np.zeros((orig.size, deps.size, len(th)), np.int64)
    for i, c in enumerate(orig.tolist()):
        for j, t in enumerate(deps.tolist()):
            extra = None if provider is None else ondemand_access(
                provider, float(calc.cell_lat[c]), float(calc.cell_lon[c]), t,
                booked_at_s=t - booking_ahead_s)
            out[i, j] = jobs_within(calc.travel_times_from_cell(c, t, extra_access=extra),
                                    calc.jobs, th)
    return AccessibilityResult(orig, deps, th, out)


def population_weighted(median_jobs: NDArray[np.float64], population: ArrayLike
                        ) -> NDArray[np.float64]:
    """Average ``median_jobs`` (origins x thresholds) over origins, weighted by population."""
    pop = np.asarray(population, dtype=np.float64)
    if pop.shape[0] != median_jobs.shape[0]:
        raise QueryError(f"population: expected {median_jobs.shape[0]} values, got {pop.size}")
    total = pop.sum()
    if total <= 0:
        return np.full(median_jobs.shape[1], np.nan)
    return np.asarray((pop[:, None] * median_jobs).sum(axis=0) / total, np.float64)


def departure_times(start_s: int, end_s: int, n: int) -> NDArray[np.int64]:
    """Return ``n`` departures spread evenly over ``[start_s, end_s)`` (a 12-departure morning)."""
    if n < 1:
        raise QueryError(f"departures: expected >= 1, got {n}")
    if end_s <= start_s:
        raise QueryError(f"end_s: must be after start_s {start_s}, got {end_s}")
    step = (end_s - start_s) / n
    return np.asarray([start_s + round(k * step) for k in range(n)], np.int64)


def isochrone(calc: AccessibilityCalculator, lat: float, lon: float, depart_s: int,
              limit_s: int) -> NDArray[np.int64]:
    """Return the indices of the cells reachable from ``(lat, lon)`` within ``limit_s``."""
    if limit_s < 0:
        raise QueryError(f"limit_s: must be >= 0, got {limit_s}")
    t = calc.travel_times(lat, lon, depart_s)
    return np.flatnonzero((t >= 0) & (t <= limit_s)).astype(np.int64)


__all__ = ["DEFAULT_THRESHOLDS_S", "UNREACHABLE_S", "AccessibilityCalculator",
           "AccessibilityResult", "accessibility", "departure_times", "isochrone",
           "jobs_within", "ondemand_access", "population_weighted"]

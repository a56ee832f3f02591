"""Evaluate planners' scenarios: route a day of OD trips, simulate its DRT, measure access.

Per scenario (:func:`evaluate_scenarios`):

1. apply the scenario file (``gtfs.scenario_apply.apply_scenario``) into
   ``out_dir/<name>/`` and compile the day (compile cache shared by the workers);
2. route every OD trip (the same ``transit.demand`` sample for every scenario)
   with :class:`routing.multimodal.MultimodalPlanner` over a dispatch-backed
   on-demand provider (``web.services.ondemand_provider``): the chosen journey
   is the earliest arrival (ties: fewer on-demand legs, then fewer rides);
3. hand the on-demand legs of the chosen journeys to the DRT day simulation
   (``dispatch.demand.requests_from_trips`` -> ``dispatch.simulation.simulate_day``,
   driving on the streets) as its requests, and read its KPIs (``dispatch.kpi``);
4. accessibility (``routing.accessibility``): jobs reachable within 30/45/60
   min from each origin cell — walking, buses, and an on-demand ride to a hub of
   the origin's zone — median over the departures, population-weighted;
5. supply: bus vehicle-hours and vehicle-km from the compiled timetable, DRT
   vehicle-hours from the simulation, CO2 of both.

Routing and accessibility are cut into tasks (scenario x trip chunk, scenario x
origin chunk x departure) run by :class:`web.planning.distributed.TaskRunner`,
in this process or on Dask; results are merged in task order, so the answer
does not depend on where the tasks ran.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from dispatch.demand import requests_from_trips
from dispatch.kpi import compute_kpis
from dispatch.simulation import (
    CrowFlyDistances,
    SimulationOptions,
    TravelDistances,
    fleet_vehicles,
    simulate_day,
)
from dispatch.travel import CrowFlyTravelTimes, TravelTimes
from gtfs.cells_io import read_cells
from gtfs.compile import compile_feed_file
from gtfs.democity.services import SAMPLE_WEEKDAY
from gtfs.ondemand import load_ondemand_service
from gtfs.reader import read_feed
from gtfs.scenario_apply import apply_scenario
from routing.accessibility import (
    DEFAULT_THRESHOLDS_S,
    AccessibilityCalculator,
    departure_times,
    jobs_within,
    ondemand_access,
    population_weighted,
)
from routing.geo import haversine_m
from routing.journey import ACCESS, EGRESS, ON_DEMAND, TRANSFER, Journey
from routing.multimodal import MultimodalPlanner
from routing.ondemand import DOOR
from routing.osm import load_osm
from routing.planner import DIRECT, Place, Planner
from transit.demand import ODTrips, generate_demand
from transit.errors import TsunaguError
from transit.ondemand import OnDemandService
from transit.timetable import Timetable
from web.planning.distributed import ClusterOptions, TaskRunner, chunks

#: Door-to-door time under which a trip "has a good transit/DRT option" (45 min).
GOOD_OPTION_S = 45 * 60
#: Diesel bus, tank to wheel (about 1.1 kg CO2 per km in Japanese city service).
BUS_CO2_G_PER_KM = 1100.0
WALK_KINDS = (ACCESS, TRANSFER, EGRESS, DIRECT)


class EvaluationError(ValueError, TsunaguError):
    """An evaluation option or input is invalid."""


@dataclass(frozen=True, slots=True)
class EvaluationOptions:
    """How scenarios are evaluated (same trips and cells for every scenario).

    Attributes
    ----------
    trips : int
        OD trips sampled from the cells' gravity model.
    seed : int
        Seeds the demand, the ride requests and the simulation.
    day : date
        Service day (default: the demo city's sample weekday).
    departures : int
        Departure times of the accessibility measure, spread over
        ``[access_start_s, access_end_s)``.
    access_start_s, access_end_s : int
        The accessibility window (default 07:00-09:00).
    access_origins : int or None
        Origin cells of the accessibility measure (a seeded sample; None: all).
    thresholds_s : tuple of int
        Accessibility thresholds (30, 45, 60 min).
    walk_on_streets : bool
        Walk on the base's streets (else crow-fly x 1.3).
    access_ondemand : bool
        Count an on-demand ride to a hub as an access option in the accessibility measure.
    booking_ahead_s : int
        Riders book on-demand rides this long before leaving (routing and accessibility;
        default 1 h, beyond the demo zone's 30 min minimum notice).
    reopt_every_s, reopt_time_limit_s : int, float
        The DRT simulation's re-optimization.
    trips_per_task, origins_per_task : int
        Task sizes of the batch.
    bus_co2_g_per_km : float
        CO2 of a bus kilometre.
    """

    trips: int = 400
    seed: int = 1
    day: date = SAMPLE_WEEKDAY
    departures: int = 12
    access_start_s: int = 7 * 3600
    access_end_s: int = 9 * 3600
    access_origins: int | None = None
    thresholds_s: tuple[int, ...] = DEFAULT_THRESHOLDS_S
    walk_on_streets: bool = True
    access_ondemand: bool = True
    booking_ahead_s: int = 3600
    reopt_every_s: int = 900
    reopt_time_limit_s: float = 0.5
    trips_per_task: int = 100
    origins_per_task: int = 200
    bus_co2_g_per_km: float = BUS_CO2_G_PER_KM

    def __post_init__(self) -> None:
        for name in ("trips", "departures", "trips_per_task", "origins_per_task"):
            if getattr(self, name) < 1:
                raise EvaluationError(f"{name}: must be >= 1, got {getattr(self, name)}")
        if self.access_origins is not None and self.access_origins < 1:
            raise EvaluationError(f"access_origins: must be >= 1, got {self.access_origins}")
        if self.booking_ahead_s < 0:
            raise EvaluationError(f"booking_ahead_s: must be >= 0, got {self.booking_ahead_s}")
        if self.access_end_s <= self.access_start_s:
            raise EvaluationError(f"access_end_s: must be after access_start_s, got "
                                  f"{self.access_end_s}")
        if not self.thresholds_s or min(self.thresholds_s) <= 0:
            raise EvaluationError(f"thresholds_s: positive seconds expected, got "
                                  f"{list(self.thresholds_s)}")


# -- picklable task inputs ------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    """Where a worker finds an applied scenario's files (paths only: cheap to ship)."""

    name: str
    feed_path: str
    ondemand_path: str | None
    streets_path: str | None
    day: date
    cache_dir: str


@dataclass(frozen=True, slots=True)
class RouteTask:
    """Route trips ``(index, o_lat, o_lon, d_lat, d_lon, depart_s)`` in one scenario."""

    spec: ScenarioSpec
    trips: tuple[tuple[int, float, float, float, float, int], ...]
    booking_ahead_s: int = 0  # on-demand rides are booked this long before the departure


@dataclass(frozen=True, slots=True)
class AccessTask:
    """Jobs reachable from ``origins`` (cell indices) at ``depart_s`` in one scenario."""

    spec: ScenarioSpec
    cells_path: str
    origins: tuple[int, ...]
    depart_s: int
    thresholds_s: tuple[int, ...]
    ondemand: bool = True  # an on-demand ride to a hub is an access option
    booking_ahead_s: int = 0


@dataclass(frozen=True, slots=True)
class TripOutcome:
    """The chosen journey of one OD trip (``reached`` False: no journey at all)."""

    index: int
    reached: bool
    duration_s: int  # from the wished departure to the arrival
    rides: int
    transfers: int
    walk_s: int
    ondemand_legs: int
    good_option: bool  # some journey with a vehicle arrives within GOOD_OPTION_S
    rides_ondemand: tuple[tuple[float, float, float, float, int], ...] = ()


# -- per-worker builders (cached per process) -------------------------------------------

def _timetable(spec: ScenarioSpec, cache: dict[str, Any]) -> Timetable:
    key = f"tt:{spec.feed_path}:{spec.day}"
    if key not in cache:
        cache[key] = compile_feed_file(spec.feed_path, spec.day, cache_dir=Path(spec.cache_dir))
    tt: Timetable = cache[key]
    return tt


def _streets(path: str | None, cache: dict[str, Any]) -> Any:
    if path is None:
        return None
    key = f"streets:{path}"
    if key not in cache:
        cache[key] = load_osm(path)
    return cache[key]


def _active_services(spec: ScenarioSpec, cache: dict[str, Any]) -> frozenset[str]:
    key = f"active:{spec.feed_path}:{spec.day}"
    if key not in cache:
        cache[key] = frozenset(read_feed(spec.feed_path).calendar.active_services(spec.day))
    active: frozenset[str] = cache[key]
    return active


def _ondemand_service(spec: ScenarioSpec, ondemand_path: str,
                      cache: dict[str, Any]) -> OnDemandService:
    key = f"ondemand:{spec.feed_path}:{ondemand_path}"
    if key not in cache:
        cache[key] = load_ondemand_service(spec.feed_path, ondemand_path)
    service: OnDemandService = cache[key]
    return service


def _planner(spec: ScenarioSpec, cache: dict[str, Any]) -> Planner:
    key = f"planner:{spec.feed_path}:{spec.day}:{spec.streets_path}"
    if key not in cache:
        cache[key] = Planner(_timetable(spec, cache), _streets(spec.streets_path, cache))
    p: Planner = cache[key]
    return p


def _multimodal(spec: ScenarioSpec, cache: dict[str, Any]) -> MultimodalPlanner:
    key = f"mm:{spec.feed_path}:{spec.day}:{spec.streets_path}:{spec.ondemand_path}"
    if key not in cache:
        from web.services.ondemand_provider import build_ondemand_provider

        planner = _planner(spec, cache)
        provider = None
        if spec.ondemand_path is not None:
            service = _ondemand_service(spec, spec.ondemand_path, cache)
            if service.zones:
                active = _active_services(spec, cache)
                provider = build_ondemand_provider(service, planner.timetable,
                                                   _streets(spec.streets_path, cache),
                                                   active_service_ids=active)
        cache[key] = MultimodalPlanner(planner, provider)
    mm: MultimodalPlanner = cache[key]
    return mm


def _calculator(spec: ScenarioSpec, cells_path: str, cache: dict[str, Any]
                ) -> AccessibilityCalculator:
    key = f"calc:{spec.feed_path}:{spec.day}:{spec.streets_path}:{cells_path}"
    if key not in cache:
        cells = read_cells(cells_path)
        cache[key] = AccessibilityCalculator(_planner(spec, cache), cells.lat, cells.lon,
                                             jobs=np.rint(cells.jobs).astype(np.int64))
    c: AccessibilityCalculator = cache[key]
    return c


# -- task functions ---------------------------------------------------------------------

def _choose(journeys: Sequence[Journey]) -> Journey | None:
    if not journeys:
        return None
    return min(journeys, key=lambda j: (j.arrival_s, j.n_ondemand, j.n_rides))


def route_task(task: RouteTask, cache: dict[str, Any]) -> list[TripOutcome]:
    """Route a chunk of trips multimodally; one :class:`TripOutcome` per trip, in order."""
    mm = _multimodal(task.spec, cache)
    tt = mm.planner.timetable
    out = []
    for index, olat, olon, dlat, dlon, depart in task.trips:
        o, d = Place(lat=olat, lon=olon), Place(lat=dlat, lon=dlon)
        journeys = mm.depart_at(o, d, depart, booked_at_s=depart - task.booking_ahead_s)
        best = _choose(journeys)
        if best is None:
            out.append(TripOutcome(index, False, -1, 0, 0, 0, 0, False))
            continue
        good = any(j.n_rides + j.n_ondemand > 0 and j.arrival_s - depart <= GOOD_OPTION_S
                   for j in journeys)
        rides = []
        for leg in best.legs:
            if leg.kind != ON_DEMAND or leg.offer is None:
                continue
            f = (olat, olon) if leg.from_stop == DOOR else (float(tt.stop_lat[leg.from_stop]),
                                                           float(tt.stop_lon[leg.from_stop]))
            t = (dlat, dlon) if leg.to_stop == DOOR else (float(tt.stop_lat[leg.to_stop]),
                                                         float(tt.stop_lon[leg.to_stop]))
            rides.append((f[0], f[1], t[0], t[1], int(leg.offer.pickup_earliest_s)))
        walk = sum(leg.duration_s for leg in best.legs if leg.kind in WALK_KINDS)
        out.append(TripOutcome(index, True, best.arrival_s - depart, best.n_rides,
                               best.transfers, walk, best.n_ondemand, good, tuple(rides)))
    return out


def access_task(task: AccessTask, cache: dict[str, Any]) -> np.ndarray:
    """Jobs reachable from each origin within each threshold: int64 (origins, thresholds)."""
    calc = _calculator(task.spec, task.cells_path, cache)
    provider = None
    if task.ondemand and task.spec.ondemand_path is not None:
        provider = _multimodal(task.spec, cache).provider
    out = np.zeros((len(task.origins), len(task.thresholds_s)), np.int64)
    for i, c in enumerate(task.origins):
        extra = None if provider is None else ondemand_access(
            provider, float(calc.cell_lat[c]), float(calc.cell_lon[c]), task.depart_s,
            booked_at_s=task.depart_s - task.booking_ahead_s)
        out[i] = jobs_within(calc.travel_times_from_cell(c, task.depart_s, extra_access=extra),
                             calc.jobs, task.thresholds_s)
    return out


# -- results ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """One scenario's figures (JSON-ready through :meth:`as_dict`).

    Attributes
    ----------
    name, path : str
        The scenario's name and file.
    kpis : dict
        Flat ``{kpi: value}`` (floats; NaN where nothing to measure).
    access_origins : tuple of int
        Origin cells of the accessibility measure.
    access_median_jobs : tuple of tuple of float
        Per origin, per threshold: median jobs over the departures.
    summary : dict
        What applying the scenario changed (``AppliedScenario.summary()``).
    """

    name: str
    path: str
    kpis: dict[str, float] = field(hash=False)
    access_origins: tuple[int, ...]
    access_median_jobs: tuple[tuple[float, ...], ...]
    summary: dict[str, Any] = field(hash=False, default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON values (NaN as ``None``)."""
        return {"name": self.name, "path": self.path,
                "kpis": {k: (None if isinstance(v, float) and math.isnan(v) else v)
                         for k, v in self.kpis.items()},
                "access_origins": list(self.access_origins),
                "access_median_jobs": [list(r) for r in self.access_median_jobs],
                "summary": self.summary}


def _pct(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q)) if values.size else math.nan


def trip_kpis(outcomes: Sequence[TripOutcome]) -> dict[str, float]:
    """Door-to-door, option share, transfers and walking over the trips' outcomes."""
    n = len(outcomes)
    ok = [o for o in outcomes if o.reached]
    dur = np.array([o.duration_s for o in ok], np.float64) / 60.0
    return {
        "trips": float(n),
        "trips_reached_pct": 100.0 * len(ok) / n if n else math.nan,
        "door_to_door_mean_min": float(dur.mean()) if dur.size else math.nan,
        "door_to_door_p50_min": _pct(dur, 50),
        "door_to_door_p90_min": _pct(dur, 90),
        "good_option_45min_pct": 100.0 * sum(o.good_option for o in outcomes) / n
        if n else math.nan,
        "transfers_mean": float(np.mean([o.transfers for o in ok])) if ok else math.nan,
        "walk_mean_min": float(np.mean([o.walk_s for o in ok])) / 60.0 if ok else math.nan,
        "ondemand_trips_pct": 100.0 * sum(o.ondemand_legs > 0 for o in ok) / n
        if n else math.nan,
    }


def bus_supply(tt: Timetable, *, co2_g_per_km: float) -> dict[str, float]:
    """Bus vehicle-hours, vehicle-km (shape distance, else crow-fly x 1.3) and CO2 of the day."""
    hours = 0.0
    km = 0.0
    for p in range(len(tt.pattern_stop_offsets) - 1):
        s0, s1 = int(tt.pattern_stop_offsets[p]), int(tt.pattern_stop_offsets[p + 1])
        n_s = s1 - s0
        n_t = int(tt.pattern_trip_offsets[p + 1] - tt.pattern_trip_offsets[p])
        if n_t == 0 or n_s < 2:
            continue
        e0 = int(tt.pattern_event_offsets[p])
        ev = e0 + np.arange(n_t) * n_s
        hours += float((tt.arrival_s[ev + n_s - 1] - tt.departure_s[ev]).sum()) / 3600.0
        dist = tt.shape_dist_m[ev + n_s - 1] - tt.shape_dist_m[ev]
        stops = tt.pattern_stops[s0:s1]
        crow = float(np.sum(haversine_m(tt.stop_lat[stops[:-1]], tt.stop_lon[stops[:-1]],
                                        tt.stop_lat[stops[1:]], tt.stop_lon[stops[1:]]))) * 1.3
        km += float(np.where(np.isfinite(dist) & (dist > 0), dist, crow).sum()) / 1000.0
    return {"bus_vehicle_hours": hours, "bus_vehicle_km": km,
            "bus_co2_kg": km * co2_g_per_km / 1000.0}


def drt_kpis(spec: ScenarioSpec, outcomes: Sequence[TripOutcome], *, seed: int,
             options: EvaluationOptions, cache: dict[str, Any]) -> dict[str, float]:
    """Simulate the day of the chosen journeys' on-demand rides; its KPIs (``drt_`` prefix)."""
    nan = math.nan
    empty = {"drt_requests": 0.0, "drt_served_pct": nan, "drt_wait_mean_min": nan,
             "drt_vehicle_km": 0.0, "drt_occupancy": nan, "drt_vehicle_hours": 0.0,
             "drt_co2_kg": 0.0}
    if spec.ondemand_path is None:
        return empty
    service = _ondemand_service(spec, spec.ondemand_path, cache)
    rides = [r for o in outcomes for r in o.rides_ondemand]
    vehicles = fleet_vehicles(service)
    if not rides or not vehicles:
        return empty
    a = np.array([r[:4] for r in rides], np.float64)
    ids = tuple(f"ride{k:06d}" for k in range(len(rides)))
    trips = ODTrips(a[:, 0], a[:, 1], a[:, 2], a[:, 3],
                    np.array([r[4] for r in rides], np.int64),
                    np.full(len(rides), -1, np.int64), np.full(len(rides), -1, np.int64), ids)
    requests = requests_from_trips(service, trips, seed=seed)
    if not requests:
        return empty
    streets = _streets(spec.streets_path, cache)
    travel: TravelTimes
    distances: TravelDistances
    if streets is not None:
        from web.services.drive import StreetDriveMatrix

        places = [sv.vehicle.depot for sv in vehicles]
        for d in requests:
            places += [d.request.pickup, d.request.dropoff]
        matrix = StreetDriveMatrix(streets, places)
        travel, distances = matrix, matrix
    else:
        travel, distances = CrowFlyTravelTimes(), CrowFlyDistances()
    result = simulate_day(service, vehicles, requests, travel,
                          service_ids=_active_services(spec, cache),
                          distances=distances,
                          options=SimulationOptions(reopt_every_s=options.reopt_every_s,
                                                    reopt_time_limit_s=options.reopt_time_limit_s,
                                                    seed=seed))
    k = compute_kpis(result.events, co2_g_per_km=result.co2_g_per_km)
    return {"drt_requests": float(k.requests), "drt_served_pct": k.served_pct,
            "drt_wait_mean_min": k.wait_mean_s / 60.0, "drt_vehicle_km": k.vehicle_km,
            "drt_occupancy": k.occupancy_pax_km_per_vehicle_km,
            "drt_vehicle_hours": k.vehicle_hours, "drt_co2_kg": k.co2_kg}


# -- orchestration ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PreparedScenario:
    """An applied scenario: its spec for the workers and its summary."""

    spec: ScenarioSpec
    path: str
    summary: dict[str, Any]


def prepare_scenarios(paths: Sequence[str | Path], *, out_dir: Path, base_dir: Path | None,
                      day: date) -> list[PreparedScenario]:
    """Apply every scenario file into ``out_dir/<k>_<name>/`` and compile its day once."""
    if not paths:
        raise EvaluationError("paths: at least one scenario file is needed")
    out_dir.mkdir(parents=True, exist_ok=True)
    cache_dir = out_dir / "cache"
    out = []
    for k, p in enumerate(paths):
        applied = apply_scenario(p, out_dir=out_dir / f"{k}_{Path(p).stem}", base_dir=base_dir)
        applied.timetable(day, cache_dir=cache_dir)  # fill the compile cache for the workers
        spec = ScenarioSpec(applied.name, str(applied.feed_path),
                            None if applied.ondemand_path is None else str(applied.ondemand_path),
                            None if applied.streets_path is None else str(applied.streets_path),
                            day, str(cache_dir))
        out.append(PreparedScenario(spec, str(p), applied.summary()))
    return out


def access_origins(n_cells: int, options: EvaluationOptions) -> np.ndarray:
    """The origin cells of the accessibility measure (all, or a seeded sorted sample)."""
    if options.access_origins is None or options.access_origins >= n_cells:
        return np.arange(n_cells, dtype=np.int64)
    rng = np.random.default_rng(options.seed)
    return np.sort(rng.choice(n_cells, options.access_origins, replace=False)).astype(np.int64)


def accessibility_tasks(specs: Sequence[ScenarioSpec], cells_path: str, origins: np.ndarray,
                        departures: np.ndarray, *, thresholds_s: tuple[int, ...],
                        origins_per_task: int, ondemand: bool = True,
                        booking_ahead_s: int = 0) -> list[AccessTask]:
    """Tasks scenario x origin chunk x departure, in a fixed order."""
    return [AccessTask(s, cells_path, tuple(int(c) for c in part), int(t), thresholds_s,
                       ondemand, booking_ahead_s)
            for s in specs
            for part in chunks(origins.tolist(), origins_per_task)
            for t in departures.tolist()]


def merge_accessibility(tasks: Sequence[AccessTask], results: Sequence[np.ndarray],
                        specs: Sequence[ScenarioSpec], origins: np.ndarray,
                        departures: np.ndarray) -> dict[str, np.ndarray]:
    """Per scenario name: jobs int64 (origins, departures, thresholds), from task results."""
    pos = {int(c): i for i, c in enumerate(origins.tolist())}
    dep = {int(t): j for j, t in enumerate(departures.tolist())}
    out = {s.name: np.zeros((len(origins), len(departures), len(tasks[0].thresholds_s)),
                            np.int64) for s in specs} if tasks else {}
    for task, res in zip(tasks, results, strict=True):
        rows = [pos[c] for c in task.origins]
        out[task.spec.name][rows, dep[task.depart_s]] = res
    return out


def evaluate_scenarios(paths: Sequence[str | Path], *, out_dir: str | Path,
                       base_dir: str | Path | None = None,
                       options: EvaluationOptions | None = None,
                       cluster: ClusterOptions | None = None,
                       runner: TaskRunner | None = None) -> list[ScenarioResult]:
    """Evaluate each scenario file on the same trips and cells; results in input order.

    Parameters
    ----------
    paths
        Scenario YAML files; the first is the reference of the comparison.
    out_dir
        Receives each applied scenario and the compile cache.
    base_dir
        Points every scenario's base at this folder (the demo city: ``var/demo``).
    options
        Trips, seed, day, departures, ...
    cluster, runner
        Where the routing and accessibility tasks run (default: this process).
    """
    opts = options or EvaluationOptions()
    out = Path(out_dir)
    base = None if base_dir is None else Path(base_dir)
    prepared = prepare_scenarios(paths, out_dir=out, base_dir=base, day=opts.day)
    names = [p.spec.name for p in prepared]
    if len(set(names)) != len(names):
        # two files with one name: make names unique by position
        prepared = [PreparedScenario(ScenarioSpec(f"{p.spec.name}#{k}", p.spec.feed_path,
                                                  p.spec.ondemand_path, p.spec.streets_path,
                                                  p.spec.day, p.spec.cache_dir), p.path,
                                     p.summary) for k, p in enumerate(prepared)]
    specs = [p.spec for p in prepared]
    if not opts.walk_on_streets:
        specs = [ScenarioSpec(s.name, s.feed_path, s.ondemand_path, None, s.day, s.cache_dir)
                 for s in specs]
    cells_path = _cells_path(prepared[0], base)
    cells = read_cells(cells_path)
    od = generate_demand(cells, n_trips=opts.trips, seed=opts.seed)
    trip_rows = tuple((i, float(od.origin_lat[i]), float(od.origin_lon[i]),
                       float(od.destination_lat[i]), float(od.destination_lon[i]),
                       int(od.depart_s[i])) for i in range(od.n_trips))
    own = runner is None
    run = runner if runner is not None else TaskRunner(cluster)
    try:
        route_tasks = [RouteTask(s, tuple(part), opts.booking_ahead_s)
                       for s in specs for part in chunks(trip_rows, opts.trips_per_task)]
        routed = run.run(route_task, route_tasks, label="routing OD trips")
        origins = access_origins(len(cells.lat), opts)
        deps = departure_times(opts.access_start_s, opts.access_end_s, opts.departures)
        a_tasks = accessibility_tasks(specs, str(cells_path), origins, deps,
                                      thresholds_s=tuple(opts.thresholds_s),
                                      origins_per_task=opts.origins_per_task,
                                      ondemand=opts.access_ondemand,
                                      booking_ahead_s=opts.booking_ahead_s)
        a_res = run.run(access_task, a_tasks, label="accessibility")
    finally:
        if own:
            run.close()
    access = merge_accessibility(a_tasks, a_res, specs, origins, deps)
    pop = cells.population[origins]
    results = []
    local_cache: dict[str, Any] = {}
    for p, s in zip(prepared, specs, strict=True):
        outcomes = [o for t, r in zip(route_tasks, routed, strict=True) if t.spec == s for o in r]
        kpis = trip_kpis(outcomes)
        kpis.update(drt_kpis(s, outcomes, seed=opts.seed, options=opts, cache=local_cache))
        tt = _timetable(s, local_cache)
        kpis.update(bus_supply(tt, co2_g_per_km=opts.bus_co2_g_per_km))
        med = np.median(access[s.name].astype(np.float64), axis=1)
        weighted = population_weighted(med, pop)
        for th, v in zip(opts.thresholds_s, weighted.tolist(), strict=True):
            kpis[f"jobs_{th // 60}min_pop_weighted"] = float(v)
        kpis["vehicle_hours_total"] = kpis["bus_vehicle_hours"] + kpis["drt_vehicle_hours"]
        kpis["co2_kg_total"] = kpis["bus_co2_kg"] + kpis["drt_co2_kg"]
        results.append(ScenarioResult(s.name, p.path, kpis,
                                      tuple(int(c) for c in origins.tolist()),
                                      tuple(tuple(float(x) for x in row) for row in med.tolist()),
                                      p.summary))
    return results


def _cells_path(p: PreparedScenario, base: Path | None) -> Path:
    if base is not None:
        cand = base / "cells.csv"
    else:
        streets = p.spec.streets_path
        cand = Path(streets).parent / "cells.csv" if streets else Path("cells.csv")
    if not cand.exists():
        raise EvaluationError(f"cells: {cand}: no such file (the base folder needs cells.csv)")
    return cand


__all__ = ["GOOD_OPTION_S", "AccessTask", "EvaluationError", "EvaluationOptions", "RouteTask",
           "ScenarioResult", "ScenarioSpec", "TripOutcome", "access_task", "bus_supply",
           "evaluate_scenarios", "merge_accessibility", "route_task", "trip_kpis"]

"""Apply scenario modifications to a feed's GTFS tables and its on-demand service.

:func:`apply_modifications` works on copies of :attr:`gtfs.reader.Feed.tables`
(strings) in the modifications' order; ``stop_times`` is held with its times as
int seconds (blank non-timepoint times interpolated once by
:func:`gtfs.compile.interpolate_times` and written blank again unless they end
a trip). :func:`apply_scenario` reads a scenario file, applies it, and writes
the new feed (GTFS zip + GTFS-Flex) and ``drt_service.yaml`` with
:func:`gtfs.writer.write_gtfs`.

Rules, per kind (``transit.scenario`` documents the fields):

* ``add-route`` — new stops get rows in ``stops.txt``; the shape is the straight
  line through the stops; trips every ``headway_s`` from each period's start
  (end excluded) on each service; running times given or straight-line
  distance at ``speed_kmh``, rounded to seconds (at least 1 s a hop); ``dwell_s``
  at intermediate stops; ``shape_dist_traveled`` in the feed's units.
* ``adjust-frequency`` — per (service, direction) of the route, trips whose first
  departure falls in a period are replaced by copies of the group's first trip
  (its stops, running times, shape, headsign); frequency-based trips of the
  route are first turned into explicit trips.
* ``remove-routes`` / ``remove-trips`` — rows go with their stop times,
  frequencies and route-level transfers; shapes no longer used go.
* ``remove-stops`` — stop rows, their stop times and transfers go; nothing is
  re-timed; trips left with fewer than 2 stops go; zone hubs and fleet depots
  naming the stop drop it.
* ``reroute`` — the stops between ``from`` and ``to`` are replaced, the new
  segment timed at ``speed_kmh`` plus ``dwell_s`` per via stop, later stops shifted
  by the difference; the trips get a straight-line shape through their stops.
* ``adjust-speed`` / ``adjust-dwell`` — running times (``arrival - previous
  departure``) divided by the factor, or dwells set, then times rebuilt from
  each trip's first arrival (vectorised over all trips).
* zones: ``buffer_m`` and ``scale_factor`` work in an azimuthal equidistant
  projection centred on the zone (metres), then back to WGS84.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import Transformer
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon

from gtfs.compile import compile_feed_file, interpolate_times
from gtfs.ondemand import CONFIG_FILE, load_ondemand_service
from gtfs.reader import METRES_PER_UNIT, Feed, read_feed
from gtfs.scenario_file import ScenarioFileError, read_scenario
from gtfs.times import format_time, parse_times
from gtfs.writer import write_gtfs
from transit.errors import ModelError
from transit.ondemand import Fleet, OnDemandService, OnDemandZone, check_polygon
from transit.scenario import (
    AddRoute,
    AddZone,
    AdjustDwell,
    AdjustFrequency,
    AdjustSpeed,
    HeadwayPeriod,
    Modification,
    RemoveRoutes,
    RemoveStops,
    RemoveTrips,
    RemoveZone,
    Reroute,
    ResizeZone,
    ScenarioError,
    SetFleet,
    StopRef,
)
from transit.timetable import Timetable

__all__ = ["AppliedScenario", "AppliedTables", "ModificationResult", "apply_modifications",
           "apply_scenario"]

_EARTH_RADIUS_M = 6_371_008.8
#: What the summary counts: GTFS rows, scheduled bus minutes (every trip of trips.txt from
#: first departure to last arrival, a frequencies.txt trip once per departure, all service
#: ids together), on-demand zones, vehicles, and the zones' area in hectares.
_COUNTED = ("routes", "trips", "stops", "stop_times", "trip_minutes", "zones", "vehicles",
            "zone_area_ha")
I64 = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class ModificationResult:
    """What one modification changed: counts before and after, in :data:`_COUNTED` order."""

    label: str
    before: tuple[int, ...]
    after: tuple[int, ...]

    @property
    def changes(self) -> dict[str, int]:
        """Non-zero count differences, e.g. ``{"trips": +148, "routes": +1}``."""
        return {k: b - a for k, a, b in zip(_COUNTED, self.before, self.after, strict=True)
                if b != a}

    def text(self) -> str:
        """One line: ``add-route 'BRT-B': routes +1, trips +148, ...``."""
        parts = [f"{k} {v:+d}" for k, v in self.changes.items()]
        return f"{self.label}: {', '.join(parts) if parts else 'no count changed'}"


@dataclass(frozen=True, slots=True, eq=False)
class AppliedTables:
    """The edited tables, the edited on-demand service and what each modification did."""

    tables: dict[str, pd.DataFrame]
    ondemand: OnDemandService | None
    results: tuple[ModificationResult, ...]
    counts_before: dict[str, int]
    counts_after: dict[str, int]


@dataclass(frozen=True, slots=True, eq=False)
class AppliedScenario:
    """A scenario applied and written: where the new network is, and what changed.

    ``feed_path`` is the new GTFS zip (with GTFS-Flex files), ``ondemand_path``
    its ``drt_service.yaml`` (``None`` when the base has no on-demand service and
    none was added), ``streets_path`` the base's street network (unchanged).
    """

    name: str
    source: Path
    feed_path: Path
    ondemand_path: Path | None
    streets_path: Path | None
    modifications: tuple[Modification, ...]
    results: tuple[ModificationResult, ...]
    counts_before: dict[str, int]
    counts_after: dict[str, int]
    ondemand: OnDemandService | None

    def timetable(self, service_date: date, *, cache_dir: Path | None = None) -> Timetable:
        """Compile ``service_date`` of the new feed (see :func:`gtfs.compile.compile_feed_file`)."""
        return compile_feed_file(self.feed_path, service_date, cache_dir=cache_dir)

    def summary(self) -> dict[str, object]:
        """A JSON-ready summary: paths, counts before/after and one entry per modification."""
        return {
            "name": self.name,
            "scenario": str(self.source),
            "feed": str(self.feed_path),
            "ondemand": None if self.ondemand_path is None else str(self.ondemand_path),
            "streets": None if self.streets_path is None else str(self.streets_path),
            "counts_before": dict(self.counts_before),
            "counts_after": dict(self.counts_after),
            "modifications": [{"label": r.label, "changes": r.changes} for r in self.results],
        }


# -- entry points -------------------------------------------------------------------

def apply_scenario(path: str | Path, *, out_dir: str | Path,
                   base_dir: str | Path | None = None) -> AppliedScenario:
    """Read a scenario file, apply its modifications, and write the new network.

    Parameters
    ----------
    path
        The scenario YAML (see :mod:`gtfs.scenario_file`).
    out_dir
        Folder receiving ``gtfs.zip`` and ``drt_service.yaml`` (created).
    base_dir
        When given, the base files are looked up in this folder instead of the
        file's ``base.dir`` (e.g. a freshly generated demo city).

    Returns
    -------
    AppliedScenario

    Raises
    ------
    FeedError
        A bad scenario file or modification, as
        ``file:line: modifications[i] (kind 'id'): field: problem``; or a bad base feed.
    OSError
        If a file cannot be read or written.
    """
    scenario = read_scenario(path, base_dir=base_dir)
    feed = read_feed(scenario.base.feed)
    service = None
    if scenario.base.ondemand is not None:
        service = load_ondemand_service(scenario.base.feed, scenario.base.ondemand)
    try:
        applied = apply_modifications(feed, service, scenario.modifications)
    except ScenarioError as exc:
        raise scenario.fail(exc) from None
    out = Path(out_dir)
    feed_path = out / "gtfs.zip"
    yaml_path = out / CONFIG_FILE if applied.ondemand is not None else None
    base_files = {p.resolve() for p in (scenario.base.feed, scenario.base.ondemand,
                                         scenario.base.streets) if p is not None}
    for target in (feed_path, yaml_path):
        if target is not None and target.resolve() in base_files:
            raise ScenarioFileError(f"out_dir: {str(out)!r} would overwrite the base file "
                                    f"{target.name}; write the scenario elsewhere",
                                    file=scenario.path.name)
    out.mkdir(parents=True, exist_ok=True)
    write_gtfs(applied.tables, feed_path, ondemand=applied.ondemand, config_path=yaml_path)
    return AppliedScenario(
        name=scenario.name, source=scenario.path, feed_path=feed_path, ondemand_path=yaml_path,
        streets_path=scenario.base.streets, modifications=scenario.modifications,
        results=applied.results, counts_before=applied.counts_before,
        counts_after=applied.counts_after, ondemand=applied.ondemand)


def apply_modifications(feed: Feed, ondemand: OnDemandService | None,
                        modifications: Sequence[Modification]) -> AppliedTables:
    """Apply ``modifications`` in order to copies of the feed's tables and the service.

    Raises
    ------
    ScenarioError
        Placed at the modification (``index``, ``label``) and naming its field.
    """
    work = _Work(feed, ondemand)
    first = work.counts()
    results = []
    for k, mod in enumerate(modifications):
        before = work.counts()
        try:
            _APPLY[type(mod)](work, mod)
        except ScenarioError as exc:
            raise exc.at(k, mod.label) from None
        except ModelError as exc:
            raise ScenarioError("", str(exc), index=k, label=mod.label) from None
        results.append(ModificationResult(mod.label, before, work.counts()))
    work.prune_shapes()
    return AppliedTables(work.tables_out(), work.service, tuple(results),
                         dict(zip(_COUNTED, first, strict=True)),
                         dict(zip(_COUNTED, work.counts(), strict=True)))


# -- the working copy -------------------------------------------------------------

def _haversine(lat1: NDArray[np.float64], lon1: NDArray[np.float64],
               lat2: NDArray[np.float64], lon2: NDArray[np.float64]) -> NDArray[np.float64]:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2) - np.radians(lon1)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _format_times(seconds: I64) -> NDArray[np.object_]:
    uniq, inv = np.unique(seconds, return_inverse=True)
    text = np.array([format_time(int(s)) for s in uniq.tolist()], dtype=object)
    return text[inv]


class _Work:
    """Mutable copies of the tables; ``st`` holds times as seconds (``_arr``, ``_dep``)."""

    def __init__(self, feed: Feed, ondemand: OnDemandService | None) -> None:
        self.tables = {k: v.copy() for k, v in feed.tables.items() if k != "stop_times"}
        stf = feed.stop_times
        raw = feed.tables["stop_times"]
        st = raw.iloc[stf.line - 2].reset_index(drop=True)
        arr, dep = interpolate_times(feed)
        st = st.drop(columns=["arrival_time", "departure_time"])
        st["_arr"] = arr
        st["_dep"] = dep
        st["_blank"] = stf.arrival_s == -1
        self.st = st
        self.service = ondemand
        self.unit_m = METRES_PER_UNIT[feed.dist_units]
        self.dist_units = feed.dist_units

    # -- bookkeeping ------------------------------------------------------------

    def counts(self) -> tuple[int, ...]:
        s = self.service
        return (len(self.tables["routes"]), len(self.tables["trips"]), len(self.tables["stops"]),
                len(self.st), self.trip_minutes(), 0 if s is None else len(s.zones),
                0 if s is None else sum(f.n_vehicles for f in s.fleets),
                0 if s is None else round(sum(z.area_km2 for z in s.zones) * 100))

    def trip_minutes(self) -> int:
        """Scheduled minutes of every trip (a frequency trip once per departure)."""
        if self.st.empty:
            return 0
        g = self.st.groupby("trip_id", sort=False)
        span = g["_arr"].last() - g["_dep"].first()
        runs = pd.Series(1, index=span.index)
        freq = self.tables.get("frequencies")
        if freq is not None and not freq.empty:
            start, _ = parse_times(freq["start_time"])
            end, _ = parse_times(freq["end_time"])
            head = pd.to_numeric(freq["headway_secs"]).to_numpy(np.int64)
            n = np.maximum((end.astype(np.int64) - start + head - 1) // head, 0)
            per = pd.Series(n, index=freq["trip_id"].to_numpy()).groupby(level=0).sum()
            runs = per.reindex(span.index).fillna(1).astype(np.int64)
        return round(float((span * runs).sum()) / 60)

    def tables_out(self) -> dict[str, pd.DataFrame]:
        st = self.st
        trip = st["trip_id"].to_numpy()
        first = np.ones(len(st), bool)
        last = np.ones(len(st), bool)
        if len(st) > 1:
            first[1:] = trip[1:] != trip[:-1]
            last[:-1] = trip[1:] != trip[:-1]
        blank = st["_blank"].to_numpy() & ~first & ~last
        arr = np.where(blank, "", _format_times(st["_arr"].to_numpy(np.int64)))
        dep = np.where(blank, "", _format_times(st["_dep"].to_numpy(np.int64)))
        out = st.drop(columns=["_arr", "_dep", "_blank"])
        out.insert(1, "arrival_time", arr)
        out.insert(2, "departure_time", dep)
        tables = dict(self.tables)
        tables["stop_times"] = out
        return {k: v.reset_index(drop=True) for k, v in tables.items()
                if not (v.empty and k not in ("agency", "stops", "routes", "trips",
                                              "stop_times"))}

    def stop_xy(self) -> pd.DataFrame:
        stops = self.tables["stops"]
        return pd.DataFrame({"lat": pd.to_numeric(stops["stop_lat"], errors="coerce").to_numpy(),
                             "lon": pd.to_numeric(stops["stop_lon"], errors="coerce").to_numpy()},
                            index=pd.Index(stops["stop_id"]))

    def stop_names(self) -> dict[str, str]:
        stops = self.tables["stops"]
        names = stops["stop_name"] if "stop_name" in stops.columns else stops["stop_id"]
        return dict(zip(stops["stop_id"], names, strict=True))

    def service_ids(self) -> set[str]:
        out: set[str] = set()
        for name in ("calendar", "calendar_dates"):
            if name in self.tables:
                out |= set(self.tables[name]["service_id"])
        return out

    def route_trips(self, field: str, route_id: str) -> pd.DataFrame:
        routes = self.tables["routes"]
        if route_id not in set(routes["route_id"]):
            raise ScenarioError(field, f"{route_id!r} is not a route of the feed")
        trips = self.tables["trips"]
        return trips[trips["route_id"] == route_id]

    def new_ids(self, wanted: Iterable[str], taken: set[str]) -> list[str]:
        out = []
        for w in wanted:
            name, k = w, 1
            while name in taken:
                k += 1
                name = f"{w}~{k}"
            taken.add(name)
            out.append(name)
        return out

    def add_rows(self, table: str, rows: list[dict[str, str]]) -> None:
        if not rows:
            return
        df = self.tables.get(table)
        new = pd.DataFrame(rows)
        if df is None:
            self.tables[table] = new.astype(str)
            return
        for col in new.columns:
            if col not in df.columns:
                df[col] = ""
        self.tables[table] = pd.concat([df, new.reindex(columns=df.columns, fill_value="")],
                                       ignore_index=True).fillna("")

    def add_stop_times(self, frame: pd.DataFrame) -> None:
        for col in frame.columns:
            if col not in self.st.columns:
                self.st[col] = ""
        new = frame.reindex(columns=self.st.columns)
        for col in self.st.columns:
            if col not in frame.columns:
                new[col] = ""
        self.st = pd.concat([self.st, new], ignore_index=True)
        self.sort_stop_times()

    def sort_stop_times(self) -> None:
        order = pd.Index(self.tables["trips"]["trip_id"]).get_indexer(self.st["trip_id"])
        seq = pd.to_numeric(self.st["stop_sequence"]).to_numpy()
        self.st = self.st.iloc[np.lexsort((seq, order))].reset_index(drop=True)

    def drop_trips(self, trip_ids: set[str]) -> None:
        if not trip_ids:
            return
        trips = self.tables["trips"]
        self.tables["trips"] = trips[~trips["trip_id"].isin(trip_ids)]
        self.st = self.st[~self.st["trip_id"].isin(trip_ids)].reset_index(drop=True)
        if "frequencies" in self.tables:
            f = self.tables["frequencies"]
            self.tables["frequencies"] = f[~f["trip_id"].isin(trip_ids)]

    def prune_shapes(self) -> None:
        shapes = self.tables.get("shapes")
        trips = self.tables["trips"]
        if shapes is None or "shape_id" not in trips.columns:
            return
        self.tables["shapes"] = shapes[shapes["shape_id"].isin(set(trips["shape_id"]))]

    def dist_text(self, metres: NDArray[np.float64]) -> list[str]:
        return [f"{v:.3f}" if self.dist_units in ("km", "mi") else f"{v:.1f}"
                for v in (metres / self.unit_m).tolist()]

    def add_shape(self, shape_id: str, stop_ids: Sequence[str]) -> NDArray[np.float64]:
        """Add a straight-line shape through the stops; return cumulative metres per stop."""
        xy = self.stop_xy().loc[list(stop_ids)]
        lat, lon = xy["lat"].to_numpy(), xy["lon"].to_numpy()
        cum = np.zeros(len(lat))
        cum[1:] = np.cumsum(_haversine(lat[:-1], lon[:-1], lat[1:], lon[1:]))
        self.add_rows("shapes", [{
            "shape_id": shape_id, "shape_pt_lat": f"{a:.6f}", "shape_pt_lon": f"{o:.6f}",
            "shape_pt_sequence": str(k + 1), "shape_dist_traveled": d}
            for k, (a, o, d) in enumerate(zip(lat.tolist(), lon.tolist(), self.dist_text(cum),
                                              strict=True))])
        return cum

    def resolve_stops(self, field: str, refs: Sequence[StopRef], prefix: str) -> list[str]:
        """Stop ids of ``refs``; new stops (by coordinates) are added to stops.txt."""
        known = set(self.tables["stops"]["stop_id"])
        out, rows = [], []
        for k, ref in enumerate(refs):
            if not ref.is_new:
                if ref.stop_id not in known:
                    raise ScenarioError(f"{field}[{k}].stop_id",
                                        f"{ref.stop_id!r} is not a stop of the feed")
                out.append(ref.stop_id)
                continue
            if ref.stop_id and ref.stop_id in known:
                raise ScenarioError(f"{field}[{k}].stop_id", f"{ref.stop_id!r} is a stop of the "
                                    "feed already; give it without lat/lon to use it")
            (stop_id,) = self.new_ids([ref.stop_id or f"{prefix}{k + 1:02d}"], known)
            rows.append({"stop_id": stop_id, "stop_name": ref.name or stop_id,
                         "stop_lat": f"{ref.lat:.6f}", "stop_lon": f"{ref.lon:.6f}",
                         "location_type": "0"})
            out.append(stop_id)
        self.add_rows("stops", rows)
        return out

    def trip_rows(self, trip_ids: Sequence[str], stops: Sequence[str], arr: I64, dep: I64,
                  dist_m: NDArray[np.float64] | None) -> pd.DataFrame:
        """Stop-time rows of trips sharing stops, ``arr``/``dep`` being (trips, stops)."""
        n_t, n_s = arr.shape
        frame = pd.DataFrame({
            "trip_id": np.repeat(np.asarray(trip_ids, dtype=object), n_s),
            "stop_id": np.tile(np.asarray(stops, dtype=object), n_t),
            "stop_sequence": np.tile(np.arange(1, n_s + 1).astype(str), n_t).astype(object),
            "_arr": arr.reshape(-1), "_dep": dep.reshape(-1),
            "_blank": np.zeros(n_t * n_s, bool)})
        if "pickup_type" in self.st.columns:
            frame["pickup_type"] = "0"
            frame["drop_off_type"] = "0"
        if "timepoint" in self.st.columns:
            frame["timepoint"] = "1"
        if dist_m is not None and "shape_dist_traveled" in self.st.columns:
            frame["shape_dist_traveled"] = np.tile(np.asarray(self.dist_text(dist_m),
                                                              dtype=object), n_t)
        return frame


# -- trips -----------------------------------------------------------------------------

def _period_departures(periods: Sequence[HeadwayPeriod]) -> list[int]:
    return [d for p in periods for d in p.departures()]


def _add_route(work: _Work, mod: AddRoute) -> None:
    routes = work.tables["routes"]
    if mod.route_id in set(routes["route_id"]):
        raise ScenarioError("route_id", f"{mod.route_id!r} is a route of the feed already")
    known = work.service_ids()
    for k, sid in enumerate(mod.service_ids):
        if sid not in known:
            raise ScenarioError(f"service_ids[{k}]", f"{sid!r} is in neither calendar file "
                                f"(services: {sorted(known)})")
    agency = work.tables["agency"]
    agency_id = mod.agency_id
    if "agency_id" in agency.columns:
        ids = list(agency["agency_id"])
        if agency_id and agency_id not in ids:
            raise ScenarioError("agency_id", f"{agency_id!r} is not in agency.txt ({ids})")
        agency_id = agency_id or ids[0]
    elif agency_id:
        raise ScenarioError("agency_id", f"{agency_id!r}: agency.txt has no agency_id column")
    stops = work.resolve_stops("stops", mod.stops, f"{mod.route_id}_S")
    xy = work.stop_xy().loc[stops]
    lat, lon = xy["lat"].to_numpy(), xy["lon"].to_numpy()
    hop_m = _haversine(lat[:-1], lon[:-1], lat[1:], lon[1:])
    if mod.running_times_s is not None:
        run = np.asarray(mod.running_times_s, np.int64)
    else:
        assert mod.speed_kmh is not None
        run = np.maximum(np.rint(hop_m / (mod.speed_kmh / 3.6)), 1).astype(np.int64)
    route_row = {"route_id": mod.route_id, "route_short_name": mod.short_name,
                 "route_long_name": mod.long_name, "route_type": str(mod.route_type)}
    if agency_id:
        route_row["agency_id"] = agency_id
    if mod.color:
        route_row["route_color"] = mod.color
    work.add_rows("routes", [route_row])
    names = work.stop_names()
    taken = set(work.tables["trips"]["trip_id"])
    directions = [(0, stops, run)]
    if mod.both_directions:
        directions.append((1, stops[::-1], run[::-1]))
    departures = _period_departures(mod.headways)
    frames = []
    for direction, seq, hops in directions:
        shape_id = work.new_ids([f"shp_{mod.route_id}_{direction}"],
                                set(work.tables.get("shapes", pd.DataFrame(
                                    {"shape_id": []}))["shape_id"]))[0]
        cum_m = work.add_shape(shape_id, seq)
        offsets = np.zeros(len(seq), np.int64)
        dwell = np.full(len(seq), mod.dwell_s, np.int64)
        dwell[0] = dwell[-1] = 0
        offsets[1:] = np.cumsum(hops + dwell[:-1])
        for sid in mod.service_ids:
            wanted = [f"{mod.route_id}_{sid}_{direction}_{format_time(d).replace(':', '')}"
                      for d in departures]
            ids = work.new_ids(wanted, taken)
            work.add_rows("trips", [{
                "route_id": mod.route_id, "service_id": sid, "trip_id": t,
                "trip_headsign": names[seq[-1]], "direction_id": str(direction),
                "shape_id": shape_id} for t in ids])
            start = np.asarray(departures, np.int64)[:, None]
            arr = start + offsets[None, :]
            frames.append(work.trip_rows(ids, seq, arr, arr + dwell[None, :], cum_m))
    work.add_stop_times(pd.concat(frames, ignore_index=True))


def _first_departures(work: _Work, trip_ids: Sequence[str]) -> pd.Series:
    st = work.st[work.st["trip_id"].isin(set(trip_ids))]
    return st.groupby("trip_id", sort=False)["_dep"].first()


def _materialise_frequencies(work: _Work, trip_ids: Sequence[str]) -> None:
    """Turn frequency-based trips among ``trip_ids`` into explicit trips."""
    freq = work.tables.get("frequencies")
    if freq is None or freq.empty:
        return
    rows = freq[freq["trip_id"].isin(set(trip_ids))]
    if rows.empty:
        return
    trips = work.tables["trips"]
    taken = set(trips["trip_id"])
    frames, new_trips = [], []
    start, _ = parse_times(rows["start_time"])
    end, _ = parse_times(rows["end_time"])
    head = rows["headway_secs"].astype(int).to_numpy()
    by_id = trips.set_index("trip_id", drop=False)
    for tid, a, b, h in zip(rows["trip_id"].tolist(), start.tolist(), end.tolist(),
                            head.tolist(), strict=True):
        tmpl = work.st[work.st["trip_id"] == tid]
        base = int(tmpl["_dep"].iloc[0])
        for d in range(a, b, h):
            (new_id,) = work.new_ids([f"{tid}_{format_time(d).replace(':', '')}"], taken)
            row = by_id.loc[tid].to_dict()
            row["trip_id"] = new_id
            new_trips.append(row)
            copy = tmpl.copy()
            copy["trip_id"] = new_id
            copy["_arr"] += d - base
            copy["_dep"] += d - base
            frames.append(copy)
    templates = set(rows["trip_id"])
    work.drop_trips(templates)
    work.add_rows("trips", new_trips)
    if frames:
        work.add_stop_times(pd.concat(frames, ignore_index=True))


def _adjust_frequency(work: _Work, mod: AdjustFrequency) -> None:
    trips = work.route_trips("route_id", mod.route_id)
    for k, sid in enumerate(mod.service_ids):
        if sid not in set(trips["service_id"]):
            raise ScenarioError(f"service_ids[{k}]", f"route {mod.route_id!r} has no trips on "
                                f"service {sid!r}")
    if mod.service_ids:
        trips = trips[trips["service_id"].isin(set(mod.service_ids))]
    direction = trips["direction_id"] if "direction_id" in trips.columns else \
        pd.Series([""] * len(trips), index=trips.index)
    if mod.direction_id is not None:
        trips = trips[direction == str(mod.direction_id)]
        direction = direction[trips.index]
        if trips.empty:
            raise ScenarioError("direction_id", f"route {mod.route_id!r} has no trips in "
                                f"direction {mod.direction_id}")
    if trips.empty:
        raise ScenarioError("route_id", f"route {mod.route_id!r} has no trips")
    _materialise_frequencies(work, list(trips["trip_id"]))
    trips = work.tables["trips"]
    trips = trips[(trips["route_id"] == mod.route_id)]
    if mod.service_ids:
        trips = trips[trips["service_id"].isin(set(mod.service_ids))]
    if mod.direction_id is not None:
        trips = trips[trips["direction_id"] == str(mod.direction_id)]
    first = _first_departures(work, list(trips["trip_id"]))
    dir_col = trips["direction_id"] if "direction_id" in trips.columns else \
        pd.Series([""] * len(trips), index=trips.index)
    taken = set(work.tables["trips"]["trip_id"])
    victims: set[str] = set()
    new_trips: list[dict[str, str]] = []
    frames = []
    freq_rows = []
    for (sid_key, d), group in trips.groupby([trips["service_id"], dir_col], sort=True):
        sid = str(sid_key)
        ids = list(group["trip_id"])
        deps = first.reindex(ids).to_numpy(np.int64)
        tmpl_id = ids[int(np.argmin(deps))]
        tmpl = work.st[work.st["trip_id"] == tmpl_id]
        base = int(tmpl["_dep"].iloc[0])
        in_period = np.zeros(len(ids), bool)
        for p in mod.headways:
            in_period |= (deps >= p.start_s) & (deps < p.end_s)
        victims |= {t for t, v in zip(ids, in_period.tolist(), strict=True) if v}
        row = group[group["trip_id"] == tmpl_id].iloc[0].to_dict()
        starts = [p.start_s for p in mod.headways] if mod.as_frequencies else \
            _period_departures(mod.headways)
        wanted = [f"{mod.route_id}_{sid}_{d}_{format_time(s).replace(':', '')}" for s in starts]
        for s, new_id in zip(starts, work.new_ids(wanted, taken), strict=True):
            new_trips.append({**row, "trip_id": new_id})
            copy = tmpl.copy()
            copy["trip_id"] = new_id
            copy["_arr"] += s - base
            copy["_dep"] += s - base
            frames.append(copy)
        if mod.as_frequencies:
            for p, new_id in zip(mod.headways, [t["trip_id"] for t in new_trips[-len(starts):]],
                                 strict=True):
                freq_rows.append({"trip_id": new_id, "start_time": format_time(p.start_s),
                                  "end_time": format_time(p.end_s),
                                  "headway_secs": str(p.headway_s), "exact_times": "1"})
    work.drop_trips(victims)
    work.add_rows("trips", new_trips)
    work.add_stop_times(pd.concat(frames, ignore_index=True))
    work.add_rows("frequencies", freq_rows)


def _remove_routes(work: _Work, mod: RemoveRoutes) -> None:
    routes = work.tables["routes"]
    known = set(routes["route_id"])
    for k, r in enumerate(mod.route_ids):
        if r not in known:
            raise ScenarioError(f"route_ids[{k}]", f"{r!r} is not a route of the feed")
    gone = set(mod.route_ids)
    trips = work.tables["trips"]
    work.drop_trips(set(trips.loc[trips["route_id"].isin(gone), "trip_id"]))
    work.tables["routes"] = routes[~routes["route_id"].isin(gone)]
    for table, cols in (("transfers", ("from_route_id", "to_route_id")),
                        ("fare_rules", ("route_id",))):
        df = work.tables.get(table)
        if df is not None:
            for col in cols:
                if col in df.columns:
                    df = df[~df[col].isin(gone)]
            work.tables[table] = df


def _remove_trips(work: _Work, mod: RemoveTrips) -> None:
    known = set(work.tables["trips"]["trip_id"])
    for k, t in enumerate(mod.trip_ids):
        if t not in known:
            raise ScenarioError(f"trip_ids[{k}]", f"{t!r} is not a trip of the feed")
    work.drop_trips(set(mod.trip_ids))
    df = work.tables.get("transfers")
    if df is not None:
        for col in ("from_trip_id", "to_trip_id"):
            if col in df.columns:
                df = df[~df[col].isin(set(mod.trip_ids))]
        work.tables["transfers"] = df


def _remove_stops(work: _Work, mod: RemoveStops) -> None:
    stops = work.tables["stops"]
    known = set(stops["stop_id"])
    gone = set(mod.stop_ids)
    for k, s in enumerate(mod.stop_ids):
        if s not in known:
            raise ScenarioError(f"stop_ids[{k}]", f"{s!r} is not a stop of the feed")
        if "parent_station" in stops.columns:
            children = stops[(stops["parent_station"] == s) & ~stops["stop_id"].isin(gone)]
            if not children.empty:
                raise ScenarioError(f"stop_ids[{k}]", f"{s!r} is the parent station of "
                                    f"{len(children)} stop(s) (e.g. "
                                    f"{children['stop_id'].iloc[0]!r}); remove them too")
    work.tables["stops"] = stops[~stops["stop_id"].isin(gone)]
    work.st = work.st[~work.st["stop_id"].isin(gone)].reset_index(drop=True)
    df = work.tables.get("transfers")
    if df is not None:
        work.tables["transfers"] = df[~df["from_stop_id"].isin(gone)
                                      & ~df["to_stop_id"].isin(gone)]
    counts = work.st["trip_id"].value_counts()
    trips = work.tables["trips"]["trip_id"]
    lonely = set(trips[trips.map(counts).fillna(0) < 2])
    work.drop_trips(lonely)
    if work.service is not None:
        zones = tuple(replace(z, hub_stop_ids=tuple(h for h in z.hub_stop_ids if h not in gone))
                      for z in work.service.zones)
        fleets = tuple(replace(f, depot_stop_id=None) if f.depot_stop_id in gone else f
                       for f in work.service.fleets)
        work.service = replace(work.service, zones=zones, fleets=fleets)


def _segment(seq: list[str], a: str, b: str,
             via: list[str]) -> tuple[int, int, list[str]] | None:
    """Where ``a`` then ``b`` lie in ``seq`` (with ``via``), or ``b`` then ``a`` (via reversed)."""
    for x, y, mid in ((a, b, via), (b, a, via[::-1])):
        if x in seq and y in seq[seq.index(x) + 1:]:
            i = seq.index(x)
            return i, seq.index(y, i + 1), mid
    return None


def _reroute(work: _Work, mod: Reroute) -> None:
    trips = work.route_trips("route_id", mod.route_id)
    for name in ("from_stop_id", "to_stop_id"):
        if getattr(mod, name) not in set(work.tables["stops"]["stop_id"]):
            raise ScenarioError(name, f"{getattr(mod, name)!r} is not a stop of the feed")
    via = work.resolve_stops("via", mod.via, f"{mod.route_id}_RR")
    xy = work.stop_xy()
    ids = set(trips["trip_id"])
    st = work.st[work.st["trip_id"].isin(ids)]
    changed: dict[str, pd.DataFrame] = {}
    shapes: dict[tuple[str, ...], str] = {}
    shape_taken = set(work.tables["shapes"]["shape_id"]) if "shapes" in work.tables else set()
    trip_shape: dict[str, str] = {}
    for trip_key, rows in st.groupby("trip_id", sort=False):
        tid = str(trip_key)
        seq = rows["stop_id"].tolist()
        found = _segment(seq, mod.from_stop_id, mod.to_stop_id, via)
        if found is None:
            continue
        i, j, mid = found
        arr = rows["_arr"].to_numpy(np.int64)
        dep = rows["_dep"].to_numpy(np.int64)
        new_seq = [*seq[:i + 1], *mid, *seq[j:]]
        seg = [seq[i], *mid, seq[j]]
        p = xy.loc[seg]
        hop = _haversine(p["lat"].to_numpy()[:-1], p["lon"].to_numpy()[:-1],
                         p["lat"].to_numpy()[1:], p["lon"].to_numpy()[1:])
        run = np.maximum(np.rint(hop / (mod.speed_kmh / 3.6)), 1).astype(np.int64)
        times = [int(dep[i])]
        for k, r in enumerate(run.tolist()):
            times.append(times[-1] + r + (mod.dwell_s if 0 < k + 1 < len(seg) - 1 else 0))
        # arrival at each via stop and at the segment's end
        mid_arr = np.asarray(times[1:-1], np.int64) - mod.dwell_s if mid else \
            np.zeros(0, np.int64)
        end_arr = times[-1]
        shift = end_arr - int(arr[j])
        new_arr = np.concatenate([arr[:i + 1], mid_arr, arr[j:] + shift])
        new_dep = np.concatenate([dep[:i + 1], mid_arr + mod.dwell_s, dep[j:] + shift])
        keep = pd.concat([rows.iloc[:i + 1], rows.iloc[j:]], ignore_index=True).drop(
            columns=["_arr", "_dep", "_blank"])
        blank = np.concatenate([rows["_blank"].to_numpy()[:i + 1], np.zeros(len(mid), bool),
                                rows["_blank"].to_numpy()[j:]])
        frame = keep.reindex(list(range(i + 1)) + [None] * len(mid)
                             + list(range(i + 1, len(keep))))
        frame = frame.reset_index(drop=True).fillna("")
        frame["trip_id"] = tid
        frame["stop_id"] = new_seq
        frame["stop_sequence"] = [str(k + 1) for k in range(len(new_seq))]
        frame["_arr"] = new_arr
        frame["_dep"] = new_dep
        frame["_blank"] = blank
        key = tuple(new_seq)
        if key not in shapes:
            (shapes[key],) = work.new_ids([f"shp_{mod.route_id}_rr{len(shapes) + 1}"],
                                          shape_taken)
            work.add_shape(shapes[key], new_seq)
        pts = xy.loc[new_seq]
        cum = np.zeros(len(new_seq))
        cum[1:] = np.cumsum(_haversine(pts["lat"].to_numpy()[:-1], pts["lon"].to_numpy()[:-1],
                                       pts["lat"].to_numpy()[1:], pts["lon"].to_numpy()[1:]))
        if "shape_dist_traveled" in frame.columns:
            frame["shape_dist_traveled"] = work.dist_text(cum)
        if "pickup_type" in frame.columns:
            frame.loc[frame["pickup_type"] == "", "pickup_type"] = "0"
            frame.loc[frame["drop_off_type"] == "", "drop_off_type"] = "0"
        changed[tid] = frame
        trip_shape[tid] = shapes[key]
    if not changed:
        raise ScenarioError("from_stop_id", f"no trip of route {mod.route_id!r} passes "
                            f"{mod.from_stop_id!r} and then {mod.to_stop_id!r} (or the reverse)")
    work.st = work.st[~work.st["trip_id"].isin(set(changed))]
    work.add_stop_times(pd.concat(list(changed.values()), ignore_index=True))
    trips_t = work.tables["trips"]
    if "shape_id" not in trips_t.columns:
        trips_t["shape_id"] = ""
    hit = trips_t["trip_id"].isin(set(trip_shape))
    trips_t.loc[hit, "shape_id"] = trips_t.loc[hit, "trip_id"].map(trip_shape)
    work.tables["trips"] = trips_t


def _rebuild_times(work: _Work, rows: NDArray[np.bool_], run: I64, dwell: I64) -> None:
    """Rebuild times of the rows selected (whole trips) from their first arrival.

    ``run[k]`` is the time from the previous row's departure to row ``k``'s
    arrival (ignored at a trip's first row); ``dwell[k]`` is departure minus arrival.
    """
    st = work.st
    trip = st["trip_id"].to_numpy()
    start = np.ones(len(st), bool)
    if len(st) > 1:
        start[1:] = trip[1:] != trip[:-1]
    arr = st["_arr"].to_numpy(np.int64).copy()
    inc = np.zeros(len(st), np.int64)
    inc[1:] = dwell[:-1] + run[1:]
    inc[start] = 0
    cs = np.cumsum(inc)
    head = np.maximum.accumulate(np.where(start, np.arange(len(st)), 0))
    new_arr = arr[head] + cs - cs[head]
    st.loc[rows, "_arr"] = new_arr[rows]
    st.loc[rows, "_dep"] = (new_arr + dwell)[rows]


def _route_rows(work: _Work, field: str, route_ids: Sequence[str]) -> NDArray[np.bool_]:
    ids: set[str] = set()
    for k, r in enumerate(route_ids):
        ids |= set(work.route_trips(f"{field}[{k}]", r)["trip_id"])
    return work.st["trip_id"].isin(ids).to_numpy().copy()


def _run_dwell(work: _Work) -> tuple[I64, I64]:
    arr = work.st["_arr"].to_numpy(np.int64)
    dep = work.st["_dep"].to_numpy(np.int64)
    run = np.zeros(len(arr), np.int64)
    run[1:] = arr[1:] - dep[:-1]
    return run, dep - arr


def _adjust_speed(work: _Work, mod: AdjustSpeed) -> None:
    rows = _route_rows(work, "route_ids", mod.route_ids)
    if mod.start_s is not None and mod.end_s is not None:
        first = work.st.groupby("trip_id", sort=False)["_dep"].transform("first").to_numpy()
        rows = rows & (first >= mod.start_s) & (first < mod.end_s)
    run, dwell = _run_dwell(work)
    run = np.where(rows, np.rint(run / mod.speed_factor), run).astype(np.int64)
    _rebuild_times(work, rows, run, dwell)


def _adjust_dwell(work: _Work, mod: AdjustDwell) -> None:
    rows = _route_rows(work, "route_ids", mod.route_ids)
    known = set(work.tables["stops"]["stop_id"])
    for k, s in enumerate(mod.stop_ids):
        if s not in known:
            raise ScenarioError(f"stop_ids[{k}]", f"{s!r} is not a stop of the feed")
    trip = work.st["trip_id"].to_numpy()
    first = np.ones(len(trip), bool)
    last = np.ones(len(trip), bool)
    if len(trip) > 1:
        first[1:] = trip[1:] != trip[:-1]
        last[:-1] = trip[1:] != trip[:-1]
    inner = ~first & ~last
    target = rows & inner
    if mod.stop_ids:
        target &= work.st["stop_id"].isin(set(mod.stop_ids)).to_numpy()
    run, dwell = _run_dwell(work)
    dwell = np.where(target, mod.dwell_s, dwell).astype(np.int64)
    _rebuild_times(work, rows, run, dwell)


# -- zones -------------------------------------------------------------------------------

def _service(work: _Work) -> OnDemandService:
    return work.service if work.service is not None else OnDemandService(zones=())


def _zone_of(work: _Work, zone_id: str) -> OnDemandZone:
    service = _service(work)
    try:
        return service.zone(zone_id)
    except LookupError:
        raise ScenarioError("zone_id", f"{zone_id!r} is not an on-demand zone (zones: "
                            f"{[z.zone_id for z in service.zones]})") from None


def _check_hubs(work: _Work, field: str, hubs: Sequence[str]) -> None:
    known = set(work.tables["stops"]["stop_id"])
    for k, s in enumerate(hubs):
        if s not in known:
            raise ScenarioError(f"{field}[{k}]", f"{s!r} is not a stop of the feed")


def _add_zone(work: _Work, mod: AddZone) -> None:
    service = _service(work)
    if mod.zone.zone_id in {z.zone_id for z in service.zones}:
        raise ScenarioError("zone_id", f"{mod.zone.zone_id!r} is an on-demand zone already")
    _check_hubs(work, "hub_stop_ids", mod.zone.hub_stop_ids)
    fleets = service.fleets + ((mod.fleet,) if mod.fleet is not None else ())
    work.service = replace(service, zones=(*service.zones, mod.zone), fleets=fleets)


def _projected(polygon: Polygon | MultiPolygon,
               change: object) -> Polygon | MultiPolygon:
    c = polygon.centroid
    to_m = Transformer.from_crs("EPSG:4326", f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +units=m",
                                always_xy=True)
    to_deg = Transformer.from_crs(f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +units=m",
                                  "EPSG:4326", always_xy=True)
    metric = shapely.transform(polygon, to_m.transform, interleaved=False)
    changed = change(metric)  # type: ignore[operator]
    return shapely.transform(changed, to_deg.transform, interleaved=False)


def _resize_zone(work: _Work, mod: ResizeZone) -> None:
    zone = _zone_of(work, mod.zone_id)
    polygon = zone.polygon
    if mod.buffer_m is not None:
        d = float(mod.buffer_m)
        polygon = _projected(polygon, lambda g: g.buffer(d, join_style="mitre"))
        field = "buffer_m"
    elif mod.scale_factor is not None:
        f = float(mod.scale_factor)
        polygon = _projected(polygon, lambda g: affinity.scale(g, f, f, origin="centroid"))
        field = "scale_factor"
    else:
        field = "polygon"
        if mod.polygon is not None:
            polygon = mod.polygon
    if polygon.is_empty:
        raise ScenarioError(field, "leaves the zone empty")
    polygon = shapely.set_precision(polygon, 1e-7)
    if not isinstance(polygon, Polygon | MultiPolygon):
        raise ScenarioError(field, f"gives a {polygon.geom_type}, not a polygon")
    try:
        check_polygon(f"zone {mod.zone_id!r}", polygon)
    except ModelError as exc:
        raise ScenarioError(field, str(exc)) from None
    hubs = zone.hub_stop_ids if mod.hub_stop_ids is None else mod.hub_stop_ids
    _check_hubs(work, "hub_stop_ids", hubs)
    windows = zone.windows if mod.windows is None else mod.windows
    new = replace(zone, polygon=polygon, hub_stop_ids=hubs, windows=windows)
    service = _service(work)
    work.service = replace(service, zones=tuple(new if z.zone_id == zone.zone_id else z
                                                for z in service.zones))


def _remove_zone(work: _Work, mod: RemoveZone) -> None:
    zone = _zone_of(work, mod.zone_id)
    service = _service(work)
    work.service = replace(service, zones=tuple(z for z in service.zones if z is not zone),
                           fleets=tuple(f for f in service.fleets if f.zone_id != mod.zone_id))


def _set_fleet(work: _Work, mod: SetFleet) -> None:
    _zone_of(work, mod.zone_id)
    service = _service(work)
    types = {t.vehicle_type_id: t for t in service.vehicle_types}
    for k, t in enumerate(mod.vehicle_types):
        if t.vehicle_type_id in types and types[t.vehicle_type_id] != t:
            raise ScenarioError(f"vehicle_types[{k}]", f"{t.vehicle_type_id!r} is a vehicle "
                                "type already, with other values")
        types[t.vehicle_type_id] = t
    for type_id, _ in mod.vehicle_counts:
        if type_id not in types:
            raise ScenarioError(f"vehicle_counts.{type_id}", f"{type_id!r} is not a vehicle "
                                f"type (types: {sorted(types)})")
    old = service.fleet(mod.zone_id)
    if old is None and (mod.depot_lat is None or mod.shift_start_s is None):
        raise ScenarioError("depot" if mod.depot_lat is None else "shift",
                            f"zone {mod.zone_id!r} has no fleet yet: give its depot and shift")
    values: dict[str, Any] = {"zone_id": mod.zone_id, "vehicle_counts": mod.vehicle_counts}
    if mod.depot_lat is not None:
        values.update(depot_lat=mod.depot_lat, depot_lon=mod.depot_lon,
                      depot_stop_id=mod.depot_stop_id)
    if mod.shift_start_s is not None:
        values.update(shift_start_s=mod.shift_start_s, shift_end_s=mod.shift_end_s)
    fleet = replace(old, **values) if old is not None else Fleet(**values)
    if fleet.depot_stop_id is not None \
            and fleet.depot_stop_id not in set(work.tables["stops"]["stop_id"]):
        raise ScenarioError("depot_stop_id",
                            f"{fleet.depot_stop_id!r} is not a stop of the feed")
    fleets = (*(f for f in service.fleets if f.zone_id != mod.zone_id), fleet)
    work.service = replace(service, vehicle_types=tuple(types.values()), fleets=fleets)


_APPLY: dict[type, Callable[[_Work, Any], None]] = {
    AddRoute: _add_route, AdjustFrequency: _adjust_frequency,
    RemoveRoutes: _remove_routes, RemoveTrips: _remove_trips, RemoveStops: _remove_stops,
    Reroute: _reroute, AdjustSpeed: _adjust_speed, AdjustDwell: _adjust_dwell,
    AddZone: _add_zone, ResizeZone: _resize_zone, RemoveZone: _remove_zone,
    SetFleet: _set_fleet}


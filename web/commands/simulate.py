"""``tsunagu simulate``: run a day of on-demand service in the demo city and print its KPIs.

``simulate [--city demo] [--data-dir var] [--fleet N] [--requests FILE | --demand-scale X]
[--seed S] [--date YYYY-MM-DD] [--reopt-every MIN] [--reopt-time-limit S]
[--no-show P] [--events OUT.jsonl] [--json]``

The wiring lives here: the city's feed (calendar, hub stops), its on-demand
service, population cells and streets are read, driving times and distances
are computed once between the day's distinct places (:class:`web.services.drive.StreetDriveMatrix`:
places snapped to drivable street nodes, one Dijkstra (``routing.streetsearch``) per node, distances
along the fastest paths) or, without a street file, crow-fly; then
``dispatch.simulation.simulate_day`` runs the day and ``dispatch.kpi`` sums it
up. Errors are one line on stderr and exit code 2.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from dispatch.demand import DayRequest, generate_day, read_requests_csv
from dispatch.kpi import DayKpis, compute_kpis
from dispatch.model import Place
from dispatch.simulation import (
    CrowFlyDistances,
    SimulationOptions,
    SimVehicle,
    TravelDistances,
    fleet_vehicles,
    simulate_day,
    write_events_jsonl,
)
from dispatch.travel import CrowFlyTravelTimes, TravelTimes
from gtfs.cells_io import read_cells
from gtfs.democity.services import SAMPLE_WEEKDAY
from gtfs.ondemand import CONFIG_FILE, load_ondemand_service
from gtfs.reader import read_feed
from routing.osm import load_osm
from transit.errors import TsunaguError
from transit.ondemand import OnDemandService
from web.commands.errors import fail, guarded
from web.services.drive import StreetDriveMatrix


class SimulateError(ValueError, TsunaguError):
    """The simulation's inputs cannot be read or do not fit together."""


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date:
    if value is None:
        return SAMPLE_WEEKDAY
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@dataclass(frozen=True, slots=True)
class PreparedDay:
    """Everything ``simulate_day`` needs for one day of a city, read from its files."""

    service: OnDemandService
    service_ids: frozenset[str]
    vehicles: tuple[SimVehicle, ...]
    requests: tuple[DayRequest, ...]
    travel: TravelTimes
    distances: TravelDistances
    travel_kind: str  # "streets" or "crow-fly"


def prepare_day(data_dir: Path, *, fleet: int | None, requests_path: Path | None,
                demand_scale: float, seed: int, day: date) -> PreparedDay:
    """Read the demo city under ``data_dir`` and build the day's fleet, requests and travel.

    Requests come from ``requests_path`` (CSV) or are generated from the city's
    cells (``demand_scale``, ``seed``); travel is the street drive matrix over the
    day's places, or crow-fly when the city has no ``streets.osm``.
    """
    city = data_dir / "demo"
    feed_path, yaml_path = city / "gtfs.zip", city / CONFIG_FILE
    for p in (feed_path, yaml_path):
        if not p.exists():
            raise SimulateError(f"{p}: no such file (generate the demo city with "
                                f"`tsunagu demo --out {city}`)")
    feed = read_feed(feed_path, dist_units="km")
    service = load_ondemand_service(feed_path, yaml_path)
    active = feed.calendar.active_services(day)
    stop_ids = feed.tables["stops"]["stop_id"].tolist()
    stop_at = {s: i for i, s in enumerate(stop_ids)}
    hubs: dict[str, list[Place]] = {}
    for z in service.zones:
        hubs[z.zone_id] = [Place(float(feed.stop_lat[stop_at[s]]),
                                 float(feed.stop_lon[stop_at[s]]))
                           for s in z.hub_stop_ids if s in stop_at]
    vehicles = fleet_vehicles(service, n_vehicles=fleet)
    if not vehicles:
        raise SimulateError(f"{yaml_path}: the service has no vehicles")
    requests: list[DayRequest]
    if requests_path is not None:
        requests = read_requests_csv(requests_path, service)
    else:
        cells_path = city / "cells.csv"
        if not cells_path.exists():
            raise SimulateError(f"{cells_path}: no such file")
        cells = read_cells(cells_path)
        requests = generate_day(service, cell_lat=cells.lat, cell_lon=cells.lon,
                                population=cells.population, jobs=cells.jobs, hubs=hubs,
                                service_ids=active, seed=seed, scale=demand_scale)
    streets_path = city / "streets.osm"
    travel: TravelTimes
    distances: TravelDistances
    if streets_path.exists():
        places = [sv.vehicle.depot for sv in vehicles]
        for d in requests:
            places += [d.request.pickup, d.request.dropoff]
        matrix = StreetDriveMatrix(load_osm(streets_path), places)
        travel, distances, kind = matrix, matrix, "streets"
    else:
        travel, distances, kind = CrowFlyTravelTimes(), CrowFlyDistances(), "crow-fly"
    return PreparedDay(service, frozenset(active), vehicles, tuple(requests), travel,
                       distances, kind)


def run_simulation(data_dir: Path, *, fleet: int | None, requests_path: Path | None,
                   demand_scale: float, seed: int, day: date, reopt_every_min: float,
                   reopt_time_limit_s: float, no_show: float,
                   events_path: Path | None) -> dict[str, Any]:
    """Load the demo city under ``data_dir``, simulate ``day`` and return the summary dict."""
    t0 = time.perf_counter()
    prep = prepare_day(data_dir, fleet=fleet, requests_path=requests_path,
                       demand_scale=demand_scale, seed=seed, day=day)
    t1 = time.perf_counter()
    options = SimulationOptions(reopt_every_s=round(reopt_every_min * 60),
                                reopt_time_limit_s=reopt_time_limit_s,
                                no_show_probability=no_show, seed=seed)
    result = simulate_day(prep.service, prep.vehicles, prep.requests, prep.travel,
                          service_ids=prep.service_ids, distances=prep.distances,
                          options=options)
    t2 = time.perf_counter()
    kpis: DayKpis = compute_kpis(result.events, co2_g_per_km=result.co2_g_per_km)
    if events_path is not None:
        write_events_jsonl(result, events_path)
    return {
        "city": "demo", "date": day.isoformat(), "services": sorted(prep.service_ids),
        "requests_source": str(requests_path) if requests_path else
        f"generated (scale {demand_scale:g}, seed {seed})",
        "vehicles": len(prep.vehicles), "travel": prep.travel_kind,
        "reopt_every_min": reopt_every_min, "reopt_time_limit_s": reopt_time_limit_s,
        "load_s": round(t1 - t0, 3), "simulate_s": round(t2 - t1, 3),
        "events": len(result.events), "kpis": kpis.as_dict(),
    }


def _text(info: dict[str, Any]) -> str:
    k = info["kpis"]

    def f(x: Any, spec: str) -> str:
        return "n/a" if x is None else format(x, spec)

    return "\n".join([
        f"day {info['date']} ({', '.join(info['services']) or 'no service'}), "
        f"{info['vehicles']} vehicles, travel on {info['travel']}, requests "
        f"{info['requests_source']}",
        f"requests      {k['requests']}: served {k['served']} ({f(k['served_pct'], '.1f')} %), "
        f"rejected {k['rejected']} ({f(k['rejected_pct'], '.1f')} %), "
        f"no-shows {k['no_shows']}",
        f"wait          mean {f(k['wait_mean_s'], '.0f')} s, p95 {f(k['wait_p95_s'], '.0f')} s",
        f"ride          mean {f(k['ride_mean_s'], '.0f')} s, detour factor "
        f"{f(k['detour_factor_mean'], '.2f')}",
        f"vehicle-km    {k['vehicle_km']:.1f} (empty {k['empty_km']:.1f}), passenger-km "
        f"{k['passenger_km']:.1f}, occupancy "
        f"{f(k['occupancy_pax_km_per_vehicle_km'], '.2f')}",
        f"vehicle-hours {k['vehicle_hours']:.1f} in service, {k['driving_hours']:.1f} driving",
        f"CO2           {k['co2_kg']:.1f} kg",
        f"re-optimized  {k['reoptimizations']} times ({k['reoptimizations_adopted']} adopted); "
        f"load {info['load_s']:.1f} s, simulate {info['simulate_s']:.1f} s",
    ])


@click.command("simulate")
@click.option("--city", type=click.Choice(["demo"]), default="demo", show_default=True,
              help="City to simulate.")
@click.option("--data-dir", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Data folder holding demo/ [default: the app's DATA_DIR].")
@click.option("--fleet", type=int, default=None,
              help="Number of vehicles (shared among zones and types) [default: the service's].")
@click.option("--requests", "requests_path", type=click.Path(path_type=Path), default=None,
              help="CSV of requests (id,request_time,pickup_lat,pickup_lon,dropoff_lat,"
                   "dropoff_lon,passengers,wheelchair,earliest_pickup|latest_dropoff).")
@click.option("--demand-scale", type=float, default=None,
              help="Multiply the generated demand (0.05 trips per zone resident) [default: 1].")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Random seed.")
@click.option("--date", "day", callback=_parse_date, default=None,
              help=f"Service day, YYYY-MM-DD [default: {SAMPLE_WEEKDAY.isoformat()}].")
@click.option("--reopt-every", "reopt_every", type=click.FloatRange(min=0), default=15.0,
              show_default=True,
              help="Minutes between re-optimizations (0: never).")
@click.option("--reopt-time-limit", "reopt_time_limit", type=float, default=0.5,
              show_default=True, help="Seconds per re-optimization.")
@click.option("--no-show", "no_show", type=float, default=0.0, show_default=True,
              help="Probability that a rider does not show up.")
@click.option("--events", "events_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write the event log here as JSON lines.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@with_appcontext
def simulate_command(city: str, data_dir: Path | None, fleet: int | None,
                     requests_path: Path | None, demand_scale: float | None, seed: int,
                     day: date, reopt_every: float, reopt_time_limit: float, no_show: float,
                     events_path: Path | None, as_json: bool) -> None:
    """Simulate a day of on-demand rides (bookings, insertion, re-optimization); print KPIs."""
    del city  # only the demo city for now
    if requests_path is not None and demand_scale is not None:
        fail("--requests and --demand-scale cannot be combined")
    if fleet is not None and fleet < 1:
        fail(f"--fleet={fleet} must be at least 1")
    if not (math.isfinite(reopt_every) and reopt_every >= 0
            and math.isfinite(reopt_time_limit) and reopt_time_limit > 0):
        fail(f"--reopt-every={reopt_every} and --reopt-time-limit={reopt_time_limit}: "
             "expected finite numbers, the first >= 0 and the second > 0")
    if requests_path is not None and not requests_path.is_file():
        fail(f"--requests: {requests_path}: no such file")
    base = data_dir if data_dir is not None else Path(current_app.config["DATA_DIR"])
    info = guarded(lambda: run_simulation(
        base, fleet=fleet, requests_path=requests_path,
        demand_scale=1.0 if demand_scale is None else demand_scale, seed=seed, day=day,
        reopt_every_min=reopt_every, reopt_time_limit_s=reopt_time_limit, no_show=no_show,
        events_path=events_path))
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
    else:
        click.echo(_text(info))

"""``tsunagu plan`` and ``tsunagu plan-batch``: journeys from the command line.

``plan --feed F --date D --from A --to B (--depart T | --arrive T) [--window MIN]
[--transfers none|walk] [--osm PBF] [--criterion walk|cost] [--transfer-penalty S]
[--max-transfers N] [--json] [--on-demand [--ondemand-config YAML]
[--fleet-state JSON] [--booked-at T]]`` prints
itineraries (``--json``: OTP-shaped plan response). Places are ``LAT,LON`` or
``stop:ID``; times ``HH:MM[:SS]`` after the service day's midnight.
``--on-demand`` adds on-demand legs (access to hubs, egress from hubs, door to
door) quoted by insertion into the zones' vehicle plans: the service is the
feed's GTFS-Flex zones merged with ``drt_service.yaml`` (default: beside the
feed), the vehicles idle at their depots from shift start unless
``--fleet-state`` gives their state; riders book at ``--booked-at`` (default:
the departure time; with ``--arrive``, 3 h before the arrival), so the booking
notice applies from then. With ``--arrive`` rides are timed backwards (latest
bus departures, drop-off deadlines).

``plan-batch --feed F --date D --queries Q.csv [--transfers none|walk] [--osm PBF]
[--out R.csv] [--workers N]`` reads ``id,from,to,depart`` rows and writes
``id,departure,arrival,transfers,duration_s`` (arrival empty when unreachable).
The feed is compiled (or read from the cache) once; queries spread over
processes. Bad input is one line on stderr and exit code 2.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from gtfs.compile import compile_feed_file
from routing.batch import BatchQuery, run_batch
from routing.itinerary import ItineraryWriter, clock, clock_hms, describe
from routing.journey import Journey
from routing.multimodal import MultimodalPlanner
from routing.osm import load_osm
from routing.planner import (
    DEFAULT_WINDOW_S,
    Place,
    Planner,
    PlannerConfig,
    parse_clock,
    parse_place,
)
from transit.errors import TsunaguError
from transit.ondemand import OnDemandService
from transit.streets import StreetNetwork
from transit.timetable import Timetable
from web.commands.errors import fail, guarded, parse_day

DEFAULT_CACHE_DIR = "var/cache"


def _load(feed: str, day: str, osm: str | None, transfers: str, cache_dir: str, *,
          max_transfers: int = 8, transfer_penalty_s: int = 300
          ) -> tuple[Timetable, Planner]:
    service_date = parse_day(day)
    path = Path(feed)
    if not path.exists():
        fail(f"--feed: {feed}: no such file or directory")
    tt = guarded(lambda: compile_feed_file(path, service_date, cache_dir=Path(cache_dir)))
    streets: StreetNetwork | None = None
    if osm is not None:
        streets = guarded(lambda: load_osm(osm))
    config = PlannerConfig(transfers=transfers, max_transfers=max_transfers,
                           transfer_penalty_s=transfer_penalty_s)
    planner = guarded(lambda: Planner(tt, streets, config))
    return tt, planner


def _name(place: Place, tt: Timetable, text: str) -> str:
    return tt.stop_names[place.stop] if place.is_stop else text


_common = [
    click.option("--feed", "feed", required=True, help="GTFS zip or folder."),
    click.option("--date", "day", required=True, help="Service date YYYY-MM-DD."),
    click.option("--transfers", type=click.Choice(["walk", "none"]), default="walk",
                 show_default=True, help="Walk between nearby stops, or same-stop only."),
    click.option("--osm", default=None, help="OSM extract (.osm.pbf or .osm) for walking."),
    click.option("--cache-dir", default=DEFAULT_CACHE_DIR, show_default=True,
                 help="Compiled-day cache."),
]


def _with_common(f: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed(_common):
        f = opt(f)
    return f


@click.command("plan")
@_with_common
@click.option("--from", "origin", required=True,
              help="LAT,LON or stop:ID (negative latitude: --from=-30.03,-51.22).")
@click.option("--to", "destination", required=True, help="LAT,LON or stop:ID.")
@click.option("--depart", default=None, help="Leave at HH:MM[:SS].")
@click.option("--arrive", default=None, help="Arrive by HH:MM[:SS].")
@click.option("--window", "window_min", type=click.IntRange(0, 24 * 60), default=None,
              is_flag=False, flag_value=DEFAULT_WINDOW_S // 60,
              help="Range search: every Pareto journey departing within MIN minutes "
                   "(--window alone: 60).")
@click.option("--criterion", type=click.Choice(["walk", "cost"]), default=None,
              help="McRAPTOR third criterion: walking time, or generalized cost.")
@click.option("--transfer-penalty", "penalty_s", type=click.IntRange(0, 7200), default=300,
              show_default=True, help="Seconds added per transfer by --criterion cost.")
@click.option("--max-transfers", type=click.IntRange(0, 20), default=8, show_default=True,
              help="Most changes of vehicle in a journey.")
@click.option("--json", "as_json", is_flag=True, help="Print an OTP-shaped JSON plan.")
@click.option("--on-demand", "on_demand", is_flag=True,
              help="Include on-demand legs (first/last mile, door to door).")
@click.option("--ondemand-config", default=None,
              help="drt_service.yaml (default: beside the feed).")
@click.option("--fleet-state", default=None,
              help="JSON state of the vehicles and promised rides (default: idle at depots).")
@click.option("--booked-at", default=None,
              help="When the rider books, HH:MM[:SS] (default: the query time).")
def plan_command(feed: str, day: str, transfers: str, osm: str | None, cache_dir: str,
                 origin: str, destination: str, depart: str | None, arrive: str | None,
                 window_min: int | None, criterion: str | None, penalty_s: int,
                 max_transfers: int, as_json: bool, on_demand: bool,
                 ondemand_config: str | None, fleet_state: str | None,
                 booked_at: str | None) -> None:
    """Plan journeys between two places on one service day."""
    if (depart is None) == (arrive is None):
        fail("give exactly one of --depart HH:MM[:SS] or --arrive HH:MM[:SS]")
    when = guarded(lambda: parse_clock(depart or arrive or "",
                                       argument="--depart" if depart else "--arrive"))
    if not on_demand and (ondemand_config or fleet_state or booked_at):
        fail("--ondemand-config, --fleet-state and --booked-at need --on-demand")
    if on_demand and (window_min or criterion):
        fail("--on-demand plans one departure: it cannot be combined with --window or "
             "--criterion")
    booked_s = guarded(lambda: parse_clock(booked_at, argument="--booked-at")) \
        if booked_at is not None else None
    tt, planner = _load(feed, day, osm, transfers, cache_dir, max_transfers=max_transfers,
                        transfer_penalty_s=penalty_s)
    o = guarded(lambda: parse_place(origin, tt, argument="--from"))
    d = guarded(lambda: parse_place(destination, tt, argument="--to"))
    window_s = (window_min or 0) * 60
    multimodal: MultimodalPlanner | None = None
    if on_demand:
        multimodal = guarded(lambda: _multimodal(planner, feed, ondemand_config,
                                                 fleet_state))
    t = time.perf_counter()
    if multimodal is not None:
        if arrive is not None:
            journeys = guarded(lambda: multimodal.arrive_by(o, d, when,
                                                            booked_at_s=booked_s))
        else:
            journeys = guarded(lambda: multimodal.depart_at(o, d, when,
                                                            booked_at_s=booked_s))
    elif arrive is not None:
        journeys = guarded(lambda: planner.arrive_by(o, d, when, window_s=window_s,
                                                     criterion=criterion))
    else:
        journeys = guarded(lambda: planner.depart_at(o, d, when, window_s=window_s,
                                                     criterion=criterion))
    elapsed = time.perf_counter() - t
    writer = ItineraryWriter(tt, planner.walker)
    if as_json:
        resp = writer.response(journeys, (o.lat, o.lon, _name(o, tt, origin)),
                               (d.lat, d.lon, _name(d, tt, destination)),
                               query_s=when, arrive_by=arrive is not None)
        click.echo(json.dumps(resp, ensure_ascii=False, indent=1))
        return
    click.echo(f"{_name(o, tt, origin)} → {_name(d, tt, destination)}, {tt.service_date} "
               f"{'arrive by' if arrive else 'depart'} {clock(when)}: "
               f"{len(journeys)} itinerar{'y' if len(journeys) == 1 else 'ies'} "
               f"({elapsed * 1000:.1f} ms)")
    if not journeys:
        click.echo("no journey found")
    for i, j in enumerate(journeys, 1):
        click.echo(_summary(i, j, tt))


def _multimodal(planner: Planner, feed: str, config: str | None, fleet_state: str | None
                ) -> MultimodalPlanner:
    """The planner with on-demand legs quoted by the zones' dispatchers (built in web/)."""
    from gtfs.ondemand import CONFIG_FILE, load_ondemand_service
    from gtfs.reader import read_feed
    from web.services.ondemand_provider import build_ondemand_provider

    feed_path = Path(feed)
    yaml_path = Path(config) if config is not None else \
        (feed_path if feed_path.is_dir() else feed_path.parent) / CONFIG_FILE
    if not yaml_path.is_file():
        fail(f"--ondemand-config: {yaml_path}: no such file")
    if fleet_state is not None and not Path(fleet_state).is_file():
        fail(f"--fleet-state: {fleet_state}: no such file")
    service: OnDemandService = load_ondemand_service(feed_path, yaml_path)
    tt = planner.timetable
    active = read_feed(feed_path).calendar.active_services(tt.service_date)
    provider = build_ondemand_provider(service, tt, planner.streets,
                                       active_service_ids=active, fleet_state=fleet_state)
    return MultimodalPlanner(planner, provider)


def _summary(i: int, j: Journey, tt: Timetable) -> str:
    mins = j.duration_s // 60
    tr = f"{j.transfers} transfer{'s' if j.transfers != 1 else ''}"
    line = (f"{i}. {clock(j.departure_s)} → {clock(j.arrival_s)}  {mins} min, {tr}, "
            f"walk {j.walk_s // 60} min\n   {describe(j, tt)}")
    for leg in j.legs:
        o = leg.offer
        if o is not None:
            b = o.booking
            book = f"book by {clock(b.latest_booking_s)}" if b.latest_booking_s is not None \
                else "book"
            how = "; ".join(x for x in (b.how_to_book, b.phone, b.url) if x)
            line += (f"\n   on-demand {o.zone_name or o.zone_id}: pickup window "
                     f"{clock(o.pickup_earliest_s)}–{clock(o.pickup_latest_s)}, "
                     f"drop-off by {clock(o.dropoff_latest_s)}; {book} ({how})")
    return line


def read_queries(text: str, source: str, tt: Timetable) -> list[BatchQuery]:
    """Return the queries of a ``id,from,to,depart`` CSV; errors name ``source:line``."""
    reader = csv.DictReader(io.StringIO(text))
    need = ["id", "from", "to", "depart"]
    if reader.fieldnames is None or any(c not in reader.fieldnames for c in need):
        raise _QueriesError(f"{source}:1: expected columns {','.join(need)}, "
                            f"got {','.join(reader.fieldnames or [])}")
    out = []
    seen: set[str] = set()
    for n, row in enumerate(reader, start=2):
        try:
            qid = (row["id"] or "").strip()
            if not qid:
                raise _QueriesError("id: empty")
            if qid in seen:
                raise _QueriesError(f"id: {qid!r} repeated")
            seen.add(qid)
            o = parse_place((row["from"] or "").strip(), tt, argument="from")
            d = parse_place((row["to"] or "").strip(), tt, argument="to")
            t = parse_clock((row["depart"] or "").strip(), argument="depart")
        except (TsunaguError, _QueriesError) as exc:
            raise _QueriesError(f"{source}:{n}: {exc}") from None
        out.append(BatchQuery(qid, o, d, t))
    return out


class _QueriesError(ValueError, TsunaguError):
    """A query CSV row cannot be read."""


@click.command("plan-batch")
@_with_common
@click.option("--queries", required=True, help="CSV with columns id,from,to,depart.")
@click.option("--out", default=None, help="Result CSV (default: stdout).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes (default: CPUs available).")
def plan_batch_command(feed: str, day: str, transfers: str, osm: str | None, cache_dir: str,
                       queries: str, out: str | None, workers: int | None) -> None:
    """Earliest arrival for every row of a query CSV."""
    qpath = Path(queries)
    if not qpath.is_file():
        fail(f"--queries: {queries}: no such file")
    text = guarded(lambda: qpath.read_text(encoding="utf-8-sig"))
    tt, planner = _load(feed, day, osm, transfers, cache_dir)
    rows = guarded(lambda: read_queries(text, str(qpath), tt))
    t = time.perf_counter()
    results = run_batch(planner, rows, workers=workers)
    elapsed = time.perf_counter() - t
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "departure", "arrival", "transfers", "duration_s"])
    for r in results:
        if r.arrival_s < 0:
            w.writerow([r.id, clock_hms(r.depart_s), "", "", ""])
        else:
            w.writerow([r.id, clock_hms(r.depart_s), clock_hms(r.arrival_s), r.transfers,
                        r.arrival_s - r.depart_s])
    if out is None:
        click.echo(buf.getvalue(), nl=False)
    else:
        guarded(lambda: Path(out).write_text(buf.getvalue(), encoding="utf-8"))
    rate = len(results) / elapsed if elapsed > 0 else float("inf")
    click.echo(f"{len(results)} queries in {elapsed:.2f} s ({rate:.0f}/s), "
               f"{sum(r.arrival_s >= 0 for r in results)} reachable", err=True)


__all__ = ["plan_batch_command", "plan_command", "read_queries"]

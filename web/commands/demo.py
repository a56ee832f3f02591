"""``tsunagu demo``: generate the demo city, show what it holds, compile one weekday."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from gtfs.compile import compile_service_day
from gtfs.democity import DEFAULT_SEED, DemoCityError, generate_demo_city, load_demo_city
from gtfs.democity.report import demo_city_report
from gtfs.democity.services import FEED_END, FEED_START, SAMPLE_WEEKDAY
from gtfs.errors import FeedError
from gtfs.reader import read_feed


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date:
    if value is None:
        return SAMPLE_WEEKDAY
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None
    if not FEED_START <= day <= FEED_END:
        raise click.BadParameter(
            f"{value} is outside the demo feed ({FEED_START.isoformat()}..{FEED_END.isoformat()})")
    return day


@click.command("demo")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder of the demo city [default: DATA_DIR/demo, i.e. var/demo].")
@click.option("--size", type=click.IntRange(min=1), default=1, show_default=True,
              help="Number of 26 km coastal segments (10 or 100 for benchmarks).")
@click.option("--seed", type=click.IntRange(min=0), default=DEFAULT_SEED, show_default=True,
              help="Random seed; the same size and seed give the same files.")
@click.option("--date", "service_date", callback=_parse_date, default=None,
              help=f"Service day to compile, YYYY-MM-DD [default: {SAMPLE_WEEKDAY.isoformat()}].")
@click.option("--force", is_flag=True, help="Regenerate even if the city is already there.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@with_appcontext
def demo_command(out_dir: Path | None, size: int, seed: int, service_date: date, force: bool,
                 as_json: bool) -> None:
    """Generate (or reuse) the demo city, print its summary and compile one day."""
    out = out_dir if out_dir is not None else Path(current_app.config["DATA_DIR"]) / "demo"
    t0 = time.perf_counter()
    try:
        existing = None if force else load_demo_city(out)
        reused = existing is not None and existing.size == size and existing.seed == seed
        city = generate_demo_city(out, size=size, seed=seed, reuse=not force)
        generate_s = time.perf_counter() - t0
        report = demo_city_report(city)
        t1 = time.perf_counter()
        feed = read_feed(city.feed_path, dist_units="km")
        t2 = time.perf_counter()
        timetable = compile_service_day(feed, service_date)
        t3 = time.perf_counter()
    except (DemoCityError, FeedError) as exc:
        raise click.ClickException(str(exc)) from None
    compiled = {
        "date": service_date.isoformat(),
        "weekday": service_date.strftime("%A"),
        "stops": timetable.n_stops,
        "trips": timetable.n_trips,
        "patterns": timetable.n_patterns,
        "connections": timetable.n_connections,
        "events": timetable.n_events,
        "read_s": round(t2 - t1, 3),
        "compile_s": round(t3 - t2, 3),
    }
    if as_json:
        click.echo(json.dumps({"city": report, "reused": reused,
                               "generate_s": round(generate_s, 3), "compile": compiled},
                              ensure_ascii=False, indent=2))
        return
    click.echo(_text(report, compiled, reused=reused, generate_s=generate_s))


def _text(r: dict[str, Any], c: dict[str, Any], *, reused: bool, generate_s: float) -> str:
    how = "reused" if reused else f"generated in {generate_s:.1f} s"
    lines = [
        f"{r['name']}",
        f"  size {r['size']}, seed {r['seed']}: {how} in {r['out_dir']}",
        f"  people      {r['population']:,} residents, {r['jobs']:,} jobs "
        f"in {r['cells']:,} cells of {r['cell_size_m']:.0f} m",
        f"  transit     {r['stops']:,} stops, {r['routes']:,} routes, {r['trips']:,} trips, "
        f"{r['stop_times']:,} stop times (feed {r['feed_start']}..{r['feed_end']})",
        f"  hubs        {', '.join(r['towns'][:5])}"
        + (f" (+{len(r['towns']) - 5} more)" if len(r["towns"]) > 5 else ""),
        f"  streets     {r['street_nodes']:,} nodes, {r['street_edges']:,} edges",
    ]
    for d in r["drt"][:3]:
        lines.append(
            f"  DRT zone    {d['zone_id']} {d['name']}: hubs {', '.join(d['hubs'])}; "
            f"{d['hours_weekday']} on weekdays; fleet {d['vehicles']} "
            f"({d['ev']} EV, {d['diesel']} diesel), {d['seats']} seats, "
            f"{d['wheelchair_spaces']} wheelchair spaces")
    if len(r["drt"]) > 3:
        lines.append(f"  DRT zones   ... {len(r['drt']) - 3} more")
    lines.append(
        f"  compiled    {c['date']} ({c['weekday']}): {c['trips']:,} trips, "
        f"{c['patterns']:,} patterns, {c['connections']:,} connections over "
        f"{c['stops']:,} stops (read {c['read_s']:.3f} s, compile {c['compile_s']:.3f} s)")
    lines.append("  files       " + ", ".join(Path(p).name for p in r["files"].values())
                 + ", city.json")
    return "\n".join(lines)

"""``tsunagu feed ...``: inspect GTFS feeds.

``feed info FEED [--date YYYY-MM-DD] [--json]`` prints agencies, time zone,
counts, the service date range and the validation warnings; with ``--date`` it
also compiles that service day (through the on-disk cache) and prints the
active trips, compiled trips, patterns and connections. ``feed validate FEED``
prints the warnings. A bad feed or argument is one line on stderr and exit
code 2, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from gtfs.compile import compile_service_day, count_active_trips
from gtfs.reader import DEFAULT_MAX_UNCOMPRESSED_BYTES, Feed, read_feed
from web.commands.errors import guarded, parse_day

DEFAULT_CACHE_DIR = "var/cache"


def _read(feed_path: str, max_bytes: int) -> Feed:
    path = Path(feed_path)
    if not path.exists():
        raise FileNotFoundError(2, "no such file or directory", feed_path)
    return read_feed(path, max_uncompressed_bytes=max_bytes)


def feed_summary(feed: Feed, service_date: date | None, cache_dir: Path | None) -> dict[str, Any]:
    """Return what ``feed info`` shows, as a JSON-ready dict."""
    span = feed.service_date_range
    info: dict[str, Any] = {
        "feed": str(feed.source),
        "sha256": feed.sha256,
        "agencies": list(feed.agency_names),
        "timezone": feed.timezone,
        "stops": len(feed.stops),
        "routes": len(feed.routes),
        "trips": len(feed.trips),
        "stop_times": feed.n_stop_times,
        "service_start": span[0].isoformat() if span else None,
        "service_end": span[1].isoformat() if span else None,
        "warnings": list(feed.warnings),
    }
    if service_date is not None:
        tt = compile_service_day(feed, service_date, cache_dir=cache_dir)
        info.update({
            "date": service_date.isoformat(),
            "active_trips": count_active_trips(feed, service_date),
            "compiled_trips": tt.n_trips,
            "previous_day_trips": int((tt.trip_day_offset == -1).sum()),
            "patterns": tt.n_patterns,
            "connections": tt.n_connections,
            "stop_events": tt.n_events,
            "utc_offset_s": tt.utc_offset_s,
        })
        if span and not span[0] <= service_date <= span[1]:
            info["warnings"].append(f"--date {service_date.isoformat()} is outside the "
                                    f"feed's service range {span[0]} .. {span[1]}")
    return info


def _print_text(info: dict[str, Any]) -> None:
    click.echo(f"feed:        {info['feed']}")
    click.echo(f"agencies:    {', '.join(info['agencies'])}")
    click.echo(f"timezone:    {info['timezone']}")
    click.echo(f"counts:      {info['stops']} stops, {info['routes']} routes, "
               f"{info['trips']} trips, {info['stop_times']} stop_times")
    click.echo(f"service:     {info['service_start']} .. {info['service_end']}")
    if "date" in info:
        click.echo(f"date:        {info['date']} (UTC offset {info['utc_offset_s']} s)")
        click.echo(f"active:      {info['active_trips']} trips run that day")
        click.echo(f"compiled:    {info['compiled_trips']} trips "
                   f"({info['previous_day_trips']} from the day before), "
                   f"{info['patterns']} patterns, {info['connections']} connections")
    click.echo(f"validation:  {len(info['warnings'])} warning(s)")
    for w in info["warnings"]:
        click.echo(f"  warning: {w}")


def _cache_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--cache-dir", envvar="TSUNAGU_CACHE_DIR", default=DEFAULT_CACHE_DIR,
                        show_default=True,
                        help="Where compiled days are cached ('' to disable).")(f)


def _size_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--max-uncompressed-bytes", type=click.IntRange(min=1),
                        default=DEFAULT_MAX_UNCOMPRESSED_BYTES, show_default=True,
                        help="Refuse feeds larger than this once decompressed.")(f)


@click.group("feed")
def feed_group() -> None:
    """Inspect and validate GTFS feeds."""


@feed_group.command("info")
@click.argument("feed_path", metavar="FEED")
@click.option("--date", "date_text", metavar="YYYY-MM-DD",
              help="Also compile this service day and count its trips.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@_cache_option
@_size_option
def info_command(feed_path: str, date_text: str | None, as_json: bool, cache_dir: str,
                 max_uncompressed_bytes: int) -> None:
    """Summarise FEED (a GTFS zip or folder)."""
    service_date = None if date_text is None else parse_day(date_text)

    def run() -> None:
        feed = _read(feed_path, max_uncompressed_bytes)
        info = feed_summary(feed, service_date, Path(cache_dir) if cache_dir else None)
        if as_json:
            click.echo(json.dumps(info, ensure_ascii=False))
        else:
            _print_text(info)

    guarded(run)


@feed_group.command("validate")
@click.argument("feed_path", metavar="FEED")
@_size_option
def validate_command(feed_path: str, max_uncompressed_bytes: int) -> None:
    """Check FEED; print its warnings, or the first error (exit code 2)."""

    def run() -> None:
        feed = _read(feed_path, max_uncompressed_bytes)
        for w in feed.warnings:
            click.echo(f"warning: {w}")
        click.echo(f"ok: {feed_path} ({len(feed.warnings)} warning(s))")

    guarded(run)

"""``tsunagu ondemand info``: show an on-demand (DRT) service definition.

``ondemand info [--feed F] [--config drt_service.yaml] [--json]`` loads the
service (GTFS-Flex files of the feed, completed by the YAML file) and prints
each zone with its area, hubs, hours, fleet and booking rules. Without options
it reads the demo city (``DATA_DIR/demo``); with ``--config`` alone, the feed
the YAML file names; with ``--feed`` alone, the Flex files only. A bad
definition is one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from gtfs.ondemand import CONFIG_FILE, load_ondemand_service
from gtfs.times import format_time
from transit.ondemand import BookingRules, OnDemandService
from web.commands.errors import fail, guarded

BOOKING_KINDS = {0: "real time", 1: "same day", 2: "prior day(s)"}


def _rule(rule: BookingRules) -> dict[str, Any]:
    return {
        "booking_rule_id": rule.booking_rule_id,
        "booking_type": BOOKING_KINDS[rule.booking_type],
        "min_notice_s": rule.min_notice_s,
        "max_notice_s": rule.max_notice_s,
        "max_advance_days": rule.max_advance_days,
        "last_day_before": rule.last_day_before,
        "last_time": None if rule.last_time_s is None else format_time(rule.last_time_s),
        "max_ride_factor": rule.max_ride_factor,
        "max_ride_offset_s": rule.max_ride_offset_s,
        "pickup_window_s": rule.pickup_window_s,
        "transfer_buffer_s": rule.transfer_buffer_s,
        "fare_yen": rule.fare_yen,
        "message": rule.message,
        "phone_number": rule.phone_number,
        "booking_url": rule.booking_url or rule.info_url,
    }


def ondemand_summary(service: OnDemandService) -> dict[str, Any]:
    """Return what ``ondemand info`` shows, as a JSON-ready dict."""
    zones = []
    for z in service.zones:
        fleet = service.fleet(z)
        rule = service.booking(z)
        fleet_info = None
        if fleet is not None:
            fleet_info = {
                "vehicles": fleet.n_vehicles,
                "by_type": [{
                    "vehicle_type_id": t, "count": n,
                    "seats": service.vehicle_type(t).seats,
                    "wheelchair_spaces": service.vehicle_type(t).wheelchair_spaces,
                    "energy": service.vehicle_type(t).energy,
                    "co2_g_per_km": service.vehicle_type(t).co2_g_per_km,
                } for t, n in fleet.vehicle_counts],
                "seats": sum(service.vehicle_type(t).seats * n for t, n in fleet.vehicle_counts),
                "wheelchair_spaces": sum(service.vehicle_type(t).wheelchair_spaces * n
                                         for t, n in fleet.vehicle_counts),
                "depot": {"stop_id": fleet.depot_stop_id, "lat": fleet.depot_lat,
                          "lon": fleet.depot_lon},
                "shift": f"{format_time(fleet.shift_start_s)}-{format_time(fleet.shift_end_s)}",
            }
        hours: dict[str, list[str]] = {}
        for w in z.windows:
            hours.setdefault(w.service_id, []).append(
                f"{format_time(w.start_s)}-{format_time(w.end_s)}")
        zones.append({
            "zone_id": z.zone_id,
            "service_id": z.service_id,
            "name": z.name,
            "area_km2": round(z.area_km2, 3),
            "hubs": list(z.hub_stop_ids),
            "hours": hours,
            "fleet": fleet_info,
            "booking": None if rule is None else _rule(rule),
        })
    return {"timezone": service.timezone, "zones": zones}


def _text(info: dict[str, Any]) -> str:
    lines = []
    for z in info["zones"]:
        lines.append(f"zone {z['zone_id']}  {z['name']}  (service {z['service_id']})")
        lines.append(f"  area        {z['area_km2']:.2f} km²")
        lines.append(f"  hubs        {', '.join(z['hubs']) or '(none)'}")
        hours = "; ".join(f"{sid} {', '.join(spans)}" for sid, spans in z["hours"].items())
        lines.append(f"  hours       {hours or '(none: never open)'}")
        f = z["fleet"]
        if f is None:
            lines.append("  fleet       (none)")
        else:
            kinds = ", ".join(f"{t['count']} x {t['vehicle_type_id']} ({t['energy']}, "
                              f"{t['seats']} seats, {t['wheelchair_spaces']} wheelchair)"
                              for t in f["by_type"])
            depot = f["depot"]
            where = f"{depot['stop_id']} " if depot["stop_id"] else ""
            lines.append(f"  fleet       {f['vehicles']} vehicles: {kinds}")
            lines.append(f"  depot       {where}({depot['lat']:.6f}, {depot['lon']:.6f}), "
                         f"shift {f['shift']}")
        b = z["booking"]
        if b is None:
            lines.append("  booking     (no rules)")
        else:
            when = b["booking_type"]
            if b["min_notice_s"]:
                when += f", at least {b['min_notice_s'] // 60} min ahead"
            if b["max_advance_days"] is not None:
                when += f", up to {b['max_advance_days']} days ahead"
            if b["last_day_before"] is not None:
                when += f", by {b['last_time']} {b['last_day_before']} day(s) before"
            lines.append(f"  booking     {b['booking_rule_id']}: {when}")
            lines.append(f"  promise     ride <= {b['max_ride_factor']:g} x direct + "
                         f"{b['max_ride_offset_s']} s, pickup window {b['pickup_window_s']} s, "
                         f"transfer buffer {b['transfer_buffer_s']} s"
                         + (f", fare {b['fare_yen']} yen" if b["fare_yen"] is not None else ""))
            contact = " ".join(x for x in (b["phone_number"], b["booking_url"]) if x)
            if b["message"] or contact:
                lines.append(f"  how to book {' '.join(x for x in (b['message'], contact) if x)}")
    if not info["zones"]:
        lines.append("no on-demand zones")
    return "\n".join(lines)


@click.group("ondemand")
def ondemand_group() -> None:
    """On-demand (DRT) services: zones, hubs, hours, fleets, booking rules."""


@ondemand_group.command("info")
@click.option("--feed", "feed_path", type=click.Path(path_type=Path), default=None,
              help="GTFS feed (zip or folder) with GTFS-Flex files "
                   "[default: the YAML's feed, or DATA_DIR/demo/gtfs.zip].")
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
              help="Service definition YAML "
                   f"[default with no --feed: DATA_DIR/demo/{CONFIG_FILE}].")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@with_appcontext
def info_command(feed_path: Path | None, config_path: Path | None, as_json: bool) -> None:
    """Print the zones, area, hubs, hours, fleet and booking rules of a service."""
    if feed_path is None and config_path is None:
        demo = Path(current_app.config["DATA_DIR"]) / "demo"
        feed_path, config_path = demo / "gtfs.zip", demo / CONFIG_FILE
    for p in (feed_path, config_path):
        if p is not None and not p.exists():
            fail(f"{p}: no such file or directory")
    service = guarded(lambda: load_ondemand_service(feed_path, config_path))
    info = ondemand_summary(service)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
    else:
        click.echo(_text(info))

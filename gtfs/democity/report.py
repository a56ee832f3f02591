"""A readable digest of a generated demo city, for ``tsunagu demo`` and tools."""

from __future__ import annotations

import json
from typing import Any

import yaml

from gtfs.democity.city import DemoCity
from gtfs.democity.errors import DemoCityError


def demo_city_report(city: DemoCity) -> dict[str, Any]:
    """Return the summary of ``city`` with its DRT services, as plain JSON-able data.

    Raises
    ------
    DemoCityError
        If ``city.json`` or ``drt_service.yaml`` cannot be read.
    """
    try:
        summary = json.loads(city.summary_path.read_text(encoding="utf-8"))
        drt = yaml.safe_load(city.drt_service_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise DemoCityError(f"out_dir: cannot read the demo city in {str(city.out_dir)!r}: "
                            f"{exc}") from exc
    services = []
    for s in drt.get("services", []):
        fleet = s.get("fleet", [])
        services.append({
            "zone_id": s["zone_id"],
            "name": s["name"],
            "hubs": [f"{h['stop_name']} ({h['stop_id']})" for h in s.get("hubs", [])],
            "hours_weekday": f"{s['service_hours']['weekday']['start']}"
                             f"-{s['service_hours']['weekday']['end']}",
            "vehicles": len(fleet),
            "ev": sum(1 for v in fleet if v["powertrain"] == "ev"),
            "diesel": sum(1 for v in fleet if v["powertrain"] == "diesel"),
            "seats": sum(int(v["seats"]) for v in fleet),
            "wheelchair_spaces": sum(int(v["wheelchair_spaces"]) for v in fleet),
        })
    return {
        "name": summary["name"],
        "out_dir": str(city.out_dir),
        "size": city.size,
        "seed": city.seed,
        "population": city.population,
        "jobs": city.jobs,
        "cells": city.n_cells,
        "cell_size_m": summary["cells"]["cell_size_m"],
        "stops": city.n_stops,
        "routes": city.n_routes,
        "trips": city.n_trips,
        "stop_times": city.n_stop_times,
        "street_nodes": city.n_street_nodes,
        "street_edges": city.n_street_edges,
        "feed_start": summary["feed"]["start_date"],
        "feed_end": summary["feed"]["end_date"],
        "towns": [f"{t['hub_stop_name']} ({t['hub_stop_id']})" for t in summary["towns"]],
        "drt": services,
        "files": {k: str(city.out_dir / v) for k, v in summary["files"].items()},
    }

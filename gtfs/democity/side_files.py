"""Write the files beside the feed: ``cells.csv``, ``drt_service.yaml``, ``city.json``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from gtfs.democity.cells import Cells
from gtfs.democity.drt import DrtZone
from gtfs.democity.network import BusNetwork
from gtfs.democity.services import WEEKDAY, WEEKEND

DRT_HOURS = {"weekday": (WEEKDAY, "07:00:00", "19:00:00"),
             "weekend": (WEEKEND, "08:00:00", "18:00:00")}
DRT_BOOKING: Mapping[str, int | float] = {
    "min_notice_s": 1800,
    "max_advance_days": 7,
    "max_ride_factor": 2.0,
    "max_wait_s": 900,
    "boarding_s": 60,
    "alighting_s": 30,
    "fare_yen": 300,
}


def write_cells(path: Path, cells: Cells) -> None:
    """Write ``cells.csv``: cell_id, lat, lon, population, jobs, elevation_m."""
    rows = zip(range(cells.n_cells), cells.lat.tolist(), cells.lon.tolist(),
               cells.population.tolist(), cells.jobs.tolist(), cells.elevation_m.tolist(),
               strict=True)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("cell_id,lat,lon,population,jobs,elevation_m\n")
        f.writelines(f"{i},{a:.6f},{o:.6f},{p},{j},{e:.1f}\n" for i, a, o, p, j, e in rows)


def drt_service(network: BusNetwork, zones: tuple[DrtZone, ...], feed_name: str,
                ) -> dict[str, Any]:
    """Return the content of ``drt_service.yaml`` (see ``docs/design/democity.md``)."""
    stops = network.stops
    services = []
    for z in zones:
        hubs = [{
            "stop_id": stops.ids[h],
            "stop_name": stops.names[h],
            "lat": round(float(stops.lat[h]), 6),
            "lon": round(float(stops.lon[h]), 6),
            "kind": "station" if stops.on_brt[h] else "feeder",
        } for h in z.hub_stops]
        services.append({
            "service_id": z.service_id,
            "name": z.name,
            "zone_id": z.zone_id,
            "hub_stop_ids": [stops.ids[h] for h in z.hub_stops],
            "hubs": hubs,
            "service_hours": {
                day: {"gtfs_service_id": sid, "start": a, "end": b}
                for day, (sid, a, b) in DRT_HOURS.items()
            },
            "depot": {"stop_id": stops.ids[z.depot_stop],
                      "lat": round(float(stops.lat[z.depot_stop]), 6),
                      "lon": round(float(stops.lon[z.depot_stop]), 6)},
            "fleet": [{
                "vehicle_id": v.vehicle_id,
                "model": v.model,
                "seats": v.seats,
                "wheelchair_spaces": v.wheelchair_spaces,
                "powertrain": v.powertrain,
                "range_km": v.range_km,
            } for v in z.vehicles],
            "booking": dict(DRT_BOOKING),
        })
    return {
        "version": 1,
        "feed": feed_name,
        "locations": "locations.geojson",
        "timezone": "Asia/Tokyo",
        "services": services,
    }


def write_yaml(path: Path, content: Mapping[str, Any]) -> None:
    """Write ``content`` as block-style UTF-8 YAML, keys in the given order."""
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("# Tsunagu demo city: on-demand (DRT) services. Zones are the Features of\n"
                "# locations.geojson inside the GTFS feed; hubs are stop_ids of stops.txt.\n")
        yaml.safe_dump(dict(content), f, allow_unicode=True, sort_keys=False,
                       default_flow_style=False, width=100)


def write_json(path: Path, content: Mapping[str, Any]) -> None:
    """Write ``content`` as indented UTF-8 JSON."""
    path.write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

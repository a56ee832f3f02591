"""Generate the demo city: the public entry point and its result.

``generate_demo_city(out_dir, size=n, seed=s)`` draws everything from one
``numpy.random.Generator`` seeded with ``s``, in a fixed order, and writes::

    out_dir/
      gtfs.zip            GTFS feed (+ GTFS-Flex locations.geojson)
      streets.osm         OSM XML street network
      cells.csv           250 m cells: population, jobs, elevation
      drt_service.yaml    the on-demand service(s): zone, hubs, hours, fleet, booking
      city.json           summary, written last (its presence marks a finished city)

The same ``size`` and ``seed`` give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from gtfs.democity.cells import CELL_SIZE_M, build_cells
from gtfs.democity.drt import build_zones, place_drt_estates
from gtfs.democity.errors import DemoCityError
from gtfs.democity.geography import (
    COAST_BEARING_DEG,
    ORIGIN_LAT,
    ORIGIN_LON,
    SEGMENT_LENGTH_M,
    build_terrain,
)
from gtfs.democity.gtfs_feed import write_feed
from gtfs.democity.network import build_network
from gtfs.democity.osm_xml import write_osm
from gtfs.democity.schedules import build_schedule
from gtfs.democity.services import FEED_END, FEED_START, HOLIDAYS, SAMPLE_WEEKDAY
from gtfs.democity.side_files import drt_service, write_cells, write_json, write_yaml
from gtfs.democity.streets import WAY_TAGS, build_lattice, build_streets

GENERATOR_VERSION = 1  # bump whenever the output for a given size and seed changes
DEFAULT_SEED = 1939  # the year Hitachi became a city
MAX_SIZE = 1000
FEED_FILE = "gtfs.zip"
STREETS_FILE = "streets.osm"
CELLS_FILE = "cells.csv"
DRT_FILE = "drt_service.yaml"
SUMMARY_FILE = "city.json"
WALK_SPEED_M_S = 1.2
WALK_SPEED_ELDERLY_M_S = 0.9


@dataclass(frozen=True, slots=True)
class DemoCity:
    """A generated demo city: where its files are and what they hold."""

    out_dir: Path
    size: int
    seed: int
    feed_path: Path
    streets_path: Path
    cells_path: Path
    drt_service_path: Path
    summary_path: Path
    population: int
    jobs: int
    n_cells: int
    n_stops: int
    n_routes: int
    n_trips: int
    n_stop_times: int
    n_street_nodes: int
    n_street_edges: int
    drt_zone_ids: tuple[str, ...]
    n_drt_vehicles: int
    hub_stop_ids: tuple[str, ...]
    sample_weekday: date


def generate_demo_city(out_dir: str | os.PathLike[str], *, size: int = 1,
                       seed: int = DEFAULT_SEED, reuse: bool = False) -> DemoCity:
    """Generate the synthetic Hitachi-like demo city into ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder to write into (created if missing); existing demo files are
        overwritten.
    size
        Number of 26 km coastal segments (1, 10, 100 for the benchmarks); every
        count grows linearly with it.
    seed
        Seed of the one random generator everything is drawn from.
    reuse
        When True and ``out_dir`` already holds a finished city of this
        generator version, ``size`` and ``seed``, return it without writing.

    Returns
    -------
    DemoCity
        Paths and counts of the city.

    Raises
    ------
    DemoCityError
        If ``size`` or ``seed`` is not a valid integer or ``out_dir`` cannot
        be written.
    """
    size = _check_int("size", size, low=1, high=MAX_SIZE)
    seed = _check_int("seed", seed, low=0, high=2**63 - 1)
    out = _check_out_dir(out_dir)
    if reuse:
        existing = load_demo_city(out)
        if existing is not None and existing.size == size and existing.seed == seed:
            return existing
    summary_path = out / SUMMARY_FILE
    if summary_path.exists():
        summary_path.unlink()

    rng = np.random.default_rng(seed)
    terrain = build_terrain(size, rng)
    lattice = build_lattice(terrain, rng)
    network = build_network(terrain, lattice, rng)
    streets = build_streets(lattice, terrain, network.bus_edges, rng)
    estates = place_drt_estates(terrain, network)
    cells = build_cells(terrain, estates, rng)
    zones = build_zones(terrain, network, estates, rng)
    schedule = build_schedule(network)

    version = f"democity-v{GENERATOR_VERSION}-size{size}-seed{seed}"
    try:
        counts = write_feed(out / FEED_FILE, network, schedule, zones, version=version)
        write_osm(out / STREETS_FILE, streets)
        write_cells(out / CELLS_FILE, cells)
        write_yaml(out / DRT_FILE, drt_service(network, zones, FEED_FILE))
    except OSError as exc:
        raise DemoCityError(f"out_dir: cannot write the demo city into {str(out)!r}: "
                            f"{exc}") from exc

    stops = network.stops
    kept = lattice.kept
    summary: dict[str, Any] = {
        "name": "ひたち海岸デモ市 (Tsunagu demo city, modelled on Hitachi, Ibaraki)",
        "generator_version": GENERATOR_VERSION,
        "generator_fingerprint": generator_fingerprint(),
        "size": size,
        "seed": seed,
        "files": {"gtfs": FEED_FILE, "streets": STREETS_FILE, "cells": CELLS_FILE,
                  "drt_service": DRT_FILE},
        "frame": {"origin_lat": ORIGIN_LAT, "origin_lon": ORIGIN_LON,
                  "coast_bearing_deg": COAST_BEARING_DEG,
                  "segment_length_m": SEGMENT_LENGTH_M, "width_m": terrain.width_m},
        "bbox": {"min_lat": round(float(lattice.lat[kept].min()), 6),
                 "min_lon": round(float(lattice.lon[kept].min()), 6),
                 "max_lat": round(float(lattice.lat[kept].max()), 6),
                 "max_lon": round(float(lattice.lon[kept].max()), 6)},
        "population": int(cells.population.sum()),
        "jobs": int(cells.jobs.sum()),
        "cells": {"cell_size_m": CELL_SIZE_M, "n_rows": cells.n_rows,
                  "n_cols": cells.n_cols, "count": cells.n_cells,
                  "cell_id": "row * n_cols + col, row 0 at the south end, col 0 at the shore"},
        "feed": {
            "start_date": FEED_START.isoformat(),
            "end_date": FEED_END.isoformat(),
            "sample_weekday": SAMPLE_WEEKDAY.isoformat(),
            "holidays": [d.isoformat() for d, _ in HOLIDAYS],
            "rows": counts,
        },
        "counts": {
            "stops": len(stops),
            "routes": len(network.routes),
            "trips": schedule.n_trips,
            "stop_times": schedule.n_stop_times,
            "street_nodes": streets.n_nodes,
            "street_edges": streets.n_edges,
            "street_ways": streets.n_ways,
            "drt_zones": len(zones),
            "drt_vehicles": sum(len(z.vehicles) for z in zones),
        },
        "towns": [{"name": t.name, "hub_stop_id": stops.ids[h],
                   "hub_stop_name": stops.names[h],
                   "lat": round(float(stops.lat[h]), 6), "lon": round(float(stops.lon[h]), 6)}
                  for t, h in zip(terrain.towns, network.town_hub_stop.tolist(), strict=True)],
        "drt_zone_ids": [z.zone_id for z in zones],
        "speeds": {
            "walk_m_s": WALK_SPEED_M_S,
            "walk_elderly_m_s": WALK_SPEED_ELDERLY_M_S,
            "drive_kmh_by_highway": _drive_speeds(),
        },
    }
    try:
        write_json(summary_path, summary)
    except OSError as exc:
        raise DemoCityError(f"out_dir: cannot write {str(summary_path)!r}: {exc}") from exc
    city = _from_summary(out, summary)
    if city is None:
        raise DemoCityError(f"out_dir: the files written to {str(out)!r} disappeared")
    return city


def load_demo_city(out_dir: str | os.PathLike[str]) -> DemoCity | None:
    """Return the finished demo city in ``out_dir``, or None if there is none.

    A city is finished when ``city.json`` written by this very generator (same
    version and same source fingerprint) and every file it names exist.
    """
    out = Path(out_dir)
    try:
        summary = json.loads((out / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (not isinstance(summary, dict)
            or summary.get("generator_version") != GENERATOR_VERSION
            or summary.get("generator_fingerprint") != generator_fingerprint()):
        return None
    return _from_summary(out, summary)


def generator_fingerprint() -> str:
    """Return a short hash of this package's source, so edited code never reuses old output."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _from_summary(out: Path, s: dict[str, Any]) -> DemoCity | None:
    try:
        files = s["files"]
        paths = [out / files[k] for k in ("gtfs", "streets", "cells", "drt_service")]
        if not all(p.is_file() for p in paths):
            return None
        c = s["counts"]
        return DemoCity(
            out_dir=out, size=int(s["size"]), seed=int(s["seed"]),
            feed_path=paths[0], streets_path=paths[1], cells_path=paths[2],
            drt_service_path=paths[3], summary_path=out / SUMMARY_FILE,
            population=int(s["population"]), jobs=int(s["jobs"]),
            n_cells=int(s["cells"]["count"]), n_stops=int(c["stops"]),
            n_routes=int(c["routes"]), n_trips=int(c["trips"]),
            n_stop_times=int(c["stop_times"]), n_street_nodes=int(c["street_nodes"]),
            n_street_edges=int(c["street_edges"]),
            drt_zone_ids=tuple(s["drt_zone_ids"]), n_drt_vehicles=int(c["drt_vehicles"]),
            hub_stop_ids=tuple(t["hub_stop_id"] for t in s["towns"]),
            sample_weekday=date.fromisoformat(s["feed"]["sample_weekday"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _drive_speeds() -> dict[str, int]:
    out: dict[str, int] = {}
    for tags in WAY_TAGS:
        d = dict(tags)
        if "maxspeed" in d:
            out.setdefault(d["highway"], int(d["maxspeed"]))
    return out


def _check_int(name: str, value: object, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise DemoCityError(f"{name}: expected an integer, got {value!r}")
    v = int(value)
    if not low <= v <= high:
        raise DemoCityError(f"{name}: {v} is out of range ({low}..{high})")
    return v


def _check_out_dir(out_dir: object) -> Path:
    if not isinstance(out_dir, str | os.PathLike) or str(out_dir) == "":
        raise DemoCityError(f"out_dir: expected a folder path, got {out_dir!r}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise DemoCityError(f"out_dir: {str(out)!r} exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DemoCityError(f"out_dir: cannot create {str(out)!r}: {exc}") from exc
    if not os.access(out, os.W_OK | os.X_OK):
        raise DemoCityError(f"out_dir: {str(out)!r} is not writable")
    return out

"""``tsunagu accessibility``: jobs reachable from every cell within 30/45/60 minutes.

``tsunagu accessibility (--feed gtfs.zip | --scenario FILE.yml [--base-dir DIR])
--cells cells.csv --out cells_access.csv [--departures 12] [--date D]
[--streets streets.osm] [--workers N | --scheduler ADDR]`` runs one one-to-all
RAPTOR per origin cell and departure (``routing.accessibility``; with
``--scenario``, an on-demand ride to a hub of the origin's zone, booked 1 h
ahead, is an access option too), on Dask when
asked (``web.planning.distributed``), and writes one row per cell: the median
over departures of the jobs reachable within each threshold. Errors: one line
on stderr, exit code 2.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import click
import numpy as np

from gtfs.cells_io import read_cells
from gtfs.democity.services import SAMPLE_WEEKDAY
from transit.demand import Cells
from web.commands.errors import fail, guarded, parse_day


@click.command("accessibility")
@click.option("--feed", "feed_path", type=click.Path(path_type=Path), default=None,
              help="GTFS zip (or use --scenario).")
@click.option("--scenario", "scenario_path", type=click.Path(path_type=Path), default=None,
              help="Scenario file to apply first (its streets are used).")
@click.option("--base-dir", type=click.Path(path_type=Path), default=None,
              help="With --scenario: the base folder instead of the file's base.dir.")
@click.option("--streets", "streets_path", type=click.Path(path_type=Path), default=None,
              help="With --feed: walk on this OSM file (default crow-fly x 1.3).")
@click.option("--cells", "cells_path", type=click.Path(path_type=Path), required=True,
              help="cells.csv (cell_id, lat, lon, population, jobs).")
@click.option("--departures", type=click.IntRange(min=1), default=12, show_default=True,
              help="Departures spread over 07:00-09:00.")
@click.option("--date", "day", default=None, help="Service day YYYY-MM-DD.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Dask LocalCluster workers (default: this process).")
@click.option("--scheduler", default=None, help="Address of an existing Dask scheduler.")
@click.option("--out", "out_path", type=click.Path(path_type=Path), required=True,
              help="CSV to write, one row per cell.")
def accessibility_command(feed_path: Path | None, scenario_path: Path | None,
                          base_dir: Path | None, streets_path: Path | None, cells_path: Path,
                          departures: int, day: str | None, workers: int | None,
                          scheduler: str | None, out_path: Path) -> None:
    """Jobs reachable from each cell within 30/45/60 min (median over departures)."""
    from routing.accessibility import DEFAULT_THRESHOLDS_S, departure_times, population_weighted
    from web.planning.distributed import ClusterOptions, TaskRunner
    from web.planning.evaluate import (
        EvaluationOptions,
        ScenarioSpec,
        access_task,
        accessibility_tasks,
        merge_accessibility,
        prepare_scenarios,
    )

    service_day = SAMPLE_WEEKDAY if day is None else parse_day(day)
    if (feed_path is None) == (scenario_path is None):
        fail("give one of --feed or --scenario")
    t0 = time.perf_counter()

    def run() -> tuple[Cells, np.ndarray]:
        for p in (feed_path, scenario_path, streets_path, cells_path):
            if p is not None and not p.is_file():
                raise FileNotFoundError(2, "no such file", str(p))
        work = out_path.parent / (out_path.stem + "_work")
        if scenario_path is not None:
            spec = prepare_scenarios([scenario_path], out_dir=work, base_dir=base_dir,
                                     day=service_day)[0].spec
        else:
            assert feed_path is not None
            from gtfs.compile import compile_feed_file

            compile_feed_file(feed_path, service_day, cache_dir=work / "cache")
            spec = ScenarioSpec(feed_path.stem, str(feed_path), None,
                                None if streets_path is None else str(streets_path),
                                service_day, str(work / "cache"))
        cells = read_cells(cells_path)
        origins = np.arange(len(cells.lat), dtype=np.int64)
        deps = departure_times(7 * 3600, 9 * 3600, departures)
        tasks = accessibility_tasks([spec], str(cells_path), origins, deps,
                                    thresholds_s=DEFAULT_THRESHOLDS_S, origins_per_task=200,
                                    booking_ahead_s=EvaluationOptions().booking_ahead_s)
        with TaskRunner(ClusterOptions(workers=workers, scheduler=scheduler)) as runner:
            res = runner.run(access_task, tasks, label="accessibility")
        jobs = merge_accessibility(tasks, res, [spec], origins, deps)[spec.name]
        med = np.median(jobs.astype(np.float64), axis=1)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        with out_path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["cell_id", "lat", "lon", "population", "jobs",
                        *(f"jobs_{t // 60}min" for t in DEFAULT_THRESHOLDS_S)])
            ids = cells.cell_ids or tuple(str(i) for i in range(len(cells.lat)))
            for i in range(len(cells.lat)):
                w.writerow([ids[i], f"{cells.lat[i]:.6f}", f"{cells.lon[i]:.6f}",
                            f"{cells.population[i]:g}", f"{cells.jobs[i]:g}",
                            *(f"{v:g}" for v in med[i])])
        return cells, med

    cells, med = guarded(run)
    weighted = population_weighted(med, cells.population)
    click.echo(f"{len(cells.lat)} cells x {departures} departures in "
               f"{time.perf_counter() - t0:.1f} s -> {out_path}")
    click.echo("population-weighted jobs within " + ", ".join(
        f"{t // 60} min: {v:,.0f}" for t, v in zip(DEFAULT_THRESHOLDS_S, weighted, strict=True)))

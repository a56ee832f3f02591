"""``tsunagu scenario apply`` and ``tsunagu demand generate``: planners' 2035 scenarios.

``scenario apply FILE.yml --out DIR [--base-dir DIR] [--json]`` applies a
scenario file (``gtfs.scenario_file``) and writes ``DIR/gtfs.zip`` (with
GTFS-Flex) and ``DIR/drt_service.yaml``, then prints what each modification
changed. ``demand generate --cells cells.csv --trips N --seed S --out od.csv``
samples OD trips from a gravity model (``transit.demand``). A bad file is one
line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from gtfs.cells_io import read_cells, write_od_csv
from gtfs.scenario_apply import apply_scenario
from transit.demand import GravityModel, generate_demand
from transit.errors import TsunaguError


def _fail(message: str) -> None:
    click.echo(f"error: {' '.join(str(message).split())}", err=True)
    sys.exit(2)


def _os_error(exc: OSError) -> str:
    where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
    return f"{where}{exc.strerror or exc}"


def _text(summary: dict[str, Any]) -> str:
    before, after = summary["counts_before"], summary["counts_after"]
    lines = [f"scenario {summary['name']}  ({summary['scenario']})",
             f"  feed      {summary['feed']}",
             f"  ondemand  {summary['ondemand'] or '(none)'}",
             f"  streets   {summary['streets'] or '(none)'}",
             "  counts    " + ", ".join(f"{k} {before[k]} -> {after[k]}" for k in before)]
    if not summary["modifications"]:
        lines.append("  no modifications (the base as it is)")
    for k, m in enumerate(summary["modifications"]):
        changes = ", ".join(f"{name} {v:+d}" for name, v in m["changes"].items())
        lines.append(f"  [{k}] {m['label']}: {changes or 'no count changed'}")
    return "\n".join(lines)


@click.group("scenario")
def scenario_group() -> None:
    """Planners' scenarios: a base network and an ordered list of modifications."""


@scenario_group.command("apply")
@click.argument("scenario_file", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder receiving gtfs.zip and drt_service.yaml.")
@click.option("--base-dir", type=click.Path(path_type=Path), default=None,
              help="Folder of the base files, instead of the file's base.dir.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def apply_command(scenario_file: Path, out_dir: Path, base_dir: Path | None,
                  as_json: bool) -> None:
    """Apply SCENARIO_FILE and write the new feed; print what changed."""
    try:
        if not scenario_file.is_file():
            raise FileNotFoundError(2, "no such file", str(scenario_file))
        applied = apply_scenario(scenario_file, out_dir=out_dir, base_dir=base_dir)
    except TsunaguError as exc:
        _fail(str(exc))
        return
    except OSError as exc:
        _fail(_os_error(exc))
        return
    summary = applied.summary()
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2) if as_json else _text(summary))


@click.group("demand")
def demand_group() -> None:
    """Travel demand: OD trips from population and jobs per cell."""


@demand_group.command("generate")
@click.option("--cells", "cells_path", type=click.Path(path_type=Path), required=True,
              help="Cells: CSV (lat, lon, population, jobs) or GeoPackage (.gpkg).")
@click.option("--trips", "n_trips", type=click.IntRange(min=0), required=True,
              help="Number of trips to generate.")
@click.option("--seed", type=click.IntRange(min=0), required=True, help="Random seed.")
@click.option("--out", "out_path", type=click.Path(path_type=Path), required=True,
              help="OD CSV to write.")
@click.option("--constraint", type=click.Choice(["production", "doubly"]),
              default="production", show_default=True, help="Gravity model constraint.")
@click.option("--deterrence", type=click.Choice(["exponential", "power"]),
              default="exponential", show_default=True, help="Distance deterrence.")
@click.option("--beta", type=float, default=0.25, show_default=True,
              help="Deterrence parameter (per km for exponential).")
def generate_command(cells_path: Path, n_trips: int, seed: int, out_path: Path,
                     constraint: str, deterrence: str, beta: float) -> None:
    """Sample OD trips with a gravity model and a time-of-day profile; write an OD CSV."""
    try:
        if not cells_path.is_file():
            raise FileNotFoundError(2, "no such file", str(cells_path))
        cells = read_cells(cells_path)
        model = GravityModel(constraint=constraint, deterrence=deterrence, beta=beta)
        trips = generate_demand(cells, n_trips=n_trips, seed=seed, model=model)
        write_od_csv(trips, out_path)
    except TsunaguError as exc:
        _fail(str(exc))
        return
    except OSError as exc:
        _fail(_os_error(exc))
        return
    click.echo(f"{trips.n_trips} trips from {cells.n_cells} cells -> {out_path}")

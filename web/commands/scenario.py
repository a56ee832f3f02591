"""``tsunagu scenario apply|compare`` and ``tsunagu demand generate``: planners' 2035 scenarios.

``scenario apply FILE.yml --out DIR [--base-dir DIR] [--json]`` applies a
scenario file (``gtfs.scenario_file``) and writes ``DIR/gtfs.zip`` (with
GTFS-Flex) and ``DIR/drt_service.yaml``, then prints what each modification
changed. ``demand generate --cells cells.csv --trips N --seed S --out od.csv``
samples OD trips from a gravity model (``transit.demand``). ``scenario compare
A.yml B.yml ... --out DIR`` evaluates the files and writes ``DIR/report.html``
(``web.planning.compare``). A bad file is one
line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from gtfs.cells_io import read_cells, write_od_csv
from gtfs.scenario_apply import apply_scenario
from transit.demand import GravityModel, generate_demand
from web.commands.errors import guarded


def _require_files(*paths: Path) -> None:
    for p in paths:
        if not p.is_file():
            raise FileNotFoundError(2, "no such file", str(p))


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
    def run() -> dict[str, Any]:
        _require_files(scenario_file)
        return apply_scenario(scenario_file, out_dir=out_dir, base_dir=base_dir).summary()

    summary = guarded(run)
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2) if as_json else _text(summary))


@scenario_group.command("compare")
@click.argument("scenario_files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder receiving report.html, results.json and the charts.")
@click.option("--base-dir", type=click.Path(path_type=Path), default=None,
              help="Folder of the base files (and cells.csv), instead of each file's base.dir.")
@click.option("--trips", type=click.IntRange(min=1), default=400, show_default=True,
              help="OD trips routed per scenario (the same trips for all).")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True,
              help="Seeds the demand and the DRT simulation.")
@click.option("--date", "day", default=None, help="Service day YYYY-MM-DD (default: the demo "
              "city's sample weekday).")
@click.option("--departures", type=click.IntRange(min=1), default=12, show_default=True,
              help="Departure times of the accessibility measure (07:00-09:00).")
@click.option("--origins", "access_origins", type=click.IntRange(min=1), default=None,
              help="Origin cells of the accessibility measure (a seeded sample; default all).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Dask LocalCluster workers (default: this process, no Dask).")
@click.option("--scheduler", default=None, help="Address of an existing Dask scheduler.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def compare_command(scenario_files: tuple[Path, ...], out_dir: Path, base_dir: Path | None,
                    trips: int, seed: int, day: str | None, departures: int,
                    access_origins: int | None, workers: int | None, scheduler: str | None,
                    as_json: bool) -> None:
    """Evaluate SCENARIO_FILES (the first is the reference) and write a comparison report."""
    from datetime import date as _date

    from web.planning.compare import CompareOptions, Comparison, compare_scenarios

    def run() -> Comparison:
        _require_files(*scenario_files)
        kw: dict[str, Any] = {}
        if day is not None:
            try:
                kw["day"] = _date.fromisoformat(day)
            except ValueError:
                raise click.BadParameter(f"{day!r} is not a date (YYYY-MM-DD)",
                                         param_hint="--date") from None
        options = CompareOptions(base_dir=base_dir, trips=trips, seed=seed,
                                 departures=departures, access_origins=access_origins,
                                 workers=workers, scheduler=scheduler, **kw)
        return compare_scenarios(scenario_files, out_dir=out_dir, options=options)

    comp = guarded(run)
    if as_json:
        click.echo(json.dumps(comp.as_dict(), ensure_ascii=False, indent=1))
        return
    click.echo(comp.table_text())
    click.echo(f"report: {out_dir / comp.files['report']}  ({comp.elapsed_s:.1f} s)")


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
    def run() -> str:
        _require_files(cells_path)
        cells = read_cells(cells_path)
        model = GravityModel(constraint=constraint, deterrence=deterrence, beta=beta)
        trips = generate_demand(cells, n_trips=n_trips, seed=seed, model=model)
        write_od_csv(trips, out_path)
        return f"{trips.n_trips} trips from {cells.n_cells} cells -> {out_path}"

    click.echo(guarded(run))

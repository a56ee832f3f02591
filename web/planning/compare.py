"""Compare scenarios: evaluate each, write the report, return JSON-ready data.

:func:`compare_scenarios` is what ``tsunagu scenario compare`` and a planner's
web page call::

    from web.planning.compare import CompareOptions, compare_scenarios
    c = compare_scenarios(["base.yml", "alt1.yml"], out_dir=Path("var/compare"),
                          options=CompareOptions(base_dir=Path("var/demo"), trips=400))
    c.as_dict()   # {"scenarios": [...], "kpi_table": [...], "files": {...}, "options": {...}}
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from gtfs.cells_io import read_cells
from gtfs.democity.services import SAMPLE_WEEKDAY
from web.planning.distributed import ClusterOptions, TaskRunner
from web.planning.evaluate import EvaluationOptions, ScenarioResult, evaluate_scenarios
from web.planning.report import format_table, kpi_rows, write_report


@dataclass(frozen=True, slots=True)
class CompareOptions:
    """Options of a comparison (the CLI's flags)."""

    base_dir: Path | None = None
    trips: int = 400
    seed: int = 1
    day: date = SAMPLE_WEEKDAY
    departures: int = 12
    access_origins: int | None = None
    walk_on_streets: bool = True
    workers: int | None = None
    scheduler: str | None = None
    processes: bool = True
    progress: bool | None = None

    def evaluation(self) -> EvaluationOptions:
        """The evaluation part."""
        return EvaluationOptions(trips=self.trips, seed=self.seed, day=self.day,
                                 departures=self.departures, access_origins=self.access_origins,
                                 walk_on_streets=self.walk_on_streets)

    def cluster(self) -> ClusterOptions:
        """Where tasks run."""
        return ClusterOptions(workers=self.workers, scheduler=self.scheduler,
                              processes=self.processes, progress=self.progress)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Scenario results (first = reference), the KPI table, the files written."""

    results: tuple[ScenarioResult, ...]
    kpi_table: tuple[dict[str, Any], ...] = field(hash=False)
    files: dict[str, str] = field(hash=False)
    options: dict[str, Any] = field(hash=False)
    elapsed_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {"scenarios": [r.as_dict() for r in self.results],
                "kpi_table": list(self.kpi_table), "files": dict(self.files),
                "options": dict(self.options), "elapsed_s": round(self.elapsed_s, 3)}

    def table_text(self) -> str:
        """The KPI table as text."""
        return format_table([r.as_dict() for r in self.results])


def compare_scenarios(paths: Sequence[str | Path], *, out_dir: str | Path,
                      options: CompareOptions | None = None,
                      runner: TaskRunner | None = None) -> Comparison:
    """Evaluate ``paths`` (first = reference) and write ``report.html``, ``results.json``, PNGs.

    Parameters
    ----------
    paths
        Scenario YAML files.
    out_dir
        Receives the report, the results, the applied scenarios and the compile cache.
    options
        Trips, seed, day, departures, base folder, workers or scheduler.
    runner
        An open :class:`TaskRunner` to reuse (else one is made from the options).
    """
    opts = options or CompareOptions()
    out = Path(out_dir)
    t0 = time.perf_counter()
    results = evaluate_scenarios(paths, out_dir=out / "work", base_dir=opts.base_dir,
                                 options=opts.evaluation(), cluster=opts.cluster(),
                                 runner=runner)
    dicts = [r.as_dict() for r in results]
    cells_path = (Path(opts.base_dir) if opts.base_dir is not None
                  else Path(results[0].summary.get("streets") or "x").parent) / "cells.csv"
    cells = read_cells(cells_path)
    meta = {"trips": opts.trips, "seed": opts.seed, "day": opts.day.isoformat(),
            "departures": opts.departures,
            "access origins": opts.access_origins or len(cells.lat),
            "workers": opts.scheduler or opts.workers or "this process"}
    files = write_report(out, dicts, cell_lat=cells.lat, cell_lon=cells.lon, meta=meta)
    files["results"] = "results.json"
    elapsed = time.perf_counter() - t0
    comp = Comparison(tuple(results), tuple(kpi_rows(dicts)), files,
                      {**meta, "base_dir": None if opts.base_dir is None else str(opts.base_dir)},
                      elapsed)
    (out / "results.json").write_text(json.dumps(comp.as_dict(), indent=1, ensure_ascii=False),
                                      encoding="utf-8")
    return comp


__all__ = ["CompareOptions", "Comparison", "compare_scenarios"]

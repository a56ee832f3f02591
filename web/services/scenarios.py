"""Planners' scenarios for the API: the files on offer, what each changes, comparison jobs.

:class:`ScenarioService` lists the scenario YAML files of one folder
(``SCENARIO_DIR``, default ``docs/scenarios``), applies one on request
(``gtfs.scenario_apply.apply_scenario`` into ``DATA_DIR/scenarios/applied/<name>``,
kept until a scenario file or the base feed changes) and runs comparisons
(``web.planning.compare.compare_scenarios``) as jobs on a one-thread executor it
owns, created on the first job (nothing runs at import or at app creation).
A job reports its phase and progress (tasks done of the routing and
accessibility batches, through a :class:`TaskRunner` that counts) and, when
done, the KPIs of each scenario and the per-cell accessibility the map draws.

Jobs live in this process's memory (the last :data:`KEEP_JOBS`); their files
(``report.html``, ``results.json``, PNGs) stay under ``DATA_DIR/scenarios/jobs``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from gtfs.cells_io import read_cells
from gtfs.scenario_apply import apply_scenario
from gtfs.scenario_file import read_scenario
from transit.errors import TsunaguError
from web.planning.compare import CompareOptions, Comparison, compare_scenarios
from web.planning.distributed import TaskRunner

_log = logging.getLogger(__name__)

#: Default folder of scenario files (the repository's examples).
DEFAULT_SCENARIO_DIR = Path(__file__).resolve().parents[2] / "docs" / "scenarios"
MAX_TRIPS = 2000
MAX_DEPARTURES = 12
MAX_SCENARIOS = 4
MAX_PENDING = 3  # queued or running jobs at once
KEEP_JOBS = 20
THRESHOLDS_MIN = (30, 45, 60)
#: Share of the progress bar per phase (prepare, routing, accessibility, report).
_PHASES = {"queued": (0.0, 0.0), "preparing": (0.0, 0.1), "routing": (0.1, 0.4),
           "accessibility": (0.4, 0.95), "report": (0.95, 1.0), "done": (1.0, 1.0)}


class ScenarioNotFound(LookupError, TsunaguError):
    """No scenario file of that name (a 404)."""


class JobNotFound(LookupError, TsunaguError):
    """No comparison job of that id (a 404)."""


class ScenarioRequestError(ValueError, TsunaguError):
    """A comparison request the service refuses (a 422)."""


class ServiceBusy(RuntimeError, TsunaguError):
    """Too many comparisons are queued or running."""


@dataclass(frozen=True, slots=True)
class ScenarioInfo:
    """A scenario file: its name (file stem), title, description and modifications."""

    name: str
    path: Path
    title: str
    description: str
    modifications: tuple[tuple[str, str], ...]  # (kind, label)
    error: str | None = None  # the file could not be read: why (file:line)


@dataclass(slots=True)
class Job:
    """One comparison: its request, state and, when done, its result."""

    id: str
    scenarios: tuple[str, ...]
    options: dict[str, Any]
    out_dir: Path
    cells_path: Path | None
    created: datetime
    status: str = "queued"  # queued, running, done, failed
    phase: str = "queued"
    done_tasks: int = 0
    total_tasks: int = 0
    started: datetime | None = None
    finished: datetime | None = None
    error: str | None = None
    comparison: Comparison | None = None
    titles: dict[str, str] = field(default_factory=dict)

    @property
    def progress(self) -> float:
        """0..1 over the phases (tasks counted inside routing and accessibility)."""
        lo, hi = _PHASES.get(self.phase, (0.0, 0.0))
        if self.status == "failed":
            return lo
        share = self.done_tasks / self.total_tasks if self.total_tasks else 0.0
        return round(lo + (hi - lo) * share, 3)


class _CountingRunner(TaskRunner):
    """A :class:`TaskRunner` in this process that counts finished tasks into a job."""

    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job

    def run(self, fn: Any, tasks: Sequence[Any], *, label: str = "tasks") -> list[Any]:
        self.job.phase = "accessibility" if "access" in label else "routing"
        self.job.done_tasks, self.job.total_tasks = 0, len(tasks)

        def counted(task: Any, cache: dict[str, Any]) -> Any:
            out = fn(task, cache)
            self.job.done_tasks += 1
            return out

        out = super().run(counted, tasks, label=label)
        if "access" in label:
            self.job.phase, self.job.done_tasks, self.job.total_tasks = "report", 0, 0
        return out


def _title(path: Path, fallback: str) -> str:
    """A short title: the file's first comment line up to its first colon or full stop.

    ``# 2035 alternative 1: a BRT branch ...`` gives ``2035 alternative 1``; a file
    without a leading comment gives ``fallback`` (its ``name``).
    """
    try:
        with path.open(encoding="utf-8-sig") as fh:
            first = fh.readline().strip()
    except (OSError, UnicodeDecodeError):
        return fallback
    if not first.startswith("#"):
        return fallback
    text = re.split(r"[:.。：]\s", first.lstrip("#").strip() + " ", maxsplit=1)[0].strip()
    return text[:120] or fallback


class ScenarioService:
    """Scenario files, their applied summaries and comparison jobs of one app.

    Parameters
    ----------
    scenario_dir : Path
        Folder of ``*.yml`` scenario files.
    work_dir : Path
        Receives applied scenarios (``applied/``) and job outputs (``jobs/``).
    base_dir : callable
        Returns the folder the scenarios' bases point at (the demo city), or
        ``None`` to use each file's own ``base.dir``. Called when first needed.
    day : date
        The service day compared.
    clock : callable
        Wall clock for job times.
    """

    def __init__(self, *, scenario_dir: Path, work_dir: Path,
                 base_dir: Callable[[], Path | None], day: date,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.scenario_dir = scenario_dir
        self.work_dir = work_dir
        self._base_dir = base_dir
        self.day = day
        self._clock = clock
        self._lock = threading.RLock()
        self._apply_lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._executor: ThreadPoolExecutor | None = None

    # -- scenario files ---------------------------------------------------------------

    def base_dir(self) -> Path | None:
        """The folder holding the base network and ``cells.csv``."""
        return self._base_dir()

    def _files(self) -> dict[str, Path]:
        if not self.scenario_dir.is_dir():
            return {}
        files = sorted([*self.scenario_dir.glob("*.yml"), *self.scenario_dir.glob("*.yaml")])
        return {p.stem: p for p in files}

    def list(self) -> list[ScenarioInfo]:
        """Every scenario file of the folder, by name; unreadable ones carry ``error``."""
        base = self.base_dir()
        return [self._info(name, path, base) for name, path in self._files().items()]

    def get(self, name: str) -> ScenarioInfo:
        """The scenario called ``name`` (raises :class:`ScenarioNotFound`)."""
        path = self._files().get(name)
        if path is None:
            raise ScenarioNotFound(f"scenario {name!r}: no such file in the scenario folder "
                                   f"(known: {', '.join(self._files()) or 'none'})")
        return self._info(name, path, self.base_dir())

    @staticmethod
    def _info(name: str, path: Path, base: Path | None) -> ScenarioInfo:
        try:
            sf = read_scenario(path, base_dir=base)
        except (ValueError, OSError) as exc:
            return ScenarioInfo(name, path, _title(path, name), "", (), str(exc))
        return ScenarioInfo(name, path, _title(path, sf.name), sf.description,
                            tuple((m.kind, m.label) for m in sf.modifications))

    def _stamp(self, path: Path, base: Path | None) -> str:
        h = hashlib.sha256()
        for p in sorted(self._files().values()):  # a scenario may inherit from any of them
            h.update(p.name.encode() + b"\0" + p.read_bytes())
        for f in ("gtfs.zip", "drt_service.yaml"):
            q = (base / f) if base is not None else None
            if q is not None and q.exists():
                st = q.stat()
                h.update(f"{f}:{st.st_size}:{st.st_mtime_ns}".encode())
        h.update(str(path).encode())
        return h.hexdigest()

    def applied(self, name: str) -> dict[str, Any]:
        """What applying scenario ``name`` changes (``AppliedScenario.summary()``), cached.

        Raises :class:`ScenarioNotFound`, or the scenario's ``FeedError``
        (``file:line: ...``) when it cannot be applied.
        """
        info = self.get(name)
        base = self.base_dir()
        out = self.work_dir / "applied" / name
        cached = out / "summary.json"
        stamp = self._stamp(info.path, base)
        with self._apply_lock:
            if cached.exists():
                try:
                    data = json.loads(cached.read_text(encoding="utf-8"))
                    if data.get("stamp") == stamp:
                        summary: dict[str, Any] = data["summary"]
                        return summary
                except (OSError, ValueError, KeyError):
                    pass
            applied = apply_scenario(info.path, out_dir=out, base_dir=base)
            summary = applied.summary()
            cached.write_text(json.dumps({"stamp": stamp, "summary": summary},
                                         ensure_ascii=False), encoding="utf-8")
            return summary

    # -- comparison jobs ----------------------------------------------------------------

    def submit(self, names: Sequence[str], *, trips: int, seed: int, departures: int,
               origins: int | None = None) -> Job:
        """Queue a comparison of ``names`` (first = reference); return the job.

        Raises :class:`ScenarioNotFound`, :class:`ScenarioRequestError` (bad
        request, a scenario file with an error) or :class:`ServiceBusy`.
        """
        if not 2 <= len(names) <= MAX_SCENARIOS:
            raise ScenarioRequestError(f"scenarios: give 2-{MAX_SCENARIOS} names (a reference "
                                       f"and alternatives), got {len(names)}")
        if len(set(names)) != len(names):
            raise ScenarioRequestError(f"scenarios: a name is given twice: {list(names)}")
        if not 1 <= trips <= MAX_TRIPS:
            raise ScenarioRequestError(f"trips: at most {MAX_TRIPS} per comparison, got {trips}")
        if not 1 <= departures <= MAX_DEPARTURES:
            raise ScenarioRequestError(f"departures: 1-{MAX_DEPARTURES}, got {departures}")
        infos = [self.get(n) for n in names]
        for info in infos:
            if info.error:
                raise ScenarioRequestError(f"scenario {info.name!r}: {info.error}")
        base = self.base_dir()
        cells = (base / "cells.csv") if base is not None else None
        with self._lock:
            pending = sum(j.status in ("queued", "running") for j in self._jobs.values())
            if pending >= MAX_PENDING:
                raise ServiceBusy(f"{pending} comparisons are queued or running; at most "
                                  f"{MAX_PENDING} at once")
            job_id = secrets.token_hex(6)
            options = {"trips": trips, "seed": seed, "departures": departures,
                       "origins": origins, "day": self.day.isoformat()}
            job = Job(job_id, tuple(names), options, self.work_dir / "jobs" / job_id, cells,
                      self._clock(), titles={i.name: i.title for i in infos})
            self._jobs[job_id] = job
            while len(self._jobs) > KEEP_JOBS:
                oldest = next((k for k, j in self._jobs.items()
                               if j.status in ("done", "failed")), None)
                if oldest is None:
                    break
                del self._jobs[oldest]
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1,
                                                    thread_name_prefix="tsunagu-compare")
            paths = [i.path for i in infos]
            self._executor.submit(self._run, job, paths, base)
        return job

    def _run(self, job: Job, paths: Sequence[Path], base: Path | None) -> None:
        job.status, job.phase, job.started = "running", "preparing", self._clock()
        o = job.options
        try:
            with _CountingRunner(job) as runner:
                job.comparison = compare_scenarios(
                    paths, out_dir=job.out_dir, runner=runner,
                    options=CompareOptions(base_dir=base, trips=o["trips"], seed=o["seed"],
                                           day=self.day, departures=o["departures"],
                                           access_origins=o["origins"], progress=False))
            if job.cells_path is None:  # bases of the files' own: cells beside the streets
                streets = job.comparison.results[0].summary.get("streets")
                job.cells_path = Path(str(streets)).parent / "cells.csv" if streets else None
            job.status, job.phase = "done", "done"
        except (TsunaguError, ValueError, OSError) as exc:
            job.status, job.error = "failed", str(exc)
        except Exception as exc:  # a job must end, and say why; the trace goes to the log
            _log.exception("comparison job %s failed", job.id)
            job.status, job.error = "failed", f"internal error ({type(exc).__name__})"
        finally:
            job.finished = self._clock()

    def job(self, job_id: str) -> Job:
        """The job ``job_id`` (raises :class:`JobNotFound`)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise JobNotFound(f"comparison job {job_id!r}: unknown (jobs are kept in memory: "
                              f"the last {KEEP_JOBS} of this server process)")
        return job

    def wait(self, job_id: str, timeout_s: float) -> Job:
        """Block until the job is done or failed (tests and the CLI), at most ``timeout_s``."""
        end = time.monotonic() + timeout_s
        job = self.job(job_id)
        while job.status in ("queued", "running") and time.monotonic() < end:
            time.sleep(0.05)
        return job

    def cells(self, job: Job, scenario: str | None, threshold_min: int) -> dict[str, Any]:
        """Per origin cell: jobs reachable in the reference, in ``scenario``, and the change.

        Returns a GeoJSON FeatureCollection of cell centroids (``[lon, lat]``) whose
        properties are ``cell`` (index), ``population``, ``ref``, ``value``, ``delta``
        (median jobs within ``threshold_min``), plus the cell size and the largest
        absolute change (the map's colour scale).
        """
        comp = job.comparison
        if comp is None:
            raise ScenarioRequestError(f"job {job.id}: not done yet ({job.status})")
        if job.cells_path is None:
            raise ScenarioRequestError(f"job {job.id}: the cells of this comparison are unknown")
        if threshold_min not in THRESHOLDS_MIN:
            raise ScenarioRequestError(f"threshold: one of {list(THRESHOLDS_MIN)} minutes, "
                                       f"got {threshold_min}")
        names = list(job.scenarios)  # file names, in the results' order
        pick = scenario if scenario is not None else names[1]
        if pick not in names:
            raise ScenarioRequestError(f"scenario: {pick!r} is not in this comparison "
                                       f"({', '.join(names)})")
        ref, alt = comp.results[0], comp.results[names.index(pick)]
        k = THRESHOLDS_MIN.index(threshold_min)
        cells = read_cells(job.cells_path)
        features = []
        big = 0.0
        for c, a, b in zip(ref.access_origins, ref.access_median_jobs, alt.access_median_jobs,
                           strict=True):
            d = b[k] - a[k]
            big = max(big, abs(d))
            features.append({"type": "Feature", "geometry": {
                "type": "Point",
                "coordinates": [round(float(cells.lon[c]), 5), round(float(cells.lat[c]), 5)]},
                "properties": {"cell": int(c), "population": round(float(cells.population[c]), 1),
                               "ref": round(a[k], 1), "value": round(b[k], 1),
                               "delta": round(d, 1)}})
        return {"type": "FeatureCollection", "reference": names[0], "scenario": pick,
                "thresholdMin": threshold_min, "cellSizeM": float(cells.cell_size_m),
                "deltaMaxAbs": round(big, 1), "features": features}

    def close(self) -> None:
        """Stop taking jobs; a running comparison finishes in its thread."""
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None


def scenario_service(config: Mapping[str, Any], *, data_dir: Path, day: date,
                     demo_dir: Callable[[], Path | None]) -> ScenarioService:
    """Build the app's service from its config (``SCENARIO_DIR``, ``SCENARIO_BASE_DIR``).

    Without ``SCENARIO_BASE_DIR`` the bases point at ``demo_dir()`` (the demo
    city's folder, or ``None`` when the app runs a configured feed: then each
    file's own ``base.dir`` is used).
    """
    sdir = config.get("SCENARIO_DIR")
    bdir = config.get("SCENARIO_BASE_DIR")
    base: Callable[[], Path | None] = (lambda: Path(str(bdir))) if bdir else demo_dir
    return ScenarioService(scenario_dir=Path(str(sdir)) if sdir else DEFAULT_SCENARIO_DIR,
                           work_dir=data_dir / "scenarios", base_dir=base, day=day)


__all__ = ["DEFAULT_SCENARIO_DIR", "MAX_DEPARTURES", "MAX_PENDING", "MAX_SCENARIOS",
           "MAX_TRIPS", "Job", "JobNotFound", "ScenarioInfo", "ScenarioNotFound",
           "ScenarioRequestError", "ScenarioService", "ServiceBusy", "scenario_service"]

"""``/scenarios``: planners' scenario files, what each changes, and comparison jobs.

``GET /scenarios`` lists the scenario files (``SCENARIO_DIR``, default
``docs/scenarios``); ``GET /scenarios/{name}`` adds what applying it changes
(counts before/after and per modification). ``POST /scenarios/compare`` queues
a comparison (``web.planning.compare``; 202 + ``Location``), polled at
``GET /scenarios/jobs/{id}`` (status, phase, progress, then the KPIs of each
scenario and the KPI table), whose ``/cells`` gives the per-cell accessibility
change for the planner page's map. Planners (and admins) only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from flask import Blueprint, Flask
from pydantic import ConfigDict, Field

from gtfs.democity.services import SAMPLE_WEEKDAY
from web.auth import Role
from web.openapi import Api, Call, Reply
from web.problems import ApiProblem
from web.schemas import Ident, Model, Out
from web.services.container import Services
from web.services.scenarios import (
    MAX_DEPARTURES,
    MAX_SCENARIOS,
    MAX_TRIPS,
    THRESHOLDS_MIN,
    Job,
    ScenarioInfo,
    ScenarioService,
    ServiceBusy,
    scenario_service,
)

PLANNERS = frozenset({Role.PLANNER})
EXTENSION = "tsunagu_scenarios"


class ModificationOut(Out):
    """One modification of a scenario: its kind and a readable label."""

    kind: str
    label: str


class ScenarioOut(Out):
    """A scenario file."""

    name: str = Field(description="The file name without .yml (the id in URLs)")
    title: str = Field(description="The file's first comment line, else its name")
    description: str
    modifications: list[ModificationOut]
    error: str | None = Field(default=None, description="Why the file cannot be used "
                                                        "(file:line: ...)")


class ScenarioList(Out):
    """The scenario files on offer and the comparison limits."""

    scenarios: list[ScenarioOut]
    max_trips: int
    max_departures: int
    max_scenarios: int


class AppliedModificationOut(Out):
    """What one modification changed (non-zero count differences)."""

    label: str
    changes: dict[str, int]


class AppliedOut(Out):
    """What applying the scenario to its base changes."""

    counts_before: dict[str, float]
    counts_after: dict[str, float]
    deltas: dict[str, float] = Field(description="after - before, every count")
    modifications: list[AppliedModificationOut]


class ScenarioDetailOut(ScenarioOut):
    """A scenario file and what it changes."""

    applied: AppliedOut


class CompareIn(Model):
    """A comparison: the reference scenario first, then the alternatives."""

    scenarios: list[Ident] = Field(min_length=2, max_length=MAX_SCENARIOS,
                                   description="Scenario names; the first is the reference")
    trips: Annotated[int, Field(ge=1, le=MAX_TRIPS, description="OD trips routed")] = 400
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 1
    departures: Annotated[int, Field(ge=1, le=MAX_DEPARTURES,
                                     description="Departures 07:00-09:00 of the "
                                                 "accessibility measure")] = 12
    origins: Annotated[int | None, Field(ge=1, le=1_000_000,
                                         description="Origin cells sampled for accessibility "
                                                     "(default: every cell)")] = None


class ScenarioKpisOut(Out):
    """One scenario's KPIs."""

    name: str
    title: str
    kpis: dict[str, float | None]
    access_origins: int = Field(description="Origin cells measured")


class KpiRowOut(Out):
    """One KPI across the scenarios: values and deltas against the reference."""

    key: str
    label: str
    unit: str
    better: int = Field(description="+1 more is better, -1 less is better, 0 neither")
    values: list[float | None]
    deltas: list[float | None]


class ComparisonOut(Out):
    """A finished comparison."""

    reference: str
    scenarios: list[ScenarioKpisOut]
    kpi_table: list[KpiRowOut]
    files: dict[str, str] = Field(description="Files written in the job's folder")
    elapsed_s: float


class JobOut(Out):
    """A comparison job."""

    id: str
    status: str = Field(description="queued, running, done or failed")
    phase: str = Field(description="queued, preparing, routing, accessibility, report, done")
    progress: float = Field(description="0..1")
    done_tasks: int
    total_tasks: int
    scenarios: list[str]
    options: dict[str, Any]
    created: datetime
    started: datetime | None = None
    finished: datetime | None = None
    error: str | None = None
    result: ComparisonOut | None = None


class CellsQuery(Model):
    """Which alternative and threshold the cell map shows."""

    scenario: Ident | None = Field(default=None, description="Default: the first alternative")
    threshold: Annotated[int, Field(description="Minutes: 30, 45 or 60")] = 45


class CellsOut(Out):
    """Per origin cell (GeoJSON points, ``[lon, lat]``): median jobs reachable and the change."""

    model_config = ConfigDict(extra="allow")
    type: str
    reference: str
    scenario: str
    threshold_min: int
    cell_size_m: float
    delta_max_abs: float
    features: list[dict[str, Any]]


def _scenario(info: ScenarioInfo) -> dict[str, Any]:
    return {"name": info.name, "title": info.title, "description": info.description,
            "modifications": [{"kind": k, "label": lab} for k, lab in info.modifications],
            "error": info.error}


def job_out(job: Job) -> JobOut:
    """The API view of a job."""
    result = None
    comp = job.comparison
    if comp is not None and job.status == "done":
        d = comp.as_dict()
        result = ComparisonOut(
            reference=job.scenarios[0],
            scenarios=[ScenarioKpisOut(name=name, title=job.titles.get(name, name),
                                       kpis=s["kpis"], access_origins=len(s["access_origins"]))
                       for name, s in zip(job.scenarios, d["scenarios"], strict=True)],
            kpi_table=[KpiRowOut(**row) for row in d["kpi_table"]],
            files=d["files"], elapsed_s=d["elapsed_s"])
    return JobOut(id=job.id, status=job.status, phase=job.phase, progress=job.progress,
                  done_tasks=job.done_tasks, total_tasks=job.total_tasks,
                  scenarios=list(job.scenarios), options=job.options, created=job.created,
                  started=job.started, finished=job.finished, error=job.error, result=result)


def blueprint(api: Api, svc: ScenarioService) -> Blueprint:
    """Return the scenarios blueprint over ``svc``."""
    bp = Blueprint("api_scenarios", __name__)

    @api.operation(bp, "/scenarios", "GET", summary="List scenario files", tag="scenarios",
                   roles=PLANNERS, responses={200: ScenarioList},
                   description="A file that cannot be read is listed with error (file:line).")
    def scenarios(call: Call) -> Reply:
        return Reply(ScenarioList(
            scenarios=[ScenarioOut(**_scenario(i)) for i in svc.list()], max_trips=MAX_TRIPS,
            max_departures=MAX_DEPARTURES, max_scenarios=MAX_SCENARIOS))

    @api.operation(bp, "/scenarios/<name>", "GET", summary="A scenario and what it changes",
                   tag="scenarios", roles=PLANNERS, responses={200: ScenarioDetailOut},
                   description="Applies the scenario to its base (cached until a file "
                               "changes); a scenario that cannot be applied is a 422 naming "
                               "file:line.")
    def scenario(call: Call) -> Reply:
        info = svc.get(call.path["name"])
        s = svc.applied(info.name)
        before, after = s["counts_before"], s["counts_after"]
        applied = AppliedOut(counts_before=before, counts_after=after,
                             deltas={k: after.get(k, 0) - v for k, v in before.items()},
                             modifications=s["modifications"])
        return Reply(ScenarioDetailOut(**_scenario(info), applied=applied))

    @api.operation(bp, "/scenarios/compare", "POST", summary="Start a scenario comparison",
                   tag="scenarios", roles=PLANNERS, body=CompareIn, responses={202: JobOut},
                   description="Evaluates every scenario on the same OD sample and cells "
                               "(routing, DRT day, accessibility) in the background; poll the "
                               "job at Location. At most 3 comparisons queued or running "
                               "(429 beyond).")
    def compare(call: Call) -> Reply:
        b: CompareIn = call.body
        try:
            job = svc.submit(b.scenarios, trips=b.trips, seed=b.seed, departures=b.departures,
                             origins=b.origins)
        except ServiceBusy as exc:
            raise ApiProblem(429, "busy", "Too many comparisons", str(exc),
                             headers={"Retry-After": "30"}) from None
        return Reply(job_out(job), status=202,
                     headers={"Location": f"{api.prefix}/scenarios/jobs/{job.id}"})

    @api.operation(bp, "/scenarios/jobs/<job_id>", "GET", summary="A comparison job",
                   tag="scenarios", roles=PLANNERS, responses={200: JobOut})
    def job(call: Call) -> Reply:
        return Reply(job_out(svc.job(call.path["job_id"])))

    @api.operation(bp, "/scenarios/jobs/<job_id>/cells", "GET",
                   summary="Accessibility change per cell", tag="scenarios", roles=PLANNERS,
                   query=CellsQuery, responses={200: CellsOut},
                   description="Median jobs reachable within the threshold from each origin "
                               "cell, in the reference and the alternative, and the change; "
                               "409 while the job is not done.")
    def cells(call: Call) -> Reply:
        q: CellsQuery = call.query
        j = svc.job(call.path["job_id"])
        if j.status != "done":
            raise ApiProblem(409, "not-ready", "Comparison not finished",
                             f"job {j.id} is {j.status}"
                             + (f": {j.error}" if j.error else "; poll it until done"))
        if q.threshold not in THRESHOLDS_MIN:
            raise ApiProblem(422, "validation-error", "Request validation failed",
                             f"query.threshold: one of {list(THRESHOLDS_MIN)}, got {q.threshold}",
                             errors=[{"loc": "query.threshold", "msg": "30, 45 or 60",
                                      "type": "enum"}])
        if q.scenario is not None and q.scenario not in j.scenarios:
            raise ApiProblem(422, "validation-error", "Request validation failed",
                             f"query.scenario: {q.scenario!r} is not in this comparison "
                             f"({', '.join(j.scenarios)})",
                             errors=[{"loc": "query.scenario", "msg": "not in the comparison",
                                      "type": "enum"}])
        return Reply(svc.cells(j, q.scenario, q.threshold),
                     headers={"Cache-Control": "private, max-age=3600"})

    return bp


def register(app: Flask, api: Api, services: Services, prefix: str) -> ScenarioService:
    """Build the app's :class:`ScenarioService` (kept on ``app.extensions``) and its routes."""
    s = services.settings

    def demo_dir() -> Any:
        return None if s.feed is not None else services.paths()["feed"].parent

    svc = scenario_service(app.config, data_dir=s.data_dir, day=s.date or SAMPLE_WEEKDAY,
                           demo_dir=demo_dir)
    app.extensions[EXTENSION] = svc
    app.register_blueprint(blueprint(api, svc), url_prefix=prefix)
    return svc

"""Dask (2-worker LocalCluster) batch results equal the single-process run exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gtfs.cells_io import read_cells
from gtfs.democity import DemoCity, generate_demo_city
from routing.accessibility import departure_times
from transit.demand import generate_demand
from web.planning.distributed import ClusterOptions, DistributedError, TaskRunner, chunks
from web.planning.evaluate import (
    RouteTask,
    access_task,
    accessibility_tasks,
    merge_accessibility,
    prepare_scenarios,
    route_task,
)

SCENARIOS = Path(__file__).resolve().parents[2] / "docs" / "scenarios"


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """Two applied scenarios, a cells file, 20 trips, 2 departures, 24 origins."""
    city: DemoCity = generate_demo_city(tmp_path_factory.mktemp("data") / "demo", size=1)
    prepared = prepare_scenarios([SCENARIOS / "base.yml", SCENARIOS / "alt1_brt_branch.yml"],
                                 out_dir=tmp_path_factory.mktemp("work"),
                                 base_dir=city.out_dir, day=city.sample_weekday)
    specs = [p.spec for p in prepared]
    cells_path = city.out_dir / "cells.csv"
    cells = read_cells(cells_path)
    od = generate_demand(cells, n_trips=20, seed=9)
    rows = tuple((i, float(od.origin_lat[i]), float(od.origin_lon[i]),
                  float(od.destination_lat[i]), float(od.destination_lon[i]),
                  int(od.depart_s[i])) for i in range(od.n_trips))
    origins = np.sort(np.random.default_rng(1).choice(len(cells.lat), 24, replace=False))
    deps = departure_times(7 * 3600, 9 * 3600, 2)
    a_tasks = accessibility_tasks(specs, str(cells_path), origins, deps,
                                  thresholds_s=(1800, 2700, 3600), origins_per_task=7)
    r_tasks = [RouteTask(s, tuple(p)) for s in specs for p in chunks(rows, 6)]
    return specs, origins, deps, a_tasks, r_tasks


def _run_all(runner: TaskRunner, case: tuple) -> tuple:
    specs, origins, deps, a_tasks, r_tasks = case
    access = merge_accessibility(a_tasks, runner.run(access_task, a_tasks), specs, origins, deps)
    routed = runner.run(route_task, r_tasks)
    return access, routed


def test_two_dask_worker_processes_equal_one_process(case: tuple) -> None:
    """Accessibility and routing on a 2-process LocalCluster equal the in-process run."""
    with TaskRunner(ClusterOptions(progress=False)) as local:
        want_access, want_routed = _run_all(local, case)
    with TaskRunner(ClusterOptions(workers=2, processes=True, progress=False)) as dask:
        assert dask.n_workers == 2
        got_access, got_routed = _run_all(dask, case)
    assert sorted(got_access) == sorted(want_access) == ["alt1_brt_branch", "base"]
    for name in want_access:
        assert np.array_equal(got_access[name], want_access[name])
        assert want_access[name].shape == (24, 2, 3)
    assert got_routed == want_routed
    assert sum(o.reached for part in want_routed for o in part) > 10
    # the scenarios differ, so the test can tell them apart
    assert not np.array_equal(want_access["base"], want_access["alt1_brt_branch"])


def test_threaded_workers_equal_one_process(case: tuple) -> None:
    """processes=False (threads) gives the same accessibility as well."""
    specs, origins, deps, a_tasks, _ = case
    with TaskRunner() as local:
        want = merge_accessibility(a_tasks, local.run(access_task, a_tasks), specs, origins, deps)
    with TaskRunner(ClusterOptions(workers=2, processes=False, progress=False)) as dask:
        got = merge_accessibility(a_tasks, dask.run(access_task, a_tasks), specs, origins, deps)
    for name in want:
        assert np.array_equal(got[name], want[name])


def test_cluster_options_are_checked() -> None:
    """Workers < 1, both workers and scheduler, an unreachable scheduler: DistributedError."""
    with pytest.raises(DistributedError, match="workers"):
        ClusterOptions(workers=0)
    with pytest.raises(DistributedError, match="not both"):
        ClusterOptions(workers=2, scheduler="tcp://127.0.0.1:1")
    with pytest.raises(DistributedError, match="size"):
        chunks([1, 2], 0)
    opts = ClusterOptions(scheduler="tcp://127.0.0.1:1", progress=False, connect_timeout_s=1.0)
    with TaskRunner(opts) as r, pytest.raises(DistributedError, match="scheduler"):
        r.run(access_task, [object()])

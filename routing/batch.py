"""Many earliest-arrival queries at once, spread over processes.

The planner (timetable, footpaths, RAPTOR arrays) is built once in the parent;
worker processes are forked from it, so nothing is pickled or rebuilt, and
each worker keeps its own RAPTOR labels. Queries travel in chunks; results
come back in input order.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Sequence
from dataclasses import dataclass

from routing.errors import QueryError
from routing.planner import Place, Planner


@dataclass(frozen=True, slots=True)
class BatchQuery:
    """One row of a batch: an id, two places and a departure time."""

    id: str
    origin: Place
    destination: Place
    depart_s: int


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Earliest arrival of a :class:`BatchQuery`; ``arrival_s`` -1 when unreachable."""

    id: str
    depart_s: int
    arrival_s: int
    transfers: int


# Set in each forked worker by _init_worker (never at import, never in the parent).
_worker_planner: Planner | None = None


def _init_worker(planner: Planner) -> None:
    global _worker_planner
    _worker_planner = planner


def _solve(planner: Planner, chunk: Sequence[BatchQuery]) -> list[BatchResult]:
    out = []
    for q in chunk:
        arr, transfers = planner.arrival_time(q.origin, q.destination, q.depart_s)
        out.append(BatchResult(q.id, q.depart_s, arr, transfers))
    return out


def _solve_in_worker(chunk: Sequence[BatchQuery]) -> list[BatchResult]:
    assert _worker_planner is not None, "worker not initialised"
    return _solve(_worker_planner, chunk)


def run_batch(planner: Planner, queries: Sequence[BatchQuery], *, workers: int | None = None,
              chunk_size: int = 50) -> list[BatchResult]:
    """Return the earliest arrival of every query, in input order.

    Parameters
    ----------
    planner
        Built once; forked into the workers.
    queries
        The queries.
    workers
        Processes to use (default: the CPUs available, at most 2 per
        100 queries); 1 runs in this process.
    chunk_size
        Queries per task.
    """
    if chunk_size < 1:
        raise QueryError(f"chunk_size: must be >= 1, got {chunk_size}")
    if workers is None:
        workers = max(1, min(len(os.sched_getaffinity(0)), len(queries) // 50 or 1))
    if workers < 1:
        raise QueryError(f"workers: must be >= 1, got {workers}")
    chunks = [queries[i:i + chunk_size] for i in range(0, len(queries), chunk_size)]
    if workers == 1 or len(chunks) < 2 or "fork" not in mp.get_all_start_methods():
        return [r for c in chunks for r in _solve(planner, c)]
    if queries:  # compile/load the kernels and build the arrays before forking
        _solve(planner, queries[:1])
    ctx = mp.get_context("fork")
    with ctx.Pool(workers, initializer=_init_worker, initargs=(planner,)) as pool:
        parts = pool.map(_solve_in_worker, chunks, chunksize=1)
    return [r for part in parts for r in part]

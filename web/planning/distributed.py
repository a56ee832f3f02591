"""Run planner batch tasks in this process or on Dask (``dask.distributed``).

A *task function* ``fn(task, cache)`` is a plain top-level function; ``task`` is
a small picklable value (paths, indices) and ``cache`` a dict the function uses
to build heavy objects (a compiled timetable, a planner, an accessibility
calculator) once per process: in this process a dict owned by the runner, on a
Dask worker a dict kept on the worker object. The timetable therefore crosses
the network never: each worker loads it from the compile cache path named in
the task (``gtfs.compile.compile_feed_file(..., cache_dir=)``).

:func:`run_tasks` returns the results *in task order*, whatever order the
workers finish in, so a merge over them is deterministic and a Dask run equals
a single-process run exactly (tested).

* ``workers=None, scheduler=None`` — in this process, no Dask;
* ``workers=N`` — a ``LocalCluster(n_workers=N, threads_per_worker=1)`` started
  and closed around the call (``processes=False`` runs threads, for tests);
* ``scheduler="tcp://host:8786"`` — ``Client(address)`` of an existing cluster
  (the workers must import this project).

Progress: a bar on stderr when it is a terminal (``distributed.progress`` for
Dask, a counter line otherwise), nothing when piped.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from transit.errors import TsunaguError

T = TypeVar("T")
R = TypeVar("R")

TaskFn = Callable[[Any, dict[str, Any]], Any]


class DistributedError(ValueError, TsunaguError):
    """A cluster option is invalid or the scheduler cannot be reached."""


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    """Where tasks run.

    Attributes
    ----------
    workers : int or None
        Dask workers of a LocalCluster (None with no scheduler: this process).
    scheduler : str or None
        Address of an existing Dask scheduler (``tcp://host:port``).
    processes : bool
        LocalCluster workers as processes (True) or threads (False).
    progress : bool or None
        Show progress on stderr (None: when stderr is a terminal).
    connect_timeout_s : float
        How long to try reaching ``scheduler``.
    """

    workers: int | None = None
    scheduler: str | None = None
    processes: bool = True
    progress: bool | None = None
    connect_timeout_s: float = 10.0

    def __post_init__(self) -> None:
        if self.workers is not None and self.workers < 1:
            raise DistributedError(f"workers: must be >= 1, got {self.workers}")
        if self.workers is not None and self.scheduler is not None:
            raise DistributedError("workers and scheduler: give one or the other, not both")
        if self.scheduler is not None and not self.scheduler.strip():
            raise DistributedError("scheduler: empty address")

    @property
    def uses_dask(self) -> bool:
        """Whether the tasks go to Dask."""
        return self.workers is not None or self.scheduler is not None

    def show_progress(self) -> bool:
        """Whether to draw progress on stderr."""
        return sys.stderr.isatty() if self.progress is None else self.progress


def _on_worker(fn: TaskFn, task: Any) -> Any:
    from distributed import get_worker

    worker = get_worker()
    cache = getattr(worker, "_tsunagu_cache", None)
    if cache is None:
        cache = {}
        worker._tsunagu_cache = cache  # type: ignore[attr-defined]
    return fn(task, cache)


class TaskRunner:
    """Runs task functions locally or on a Dask cluster; use as a context manager.

    One runner may run several batches: the Dask client (and the workers'
    caches) live until :meth:`close`.
    """

    def __init__(self, options: ClusterOptions | None = None) -> None:
        self.options = options or ClusterOptions()
        self._cache: dict[str, Any] = {}
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> TaskRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def n_workers(self) -> int:
        """Workers the tasks are spread over (1 in this process)."""
        if not self.options.uses_dask:
            return 1
        client = self._connect()
        return max(1, len(client.scheduler_info().get("workers", {})))

    def _connect(self) -> Any:
        if self._client is not None:
            return self._client
        from distributed import Client, LocalCluster

        o = self.options
        try:
            if o.scheduler is not None:
                self._client = Client(o.scheduler, timeout=f"{o.connect_timeout_s}s")
            else:
                self._cluster = LocalCluster(n_workers=o.workers, threads_per_worker=1,
                                             processes=o.processes, dashboard_address=":0")
                self._client = Client(self._cluster)
        except (OSError, TimeoutError) as exc:
            raise DistributedError(f"scheduler {o.scheduler!r}: cannot connect ({exc})") \
                from None
        return self._client

    def run(self, fn: TaskFn, tasks: Sequence[Any], *, label: str = "tasks") -> list[Any]:
        """Return ``[fn(t, cache) for t in tasks]``, in task order."""
        if not tasks:
            return []
        show = self.options.show_progress()
        if not self.options.uses_dask:
            out = []
            for k, t in enumerate(tasks):
                out.append(fn(t, self._cache))
                if show:
                    print(f"\r{label}: {k + 1}/{len(tasks)}", end="", file=sys.stderr,
                          flush=True)
            if show:
                print(file=sys.stderr)
            return out
        client = self._connect()
        futures = client.map(_on_worker, [fn] * len(tasks), list(tasks), pure=False)
        if show:
            from distributed import progress

            print(f"{label}:", file=sys.stderr)
            progress(futures)
            print(file=sys.stderr)
        return list(client.gather(futures))

    def close(self) -> None:
        """Close the Dask client and the LocalCluster it started (if any)."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """Split ``items`` into consecutive pieces of at most ``size``."""
    if size < 1:
        raise DistributedError(f"size: must be >= 1, got {size}")
    return [items[i:i + size] for i in range(0, len(items), size)]


__all__ = ["ClusterOptions", "DistributedError", "TaskRunner", "chunks"]

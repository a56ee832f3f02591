"""routing.batch: many queries over forked workers, results in input order."""

from __future__ import annotations

import pytest

from routing.batch import BatchQuery, run_batch
from routing.errors import QueryError
from routing.planner import Place, Planner
from tests.routing.tinyfeed import TinyFeed, Trip, hms

LINE = {"A": (0, 0), "B": (2000, 0), "C": (4000, 0)}


def _planner() -> Planner:
    trips = [Trip("1", [("A", f"08:{m:02d}"), ("B", f"08:{m + 5:02d}"), ("C", f"08:{m + 9:02d}")])
             for m in range(0, 50, 10)]
    return Planner(TinyFeed(LINE, trips).build())


@pytest.mark.parametrize("workers", [1, 2])
def test_batch_matches_single_queries(workers: int) -> None:
    """Two forked workers give the same answers, in order, as one-by-one queries."""
    planner = _planner()
    tt = planner.timetable
    queries = []
    for i in range(120):
        o, d = ("A", "C") if i % 3 else ("C", "A")
        queries.append(BatchQuery(str(i), Place(stop=tt.stop_index[o]),
                                  Place(stop=tt.stop_index[d]), hms("07:55") + 17 * i))
    got = run_batch(planner, queries, workers=workers, chunk_size=16)
    assert [r.id for r in got] == [q.id for q in queries]
    for q, r in zip(queries, got, strict=True):
        assert (r.arrival_s, r.transfers) == planner.arrival_time(q.origin, q.destination,
                                                                  q.depart_s)
    assert sum(r.arrival_s >= 0 for r in got) == 80 - sum(
        1 for i in range(120) if i % 3 and hms("07:55") + 17 * i > hms("08:40"))


def test_batch_rejects_bad_options() -> None:
    """workers and chunk_size must be positive."""
    with pytest.raises(QueryError, match="workers"):
        run_batch(_planner(), [], workers=0)
    with pytest.raises(QueryError, match="chunk_size"):
        run_batch(_planner(), [], chunk_size=0)

"""Parsing of Cordeau and Li & Lim instance files, traps included."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dispatch.errors import DispatchError, InstanceError
from dispatch.instances import read_cordeau, read_instance, read_lilim
from tests.conftest import shared_path

TINY = """2 4 100 3 30
0 0.0 0.0 0 0 0 480
1 1.0 0.0 3 1 0 480
2 2.0 0.0 3 1 0 480
3 3.0 0.0 3 -1 0 480
4 4.0 0.0 3 -1 0 480
"""


def test_missing_end_depot_is_a_copy_of_node_0() -> None:
    """a2-16 has no end-depot line: node 2n+1 is appended as a copy of node 0."""
    inst = read_cordeau(shared_path("darp_cordeau2006/instances/a2-16.txt"))
    assert len(inst.requests) == 16
    assert inst.n_nodes == 34 and inst.node_ids[-1] == 33
    assert (inst.x[-1], inst.y[-1], inst.load[-1]) == (inst.x[0], inst.y[0], 0)
    assert inst.requests[0] == (1, 17) and inst.max_ride == 30 and inst.capacity == 3


def test_header_f2_is_ignored_when_it_says_n() -> None:
    """a3-18's second header field is n (not 2n); n comes from the loads."""
    inst = read_cordeau(shared_path("darp_cordeau2006/instances/a3-18.txt"))
    assert len(inst.requests) == 18 and inst.n_nodes == 38
    assert inst.tw_end[0] == 360 and inst.max_route_duration == 360


def test_b_set_loads_and_present_end_depot() -> None:
    """b-set loads go up to 6 and every drop-off has the opposite load of its pickup."""
    inst = read_cordeau(shared_path("darp_cordeau2006/instances/b2-16.txt"))
    assert inst.capacity == 6
    assert all(-inst.load[d] == inst.load[p] > 0 for p, d in inst.requests)
    assert max(inst.load) > 1


def test_lilim_pairs_come_from_index_columns() -> None:
    """lc101 pairs are read from the pickup/delivery columns, not from id order."""
    inst = read_lilim(shared_path("pdptw_li_lim_100/instances/lc101.txt"))
    assert len(inst.requests) == 53 and inst.vehicles == 25 and inst.capacity == 200
    assert (3, 75) in inst.requests
    assert inst.node_ids[inst.end_depot] == 0 and inst.end_depot == 107


def test_tiny_file_parses(tmp_path: Path) -> None:
    """A hand-written file without end depot gets one."""
    f = tmp_path / "t.txt"
    f.write_text(TINY)
    inst = read_instance(f, "cordeau")
    assert inst.requests == ((1, 3), (2, 4)) and inst.n_nodes == 6


@pytest.mark.parametrize(("text", "where"), [
    (TINY.replace("2 2.0 0.0 3 1", "2 2.0 x 3 1"), ":4:"),
    (TINY.replace("4 4.0 0.0 3 -1", "4 4.0 0.0 3 -2"), ":6:"),
    (TINY.replace("3 3.0 0.0 3 -1 0 480\n", ""), ":5:"),
    (TINY.replace("1 1.0 0.0 3 1 0 480", "7 1.0 0.0 3 1 0 480"), ":3:"),
])
def test_bad_cordeau_files_name_file_and_line(tmp_path: Path, text: str, where: str) -> None:
    """Broken Cordeau files raise InstanceError naming file:line."""
    f = tmp_path / "bad.txt"
    f.write_text(text)
    with pytest.raises(InstanceError, match=where) as info:
        read_cordeau(f)
    assert "bad.txt" in str(info.value) and isinstance(info.value, ValueError)


def test_bad_lilim_pairing(tmp_path: Path) -> None:
    """A delivery that does not name its pickup back is reported with its line."""
    f = tmp_path / "ll.txt"
    f.write_text("2 10 1\n0 0 0 0 0 100 0 0 0\n1 1 0 5 0 100 1 0 2\n2 2 0 -5 0 100 1 3 0\n")
    with pytest.raises(InstanceError, match=r"ll\.txt:3: pickup 1 names delivery 2"):
        read_lilim(f)


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    """Unknown formats and unreadable files are DispatchErrors, not tracebacks."""
    with pytest.raises(DispatchError, match="fmt='x'"):
        read_instance(tmp_path / "a.txt", "x")
    with pytest.raises(InstanceError, match="cannot read"):
        read_instance(tmp_path / "missing.txt", "lilim")


@pytest.mark.parametrize(("fmt", "header", "message"), [
    ("cordeau", "0 4 480 3 30", "K=0 and Q=3 must be positive"),
    ("cordeau", "2 4 480 2.5 30", "Q=2.5 is not an integer"),
    ("lilim", "2 0 1", "K=2 and Q=0 must be positive"),
    ("lilim", "1.5 10 1", "K=1.5 is not an integer"),
])
def test_bad_fleet_header(tmp_path: Path, fmt: str, header: str, message: str) -> None:
    """Both readers refuse a header whose K or Q is not a whole positive number, at line 1."""
    f = tmp_path / "h.txt"
    f.write_text(f"{header}\n0 0 0 0 0 0 480 0 0\n")
    with pytest.raises(InstanceError, match=rf"h\.txt:1: {re.escape(message)}"):
        read_instance(f, fmt)

"""``tsunagu darp solve`` prints the benchmark JSON shape."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import shared_path
from web.commands.darp import darp_group


def test_cordeau_json_shape() -> None:
    """Routes run from node 0 to node 2n+1 (added for a2-16) and serve every node once."""
    path = shared_path("darp_cordeau2006/instances/a2-16.txt")
    result = CliRunner().invoke(darp_group, ["solve", str(path), "--format", "cordeau",
                                             "--time-limit", "5", "--seed", "2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"instance", "cost", "vehicles", "routes", "unserved"}
    assert data["instance"] == "a2-16" and data["unserved"] == []
    assert data["vehicles"] == len(data["routes"]) <= 2
    seen = []
    for route in data["routes"]:
        stops = route["stops"]
        assert stops[0]["node"] == 0 and stops[-1]["node"] == 33
        assert all(a["time"] <= b["time"] for a, b in itertools.pairwise(stops))
        seen += [s["node"] for s in stops[1:-1]]
    assert sorted(seen) == list(range(1, 33))
    assert 294.0 < data["cost"] < 330.0


def test_lilim_end_depot_is_node_0() -> None:
    """Li & Lim routes end at node 0 again."""
    path = shared_path("pdptw_li_lim_100/instances/lc201.txt")
    result = CliRunner().invoke(darp_group, ["solve", str(path), "--format", "lilim",
                                             "--time-limit", "1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert all(r["stops"][0]["node"] == 0 == r["stops"][-1]["node"] for r in data["routes"])


def test_bad_file_is_a_clean_error(tmp_path: Path) -> None:
    """A broken file exits non-zero with file:line, not a traceback."""
    bad = tmp_path / "bad.txt"
    bad.write_text("2 4 100 3 30\n0 0 0 0 0 0 480\n1 x 0 3 1 0 480\n")
    result = CliRunner().invoke(darp_group, ["solve", str(bad), "--format", "cordeau",
                                             "--json"])
    assert result.exit_code != 0
    assert "bad.txt:3" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(darp_group, ["solve", str(bad), "--format", "cordeau",
                                             "--time-limit", "0"])
    assert result.exit_code != 0 and "--time-limit" in result.output

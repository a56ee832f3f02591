"""``tsunagu scenario compare`` and ``tsunagu accessibility`` through click's runner."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from gtfs.democity import DemoCity
from tests.web.conftest import run_cli

SCENARIOS = Path(__file__).resolve().parents[2] / "docs" / "scenarios"


def test_compare_writes_the_report(city: DemoCity, tmp_path: Path) -> None:
    """The report has the KPI table (absolute + delta), the charts and a map per alternative."""
    out = tmp_path / "cmp"
    code, stdout, err = run_cli("scenario", "compare", str(SCENARIOS / "base.yml"),
                                str(SCENARIOS / "alt1_brt_branch.yml"), "--out", str(out),
                                "--base-dir", str(city.out_dir), "--trips", "30", "--departures",
                                "1", "--origins", "40", "--seed", "2")
    assert code == 0, err
    assert "Door-to-door, mean [min]" in stdout and "alt1_brt_branch" in stdout
    assert "report:" in stdout
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<table id="kpis">' in page and "<th>Δ alt1_brt_branch</th>" in page
    assert page.count('<tr data-kpi="') >= 20
    assert page.count("data:image/png;base64,") == 2  # chart + one map
    for name in ("kpis.png", "access_change_1.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    res = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in res["scenarios"]] == ["base", "alt1_brt_branch"]
    row = next(r for r in res["kpi_table"] if r["key"] == "bus_vehicle_hours")
    assert row["deltas"][0] == 0
    assert row["deltas"][1] == pytest.approx(row["values"][1] - row["values"][0], abs=1e-2)
    assert row["deltas"][1] > 0  # alt1 adds a BRT branch


def test_bad_scenario_is_one_line_exit_2(city: DemoCity, tmp_path: Path) -> None:
    """A scenario with an error: one line on stderr naming the file, exit code 2."""
    bad = tmp_path / "bad.yml"
    bad.write_text("version: 1\nname: bad\nbase: {dir: x, feed: gtfs.zip}\n"
                   "modifications:\n  - kind: remove-routes\n    route_ids: [NOPE]\n",
                   encoding="utf-8")
    code, _, err = run_cli("scenario", "compare", str(SCENARIOS / "base.yml"), str(bad),
                                "--out", str(tmp_path / "o"), "--base-dir", str(city.out_dir),
                                "--trips", "5", "--departures", "1", "--origins", "5")
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "bad.yml" in err
    code, _, err = run_cli("scenario", "compare", str(tmp_path / "missing.yml"), "--out",
                           str(tmp_path / "o2"))
    assert code == 2 and "missing.yml" in err and err.count("\n") == 1


def test_accessibility_command_writes_cells(city: DemoCity, tmp_path: Path) -> None:
    """tsunagu accessibility writes one row per cell with jobs growing with the threshold."""
    cells = tmp_path / "cells.csv"
    with (city.out_dir / "cells.csv").open(encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    cells.write_text("\n".join(lines[:1] + lines[1:3300:110]) + "\n", encoding="utf-8")
    out = tmp_path / "access.csv"
    code, stdout, err = run_cli("accessibility", "--feed", str(city.feed_path), "--cells",
                                str(cells), "--departures", "2", "--out", str(out))
    assert code == 0, err
    assert "30 cells x 2 departures" in stdout
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 30
    for r in rows:
        assert float(r["jobs_30min"]) <= float(r["jobs_45min"]) <= float(r["jobs_60min"])
    assert any(float(r["jobs_60min"]) > 0 for r in rows)
    code, _, err = run_cli("accessibility", "--cells", str(cells), "--out", str(out))
    assert code == 2 and err.startswith("error: give one of --feed or --scenario")


def test_compare_json(city: DemoCity, tmp_path: Path) -> None:
    """--json prints the comparison: scenarios with KPIs, the KPI table and the files."""
    code, stdout, err = run_cli("scenario", "compare", str(SCENARIOS / "base.yml"),
                                str(SCENARIOS / "alt2_drt_replaces_feeders.yml"), "--out",
                                str(tmp_path / "j"), "--base-dir", str(city.out_dir), "--trips",
                                "20", "--departures", "1", "--origins", "20", "--json")
    assert code == 0, err
    info = json.loads(stdout)
    assert [s["name"] for s in info["scenarios"]] == ["base", "alt2_drt_replaces_feeders"]
    assert info["files"]["report"] == "report.html"
    table = {r["key"]: r for r in info["kpi_table"]}
    assert table["bus_vehicle_hours"]["deltas"][1] < 0  # alt2 removes two feeders
    assert len(info["scenarios"][1]["access_median_jobs"]) == 20

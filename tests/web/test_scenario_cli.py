"""Tests for ``tsunagu scenario apply`` and ``tsunagu demand generate`` through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

from gtfs.cells_io import read_od_csv
from gtfs.democity import DemoCity
from tests.web.conftest import run_cli

SCENARIOS = Path(__file__).resolve().parents[2] / "docs" / "scenarios"


def test_apply_prints_what_changed(city: DemoCity, tmp_path: Path) -> None:
    """scenario apply writes the feed and lists each modification with its count changes."""
    code, out, err = run_cli("scenario", "apply", str(SCENARIOS / "alt2_drt_replaces_feeders.yml"),
                             "--out", str(tmp_path / "alt2"), "--base-dir", str(city.out_dir))
    assert code == 0, err
    assert "scenario alt2_drt_replaces_feeders" in out
    assert "[0] remove-routes 'F1-07, F1-09': routes -2" in out
    assert "[2] set-fleet 'drt_zone_1': vehicles +4" in out
    assert (tmp_path / "alt2" / "gtfs.zip").is_file()
    assert (tmp_path / "alt2" / "drt_service.yaml").is_file()


def test_apply_json(city: DemoCity, tmp_path: Path) -> None:
    """--json gives paths, counts before and after, and one entry per modification."""
    code, out, _ = run_cli("scenario", "apply", str(SCENARIOS / "alt1_brt_branch.yml"), "--out",
                           str(tmp_path / "alt1"), "--base-dir", str(city.out_dir), "--json")
    assert code == 0
    info = json.loads(out)
    assert info["name"] == "alt1_brt_branch"
    assert info["counts_after"]["routes"] == info["counts_before"]["routes"] + 1
    assert [m["label"] for m in info["modifications"]] == ["add-route 'BRT2'",
                                                          "adjust-frequency 'BRT1'"]
    assert info["modifications"][0]["changes"]["stops"] == 2
    assert Path(info["feed"]).is_file()


def test_apply_bad_file_is_one_line_exit_2(city: DemoCity, tmp_path: Path) -> None:
    """A bad modification or a missing file is one line on stderr and exit code 2."""
    bad = tmp_path / "bad.yml"
    bad.write_text("version: 1\nbase: {feed: gtfs.zip}\nmodifications:\n"
                   "  - {kind: adjust-frequency, route_id: BRT1,\n"
                   "     headways: [{start: '07:00:00', end: '09:00:00', headway_s: 0}]}\n",
                   encoding="utf-8")
    code, out, err = run_cli("scenario", "apply", str(bad), "--out", str(tmp_path / "o"),
                             "--base-dir", str(city.out_dir))
    assert code == 2 and out == ""
    assert err.strip() == ("error: bad.yml:5: modifications[0] (adjust-frequency 'BRT1'): "
                           "headways[0].headway_s: 0 must be positive")
    code, _, err = run_cli("scenario", "apply", str(tmp_path / "nope.yml"), "--out",
                           str(tmp_path / "o"))
    assert code == 2 and "nope.yml" in err and "Traceback" not in err


def test_demand_generate(city: DemoCity, tmp_path: Path) -> None:
    """demand generate writes N trips from the demo's cells, the same for the same seed."""
    out = tmp_path / "od.csv"
    args = ("demand", "generate", "--cells", str(city.out_dir / "cells.csv"), "--trips", "500",
            "--seed", "7", "--out", str(out))
    code, stdout, err = run_cli(*args)
    assert code == 0, err
    assert stdout.startswith("500 trips from 3328 cells")
    first = out.read_bytes()
    assert read_od_csv(out).n_trips == 500
    assert run_cli(*args)[0] == 0 and out.read_bytes() == first
    code, _, err = run_cli("demand", "generate", "--cells", str(tmp_path / "none.csv"), "--trips",
                           "5", "--seed", "1", "--out", str(out))
    assert code == 2 and err.startswith("error: ") and "none.csv" in err

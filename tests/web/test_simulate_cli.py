"""Tests for ``tsunagu simulate`` through click's runner (small days on the demo city)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from gtfs.democity import DemoCity
from web.cli import cli

KPI_KEYS = {"requests", "served", "rejected", "no_shows", "served_pct", "rejected_pct",
            "wait_mean_s", "wait_p95_s", "ride_mean_s", "detour_factor_mean", "passenger_km",
            "vehicle_km", "empty_km", "occupancy_pax_km_per_vehicle_km", "vehicle_hours",
            "driving_hours", "co2_kg", "reoptimizations", "reoptimizations_adopted"}


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["simulate", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_summary_on_the_demo_city(city: DemoCity, tmp_path: Path) -> None:
    """--json prints the day, fleet, travel source and every KPI; --events writes JSON lines."""
    events = tmp_path / "events.jsonl"
    code, out, err = _run("--data-dir", str(city.out_dir.parent), "--fleet", "3",
                          "--demand-scale", "0.3", "--reopt-every", "60",
                          "--reopt-time-limit", "0.2", "--events", str(events), "--json")
    assert code == 0, err
    info = json.loads(out)
    assert set(info["kpis"]) == KPI_KEYS
    assert info["vehicles"] == 3 and info["travel"] == "streets"
    assert info["date"] == "2026-10-07" and info["services"] == ["weekday"]
    k = info["kpis"]
    assert k["requests"] > 50 and k["served"] + k["rejected"] == k["requests"]
    assert k["vehicle_km"] > k["empty_km"] > 0 and k["co2_kg"] > 0
    assert k["vehicle_hours"] == 3 * 12.0
    lines = events.read_text(encoding="utf-8").splitlines()
    assert info["events"] == len(lines)
    kinds = {json.loads(x)["kind"] for x in lines}
    assert {"request", "accept", "drive", "pickup", "dropoff", "shift_end"} <= kinds


def test_text_summary_from_a_request_file(city: DemoCity, tmp_path: Path) -> None:
    """--requests FILE simulates exactly those rows; the text names served and rejected."""
    csv_path = tmp_path / "day.csv"
    csv_path.write_text(
        "id,request_time,pickup_lat,pickup_lon,dropoff_lat,dropoff_lon,passengers,wheelchair,"
        "earliest_pickup\n"
        "home-1,8:00:00,36.693,140.660,36.702902,140.700891,1,no,9:00:00\n"
        "far-away,8:00:00,36.55,140.62,36.56,140.63,1,no,9:00:00\n", encoding="utf-8")
    code, out, err = _run("--data-dir", str(city.out_dir.parent), "--requests",
                          str(csv_path), "--reopt-every", "0")
    assert code == 0, err
    assert "requests      2: served 1 (50.0 %), rejected 1 (50.0 %)" in out


def test_errors_are_one_line_and_exit_2(city: DemoCity, tmp_path: Path) -> None:
    """Bad combinations, a bad CSV and a missing city exit 2 with one line on stderr."""
    bad = tmp_path / "bad.csv"
    bad.write_text("id,request_time\n", encoding="utf-8")
    data = str(city.out_dir.parent)
    for args, needle in [
        (("--requests", str(bad), "--demand-scale", "2"), "cannot be combined"),
        (("--requests", str(bad)), "bad.csv:1: missing column"),
        (("--requests", str(tmp_path / "none.csv")), "no such file"),
        (("--fleet", "0"), "--fleet=0"),
        (("--reopt-every", "nan"), "--reopt-every=nan"),
        (("--reopt-time-limit", "0"), "--reopt-time-limit=0.0"),
        (("--no-show", "2"), "no_show_probability=2.0"),
        (("--demand-scale", "-1"), "scale=-1.0"),
    ]:
        code, _, err = _run("--data-dir", data, *args)
        assert code == 2 and needle in err and len(err.strip().splitlines()) == 1, (args, err)
    code, _, err = _run("--data-dir", str(tmp_path / "empty"))
    assert code == 2 and "tsunagu demo" in err

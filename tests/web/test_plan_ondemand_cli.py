"""``tsunagu plan --on-demand`` on the demo city: ON_DEMAND legs, booking info, bad input."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from web.cli import cli

DAY = "2026-10-07"
HOME = "36.692,140.66"  # in the hills (drt_zone_1), far from every stop


def _run(demo: Path, cache: Path, *args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(cli, ["plan", "--feed", str(demo / "gtfs.zip"), "--date", DAY,
                                   "--osm", str(demo / "streets.osm"), "--cache-dir",
                                   str(cache), *args])
    return res.exit_code, res.stdout, res.stderr


def test_plan_on_demand_text(data_root: Path, tmp_path: Path) -> None:
    """From the hills to the main station: a ride to a hub timed to the bus, with booking."""
    code, out, err = _run(data_root / "demo", tmp_path, "--from", HOME, "--to",
                          "stop:B00011", "--depart", "08:00", "--on-demand")
    assert code == 0, err
    assert "ON_DEMAND 08:3" in out and "→ BUS " in out and "B00011" in out
    assert "pickup window 08:30" in out and "book by 08:00" in out


def test_without_on_demand_the_hills_are_cut_off(data_root: Path, tmp_path: Path) -> None:
    """The same query without --on-demand finds nothing: the ride is what connects."""
    code, out, _ = _run(data_root / "demo", tmp_path, "--from", HOME, "--to", "stop:B00011",
                        "--depart", "08:00")
    assert code == 0 and "no journey found" in out and "ON_DEMAND" not in out


def test_plan_on_demand_json_and_fleet_state(data_root: Path, tmp_path: Path) -> None:
    """JSON legs carry mode ON_DEMAND and bookingInfo; a fleet state file is read."""
    state = tmp_path / "fleet.json"
    state.write_text(json.dumps({"now": "07:00:00", "zones": {"drt_zone_1": {"vehicles": [
        {"vehicle_id": "drt_zone_1-01", "lat": 36.69, "lon": 140.66, "at": "07:00:00"}]}}}))
    code, out, err = _run(data_root / "demo", tmp_path, "--from", HOME, "--to", "stop:B00011",
                          "--depart", "08:00", "--on-demand", "--fleet-state", str(state),
                          "--booked-at", "07:00", "--json")
    assert code == 0, err
    legs = json.loads(out)["plan"]["itineraries"][0]["legs"]
    od = legs[0]
    assert od["mode"] == "ON_DEMAND" and od["transitLeg"] is True
    assert od["zoneId"] == "drt_zone_1" and od["to"]["vertexType"] == "TRANSIT"
    info = od["bookingInfo"]
    assert info["pickupWindow"]["start"] <= info["pickupWindow"]["end"]
    assert info["minimumNotice"] == 1800 and info["fare"]["amount"] == 300
    bus = next(leg for leg in legs if leg["mode"] == "BUS")
    assert od["endTime"] + 180_000 <= bus["startTime"]


def test_on_demand_bad_input(data_root: Path, tmp_path: Path) -> None:
    """Missing files and options without --on-demand are one line and exit 2."""
    demo = data_root / "demo"
    code, _, err = _run(demo, tmp_path, "--from", HOME, "--to", "stop:B00011", "--depart",
                        "08:00", "--fleet-state", "x.json")
    assert code == 2 and "need --on-demand" in err
    code, _, err = _run(demo, tmp_path, "--from", HOME, "--to", "stop:B00011", "--depart",
                        "08:00", "--on-demand", "--ondemand-config", str(tmp_path / "no.yaml"))
    assert code == 2 and "no.yaml: no such file" in err
    bad = tmp_path / "bad.json"
    bad.write_text('{"zones": {"elsewhere": {}}}')
    code, _, err = _run(demo, tmp_path, "--from", HOME, "--to", "stop:B00011", "--depart",
                        "08:00", "--on-demand", "--fleet-state", str(bad))
    assert code == 2 and "zones.elsewhere: not a zone" in err and "Traceback" not in err
    code, _, err = _run(demo, tmp_path, "--from", HOME, "--to", "stop:B00011", "--depart",
                        "08:00", "--on-demand", "--booked-at", "8h")
    assert code == 2 and "--booked-at" in err

"""``tsunagu plan`` and ``tsunagu plan-batch`` on a tiny inline GTFS feed."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from routing.polyline import decode
from web.cli import cli

FILES = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\n"
                  "A,Tiny Bus,https://example.org,Asia/Tokyo\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
                 "S1,Station,36.5900,140.6500\n"
                 "S2,Market,36.6000,140.6500\n"
                 "S3,Hospital,36.6100,140.6500\n"
                 "S4,Harbour,36.6100,140.6520\n"
                 "S5,School,36.6300,140.6520\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\n"
                  "R10,A,10,Coast Line,3\nR20,A,20,Hill Line,3\n",
    "trips.txt": "route_id,service_id,trip_id,trip_headsign\n"
                 "R10,WK,T1,Hospital\nR10,WK,T2,Hospital\nR20,WK,T3,School\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                      "T1,08:00:00,08:00:00,S1,1\nT1,08:06:00,08:06:00,S2,2\n"
                      "T1,08:12:00,08:12:00,S3,3\n"
                      "T2,08:30:00,08:30:00,S1,1\nT2,08:36:00,08:36:00,S2,2\n"
                      "T2,08:42:00,08:42:00,S3,3\n"
                      "T3,08:20:00,08:20:00,S4,1\nT3,08:35:00,08:35:00,S5,2\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
                    "start_date,end_date\nWK,1,1,1,1,1,0,0,20260101,20261231\n",
}
DAY = "2026-01-05"  # a Monday


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    """Write the tiny feed as a zip."""
    path = tmp_path / "tiny.zip"
    with zipfile.ZipFile(path, "w") as z:
        for name, text in FILES.items():
            z.writestr(name, text)
    return path


def _run(args: list[str], tmp_path: Path) -> tuple[int, str, str]:
    runner = CliRunner()
    res = runner.invoke(cli, [*args, "--cache-dir", str(tmp_path / "cache")])
    return res.exit_code, res.stdout, res.stderr


def test_plan_prints_itinerary_with_walking_transfer(feed: Path, tmp_path: Path) -> None:
    """From S1 to S5: bus 10 to the hospital, walk to the harbour stop, bus 20."""
    code, out, err = _run(["plan", "--feed", str(feed), "--date", DAY, "--from", "stop:S1",
                           "--to", "stop:S5", "--depart", "07:50"], tmp_path)
    assert code == 0, err
    # S3 -> S4: 178.5 m crow-fly x 1.3 / 1.2 m/s = 193 s
    assert "BUS 10 S1 08:00 → S3 08:12 → WALK 193s S4 → BUS 20 S4 08:20 → S5 08:35" in out


def test_plan_transfers_none_finds_nothing(feed: Path, tmp_path: Path) -> None:
    """Without walking between stops, S5 cannot be reached from S1."""
    code, out, _ = _run(["plan", "--feed", str(feed), "--date", DAY, "--from", "stop:S1",
                         "--to", "stop:S5", "--depart", "07:50", "--transfers", "none"],
                        tmp_path)
    assert code == 0
    assert "no journey found" in out


def test_plan_json_is_otp_shaped(feed: Path, tmp_path: Path) -> None:
    """--json gives plan.itineraries[].legs[] with ISO times and encoded geometry."""
    code, out, err = _run(["plan", "--feed", str(feed), "--date", DAY, "--from",
                           "36.5890,140.6500", "--to", "stop:S3", "--depart", "07:50",
                           "--json"], tmp_path)
    assert code == 0, err
    plan = json.loads(out)["plan"]
    legs = plan["itineraries"][0]["legs"]
    assert [leg["mode"] for leg in legs] == ["WALK", "BUS"]
    bus = legs[1]
    assert bus["routeShortName"] == "10" and bus["headsign"] == "Hospital"
    assert bus["startTimeIso"] == "2026-01-05T08:00:00+09:00"
    assert [s["stopId"] for s in bus["intermediateStops"]] == ["S2"]
    pts = decode(bus["legGeometry"]["points"])
    assert pts[0] == (36.59, 140.65) and pts[-1] == (36.61, 140.65)
    assert legs[0]["to"]["stopId"] == "S1" and legs[0]["distance"] > 100


def test_plan_arrive_by(feed: Path, tmp_path: Path) -> None:
    """Arrive at S3 by 08:45: leave S1 on the 08:30 trip."""
    code, out, err = _run(["plan", "--feed", str(feed), "--date", DAY, "--from", "stop:S1",
                           "--to", "stop:S3", "--arrive", "08:45"], tmp_path)
    assert code == 0, err
    assert "BUS 10 S1 08:30 → S3 08:42" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "stop:NOPE", "--to", "stop:S3", "--depart", "08:00"], "--from: no stop 'NOPE'"),
    (["--from", "stop:S1", "--to", "36.6,", "--depart", "08:00"], "--to: expected LAT,LON"),
    (["--from", "stop:S1", "--to", "stop:S3", "--depart", "8h"], "--depart: expected HH:MM"),
    (["--from", "stop:S1", "--to", "stop:S3"], "exactly one of --depart"),
])
def test_plan_bad_input_is_one_line(feed: Path, tmp_path: Path, args: list[str],
                                    message: str) -> None:
    """Bad places and times exit 2 with one line naming the argument."""
    code, _, err = _run(["plan", "--feed", str(feed), "--date", DAY, *args], tmp_path)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_plan_window_lists_both_departures(feed: Path, tmp_path: Path) -> None:
    """--window 60 from S1 to S3 lists the 08:00 and the 08:30 trips."""
    code, out, err = _run(["plan", "--feed", str(feed), "--date", DAY, "--from", "stop:S1",
                           "--to", "stop:S3", "--depart", "07:50", "--window", "60"], tmp_path)
    assert code == 0, err
    assert "2 itineraries" in out
    assert "BUS 10 S1 08:00 → S3 08:12" in out and "BUS 10 S1 08:30 → S3 08:42" in out


def test_plan_criterion_and_transfer_limit(feed: Path, tmp_path: Path) -> None:
    """--criterion walk keeps the walking journey; --max-transfers 0 forbids the change."""
    args = ["plan", "--feed", str(feed), "--date", DAY, "--from", "stop:S1", "--to",
            "stop:S5", "--depart", "07:50"]
    code, out, err = _run([*args, "--criterion", "walk"], tmp_path)
    assert code == 0, err
    assert "WALK 193s S4" in out
    code, out, _ = _run([*args, "--max-transfers", "0"], tmp_path)
    assert code == 0 and "no journey found" in out
    code, _, err = _run([*args, "--arrive", "09:00"], tmp_path)
    assert code == 2 and "exactly one of" in err


def test_plan_batch_writes_one_row_per_query(feed: Path, tmp_path: Path) -> None:
    """plan-batch: reachable rows carry arrival and transfers, unreachable ones are blank."""
    q = tmp_path / "q.csv"
    q.write_text("id,from,to,depart\n"
                 "a,stop:S1,stop:S5,07:50:00\n"
                 "b,stop:S1,stop:S3,08:01:00\n"
                 "c,stop:S5,stop:S1,08:00:00\n")
    out = tmp_path / "r.csv"
    code, _, err = _run(["plan-batch", "--feed", str(feed), "--date", DAY, "--queries", str(q),
                         "--out", str(out), "--workers", "1"], tmp_path)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["id"], r["departure"], r["arrival"], r["transfers"]) for r in rows] == [
        ("a", "07:50:00", "08:35:00", "1"), ("b", "08:01:00", "08:42:00", "0"),
        ("c", "08:00:00", "", "")]


def test_plan_batch_bad_row_names_file_and_line(feed: Path, tmp_path: Path) -> None:
    """A bad query row is reported as file:line with the column."""
    q = tmp_path / "q.csv"
    q.write_text("id,from,to,depart\na,stop:S1,stop:S3,08:00:00\nb,stop:S1,stop:XX,08:00:00\n")
    code, _, err = _run(["plan-batch", "--feed", str(feed), "--date", DAY, "--queries", str(q)],
                        tmp_path)
    assert code == 2
    assert f"{q}:3: to: no stop 'XX'" in err

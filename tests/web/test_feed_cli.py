"""Tests for ``tsunagu feed info`` and ``tsunagu feed validate`` through click's runner."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import shared_path
from web.cli import cli

AGENCY = "agency_id,agency_name,agency_url,agency_timezone\nA,Hitachi Bus,http://x,Asia/Tokyo\n"
FILES = {
    "agency.txt": AGENCY,
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nS1,One,36.6,140.65\nS2,Two,36.6,140.66\n",
    "routes.txt": "route_id,route_short_name,route_long_name,route_type\nR1,1,BRT,3\n",
    "trips.txt": "route_id,service_id,trip_id\nR1,WK,T1\nR1,WE,T2\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                      "T1,7:05:00,7:05:00,S1,1\nT1,7:15:00,7:15:00,S2,2\n"
                      "T2,25:00:00,25:00:00,S1,1\nT2,25:10:00,25:10:00,S2,2\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
                    "start_date,end_date\nWK,1,1,1,1,1,0,0,20260101,20261231\n"
                    "WE,0,0,0,0,0,1,1,20260101,20261231\n",
}


def _feed(tmp_path: Path, **changes: str) -> Path:
    path = tmp_path / "feed.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in {**FILES, **changes}.items():
            zf.writestr(name, text)
    return path


def _run(*args: str, cache: Path | None = None) -> tuple[int, str, str]:
    extra = ["--cache-dir", str(cache)] if cache is not None and args[0] == "info" else []
    result = CliRunner().invoke(cli, ["feed", *args, *extra])
    return result.exit_code, result.stdout, result.stderr


def test_info_json_with_date(tmp_path: Path) -> None:
    """--json --date prints one object with counts and the day's active trips."""
    code, out, _ = _run("info", str(_feed(tmp_path)), "--date", "2026-01-05", "--json",
                        cache=tmp_path / "c")
    assert code == 0
    info = json.loads(out)
    assert (info["stops"], info["routes"], info["trips"], info["stop_times"]) == (2, 1, 2, 4)
    assert info["active_trips"] == 1
    # Sunday's 25:00 trip still runs after Monday's midnight
    assert info["compiled_trips"] == 2 and info["previous_day_trips"] == 1
    assert info["patterns"] == 1 and info["connections"] == 2
    assert info["timezone"] == "Asia/Tokyo" and info["agencies"] == ["Hitachi Bus"]
    assert info["service_start"] == "2026-01-01" and info["service_end"] == "2026-12-31"


def test_info_text_without_date(tmp_path: Path) -> None:
    """Without --date the text summary shows counts and no active trips."""
    code, out, _ = _run("info", str(_feed(tmp_path)))
    assert code == 0
    assert "2 stops, 1 routes, 2 trips, 4 stop_times" in out
    assert "active:" not in out


def test_info_json_without_date_has_no_active_trips(tmp_path: Path) -> None:
    """The JSON object lacks active_trips when no date is given."""
    code, out, _ = _run("info", str(_feed(tmp_path)), "--json")
    assert code == 0 and "active_trips" not in json.loads(out)


def test_broken_feed_is_one_line_naming_file_and_line(tmp_path: Path) -> None:
    """A bad time is one stderr line naming stop_times.txt and its line; exit 2."""
    bad = FILES["stop_times.txt"].replace("T1,7:15:00,7:15:00", "T1,7:15,7:15")
    code, out, err = _run("info", str(_feed(tmp_path, **{"stop_times.txt": bad})), "--json")
    assert code == 2 and out == ""
    assert err == "error: stop_times.txt:3: arrival_time '7:15' is not a time H:MM:SS\n"


@pytest.mark.parametrize("args", [
    ("info", "{missing}"),
    ("info", "{feed}", "--date", "2026-02-30"),
    ("validate", "{missing}"),
    ("info", "{notzip}"),
])
def test_bad_input_is_one_line_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    """Missing files, bad dates and non-zips give one stderr line and exit code 2."""
    notzip = tmp_path / "x.zip"
    notzip.write_text("hello")
    values = {"missing": str(tmp_path / "nope.zip"), "feed": str(_feed(tmp_path)),
              "notzip": str(notzip)}
    code, out, err = _run(*(a.format(**values) for a in args))
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1


def test_usage_error_keeps_click_exit_code() -> None:
    """A missing argument is click's own usage error, exit code 2."""
    code, _, err = _run("info")
    assert code == 2 and "Missing argument" in err


def test_validate_reports_warnings(tmp_path: Path) -> None:
    """validate prints warnings and exits 0 for a usable feed."""
    routes = FILES["routes.txt"] + "R2,2,Empty,3\n"
    code, out, _ = _run("validate", str(_feed(tmp_path, **{"routes.txt": routes})))
    assert code == 0
    assert "warning: routes.txt:3: route 'R2' has no trips" in out


@pytest.mark.shared
def test_yamanashi_info(tmp_path: Path) -> None:
    """The done-when command: Yamanashi on 2019-06-12 as JSON."""
    path = shared_path("gtfs_jp_yamanashi/yamanashi_gtfs.zip")
    code, out, _ = _run("info", str(path), "--date", "2019-06-12", "--json", cache=tmp_path)
    assert code == 0
    info = json.loads(out)
    assert (info["stops"], info["routes"], info["trips"], info["stop_times"]) == \
        (2386, 369, 1508, 49425)
    assert info["active_trips"] == 1396 and info["compiled_trips"] == 1396
    assert info["timezone"] == "Asia/Tokyo" and len(info["agencies"]) == 9


def test_cache_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """TSUNAGU_CACHE_DIR chooses the cache folder; an empty --cache-dir disables caching."""
    feed = str(_feed(tmp_path))
    cache = tmp_path / "env-cache"
    monkeypatch.setenv("TSUNAGU_CACHE_DIR", str(cache))
    result = CliRunner().invoke(cli, ["feed", "info", feed, "--date", "2026-01-05"])
    assert result.exit_code == 0 and len(list(cache.glob("*.npz"))) == 1
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["feed", "info", feed, "--date", "2026-01-06",
                                      "--cache-dir", ""])
    assert result.exit_code == 0 and "active:      1 trips" in result.stdout
    assert len(list(cache.glob("*.npz"))) == 1 and not (tmp_path / "var").exists()

"""Tests for ``tsunagu ondemand info`` through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from gtfs.democity import DemoCity
from tests.gtfs.flexfeed import write_feed
from web.cli import cli


def _run(*args: str, data_dir: Path | None = None) -> tuple[int, str, str]:
    env = {"TSUNAGU_DATA_DIR": str(data_dir)} if data_dir is not None else None
    result = CliRunner().invoke(cli, ["ondemand", "info", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_info_reads_the_demo_city_by_default(city: DemoCity) -> None:
    """Without options the demo city's zone, area, hubs, hours, fleet and rules are printed."""
    code, out, err = _run(data_dir=city.out_dir.parent)
    assert code == 0, err
    zone_id = city.drt_zone_ids[0]
    assert f"zone {zone_id}" in out
    assert "km²" in out and "weekday 07:00:00-19:00:00" in out
    assert f"fleet       {city.n_drt_vehicles} vehicles" in out
    assert "same day, at least 30 min ahead, up to 7 days ahead" in out
    assert "pickup window 900 s, transfer buffer 180 s, fare 300 yen" in out


def test_info_json(city: DemoCity) -> None:
    """--json gives one object per zone with its area, hubs, hours, fleet and booking."""
    code, out, _ = _run("--feed", str(city.feed_path), "--config", str(city.drt_service_path),
                        "--json")
    assert code == 0
    info = json.loads(out)
    assert info["timezone"] == "Asia/Tokyo"
    (zone,) = info["zones"]
    assert zone["zone_id"] == city.drt_zone_ids[0] and 0.5 < zone["area_km2"] < 5
    assert zone["hours"] == {"weekday": ["07:00:00-19:00:00"], "weekend": ["08:00:00-18:00:00"]}
    assert zone["fleet"]["vehicles"] == city.n_drt_vehicles
    assert {t["energy"] for t in zone["fleet"]["by_type"]} == {"ev", "diesel"}
    assert zone["booking"]["min_notice_s"] == 1800 and len(zone["hubs"]) == 3


def test_config_alone_finds_its_feed_and_feed_alone_reads_flex(city: DemoCity) -> None:
    """--config alone uses the feed it names; --feed alone shows the Flex zone without fleet."""
    code, out, _ = _run("--config", str(city.drt_service_path), "--json")
    assert code == 0 and json.loads(out)["zones"][0]["fleet"]["vehicles"] == city.n_drt_vehicles
    code, out, _ = _run("--feed", str(city.feed_path))
    assert code == 0 and "fleet       (none)" in out and "(none: never open)" in out


def test_tiny_flex_feed_text(tmp_path: Path) -> None:
    """A Flex-only feed prints both zones, the windows per service and the booking contact."""
    code, out, _ = _run("--feed", str(write_feed(tmp_path, as_zip=True)))
    assert code == 0
    assert "zone Z1  Hill zone" in out and "zone Z2  Twin zone" in out
    assert "WE 08:00:00-12:00:00, 13:00:00-17:00:00; WK 07:00:00-19:00:00" in out
    assert "hubs        S1, S2, S3" in out
    assert "how to book Call us 0294-00-0000 https://example.org/book" in out


def test_bad_definition_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """A bad YAML file is one line on stderr naming file:line and key, exit 2, no traceback."""
    feed = write_feed(tmp_path / "feed")
    bad = tmp_path / "drt_service.yaml"
    bad.write_text("version: 1\nservices:\n  - service_id: x\n    zone_id: Z1\n"
                   "    hub_stop_ids: [S9]\n", encoding="utf-8")
    code, out, err = _run("--feed", str(feed), "--config", str(bad))
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "error: drt_service.yaml:5: services[0].hub_stop_ids[0]: stop_id 'S9' is not in "
        "stops.txt"]


def test_bad_flex_and_missing_files_exit_2(tmp_path: Path) -> None:
    """A broken locations.geojson or a missing file is one line on stderr, exit 2."""
    feed = write_feed(tmp_path / "f", {"locations.geojson": "{\n  nope"})
    code, _, err = _run("--feed", str(feed))
    assert code == 2 and err.startswith("error: locations.geojson:2: not valid JSON")
    code, _, err = _run("--feed", str(tmp_path / "absent.zip"))
    assert code == 2 and "absent.zip: no such file or directory" in err
    assert len(err.strip().splitlines()) == 1

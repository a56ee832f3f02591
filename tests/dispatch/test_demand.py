"""Tests of day demand: generation from cells and the request CSV reader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dispatch.demand import (
    DemandError,
    DemandProfile,
    generate_day,
    parse_time_s,
    read_requests_csv,
    requests_from_trips,
)
from dispatch.model import EARLIEST_PICKUP, LATEST_DROPOFF
from tests.dispatch.simfixtures import LON, at, tiny_service

HEADER = "id,request_time,pickup_lat,pickup_lon,dropoff_lat,dropoff_lon,passengers,wheelchair,"


def _cells() -> dict[str, np.ndarray]:
    # four cells inside the zone (lat 34.99-35.05), one outside with many people
    return {"cell_lat": np.array([35.0, 35.01, 35.02, 35.04, 36.0]),
            "cell_lon": np.full(5, LON),
            "population": np.array([1000, 2000, 0, 1000, 50_000]),
            "jobs": np.array([0, 100, 900, 0, 0])}


def _day(seed: int, **kw: object) -> list:
    service = tiny_service()
    return generate_day(service, hubs={"Z": [at(0)]}, service_ids={"wk"}, seed=seed,
                        cell_m=100.0, **_cells(), **kw)  # type: ignore[arg-type]


def test_generated_day_is_deterministic_and_in_the_zone() -> None:
    """Same seed, same day; requests touch the zone, follow the hours and the booking rules."""
    a, b, c = _day(1), _day(1), _day(2)
    assert a == b and a != c
    # 4,000 residents in the zone * 0.05 trips: Poisson around 200
    assert 150 < len(a) < 250
    service = tiny_service()
    rules = service.booking_rules[0]
    for d in a:
        r = d.request
        inside = [service.zone_at(p.lat, p.lon) is not None for p in (r.pickup, r.dropoff)]
        assert any(inside)
        assert r.window_s == rules.pickup_window_s and r.service_s == rules.boarding_s
        assert r.ride_alpha == rules.max_ride_factor
        if r.time_kind == EARLIEST_PICKUP:
            assert 8 * 3600 <= r.requested_time_s < 12 * 3600
            assert r.requested_time_s - d.booked_at_s >= rules.min_notice_s
    assert [d.request.request_id for d in a] == list(range(len(a)))
    assert [d.booked_at_s for d in a] == sorted(d.booked_at_s for d in a)
    hub = at(0)
    to_hub = sum(d.request.dropoff == hub for d in a)
    from_hub = sum(d.request.pickup == hub for d in a)
    assert 0.25 < to_hub / len(a) < 0.45 and 0.25 < from_hub / len(a) < 0.45
    assert any(d.request.time_kind == LATEST_DROPOFF for d in a)


def test_scale_and_profile() -> None:
    """Scale 0 draws nothing; scale 3 about three times more; a bad profile is refused."""
    assert _day(1, scale=0.0) == []
    assert 2.5 < len(_day(1, scale=3.0)) / len(_day(1)) < 3.5
    with pytest.raises(DemandError, match="hourly_weights"):
        DemandProfile(hourly_weights=(1.0,) * 23)
    with pytest.raises(DemandError, match=r"hub_share=1\.5"):
        DemandProfile(hub_share=1.5)
    with pytest.raises(DemandError, match="scale=-1"):
        _day(1, scale=-1.0)


def test_day_without_open_hours_is_empty() -> None:
    """A day whose services do not run the zone has no requests."""
    service = tiny_service()
    c = _cells()
    assert generate_day(service, hubs={}, service_ids={"holiday"}, seed=0,
                        cell_lat=c["cell_lat"], cell_lon=c["cell_lon"],
                        population=c["population"], jobs=c["jobs"]) == []


def _write(tmp_path: Path, body: str, kind: str = "earliest_pickup") -> Path:
    p = tmp_path / "requests.csv"
    p.write_text(HEADER + kind + "\n" + body, encoding="utf-8")
    return p


def test_csv_reads_requests_with_zone_promises(tmp_path: Path) -> None:
    """Rows become requests in file order with the zone's window; times H:MM:SS or seconds."""
    p = _write(tmp_path, "a,7:50:00,35.01,139.05,35.0,139.05,2,no,08:30:00\n"
                         "\n"
                         "b,28800,36.0,140.0,36.1,140.0,,yes,30600\n")
    a, b = read_requests_csv(p, tiny_service())
    assert (a.label, a.booked_at_s, a.request.requested_time_s) == ("a", 28200, 30600)
    assert a.request.passengers == 2 and not a.request.wheelchair
    assert a.request.window_s == 600 and a.request.request_id == 0
    assert (b.label, b.request.passengers, b.request.wheelchair) == ("b", 1, True)
    assert b.request.window_s == 600  # outside every zone: the model's defaults
    (c,) = read_requests_csv(_write(tmp_path, "c,0,35,139,35.01,139,1,0,3600",
                                    "latest_dropoff"))
    assert c.request.time_kind == LATEST_DROPOFF


@pytest.mark.parametrize(("body", "kind", "message"), [
    ("a,7:50,35,139,35,139,1,no,8:00:00\n", "earliest_pickup",
     r"requests.csv:2: request_time: '7:50' is not H:MM:SS"),
    ("a,0,35,139,35,139,1,no,100\na,0,35,139,35,139,1,no,100\n", "earliest_pickup",
     r"requests.csv:3: id='a' is given twice \(first on line 2\)"),
    ("a,0,95,139,35,139,1,no,100\n", "earliest_pickup",
     r"requests.csv:2: pickup_lat='95' is outside"),
    ("a,0,35,139,35,139,0,no,100\n", "earliest_pickup",
     r"requests.csv:2: passengers='0'"),
    ("a,0,35,139,35,139,1,maybe,100\n", "earliest_pickup",
     r"requests.csv:2: wheelchair='maybe'"),
    ("a,200,35,139,35,139,1,no,100\n", "earliest_pickup",
     r"requests.csv:2: request_time='200' is after earliest_pickup='100'"),
    ("a,0,35,139\n", "earliest_pickup", r"requests.csv:2: 4 fields, expected 9"),
    ("", "earliest_pickup,latest_dropoff", r"requests.csv:1: expected exactly one"),
    ("", "pickup_time", r"requests.csv:1: expected exactly one"),
])
def test_csv_errors_name_file_and_line(tmp_path: Path, body: str, kind: str,
                                       message: str) -> None:
    """Each bad row or header is a DemandError naming file:line and the value."""
    with pytest.raises(DemandError, match=message):
        read_requests_csv(_write(tmp_path, body, kind))


def test_csv_missing_file_and_columns(tmp_path: Path) -> None:
    """A missing file, an empty one or missing columns are DemandErrors, not tracebacks."""
    with pytest.raises(DemandError, match="cannot read"):
        read_requests_csv(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(DemandError, match=r"empty\.csv:1: empty file"):
        read_requests_csv(empty)
    few = tmp_path / "few.csv"
    few.write_text("id,request_time\n", encoding="utf-8")
    with pytest.raises(DemandError, match=r"few\.csv:1: missing column.*pickup_lat"):
        read_requests_csv(few)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(DemandError, match=r"bad\.csv"):
        read_requests_csv(bad)


def test_parse_time() -> None:
    """H:MM:SS past 24:00 and plain seconds parse; minutes above 59 do not."""
    assert parse_time_s("25:01:02") == 90062 and parse_time_s(" 42 ") == 42
    with pytest.raises(DemandError, match="above 59"):
        parse_time_s("8:60:00")
    with pytest.raises(DemandError, match="is not H:MM:SS or seconds"):
        parse_time_s("8:00")


def test_requests_from_od_trips_keep_the_zone_trips() -> None:
    """OD trips touching a zone become requests at their departure, booked with notice."""
    from transit.demand import ODTrips

    trips = ODTrips(origin_lat=np.array([35.01, 36.0, 36.0]),
                    origin_lon=np.array([LON, 140.0, 140.0]),
                    destination_lat=np.array([35.03, 35.02, 36.1]),
                    destination_lon=np.array([LON, LON, 140.0]),
                    depart_s=np.array([30_000, 29_000, 31_000], dtype=np.int64),
                    origin_cell=np.full(3, -1, dtype=np.int64),
                    destination_cell=np.full(3, -1, dtype=np.int64),
                    trip_ids=("t1", "t2", "t3"))
    service = tiny_service()
    out = requests_from_trips(service, trips, seed=1)
    assert sorted(d.label for d in out) == ["t1", "t2"]  # t3 never enters the zone
    assert out == requests_from_trips(service, trips, seed=1)
    for d in out:
        t = {"t1": 30_000, "t2": 29_000}[d.label]
        assert d.request.requested_time_s == t and t - d.booked_at_s >= 600
        assert d.request.window_s == 600
    assert [d.request.request_id for d in out] == [0, 1]

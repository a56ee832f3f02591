"""Tests of the day KPIs computed from an event log built by hand."""

from __future__ import annotations

import math

import pytest

from dispatch.errors import DispatchError
from dispatch.kpi import compute_kpis, percentile_nearest_rank
from dispatch.simulation import Event


def _log() -> list[Event]:
    return [
        Event(0, "shift_start", vehicle_id=0, duration_s=36_000),       # 10 h
        Event(0, "shift_start", vehicle_id=1, duration_s=18_000),       # 5 h
        Event(100, "request", 1, duration_s=600, window_s=(1000, 1600)),
        Event(110, "request", 2, duration_s=300, window_s=(1200, 1800)),
        Event(120, "request", 3, duration_s=400, window_s=(1300, 1900)),
        Event(130, "request", 4, duration_s=0, window_s=(1300, 1900)),
        Event(140, "reject", 4, detail="no insertion"),
        Event(900, "drive", vehicle_id=0, passengers=0, duration_s=300, distance_m=2000.0),
        Event(1100, "pickup", 1, 0, passengers=1, duration_s=60),                # wait 100
        Event(1500, "drive", vehicle_id=0, passengers=1, duration_s=340, distance_m=3000.0),
        Event(1500, "pickup", 2, 0, passengers=2, duration_s=60),                # wait 300
        Event(1900, "drive", vehicle_id=0, passengers=3, duration_s=340, distance_m=4000.0),
        Event(1900, "dropoff", 1, 0, passengers=1),        # ride 1900-1100-60 = 740 (/600)
        Event(2300, "drive", vehicle_id=1, passengers=0, duration_s=400, distance_m=1000.0),
        Event(2300, "no_show", 3, 1),
        Event(2400, "drive", vehicle_id=0, passengers=2, duration_s=100, distance_m=500.0),
        Event(2400, "dropoff", 2, 0, passengers=2),        # ride 2400-1500-60 = 840 (/300)
        Event(3000, "reoptimize", detail="adopted"),
        Event(3900, "reoptimize", detail="kept"),
    ]


def test_kpis_of_a_hand_made_log() -> None:
    """Every figure equals the one worked out by hand from the log."""
    k = compute_kpis(_log(), co2_g_per_km={0: 100.0, 1: 250.0})
    assert (k.requests, k.served, k.rejected, k.no_shows) == (4, 2, 1, 1)
    assert k.served_pct == 50.0 and k.rejected_pct == 25.0
    assert k.wait_mean_s == 200.0 and k.wait_p95_s == 300.0
    assert k.ride_mean_s == (740 + 840) / 2
    assert k.detour_factor_mean == pytest.approx((740 / 600 + 840 / 300) / 2)
    assert k.vehicle_km == pytest.approx(10.5)
    assert k.empty_km == pytest.approx(3.0)
    assert k.passenger_km == pytest.approx(3 * 1 + 4 * 3 + 0.5 * 2)
    assert k.occupancy_pax_km_per_vehicle_km == pytest.approx(16 / 10.5)
    assert k.vehicle_hours == 15.0
    assert k.driving_hours == pytest.approx(1480 / 3600)
    assert k.co2_kg == pytest.approx((9.5 * 100 + 1.0 * 250) / 1000)
    assert (k.reoptimizations, k.reoptimizations_adopted) == (2, 1)
    d = k.as_dict()
    assert d["served_pct"] == 50.0 and set(d) >= {"wait_p95_s", "co2_kg", "empty_km"}


def test_empty_log_gives_nan_not_errors() -> None:
    """A day without requests or drives has zero counts and NaN (None in JSON) averages."""
    k = compute_kpis([], co2_g_per_km={})
    assert k.requests == 0 and math.isnan(k.served_pct) and math.isnan(k.wait_mean_s)
    assert k.as_dict()["occupancy_pax_km_per_vehicle_km"] is None


def test_inconsistent_logs_are_refused() -> None:
    """A drive without a CO2 factor or a pickup never booked is a DispatchError."""
    with pytest.raises(DispatchError, match="vehicle 0 drives"):
        compute_kpis(_log(), co2_g_per_km={1: 10.0})
    with pytest.raises(DispatchError, match="request 9 is picked up"):
        compute_kpis([Event(5, "pickup", 9, 0)], co2_g_per_km={})


def test_nearest_rank_percentile() -> None:
    """p95 of 1..20 is 19, of 1..10 is 10; p50 of 1..4 is 2 (nearest rank)."""
    assert percentile_nearest_rank([float(x) for x in range(1, 21)], 95) == 19
    assert percentile_nearest_rank([float(x) for x in range(10, 0, -1)], 95) == 10
    assert percentile_nearest_rank([1.0, 2.0, 3.0, 4.0], 50) == 2
    with pytest.raises(DispatchError, match="pct=0"):
        percentile_nearest_rank([1.0], 0)

"""Value objects of the live model and the travel-time sources."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from dispatch.errors import DispatchError
from dispatch.model import LATEST_DROPOFF, OnBoard, Place, RideRequest, StopRef, Vehicle
from dispatch.travel import CrowFlyTravelTimes, MatrixTravelTimes, TravelTimes

A = Place(36.60, 140.65)
B = Place(36.61, 140.66)


def test_request_windows_and_ride_limits() -> None:
    """Windows and maximum ride follow from the requested time and alpha/beta."""
    r = RideRequest(1, A, B, 1000, window_s=600, ride_alpha=1.5, ride_beta_s=300, service_s=60)
    assert r.max_ride_s(200) == 600
    assert r.pickup_window_s(200) == (1000, 1600)
    assert r.dropoff_deadline_s(200) == 1600 + 60 + 600
    late = RideRequest(2, A, B, 5000, time_kind=LATEST_DROPOFF, window_s=600, service_s=60)
    assert late.pickup_window_s(200) == (5000 - 60 - 200 - 600, 5000 - 60 - 200)
    assert late.dropoff_deadline_s(200) == 5000
    assert RideRequest(3, A, B, 0, passengers=3, wheelchair=True).load == (2, 1)


def test_onboard_dropoff_deadline() -> None:
    """An on-board passenger's deadline is the tighter limit, but never before reachable."""
    r = RideRequest(1, A, B, 1000, window_s=600, ride_alpha=1.5, ride_beta_s=300, service_s=60)
    ob = OnBoard(r, 1200)  # ride limit: 1200 + 60 + 600 = 1860 < request deadline 2260
    assert ob.dropoff_deadline_s(200, reachable_s=1500) == 1860
    late = OnBoard(RideRequest(2, A, B, 1800, time_kind=LATEST_DROPOFF, service_s=60), 1200)
    assert late.dropoff_deadline_s(200, reachable_s=1500) == 1800  # < ride limit 1860
    assert ob.dropoff_deadline_s(200, reachable_s=2000.5) == 2000.5  # late, still delivered


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"time_kind": "soon"}, "time_kind='soon'"),
    ({"passengers": 0}, "passengers=0"),
    ({"ride_alpha": 0.5}, "ride_alpha=0.5"),
])
def test_bad_requests(kwargs: dict[str, object], match: str) -> None:
    """Bad request fields raise DispatchError naming the field and value."""
    with pytest.raises(DispatchError, match=match):
        RideRequest(1, A, B, 0, **kwargs)  # type: ignore[arg-type]


def test_bad_vehicles_and_places() -> None:
    """Overfull vehicles, reversed shifts, bad coordinates and stop kinds are rejected."""
    with pytest.raises(DispatchError, match="shift_end_s=1"):
        Vehicle(1, 4, 0, A, 10, 1)
    rider = RideRequest(1, A, B, 0, wheelchair=True)
    with pytest.raises(DispatchError, match="over its capacity"):
        Vehicle(1, 4, 0, A, 0, 100, onboard=(OnBoard(rider, 0),))
    with pytest.raises(DispatchError, match="lat=95"):
        Place(95.0, 0.0)
    with pytest.raises(DispatchError, match="kind='visit'"):
        StopRef(1, "visit")
    assert Vehicle(1, 4, 0, A, 100, 200).start_time_s(50) == 100


def test_crow_fly_times() -> None:
    """Crow-fly times are zero on the diagonal, symmetric and about 1.3 x 1.4 km / 8 m/s."""
    travel = CrowFlyTravelTimes(speed_mps=8.0, detour_factor=1.3)
    assert isinstance(travel, TravelTimes)
    m = travel.durations_s([A, B], [A, B])
    assert m[0, 0] == 0 and m[0, 1] == m[1, 0]
    assert 200 < m[0, 1] < 260
    with pytest.raises(DispatchError, match="speed_mps=0"):
        CrowFlyTravelTimes(speed_mps=0)


def test_matrix_times_from_graph() -> None:
    """A drive graph gives shortest-path times and maps places to the nearest node."""
    g = nx.DiGraph()
    g.add_node("a", lat=36.60, lon=140.65)
    g.add_node("b", lat=36.61, lon=140.66)
    g.add_node("c", lat=36.62, lon=140.67)
    g.add_edge("a", "b", time_s=100)
    g.add_edge("b", "c", time_s=50)
    g.add_edge("c", "a", time_s=400)
    travel = MatrixTravelTimes.from_graph(g, ["a", "b", "c"])
    near_c = Place(36.6201, 140.6702)
    m = travel.durations_s([A, near_c], [A, B, near_c])
    assert m.tolist() == [[0, 100, 150], [400, 500, 0]]
    with pytest.raises(DispatchError, match="square"):
        MatrixTravelTimes(np.zeros((2, 3)), lambda p: 0)
    bad = MatrixTravelTimes(np.zeros((2, 2)), lambda p: 5)
    with pytest.raises(DispatchError, match="node 5"):
        bad.durations_s([A], [A])

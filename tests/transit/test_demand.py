"""Tests for the gravity model, the time-of-day profile and OD sampling."""

from __future__ import annotations

import numpy as np
import pytest

from transit.demand import (
    Cells,
    DemandError,
    GravityModel,
    TimeProfile,
    _distance_block,
    generate_demand,
    largest_remainder,
    origin_counts,
    trip_matrix,
)


def _line_cells(n: int = 6, spacing_deg: float = 0.01) -> Cells:
    """Cells on a parallel, ``spacing_deg`` of longitude apart (~0.9 km at 36.6°N)."""
    rng = np.random.default_rng(0)
    return Cells(lat=np.full(n, 36.6), lon=140.6 + spacing_deg * np.arange(n, dtype=np.float64),
                 population=rng.integers(100, 1000, n).astype(float),
                 jobs=rng.integers(50, 500, n).astype(float), cell_size_m=250.0)


def test_production_constrained_rows_sum_to_trips_per_cell() -> None:
    """Production-constrained: each row sums to the cell's share of trips by population."""
    cells = _line_cells()
    m = trip_matrix(cells, 1000.0)
    assert m.sum(axis=1) == pytest.approx(1000.0 * cells.population / cells.population.sum())
    assert np.diag(m) == pytest.approx(0.0)  # no intrazonal trips by default


def test_hand_computed_two_destinations() -> None:
    """Three cells: row 0 splits between cells 1 and 2 as jobs × exp(-beta d)."""
    cells = Cells(lat=np.full(3, 36.6), lon=np.array([140.6, 140.61, 140.63]),
                  population=np.array([100.0, 0.0, 0.0]), jobs=np.array([0.0, 10.0, 30.0]))
    model = GravityModel(beta=0.5)
    m = trip_matrix(cells, 100.0, model=model)
    km = 2 * 6371.0088 * np.arcsin(np.cos(np.radians(36.6)) * np.sin(np.radians(
        np.array([0.01, 0.03])) / 2))
    w = np.array([10.0, 30.0]) * np.exp(-0.5 * km)
    assert m[0, 1:] == pytest.approx(100.0 * w / w.sum())
    assert m[1:].sum() == 0.0


def test_doubly_constrained_columns_follow_jobs() -> None:
    """Doubly-constrained: rows ∝ population and columns ∝ jobs (Furness)."""
    cells = _line_cells(8)
    model = GravityModel(constraint="doubly", tolerance=1e-9, max_iterations=1000,
                         intrazonal=True)
    m = trip_matrix(cells, 500.0, model=model, block_rows=3)
    assert m.sum(axis=1) == pytest.approx(500.0 * cells.population / cells.population.sum())
    assert m.sum(axis=0) == pytest.approx(500.0 * cells.jobs / cells.jobs.sum(), rel=1e-6)


def test_distance_decay() -> None:
    """Equal jobs: nearer destinations get more trips; a larger beta shortens trips."""
    n = 10
    cells = Cells(lat=np.full(n, 36.6), lon=140.6 + 0.01 * np.arange(n, dtype=np.float64),
                  population=np.ones(n), jobs=np.ones(n))
    m = trip_matrix(cells, 1.0)
    assert np.all(np.diff(m[0, 1:]) < 0)
    power = trip_matrix(cells, 1.0, model=GravityModel(deterrence="power", beta=2.0))
    assert np.all(np.diff(power[0, 1:]) < 0)
    assert power[0, 1] / power[0, 2] == pytest.approx(4.0, rel=1e-6)  # (2d / d) ** 2

    def mean_km(beta: float) -> float:
        trips = generate_demand(cells, n_trips=4000, seed=1, model=GravityModel(beta=beta))
        return float(np.abs(trips.origin_cell - trips.destination_cell).mean())

    assert mean_km(1.0) < mean_km(0.1)


def test_sampling_is_deterministic_and_meets_origin_counts() -> None:
    """The same seed gives the same trips; trips leave each cell as origin_counts says."""
    cells = _line_cells(7)
    a = generate_demand(cells, n_trips=997, seed=42, block_rows=2)
    b = generate_demand(cells, n_trips=997, seed=42)
    assert a.trip_ids == b.trip_ids and np.array_equal(a.depart_s, b.depart_s)
    assert np.array_equal(a.destination_cell, b.destination_cell)
    assert np.array_equal(a.origin_lat, b.origin_lat)
    c = generate_demand(cells, n_trips=997, seed=43)
    assert not np.array_equal(a.destination_cell, c.destination_cell)
    assert np.array_equal(np.bincount(a.origin_cell, minlength=7), origin_counts(cells, 997))
    assert origin_counts(cells, 997).sum() == 997
    assert np.all(a.origin_cell != a.destination_cell)
    assert np.all(np.diff(a.depart_s) >= 0)
    # ends lie within their 250 m cells
    assert np.all(np.abs(a.origin_lat - cells.lat[a.origin_cell]) <= 125 / 111_000)


def test_sampled_destinations_follow_the_matrix() -> None:
    """With many trips, destination shares per origin approach the matrix rows."""
    cells = _line_cells(5)
    trips = generate_demand(cells, n_trips=200_000, seed=7)
    m = trip_matrix(cells, 200_000.0)
    counts = np.zeros((5, 5))
    np.add.at(counts, (trips.origin_cell, trips.destination_cell), 1)
    rows = counts / counts.sum(axis=1, keepdims=True)
    expected = m / m.sum(axis=1, keepdims=True)
    assert rows == pytest.approx(expected, abs=0.01)


def test_time_profile_has_am_and_pm_peaks() -> None:
    """The default profile puts the most trips in 07-09 and 17-19, none at 01-03."""
    rng = np.random.default_rng(3)
    hours = TimeProfile().sample(rng, 100_000) // 3600
    share = np.bincount(hours, minlength=24) / 100_000
    assert share[7:9].sum() > 0.15 and share[17:19].sum() > 0.14
    assert share[1:4].sum() == 0.0
    assert share[8] > share[12] and share[17] > share[12]
    flat = TimeProfile(weights=(1.0,), bin_s=86_400).sample(rng, 1000)
    assert flat.min() >= 0 and flat.max() < 86_400


def test_largest_remainder_is_exact() -> None:
    """Largest-remainder rounding sums exactly and is within 1 of the exact share."""
    shares = np.array([1.0, 1.0, 1.0])
    assert largest_remainder(shares, 10).tolist() == [4, 3, 3]
    with pytest.raises(DemandError, match="shares sum to 0"):
        largest_remainder(np.zeros(3), 5)


@pytest.mark.parametrize(("build", "message"), [
    (lambda: Cells(np.array([36.6]), np.array([140.6, 140.7]), np.ones(1), np.ones(1)),
     "lon has shape"),
    (lambda: Cells(np.array([96.6]), np.array([140.6]), np.ones(1), np.ones(1)),
     "lat holds a value"),
    (lambda: Cells(np.array([36.6]), np.array([140.6]), np.array([-1.0]), np.ones(1)),
     r"population\[0\]=-1.0 must be"),
    (lambda: GravityModel(constraint="triple"), "constraint='triple'"),
    (lambda: GravityModel(beta=-1), "beta=-1"),
    (lambda: TimeProfile(weights=(0.0, 0.0)), "weights="),
    (lambda: generate_demand(_line_cells(), n_trips=-1, seed=0), "n_trips=-1"),
    (lambda: generate_demand(_line_cells(), n_trips=5, seed=-2), "seed=-2"),
    (lambda: generate_demand(Cells(np.full(2, 36.6), np.array([140.6, 140.7]), np.ones(2),
                                   np.zeros(2)), n_trips=5, seed=0), "jobs sum to 0"),
])
def test_bad_inputs(build: object, message: str) -> None:
    """Bad cells, model settings or arguments raise DemandError naming them."""
    with pytest.raises(DemandError, match=message):
        build()  # type: ignore[operator]


def test_distances_match_haversine_at_city_scale() -> None:
    """The block distances are within 0.01 % of haversine over a 100 km x 60 km region."""
    rng = np.random.default_rng(11)
    n = 300
    cells = Cells(36.2 + rng.random(n) * 0.9, 140.3 + rng.random(n) * 0.7, np.ones(n),
                  np.ones(n))
    d = _distance_block(cells, slice(0, n))
    p1, p2 = np.radians(cells.lat[:, None]), np.radians(cells.lat[None, :])
    dl = np.radians(cells.lon[None, :] - cells.lon[:, None])
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    oracle = 2 * 6_371_008.8 * np.arcsin(np.sqrt(h))
    far = oracle > 100
    assert np.abs(d[far] / oracle[far] - 1).max() < 1e-4

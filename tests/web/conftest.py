"""Fixtures of the web tests: one demo city per session, an app per test or module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from gtfs.democity import DemoCity, generate_demo_city
from web.app import create_app, services_of
from web.cli import cli
from web.services.container import Services

DAY = "2026-10-07"  # the demo feed's sample weekday


class FakeClock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="session")
def data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the demo city and the compiled-day cache, built once."""
    root = tmp_path_factory.mktemp("webdata")
    generate_demo_city(root / "demo")
    return root


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> DemoCity:
    """A size-1 demo city in DATA_DIR/demo of a temporary DATA_DIR, one per test module."""
    return generate_demo_city(tmp_path_factory.mktemp("data") / "demo", size=1)


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run ``tsunagu ARGS`` in click's runner; return exit code, stdout and stderr."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def make_app(data_root: Path, db_dir: Path, **extra: Any) -> Flask:
    """Return an app on the session's demo city with its own SQLite database."""
    config: dict[str, Any] = {
        "DATA_DIR": str(data_root), "DATABASE_URL": f"sqlite:///{db_dir / 'db.sqlite3'}",
        "PLANNER_POOL": 2, "RATE_PLAN_PER_MIN": 100_000, "RATE_PLAN_BURST": 10_000,
        "RATE_BOOKING_PER_MIN": 100_000, "RATE_BOOKING_BURST": 10_000, "CLOCK": FakeClock(),
        "TESTING": True,
    }
    config.update(extra)
    return create_app(config)


class Tokens:
    """One token per role (two residents, two drivers) and header helpers."""

    def __init__(self, services: Services) -> None:
        fleet = services.fleet.ids()
        self.vehicle, self.other_vehicle = fleet[0], fleet[1]
        make = services.tokens.create
        self.alice = make(name="alice", role="resident")[0]
        self.bob = make(name="bob", role="resident")[0]
        self.driver = make(name="dan", role="driver", vehicle_id=self.vehicle)[0]
        self.driver2 = make(name="dora", role="driver", vehicle_id=self.other_vehicle)[0]
        self.dispatcher = make(name="dee", role="dispatcher")[0]
        self.planner = make(name="pat", role="planner")[0]
        self.admin = make(name="ada", role="admin")[0]

    @staticmethod
    def h(token: str, **more: str) -> dict[str, str]:
        """Return request headers carrying ``token``."""
        return {"Authorization": f"Bearer {token}", **more}


@pytest.fixture
def app(data_root: Path, tmp_path: Path) -> Iterator[Flask]:
    """A fresh app (own database) on the shared demo city."""
    a = make_app(data_root, tmp_path)
    yield a
    services_of(a).close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """The app's test client."""
    return app.test_client()


@pytest.fixture
def tokens(app: Flask) -> Tokens:
    """Tokens of every role on the app."""
    return Tokens(services_of(app))


@pytest.fixture(scope="module")
def shared_app(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app per test module (for read-only and error tests)."""
    a = make_app(data_root, tmp_path_factory.mktemp("db"))
    yield a
    services_of(a).close()


@pytest.fixture(scope="module")
def shared_tokens(shared_app: Flask) -> Tokens:
    """Tokens of every role on the module's app."""
    return Tokens(services_of(shared_app))


def zone_ride(services: Services, *, start: str = "09:00", end: str = "09:20",
              k: int = 0) -> dict[str, Any]:
    """Return a quote/booking body: a door inside the first zone to its first hub."""
    svc = services.drt[0]
    minx, miny, maxx, maxy = svc.zone.bounds
    pts = []
    n = 12
    for i in range(n):
        for j in range(n):
            x = minx + (maxx - minx) * (i + 0.5) / n
            y = miny + (maxy - miny) * (j + 0.5) / n
            if svc.covers(y, x):
                pts.append((y, x))
    lat, lon = pts[(k * 7) % len(pts)]
    return {"pickup": {"lat": round(lat, 6), "lon": round(lon, 6)},
            "dropoff": {"stopId": svc.hubs[0].stop_id},
            "earliestPickup": start, "latestPickup": end}


def problem_of(resp: Any, status: int) -> dict[str, Any]:
    """Assert ``resp`` is problem+json with ``status`` and return its body."""
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json(force=True)
    assert body["status"] == status and body["title"] and body["type"]
    assert "detail" in body and "instance" in body
    return body



"""The app factory's config, health and errors, and the ``token`` and ``serve`` commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.web.conftest import make_app, problem_of
from web.app import create_app, services_of
from web.cli import cli
from web.config import ConfigError


def test_create_app_reads_tsunagu_environment(monkeypatch: pytest.MonkeyPatch,
                                              data_root: Path, tmp_path: Path) -> None:
    """Without a mapping, TSUNAGU_* variables configure the app (JSON values parsed)."""
    monkeypatch.setenv("TSUNAGU_DATA_DIR", str(data_root))
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", f"sqlite:///{tmp_path / 'e.sqlite3'}")
    monkeypatch.setenv("TSUNAGU_DEMO_TOKENS", "false")
    monkeypatch.setenv("TSUNAGU_PLANNER_POOL", "3")
    app = create_app()
    s = services_of(app)
    assert s.settings.data_dir == data_root and s.settings.demo_tokens is False
    assert s.settings.planner_pool == 3
    assert s.timetable.service_date.isoformat() == "2026-10-07"
    assert app.test_client().get("/healthz").get_json() == {"status": "ok"}


def test_two_apps_share_nothing(data_root: Path, tmp_path: Path) -> None:
    """Each create_app has its own services, and nothing is built before first use."""
    a = make_app(data_root, tmp_path / "a")
    (tmp_path / "b").mkdir()
    b = make_app(data_root, tmp_path / "b")
    assert services_of(a) is not services_of(b)
    assert services_of(a)._built == {}


@pytest.mark.parametrize(("config", "words"), [
    ({"PLANNER_POOL": 0}, "PLANNER_POOL"),
    ({"RATE_PLAN_PER_MIN": "fast"}, "RATE_PLAN_PER_MIN"),
    ({"DATE": "tomorrow"}, "DATE"),
    ({"FEED": "x.zip"}, "DATE: required"),
    ({"DEMO_TOKENS": "perhaps"}, "DEMO_TOKENS"),
])
def test_bad_config_is_named(config: dict, words: str) -> None:
    """A bad setting is a ConfigError naming the key."""
    with pytest.raises(ConfigError, match=words):
        create_app(config)


def test_unknown_route_is_problem_json(data_root: Path, tmp_path: Path) -> None:
    """Unknown paths are 404 problem+json naming the path."""
    r = make_app(data_root, tmp_path).test_client().get("/api/v2/plan")
    assert "/api/v2/plan" in problem_of(r, 404)["detail"]


def test_token_create_prints_a_working_token(data_root: Path, tmp_path: Path) -> None:
    """`tsunagu token create` prints a token the API accepts; bad input is an error."""
    env = {"TSUNAGU_DATA_DIR": str(data_root),
           "TSUNAGU_DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}"}
    runner = CliRunner()
    res = runner.invoke(cli, ["token", "create", "--role", "dispatcher", "--name", "alice"],
                        env=env)
    assert res.exit_code == 0, res.output
    token = res.stdout.strip().splitlines()[-1]
    assert token.startswith("tsu_")
    app = make_app(data_root, tmp_path, DATABASE_URL=env["TSUNAGU_DATABASE_URL"])
    r = app.test_client().get("/api/v1/vehicles", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    bad = runner.invoke(cli, ["token", "create", "--role", "driver", "--name", "d",
                              "--vehicle", "nope"], env=env)
    assert bad.exit_code != 0 and "not a vehicle" in bad.output
    bad = runner.invoke(cli, ["token", "create", "--role", "driver", "--name", "d"], env=env)
    assert bad.exit_code != 0 and "--vehicle" in bad.output
    tid = token.split("_")[1]
    assert runner.invoke(cli, ["token", "revoke", tid], env=env).exit_code == 0
    assert runner.invoke(cli, ["token", "revoke", tid + "x"], env=env).exit_code != 0


def test_serve_help() -> None:
    """`tsunagu serve --help` documents host, port and threads."""
    res = CliRunner().invoke(cli, ["serve", "--help"])
    assert res.exit_code == 0
    assert all(opt in res.output for opt in ("--host", "--port", "--threads", "127.0.0.1"))


def test_unexpected_error_is_500_problem_without_internals(data_root: Path,
                                                           tmp_path: Path) -> None:
    """A bug in a view is a 500 problem+json that shows no exception text."""
    app = make_app(data_root, tmp_path)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    r = app.test_client().get("/boom")
    body = problem_of(r, 500)
    assert "secret" not in r.get_data(as_text=True) and body["type"].endswith("internal")


def test_demo_tokens_default_on_for_the_demo_only(tmp_path: Path) -> None:
    """DEMO_TOKENS defaults to on for the demo city and off when a FEED is configured."""
    assert services_of(create_app({"DATA_DIR": str(tmp_path)})).settings.demo_tokens
    own = create_app({"DATA_DIR": str(tmp_path), "FEED": "f.zip", "DATE": "2026-10-07"})
    assert not services_of(own).settings.demo_tokens

"""The ``tsunagu`` group: click's usage and command errors are one line on stderr, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from web.cli import cli


@pytest.mark.parametrize(("args", "expected"), [
    (["--bogus"], "error: tsunagu: No such option '--bogus'."),
    (["nosuchcmd"], "error: tsunagu: No such command 'nosuchcmd'."),
    (["feed", "info", "--bogus", "x"], "error: tsunagu feed info: No such option '--bogus'."),
    (["feed", "info"], "error: tsunagu feed info: Missing argument 'FEED'."),
    (["darp", "solve", "x.txt", "--format", "nope"],
     "error: tsunagu darp solve: Invalid value for '--format': 'nope' is not one of "
     "'cordeau', 'lilim'."),
    (["plan-batch", "--feed", "f", "--date", "2026-10-07", "--queries", "q", "--workers", "0"],
     "error: tsunagu plan-batch: Invalid value for '--workers': 0 is not in the range "
     "1<=x<=64."),
])
def test_usage_error_is_one_line(args: list[str], expected: str) -> None:
    """A bad option, command, argument or value prints exactly one line, exit code 2."""
    result = CliRunner().invoke(cli, args, prog_name="tsunagu")
    assert result.exit_code == 2
    assert result.stderr == expected + "\n"
    assert result.stdout == ""


def test_command_click_exception_is_one_line(tmp_path: Path) -> None:
    """A command's own ClickException (an unreadable DARP file) is one line, exit code 2."""
    missing = tmp_path / "missing.txt"
    result = CliRunner().invoke(cli, ["darp", "solve", str(missing), "--format", "cordeau"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ") and "missing.txt" in result.stderr


def test_bare_group_still_prints_its_help() -> None:
    """A group given no sub-command shows its help, as click does."""
    result = CliRunner().invoke(cli, ["feed"])
    assert "Usage: " in result.output and "validate" in result.output


def test_guarded_turns_project_and_os_errors_into_one_line(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    """guarded: a TsunaguError or OSError is one 'error:' line and exit 2; a result passes."""
    from gtfs.errors import FeedError
    from web.commands.errors import guarded

    assert guarded(lambda: 7) == 7

    def feed_error() -> None:
        raise FeedError("arrival_time '7:15' is not a time\nH:MM:SS", file="stop_times.txt",
                        line=3)

    with pytest.raises(SystemExit) as exit_info:
        guarded(feed_error)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        "error: stop_times.txt:3: arrival_time '7:15' is not a time H:MM:SS\n")
    with pytest.raises(SystemExit) as exit_info:
        guarded(lambda: (tmp_path / "nope.csv").read_text())
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        f"error: {tmp_path / 'nope.csv'}: No such file or directory\n")
    with pytest.raises(ZeroDivisionError):  # a bug is not bad input: it stays a traceback
        guarded(lambda: 1 // 0)

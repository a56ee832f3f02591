"""gtfs.yamlfile: the shared YAML reader of the on-demand and scenario files."""

from __future__ import annotations

from pathlib import Path

import pytest

from gtfs.errors import FeedError
from gtfs.yamlfile import dotted, load_yaml


class _Error(FeedError):
    """A caller's own error class."""


def test_lines_of_every_key_path(tmp_path: Path) -> None:
    """Each key and list item maps to its 1-based line; clock times stay strings."""
    f = tmp_path / "a.yaml"
    f.write_text("version: 1\nitems:\n  - {start: 19:00:00}\n  - b: 0700\n", encoding="utf-8")
    doc, lines = load_yaml(f, _Error)
    assert doc == {"version": 1, "items": [{"start": "19:00:00"}, {"b": "0700"}]}
    assert lines[("version",)] == 1
    assert lines[("items", 0, "start")] == 3
    assert lines[("items", 1, "b")] == 4


@pytest.mark.parametrize(("text", "message"), [
    ("a: 1\nb: [\n", "a.yaml:3: not valid YAML"),
    ("a: 1\nb:\n  c: 2\n  c: 3\n", "a.yaml:4: b.c: key given twice"),
])
def test_errors_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    """Bad YAML and a duplicated key raise the caller's error class at file:line."""
    f = tmp_path / "a.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(_Error, match=message):
        load_yaml(f, _Error)


def test_not_utf8(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 are refused, naming the file."""
    f = tmp_path / "a.yaml"
    f.write_bytes(b"a: \xff\n")
    with pytest.raises(_Error, match=r"^a.yaml: not UTF-8 text"):
        load_yaml(f, _Error)


def test_empty_file(tmp_path: Path) -> None:
    """An empty file is a None document with no lines."""
    f = tmp_path / "a.yaml"
    f.write_text("", encoding="utf-8")
    assert load_yaml(f, _Error) == (None, {})


def test_dotted() -> None:
    """Key paths render as services[0].fleet."""
    assert dotted(("services", 0, "fleet")) == "services[0].fleet"

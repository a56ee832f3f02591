"""Tests for gtfs.zipsafe: member-name checks, size caps, fingerprints."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from gtfs.errors import FeedError
from gtfs.zipsafe import check_member_name, read_feed_files, source_sha256

WANTED = frozenset({"stops.txt", "agency.txt"})


@pytest.mark.parametrize("name", ["stops.txt", "gtfs/stops.txt", "a..b.txt", "..txt"])
def test_safe_names_pass(name: str) -> None:
    """Plain and nested names, and names merely containing dots, are accepted."""
    check_member_name(name)


@pytest.mark.parametrize("name", ["/stops.txt", "../stops.txt", "a/../../b.txt",
                                  "..\\stops.txt", "C:\\x.txt", "\\\\server\\x.txt"])
def test_unsafe_names_refused(name: str) -> None:
    """Absolute paths (POSIX, Windows drive, UNC) and '..' components are refused."""
    with pytest.raises(FeedError, match="refusing the archive"):
        check_member_name(name)


def test_only_wanted_members_are_read(tmp_path: Path) -> None:
    """Members not asked for are neither read nor counted against the cap."""
    path = tmp_path / "f.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("stops.txt", "stop_id\nS1\n")
        zf.writestr("huge_extra.bin", b"\0" * 2_000_000)
    files = read_feed_files(path, wanted=WANTED, max_uncompressed_bytes=1000)
    assert files.files == {"stops.txt": b"stop_id\nS1\n"}


def test_fingerprint_without_parsing_matches(tmp_path: Path) -> None:
    """source_sha256 equals the fingerprint read_feed_files gives, for zips and folders."""
    path = tmp_path / "f.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("stops.txt", "stop_id\nS1\n")
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "stops.txt").write_text("stop_id\nS1\n")
    (folder / "notes.md").write_text("ignored")
    for source in (path, folder):
        assert source_sha256(source, wanted=WANTED) == \
            read_feed_files(source, wanted=WANTED).sha256
    before = source_sha256(folder, wanted=WANTED)
    (folder / "stops.txt").write_text("stop_id\nS2\n")
    assert source_sha256(folder, wanted=WANTED) != before


def test_cap_must_be_positive(tmp_path: Path) -> None:
    """A non-positive cap is refused, naming the argument."""
    with pytest.raises(FeedError, match="max_uncompressed_bytes"):
        read_feed_files(tmp_path, wanted=WANTED, max_uncompressed_bytes=0)

"""Shared fixtures: where the real data lives, and whether it must be there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """Return ``../shared/data`` beside the checkout (or ``TSUNAGU_SHARED_DATA``)."""
    env = os.environ.get("TSUNAGU_SHARED_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


def shared_path(relative: str) -> Path:
    """Return a path inside the shared data; skip (or fail under CI) when absent."""
    path = shared_data_dir() / relative
    if not path.exists():
        if os.environ.get("TSUNAGU_REQUIRE_SHARED") == "1":
            pytest.fail(f"shared data {path} is missing and TSUNAGU_REQUIRE_SHARED=1")
        pytest.skip(f"shared data {path} is not present")
    return path


@pytest.fixture
def shared() -> type:
    """Give tests the :func:`shared_path` helper as ``shared.path(...)``."""

    class _Shared:
        path = staticmethod(shared_path)

    return _Shared

"""The import layering of DEVELOPERS.md holds for every module of every package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("transit", "gtfs", "routing", "dispatch", "web")
ALLOWED = {
    "transit": set(),
    "gtfs": {"transit"},
    "routing": {"transit"},
    "dispatch": {"transit"},
    "web": {"transit", "gtfs", "routing", "dispatch"},
}


def _imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _modules() -> list[tuple[str, Path]]:
    return [(pkg, p) for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]


@pytest.mark.parametrize(("package", "path"), _modules(),
                         ids=lambda v: str(v.relative_to(ROOT)) if isinstance(v, Path) else v)
def test_imports_point_down(package: str, path: Path) -> None:
    """A module imports only packages below its own layer."""
    ours = _imported_top_levels(path) & set(PACKAGES)
    bad = ours - ALLOWED[package] - {package}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_layering_test_sees_a_violation(tmp_path: Path) -> None:
    """The import scanner finds both plain and from-imports."""
    f = tmp_path / "m.py"
    f.write_text("import routing.raptor\nfrom dispatch import x\nfrom . import y\n")
    assert _imported_top_levels(f) == {"routing", "dispatch"}

"""Read the project's YAML files (on-demand service, scenario) the same way.

A safe loader without YAML 1.1's base-60 (``19:00:00``) and octal (``0700``)
integers, UTF-8 text (a BOM is allowed), a duplicated key refused, and the line of
every key path kept so that a later check can say ``file:line``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from gtfs.errors import FeedError

__all__ = ["KeyPath", "YamlLoader", "dotted", "load_yaml"]

#: A key path into a document: mapping keys and list indices.
KeyPath = tuple[str | int, ...]


class YamlLoader(yaml.SafeLoader):
    """Safe YAML without base-60 (``19:00:00``) or octal (``0700``) integers."""

    yaml_implicit_resolvers = {  # noqa: RUF012 - PyYAML's own class attribute
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:int"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


YamlLoader.add_implicit_resolver("tag:yaml.org,2002:int",
                                 re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"),
                                 list("-+0123456789"))


def dotted(where: KeyPath) -> str:
    """Render a key path as ``services[0].fleet``."""
    out = ""
    for part in where:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def load_yaml(path: Path, error: type[FeedError]) -> tuple[Any, dict[KeyPath, int]]:
    """Parse one YAML file and find the line of every key path.

    Parameters
    ----------
    path
        The file; its name (not its folder) is what errors show.
    error
        The :class:`~gtfs.errors.FeedError` subclass raised for a problem.

    Returns
    -------
    doc, lines
        The document (None for an empty file) and ``key path -> 1-based line``.

    Raises
    ------
    FeedError
        ``error`` for text that is not UTF-8, not valid YAML (with its line) or
        a mapping with a key given twice.
    OSError
        If the file cannot be read.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                    file=path.name) from None
    try:
        root = yaml.compose(text, Loader=YamlLoader)
        doc = yaml.load(text, Loader=YamlLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise error(f"not valid YAML ({exc.problem})", file=path.name,
                    line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise error(f"not valid YAML ({exc})", file=path.name) from None
    lines: dict[KeyPath, int] = {}
    if root is not None:
        _walk(root, (), lines, path.name, set(), error)
    return doc, lines


def _walk(node: yaml.Node, where: KeyPath, lines: dict[KeyPath, int], file: str,
          seen: set[int], error: type[FeedError]) -> None:
    lines.setdefault(where, node.start_mark.line + 1)
    if id(node) in seen:  # an alias: its node was walked already (no billion laughs)
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in keys:
                raise error(f"{dotted((*where, name))}: key given twice", file=file,
                            line=key.start_mark.line + 1)
            keys.add(name)
            lines[(*where, name)] = key.start_mark.line + 1
            _walk(value, (*where, name), lines, file, seen, error)
    elif isinstance(node, yaml.SequenceNode):
        for k, item in enumerate(node.value):
            _walk(item, (*where, k), lines, file, seen, error)

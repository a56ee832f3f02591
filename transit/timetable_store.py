"""Save and load a :class:`~transit.timetable.Timetable` without pickle.

One ``.npz`` file: every array field is a member, and a member ``__meta__``
holds a UTF-8 JSON document with the strings (ids, names), the scalars and a
format version. Loading uses ``allow_pickle=False``, so a cache file can never
run code. The file is written to a temporary name and renamed into place, so
a reader sees either the old file or the complete new one.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from transit.errors import ModelError
from transit.timetable import Timetable

#: Bumped whenever the stored layout changes; older files are refused.
STORE_VERSION = 1

_META = "__meta__"


def _split_fields() -> tuple[list[str], list[str]]:
    arrays, strings = [], []
    for f in fields(Timetable):
        if not f.init:
            continue
        if f.name in ("service_date", "timezone", "utc_offset_s"):
            continue
        if str(f.type).startswith("tuple"):
            strings.append(f.name)
        else:
            arrays.append(f.name)
    return arrays, strings


def save_timetable(timetable: Timetable, path: str | Path) -> None:
    """Write ``timetable`` to ``path`` (an ``.npz`` file), atomically.

    Parameters
    ----------
    timetable
        The compiled day to store.
    path
        Destination; its folder must exist.
    """
    path = Path(path)
    arrays, strings = _split_fields()
    meta: dict[str, Any] = {
        "version": STORE_VERSION,
        "service_date": timetable.service_date.isoformat(),
        "timezone": timetable.timezone,
        "utc_offset_s": int(timetable.utc_offset_s),
        "strings": {name: list(getattr(timetable, name)) for name in strings},
    }
    members: dict[str, Any] = {name: np.ascontiguousarray(getattr(timetable, name))
                               for name in arrays}
    members[_META] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"),
                                   dtype=np.uint8)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, allow_pickle=False, **members)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_timetable(path: str | Path) -> Timetable:
    """Read a timetable written by :func:`save_timetable`.

    Raises
    ------
    ModelError
        If the file is not a stored timetable of this format version.
    OSError
        If the file cannot be read.
    """
    path = Path(path)
    arrays, strings = _split_fields()
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data[_META]).decode("utf-8"))
            if meta.get("version") != STORE_VERSION:
                raise ModelError(f"{path}: stored timetable version {meta.get('version')!r}, "
                                 f"expected {STORE_VERSION}")
            values: dict[str, Any] = {name: data[name] for name in arrays}
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        if isinstance(exc, ModelError):
            raise
        raise ModelError(f"{path}: not a stored timetable ({exc})") from None
    for name in strings:
        values[name] = tuple(meta["strings"][name])
    return Timetable(service_date=date.fromisoformat(meta["service_date"]),
                     timezone=meta["timezone"], utc_offset_s=int(meta["utc_offset_s"]),
                     **values)

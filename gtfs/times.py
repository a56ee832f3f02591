"""Parse GTFS clock times (``H:MM:SS``, hours past 24 allowed) into int seconds.

Vectorised: the column is factorised first (a day of service has few distinct
clock times), the distinct strings are matched with one regular expression, and
the seconds are scattered back through the codes. No Python loop per row.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from numpy.typing import NDArray

#: Seconds value standing for a blank time.
MISSING = -1

_TIME = r"^(\d{1,3}):([0-5]\d):([0-5]\d)$"
_TIME_RE = re.compile(_TIME)


def parse_times(values: pd.Series) -> tuple[NDArray[np.int32], NDArray[np.int64]]:
    """Convert GTFS time strings to seconds after midnight.

    Parameters
    ----------
    values
        Strings such as ``"7:05:00"``, ``"07:05:00"`` or ``"25:10:00"``;
        surrounding blanks are ignored; an empty string is a missing time.

    Returns
    -------
    seconds, bad
        ``seconds`` (``int32``, :data:`MISSING` for blanks and malformed
        values) and the positions of malformed values, in order.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniq = pd.Series(np.asarray(uniques, dtype=object), dtype=object).astype(str).str.strip()
    parts = uniq.str.extract(_TIME)
    ok = parts[0].notna().to_numpy()
    blank = (uniq == "").to_numpy()
    secs = np.full(len(uniq), MISSING, np.int64)
    if ok.any():
        good = parts[ok]
        secs[ok] = (good[0].astype(np.int64).to_numpy() * 3600
                    + good[1].astype(np.int64).to_numpy() * 60
                    + good[2].astype(np.int64).to_numpy())
    bad_unique = ~ok & ~blank
    codes = np.asarray(codes)
    out = np.full(len(codes), MISSING, np.int32)
    known = codes >= 0
    out[known] = secs[codes[known]]
    bad = np.flatnonzero(known & bad_unique[np.where(known, codes, 0)]) if len(uniq) else \
        np.zeros(0, np.int64)
    return out, bad.astype(np.int64)


def parse_time(text: str) -> int | None:
    """Seconds after midnight of one ``"H:MM:SS"`` string (hours past 23 allowed).

    The scalar form of :func:`parse_times` for the YAML files: surrounding blanks
    are ignored; None for a blank or malformed value.
    """
    m = _TIME_RE.match(text.strip())
    if not m:
        return None
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))


def format_time(seconds: int) -> str:
    """Render seconds after midnight as ``HH:MM:SS`` (hours may exceed 23)."""
    if seconds < 0:
        return "-" + format_time(-seconds)
    h, rem = divmod(int(seconds), 3600)
    m, s = divmod(rem, 60)
    return f"{h:02d}:{m:02d}:{s:02d}"

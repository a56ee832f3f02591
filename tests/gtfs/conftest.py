"""Tiny inline GTFS feeds written to ``tmp_path`` for the reader and compiler tests."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

#: A valid four-stop, one-route, two-trip feed; tests override single files.
BASE_FILES: dict[str, str] = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\n"
                  "A,Hitachi Bus,http://example.org,Asia/Tokyo\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
                 "S1,One,36.60,140.650\n"
                 "S2,Two,36.60,140.660\n"
                 "S3,Three,36.60,140.670\n"
                 "S4,Four,36.60,140.690\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\n"
                  "R1,A,1,BRT,3\n",
    "trips.txt": "route_id,service_id,trip_id\n"
                 "R1,WK,T1\n"
                 "R1,WK,T2\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                      "T1,08:00:00,08:00:00,S1,1\n"
                      "T1,08:10:00,08:10:00,S2,2\n"
                      "T1,08:20:00,08:20:00,S3,3\n"
                      "T2,09:00:00,09:00:00,S1,1\n"
                      "T2,09:10:00,09:10:00,S2,2\n"
                      "T2,09:20:00,09:20:00,S3,3\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
                    "start_date,end_date\n"
                    "WK,1,1,1,1,1,0,0,20260101,20261231\n",
}

FeedMaker = Callable[..., Path]


@pytest.fixture
def make_feed(tmp_path: Path) -> FeedMaker:
    """Return ``make(as_zip=False, **files)``: the base feed with files replaced.

    A keyword is a file name with ``.txt`` turned into ``_txt``
    (``stops_txt="..."``); ``None`` removes the file.
    """
    counter = iter(range(1000))

    def make(as_zip: bool = False, **overrides: str | None) -> Path:
        files: dict[str, str | None] = dict(BASE_FILES)
        for key, text in overrides.items():
            files[key.replace("_txt", ".txt")] = text
        kept = {name: text for name, text in files.items() if text is not None}
        n = next(counter)
        if as_zip:
            path = tmp_path / f"feed{n}.zip"
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
                for name, text in kept.items():
                    zf.writestr(name, text)
            return path
        folder = tmp_path / f"feed{n}"
        folder.mkdir()
        for name, text in kept.items():
            (folder / name).write_text(text, encoding="utf-8")
        return folder

    return make

"""A tiny GTFS feed with GTFS-Flex files, written to a folder or zip for the on-demand tests."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

#: Zone Z1: a 0.02° square with a hole; Z2: two small squares (a MultiPolygon).
Z1_SHELL = [[140.60, 36.60], [140.62, 36.60], [140.62, 36.62], [140.60, 36.62], [140.60, 36.60]]
Z1_HOLE = [[140.605, 36.605], [140.605, 36.615], [140.615, 36.615], [140.615, 36.605],
           [140.605, 36.605]]
Z2_PARTS = [[[[140.70, 36.70], [140.71, 36.70], [140.71, 36.71], [140.70, 36.71], [140.70, 36.70]]],
            [[[140.72, 36.70], [140.73, 36.70], [140.73, 36.71], [140.72, 36.71], [140.72, 36.70]]]]


def locations(**override: Any) -> dict[str, Any]:
    """The FeatureCollection; ``override`` replaces keys of the Z1 Feature."""
    z1 = {"type": "Feature", "id": "Z1",
          "properties": {"stop_name": "Hill zone", "stop_desc": "on-demand"},
          "geometry": {"type": "Polygon", "coordinates": [Z1_SHELL, Z1_HOLE]}}
    z1.update(override)
    z2 = {"type": "Feature", "id": "Z2", "properties": {"stop_name": "Twin zone"},
          "geometry": {"type": "MultiPolygon", "coordinates": Z2_PARTS}}
    return {"type": "FeatureCollection", "features": [z1, z2]}


ST_HEADER = ("trip_id,stop_id,location_id,location_group_id,stop_sequence,arrival_time,"
             "departure_time,start_pickup_drop_off_window,end_pickup_drop_off_window,"
             "pickup_type,drop_off_type,pickup_booking_rule_id,drop_off_booking_rule_id\n")
FILES: dict[str, str] = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\n"
                  "A,Hitachi Bus,http://x,Asia/Tokyo\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
                 "S1,Station,36.63,140.61\nS2,Market,36.59,140.61\nS3,Clinic,36.59,140.63\n",
    "routes.txt": "route_id,route_short_name,route_type\nR,1,3\nD,DRT,3\n",
    "trips.txt": "route_id,service_id,trip_id\nD,WK,F1\nD,WE,F2\nD,WE,F3\nR,WK,B1\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
                    "start_date,end_date\nWK,1,1,1,1,1,0,0,20260101,20261231\n"
                    "WE,0,0,0,0,0,1,1,20260101,20261231\n",
    "stop_times.txt": ST_HEADER
    + "F1,,Z1,,1,,,07:00:00,19:00:00,2,1,R1,R1\n"      # line 2
    + "F1,S1,,,2,,,07:00:00,19:00:00,1,2,,\n"           # line 3
    + "F2,,Z1,,1,,,08:00:00,12:00:00,2,1,R1,R1\n"       # line 4
    + "F2,,,G1,2,,,08:00:00,12:00:00,1,2,,\n"           # line 5
    + "F3,,Z1,,1,,,13:00:00,17:00:00,2,1,R1,R1\n"       # line 6
    + "F3,,,G1,2,,,13:00:00,17:00:00,1,2,,\n"           # line 7
    + "B1,S1,,,1,07:00:00,07:00:00,,,0,0,,\n"
    + "B1,S2,,,2,07:10:00,07:10:00,,,0,0,,\n",
    "location_groups.txt": "location_group_id,location_group_name\nG1,Town stops\n",
    "location_group_stops.txt": "location_group_id,stop_id\nG1,S2\nG1,S3\n",
    "booking_rules.txt": "booking_rule_id,booking_type,prior_notice_duration_min,"
                         "prior_notice_last_day,prior_notice_last_time,prior_notice_start_day,"
                         "prior_notice_start_time,message,phone_number,booking_url\n"
                         "R1,1,30,,,7,08:00:00,Call us,0294-00-0000,https://example.org/book\n"
                         "R2,2,,1,17:00:00,,,Book the day before,,\n",
    "locations.geojson": json.dumps(locations(), indent=1),
}


def write_feed(folder: Path, changes: dict[str, str | None] | None = None, *,
               as_zip: bool = False) -> Path:
    """Write the feed (``changes`` replace or, with ``None``, drop members); return its path."""
    files: dict[str, str | None] = {**FILES, **(changes or {})}
    kept = {k: v for k, v in files.items() if v is not None}
    folder.mkdir(parents=True, exist_ok=True)
    if as_zip:
        path = folder / "feed.zip"
        with zipfile.ZipFile(path, "w") as zf:
            for name, text in kept.items():
                zf.writestr(name, text)
        return path
    for name, text in kept.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder

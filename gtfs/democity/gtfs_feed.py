"""Write the demo city's GTFS feed (with GTFS-Flex ``locations.geojson``) as a zip.

Tables are built as pandas frames from the generator's arrays and written in a
fixed member order with a fixed timestamp, so the same city gives the same
bytes. Distances (``shape_dist_traveled``) are in kilometres. Times are
``HH:MM:SS``, past 24:00 for late trips; feeder rows (a second exporter, as in
many merged Japanese feeds) write one-digit hours such as ``7:05:00``;
non-timepoint rows leave both times blank.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gtfs.democity.drt import DrtZone
from gtfs.democity.network import AGENCY_BRT, AGENCY_BUS, BusNetwork
from gtfs.democity.schedules import Schedule
from gtfs.democity.services import FEED_END, FEED_START, calendar_date_rows, calendar_rows

ZIP_TIMESTAMP = (2026, 4, 1, 0, 0, 0)
AGENCIES: tuple[dict[str, str], ...] = (
    {"agency_id": AGENCY_BRT, "agency_name": "ひたちBRT（デモ）",
     "agency_url": "https://example.org/tsunagu/demo/brt", "agency_timezone": "Asia/Tokyo",
     "agency_lang": "ja", "agency_phone": "0294-00-0001"},
    {"agency_id": AGENCY_BUS, "agency_name": "ひたち路線バス（デモ）",
     "agency_url": "https://example.org/tsunagu/demo/bus", "agency_timezone": "Asia/Tokyo",
     "agency_lang": "ja", "agency_phone": "0294-00-0002"},
)


def format_times(seconds: NDArray[np.int64], unpadded: NDArray[np.bool_]) -> NDArray[np.str_]:
    """Format seconds as ``HH:MM:SS`` (``H:MM:SS`` where ``unpadded``); -1 gives ``""``."""
    top = int(seconds.max(initial=0)) + 1
    t = np.arange(top, dtype=np.int64)
    h, m, s = t // 3600, t // 60 % 60, t % 60
    padded = np.array([f"{a:02d}:{b:02d}:{c:02d}" for a, b, c in zip(
        h.tolist(), m.tolist(), s.tolist(), strict=True)])
    short = np.array([f"{a}:{b:02d}:{c:02d}" for a, b, c in zip(
        h.tolist(), m.tolist(), s.tolist(), strict=True)])
    safe = np.maximum(seconds, 0)
    out = np.where(unpadded, short[safe], padded[safe])
    return np.where(seconds < 0, "", out)


def write_feed(path: Path, network: BusNetwork, schedule: Schedule,
               zones: tuple[DrtZone, ...], *, version: str) -> dict[str, int]:
    """Write the feed to ``path`` (a zip); return the row count of each table."""
    tables = _tables(network, schedule, zones, version)
    counts: dict[str, int] = {}
    with zipfile.ZipFile(path, "w") as zf:
        for name, df in tables.items():
            _put(zf, name, df.to_csv(index=False, lineterminator="\n",
                                     float_format=_FLOAT_FORMAT.get(name)))
            counts[name] = len(df)
            if name == "trips.txt":
                _write_stop_times(zf, network, schedule)
                counts["stop_times.txt"] = schedule.n_stop_times
        _put(zf, "locations.geojson", json.dumps(locations_geojson(network, zones),
                                                 ensure_ascii=False, indent=1) + "\n")
    counts["locations.geojson"] = len(zones)
    return counts


_FLOAT_FORMAT = {"stops.txt": "%.6f"}
STOP_TIMES_COLUMNS = ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence",
                      "pickup_type", "drop_off_type", "shape_dist_traveled", "timepoint")
CHUNK_ROWS = 200_000


def _write_stop_times(zf: zipfile.ZipFile, network: BusNetwork, schedule: Schedule) -> None:
    """Stream ``stop_times.txt`` into the zip, a chunk of rows at a time.

    pandas' CSV writer spends most of its time formatting floats; one f-string
    per row is several times faster and never holds the whole table as text.
    """
    trip_ids = schedule.trip_ids
    stop_ids = network.stops.ids
    arrival = format_times(schedule.st_arrival_s, schedule.st_unpadded)
    same = np.array_equal(schedule.st_departure_s, schedule.st_arrival_s)
    departure = arrival if same else format_times(schedule.st_departure_s, schedule.st_unpadded)
    dist_km = schedule.st_dist_m / 1000.0
    info = _info("stop_times.txt")
    with zf.open(info, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="\n") as f:
        f.write(",".join(STOP_TIMES_COLUMNS) + "\n")
        for a in range(0, schedule.n_stop_times, CHUNK_ROWS):
            b = min(a + CHUNK_ROWS, schedule.n_stop_times)
            rows = zip(schedule.st_trip[a:b].tolist(), arrival[a:b].tolist(),
                       departure[a:b].tolist(), schedule.st_stop[a:b].tolist(),
                       schedule.st_sequence[a:b].tolist(), schedule.st_pickup[a:b].tolist(),
                       dist_km[a:b].tolist(), schedule.st_timepoint[a:b].tolist(), strict=True)
            f.write("".join(
                f"{trip_ids[t]},{ar},{de},{stop_ids[s]},{q},{p},{p},{d:.3f},{tp}\n"
                for t, ar, de, s, q, p, d, tp in rows))


def locations_geojson(network: BusNetwork, zones: tuple[DrtZone, ...]) -> dict[str, object]:
    """Return the GTFS-Flex ``locations.geojson`` FeatureCollection of the DRT zones."""
    stops = network.stops
    features = []
    for z in zones:
        ring = [[round(a, 6), round(b, 6)] for a, b in zip(
            z.ring_lon.tolist(), z.ring_lat.tolist(), strict=True)]
        features.append({
            "type": "Feature",
            "id": z.zone_id,
            "properties": {
                "stop_name": z.name,
                "stop_desc": "デマンド交通区域（乗継拠点: "
                             + "、".join(stops.names[h] for h in z.hub_stops) + "）",
            },
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        })
    return {"type": "FeatureCollection", "features": features}


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _put(zf: zipfile.ZipFile, name: str, text: str) -> None:
    zf.writestr(_info(name), text.encode("utf-8"))


def _tables(network: BusNetwork, schedule: Schedule, zones: tuple[DrtZone, ...],
            version: str) -> Mapping[str, pd.DataFrame]:
    stops = network.stops
    routes = network.routes
    drt_hubs = {h for z in zones for h in z.hub_stops}
    desc = []
    for s in range(len(stops)):
        parts = []
        if stops.town_hub[s]:
            parts.append("BRT・路線バス乗継拠点")
        if s in drt_hubs:
            parts.append("デマンド交通乗継拠点")
        desc.append("／".join(parts))
    stops_df = pd.DataFrame({
        "stop_id": stops.ids,
        "stop_code": stops.codes,
        "stop_name": stops.names,
        "stop_desc": desc,
        "stop_lat": stops.lat,
        "stop_lon": stops.lon,
        "location_type": 0,
        "wheelchair_boarding": np.where(stops.on_brt, 1, 0),
    })
    routes_df = pd.DataFrame({
        "route_id": [r.route_id for r in routes],
        "agency_id": [r.agency_id for r in routes],
        "route_short_name": [r.short_name for r in routes],
        "route_long_name": [r.long_name for r in routes],
        "route_type": [r.route_type for r in routes],
        "route_color": [r.color for r in routes],
        "route_text_color": "FFFFFF",
    })
    tr, tp = schedule.trip_route, schedule.trip_pattern
    pats = [routes[r].patterns[p] for r, p in zip(tr.tolist(), tp.tolist(), strict=True)]
    trips_df = pd.DataFrame({
        "route_id": [routes[r].route_id for r in tr.tolist()],
        "service_id": schedule.trip_service,
        "trip_id": schedule.trip_ids,
        "trip_headsign": [p.headsign for p in pats],
        "direction_id": [p.direction_id for p in pats],
        "shape_id": [p.shape_id for p in pats],
        "wheelchair_accessible": 1,
    })
    trip_ids = np.array(schedule.trip_ids, dtype=object)
    shape_rows: dict[str, list[object]] = {"shape_id": [], "shape_pt_lat": [],
                                           "shape_pt_lon": [], "shape_pt_sequence": [],
                                           "shape_dist_traveled": []}
    for route in routes:
        for p in route.patterns:
            n = p.shape_lat.size
            shape_rows["shape_id"].extend([p.shape_id] * n)
            shape_rows["shape_pt_lat"].extend(np.char.mod("%.6f", p.shape_lat).tolist())
            shape_rows["shape_pt_lon"].extend(np.char.mod("%.6f", p.shape_lon).tolist())
            shape_rows["shape_pt_sequence"].extend(range(1, n + 1))
            shape_rows["shape_dist_traveled"].extend(
                np.char.mod("%.3f", p.shape_dist_m / 1000.0).tolist())
    freq_df = pd.DataFrame({
        "trip_id": trip_ids[schedule.freq_trip] if schedule.freq_trip.size else [],
        "start_time": format_times(schedule.freq_start_s, np.zeros(schedule.freq_start_s.size,
                                                                   dtype=bool)),
        "end_time": format_times(schedule.freq_end_s, np.zeros(schedule.freq_end_s.size,
                                                               dtype=bool)),
        "headway_secs": schedule.freq_headway_s,
        "exact_times": 1,
    })
    feed_info = pd.DataFrame([{
        "feed_publisher_name": "Tsunagu demo city generator",
        "feed_publisher_url": "https://example.org/tsunagu",
        "feed_lang": "ja",
        "feed_start_date": FEED_START.strftime("%Y%m%d"),
        "feed_end_date": FEED_END.strftime("%Y%m%d"),
        "feed_version": version,
        "feed_contact_email": "demo@example.org",
        "feed_contact_url": "https://example.org/tsunagu/demo",
    }])
    return {
        "agency.txt": pd.DataFrame(list(AGENCIES)),
        "stops.txt": stops_df,
        "routes.txt": routes_df,
        "trips.txt": trips_df,
        "calendar.txt": pd.DataFrame(calendar_rows()),
        "calendar_dates.txt": pd.DataFrame(calendar_date_rows()),
        "shapes.txt": pd.DataFrame(shape_rows),
        "frequencies.txt": freq_df,
        "feed_info.txt": feed_info,
    }

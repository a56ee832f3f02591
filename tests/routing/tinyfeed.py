"""Tiny inline timetables for routing tests, built with transit.build (no GTFS)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from transit.build import (
    RouteTable,
    ShapeTable,
    StopTable,
    TransferTable,
    TripEvents,
    build_timetable,
)
from transit.timetable import Timetable


def hms(text: str) -> int:
    """Return seconds for ``HH:MM`` or ``HH:MM:SS``."""
    parts = [int(x) for x in text.split(":")]
    while len(parts) < 3:
        parts.append(0)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


@dataclass
class Trip:
    """A trip: route short name, stop ids with ``HH:MM[:SS]`` times, options."""

    route: str
    calls: Sequence[tuple[str, str] | tuple[str, str, str]]
    headsign: str = ""
    no_pickup: Sequence[str] = ()  # stop ids with pickup_type 1
    no_drop_off: Sequence[str] = ()  # stop ids with drop_off_type 1
    route_type: int = 3
    trip_id: str = ""


@dataclass
class TinyFeed:
    """Stops on a local grid (metres east/north of a point) and trips."""

    stops: dict[str, tuple[float, float]]
    trips: list[Trip]
    transfers: list[tuple[str, str, int, int]] = field(default_factory=list)
    shapes: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    trip_shapes: dict[int, str] = field(default_factory=dict)
    lat0: float = 35.0
    lon0: float = 139.0

    def latlon(self, x_m: float, y_m: float) -> tuple[float, float]:
        """Return WGS84 for a grid point."""
        lat = self.lat0 + y_m / 111_320.0
        lon = self.lon0 + x_m / (111_320.0 * np.cos(np.radians(self.lat0)))
        return float(lat), float(lon)

    def build(self) -> Timetable:
        """Compile to a :class:`Timetable` on 2026-01-05 (UTC+9)."""
        ids = tuple(self.stops)
        index = {s: i for i, s in enumerate(ids)}
        coords = [self.latlon(*self.stops[s]) for s in ids]
        st = StopTable(ids, tuple(f"Stop {s}" for s in ids),
                       np.array([c[0] for c in coords]), np.array([c[1] for c in coords]))
        route_names = sorted({t.route for t in self.trips})
        rindex = {r: i for i, r in enumerate(route_names)}
        rtypes = {t.route: t.route_type for t in self.trips}
        rt = RouteTable(tuple(f"R{r}" for r in route_names), tuple(route_names),
                        tuple(f"Line {r}" for r in route_names),
                        np.array([rtypes[r] for r in route_names], np.int32))
        ev_stop, ev_arr, ev_dep, ev_pick, ev_drop, offsets = [], [], [], [], [], [0]
        for t in self.trips:
            for call in t.calls:
                sid, a = call[0], hms(call[1])
                d = hms(call[2]) if len(call) > 2 else a  # type: ignore[misc]
                ev_stop.append(index[sid])
                ev_arr.append(a)
                ev_dep.append(d)
                ev_pick.append(1 if sid in t.no_pickup else 0)
                ev_drop.append(1 if sid in t.no_drop_off else 0)
            offsets.append(len(ev_stop))
        n_t, n_e = len(self.trips), len(ev_stop)
        shape_ids = tuple(self.shapes)
        trip_shape = np.array([shape_ids.index(self.trip_shapes[i]) if i in self.trip_shapes
                               else -1 for i in range(n_t)], np.int32)
        trips = TripEvents(
            trip_ids=tuple(t.trip_id or f"T{i}" for i, t in enumerate(self.trips)),
            trip_headsigns=tuple(t.headsign for t in self.trips),
            trip_route=np.array([rindex[t.route] for t in self.trips], np.int32),
            trip_shape=trip_shape,
            trip_day_offset=np.zeros(n_t, np.int8),
            event_trip_offsets=np.array(offsets, np.int64),
            event_stop=np.array(ev_stop, np.int32),
            event_arrival_s=np.array(ev_arr, np.int32),
            event_departure_s=np.array(ev_dep, np.int32),
            event_pickup_type=np.array(ev_pick, np.int8),
            event_drop_off_type=np.array(ev_drop, np.int8),
            event_shape_dist_m=np.full(n_e, np.nan),
        )
        tr = TransferTable(
            np.array([index[a] for a, _, _, _ in self.transfers], np.int32),
            np.array([index[b] for _, b, _, _ in self.transfers], np.int32),
            np.array([k for _, _, k, _ in self.transfers], np.int8),
            np.array([m for _, _, _, m in self.transfers], np.int32),
        )
        shapes = ShapeTable.empty()
        if self.shapes:
            pts = [[self.latlon(x, y) for x, y in self.shapes[s]] for s in shape_ids]
            off = np.zeros(len(pts) + 1, np.int64)
            off[1:] = np.cumsum([len(p) for p in pts])
            flat = [p for ps in pts for p in ps]
            shapes = ShapeTable(shape_ids, off, np.array([p[0] for p in flat]),
                                np.array([p[1] for p in flat]), np.full(len(flat), np.nan))
        tt = build_timetable(service_date=date(2026, 1, 5), timezone="Asia/Tokyo",
                             utc_offset_s=9 * 3600, agency_names=("Tiny Bus",), stops=st,
                             routes=rt, trips=trips, transfers=tr, shapes=shapes)
        tt.validate()
        return tt

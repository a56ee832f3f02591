"""JSON the pages need beyond the resource API: map layers, the dispatch board, the session.

The pages draw no tiles: the background is GeoJSON built from our own data — the
street network (each street once, in three classes), bus routes (the GTFS shapes
of each route's trips, else its stop sequences), stops and the on-demand zones
with their hubs. Built once per app and kept (the data of one app never changes).

The board is one read for the dispatcher's live page: vehicles, the loaded day's
ride requests and each run's planned stops with ETAs, read from the zone's live plans
(:class:`web.services.drt_state.DrtState`, the same ones bookings and ``/plan`` use).

Both are registered through the app's :class:`web.openapi.Api`, so they are
authenticated, documented in OpenAPI and answer problem+json like the rest of
``/api/v1``.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from flask import Blueprint
from pydantic import ConfigDict
from shapely.geometry import mapping

from dispatch.booking import BookingStatus
from routing.itinerary import clock_hms
from transit.streets import DRIVE, StreetNetwork
from transit.timetable import Timetable
from web.auth import Principal, Role
from web.openapi import ANY_ROLE, Api, Call, Reply
from web.schemas import BookingOut, Out, VehicleOut
from web.services.booking import PENDING
from web.services.container import Services

#: Driving speed (m/s) from which a street is drawn as a main road.
MAJOR_SPEED_M_S = 12.0
DIGITS = 5  # ~1 m


class FeatureCollectionOut(Out):
    """A GeoJSON FeatureCollection (RFC 7946; WGS84, ``[lon, lat]``)."""

    model_config = ConfigDict(extra="allow")
    type: str
    features: list[dict[str, Any]]


class SessionOut(Out):
    """Who a token is: what the pages show and which page they open."""

    name: str
    role: str
    rider_id: str | None = None
    vehicle_id: str | None = None


class BoardStopOut(Out):
    """A planned stop of a run, with its ETA."""

    booking_id: str
    kind: str
    time: str
    time_s: int
    lat: float
    lon: float


class BoardRunOut(Out):
    """A vehicle run of the day and its planned route."""

    run_id: str
    vehicle_id: str
    start: str
    end: str
    capacity_seats: int
    seats_left: int
    stops: list[BoardStopOut]
    problem: str | None = None


class BoardOut(Out):
    """The dispatcher's live board."""

    date: str
    vehicles: list[VehicleOut]
    runs: list[BoardRunOut]
    requests: list[BookingOut]


def streets_geojson(streets: StreetNetwork) -> dict[str, Any]:
    """Return the street network as GeoJSON, each street segment once.

    Parameters
    ----------
    streets : StreetNetwork
        The network (directed CSR edges; both directions of two-way streets).

    Returns
    -------
    dict
        A FeatureCollection of three MultiLineStrings with ``class`` ``major``
        (driving at :data:`MAJOR_SPEED_M_S` or more), ``street`` (drivable) and
        ``path`` (walking only).
    """
    tail = np.repeat(np.arange(streets.n_nodes, dtype=np.int64), np.diff(streets.offsets))
    head = streets.to_node.astype(np.int64)
    a, b = np.minimum(tail, head), np.maximum(tail, head)
    keep = a != b
    drive = (streets.flags & DRIVE) != 0
    cls = np.where(drive & (streets.drive_speed_m_s >= MAJOR_SPEED_M_S), 0,
                   np.where(drive, 1, 2))
    key = a * streets.n_nodes + b
    order = np.lexsort((cls, key))  # per pair, the most important class first
    key, a, b, cls, keep = key[order], a[order], b[order], cls[order], keep[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    sel = first & keep
    lat = np.round(streets.node_lat, DIGITS)
    lon = np.round(streets.node_lon, DIGITS)
    features = []
    for code, name in enumerate(("major", "street", "path")):
        m = sel & (cls == code)
        ua, ub = a[m], b[m]
        lines = np.stack([np.stack([lon[ua], lat[ua]], axis=1),
                          np.stack([lon[ub], lat[ub]], axis=1)], axis=1)
        features.append({"type": "Feature", "properties": {"class": name},
                         "geometry": {"type": "MultiLineString",
                                      "coordinates": lines.tolist()}})
    return {"type": "FeatureCollection", "features": features}


def _route_lines(tt: Timetable, route: int) -> list[list[list[float]]]:
    trips = np.flatnonzero(tt.trip_route == route)
    lines: list[list[list[float]]] = []
    shapes = sorted({int(s) for s in tt.trip_shape[trips] if s >= 0})
    for sh in shapes:
        lo, hi = int(tt.shape_point_offsets[sh]), int(tt.shape_point_offsets[sh + 1])
        lines.append(np.stack([np.round(tt.shape_lon[lo:hi], DIGITS),
                               np.round(tt.shape_lat[lo:hi], DIGITS)], axis=1).tolist())
    shaped = {int(tt.trip_pattern[t]) for t in trips if tt.trip_shape[t] >= 0}
    for p in sorted({int(tt.trip_pattern[t]) for t in trips} - shaped):
        stops = tt.pattern_stop_ids(p)
        lines.append([[round(float(tt.stop_lon[s]), DIGITS), round(float(tt.stop_lat[s]), DIGITS)]
                      for s in stops])
    return lines


def network_geojson(services: Services) -> dict[str, Any]:
    """Return bus routes, stops and on-demand zones (with hubs) as one FeatureCollection.

    Parameters
    ----------
    services : Services
        The app's services (timetable and on-demand zones are read).

    Returns
    -------
    dict
        Features with ``layer`` ``route`` (MultiLineString; ``routeId``,
        ``shortName``, ``longName``, ``index``), ``zone`` (Polygon; ``zoneId``,
        ``name``, ``hubs``) and ``stop`` (Point; ``stopId``, ``name``, ``hub``).
    """
    tt = services.timetable
    features: list[dict[str, Any]] = []
    for r in range(len(tt.route_ids)):
        lines = _route_lines(tt, r)
        if not lines:
            continue
        features.append({"type": "Feature",
                         "properties": {"layer": "route", "routeId": tt.route_ids[r],
                                        "shortName": tt.route_short_names[r],
                                        "longName": tt.route_long_names[r], "index": r,
                                        "routeType": int(tt.route_types[r])},
                         "geometry": {"type": "MultiLineString", "coordinates": lines}})
    hubs: set[str] = set()
    for s in services.drt:
        hubs.update(h.stop_id for h in s.hubs)
        features.append({"type": "Feature",
                         "properties": {"layer": "zone", "zoneId": s.zone_id, "name": s.name,
                                        "serviceId": s.service_id,
                                        "hubs": [{"stopId": h.stop_id, "name": h.name,
                                                  "lat": h.lat, "lon": h.lon} for h in s.hubs],
                                        "windows": [[clock_hms(a), clock_hms(b)]
                                                    for a, b in s.windows]},
                         "geometry": mapping(s.zone)})
    for i, sid in enumerate(tt.stop_ids):
        features.append({"type": "Feature",
                         "properties": {"layer": "stop", "stopId": sid,
                                        "name": tt.stop_names[i], "hub": sid in hubs},
                         "geometry": {"type": "Point",
                                      "coordinates": [round(float(tt.stop_lon[i]), 6),
                                                      round(float(tt.stop_lat[i]), 6)]}})
    return {"type": "FeatureCollection", "features": features}


def board(services: Services) -> BoardOut:
    """Return the dispatch board of the loaded day.

    Parameters
    ----------
    services : Services
        The app's services.

    Returns
    -------
    BoardOut
        Vehicles with live state; ride requests of the day (quotes left out), oldest
        first; every run that holds pending bookings with its planned stops. A run
        whose route cannot be rebuilt is listed with ``problem`` set and no stops.
    """
    bookings = services.bookings
    day = bookings.service_date
    store = services.store
    by_vehicle = {v.vehicle_id: s for s in bookings.services for v in s.fleet}
    requests = [b for b in store.bookings()
                if b.request.service_date == day and b.status is not BookingStatus.QUOTED]
    runs_out = []
    lat, lon = bookings.streets.node_lat, bookings.streets.node_lon
    for run in store.runs(day):
        pending = [b for b in requests if b.offer.run_id == run.run_id and b.status in PENDING]
        stops: list[BoardStopOut] = []
        problem = None
        service = by_vehicle.get(run.vehicle_id)
        if pending and service is not None:
            plan = bookings.state_for(service).plan_of(run)
            if plan.dispatcher is None:
                problem = plan.problem
            else:
                for st in plan.dispatcher.plan().route_of(0).stops:
                    b = plan.booking_of(st.request_id)
                    node = b.request.origin if st.kind == "pickup" else b.request.destination
                    stops.append(BoardStopOut(booking_id=b.booking_id, kind=st.kind,
                                              time=clock_hms(st.time_s), time_s=st.time_s,
                                              lat=float(lat[node]), lon=float(lon[node])))
        runs_out.append(BoardRunOut(run_id=run.run_id, vehicle_id=run.vehicle_id,
                                    start=clock_hms(run.start_s), end=clock_hms(run.end_s),
                                    capacity_seats=run.capacity_seats,
                                    seats_left=run.seats_left, stops=stops, problem=problem))
    return BoardOut(date=day.isoformat(), vehicles=services.fleet.list(), runs=runs_out,
                    requests=[bookings.booking_out(b) for b in requests])


class _Cache:
    """Layers built once per app (under a lock, so two first requests build once)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done: dict[str, dict[str, Any]] = {}

    def get(self, name: str, build: Any) -> dict[str, Any]:
        with self._lock:
            if name not in self._done:
                self._done[name] = build()
            return self._done[name]


def blueprint(api: Api, services: Services) -> Blueprint:
    """Return the blueprint of the map layers and the board (mounted under the API prefix)."""
    bp = Blueprint("api_pages_data", __name__)
    cache = _Cache()

    @api.operation(bp, "/map/streets", "GET", summary="Streets as GeoJSON", tag="map",
                   roles=ANY_ROLE, responses={200: FeatureCollectionOut},
                   description="Each street segment once, as three MultiLineStrings "
                               "(class major, street, path); the pages' map background.")
    def map_streets(call: Call) -> Reply:
        return Reply(cache.get("streets", lambda: streets_geojson(services.streets)),
                     headers={"Cache-Control": "private, max-age=3600"})

    @api.operation(bp, "/map/network", "GET", summary="Bus routes, stops and zones as GeoJSON",
                   tag="map", roles=ANY_ROLE, responses={200: FeatureCollectionOut},
                   description="Features with layer route, zone (with hubs) and stop.")
    def map_network(call: Call) -> Reply:
        return Reply(cache.get("network", lambda: network_geojson(services)),
                     headers={"Cache-Control": "private, max-age=3600"})

    @api.operation(bp, "/board", "GET", summary="The dispatcher's live board", tag="dispatch",
                   roles=frozenset({Role.DISPATCHER}), responses={200: BoardOut},
                   description="Vehicles, the day's ride requests and each run's planned "
                               "stops with ETAs.")
    def dispatch_board(call: Call) -> Reply:
        return Reply(board(services), headers={"Cache-Control": "no-store"})

    @api.operation(bp, "/session", "GET", summary="Who the token is", tag="map",
                   roles=ANY_ROLE, responses={200: SessionOut},
                   description="The token's name, role and rider or vehicle; the sign-in "
                               "page checks a token with it.")
    def session(call: Call) -> Reply:
        p: Principal = call.principal  # type: ignore[assignment]
        return Reply(SessionOut(name=p.name, role=p.role.value, rider_id=p.rider_id,
                                vehicle_id=p.vehicle_id))

    return bp

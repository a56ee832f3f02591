"""Journeys as itineraries: OTP-shaped JSON and a one-line readable form.

:func:`plan_response` returns a dict shaped like OpenTripPlanner's REST plan
response — ``plan.itineraries[].legs[]`` with ``mode``, ``from``/``to``
(``name``, ``stopId``, ``lat``, ``lon``), ``startTime``/``endTime`` (epoch
milliseconds, as OTP) plus ISO-8601 ``startTimeIso``/``endTimeIso`` in the
feed's UTC offset, ``routeShortName``, ``headsign``, ``intermediateStops``,
``legGeometry.points`` (encoded polyline: the shapes.txt slice when the trip
has a shape, else stop to stop; the street path for walks when streets are
loaded) and ``distance``; per itinerary ``duration``, ``transfers``,
``walkTime``, ``walkDistance``, ``transitTime`` and ``waitingTime``.

:func:`describe` renders a journey on one line for tests and the CLI, e.g.
``WALK 120s → BUS 10 S1 08:00 → S3 08:12 → WALK 60s``; on-demand rides read
``ON_DEMAND 07:41 → S3 07:50`` (from a door), ``ON_DEMAND S7 08:23 → 08:31``
(to a door). Their OTP legs have ``mode: "ON_DEMAND"``, ``transitLeg: true``,
the zone as ``route`` and ``bookingInfo`` (``pickupWindow`` start/end,
``howToBook``, ``phone``, ``url``, ``latestBookingTime``, ``minimumNotice``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np

from routing.geo import haversine_m
from routing.journey import ACCESS, EGRESS, ON_DEMAND, RIDE, TRANSFER, Journey, Leg
from routing.ondemand import OnDemandOffer
from routing.polyline import encode
from routing.walking import Walker
from transit.timetable import Timetable

_MODES = {0: "TRAM", 1: "SUBWAY", 2: "RAIL", 3: "BUS", 4: "FERRY", 5: "CABLE_CAR",
          6: "GONDOLA", 7: "FUNICULAR", 11: "TROLLEYBUS", 12: "MONORAIL"}


def route_mode(route_type: int) -> str:
    """Return the OTP mode name of a GTFS (or extended) ``route_type``."""
    if route_type in _MODES:
        return _MODES[route_type]
    ranges = ((100, 200, "RAIL"), (200, 300, "COACH"), (400, 500, "SUBWAY"),
              (700, 800, "BUS"), (800, 900, "TROLLEYBUS"), (900, 1000, "TRAM"),
              (1000, 1100, "FERRY"), (1100, 1200, "AIRPLANE"), (1300, 1400, "GONDOLA"),
              (1400, 1500, "FUNICULAR"), (1500, 1600, "TAXI"))
    for lo, hi, name in ranges:
        if lo <= route_type < hi:
            return name
    return "TRANSIT"


def clock(seconds: int) -> str:
    """Return ``HH:MM`` (``HH:MM:SS`` when seconds are not 0); hours may pass 24."""
    sign = "-" if seconds < 0 else ""
    s = abs(int(seconds))
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    return f"{sign}{h:02d}:{m:02d}" + (f":{sec:02d}" if sec else "")


def clock_hms(seconds: int) -> str:
    """Return ``HH:MM:SS`` (hours may pass 24)."""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def describe(journey: Journey, tt: Timetable) -> str:
    """Return the journey on one line: walks, rides with stop ids and times."""
    parts: list[str] = []
    for leg in journey.legs:
        if leg.kind == RIDE:
            route = int(tt.trip_route[leg.trip])
            mode = route_mode(int(tt.route_types[route]))
            parts.append(f"{mode} {tt.route_short_names[route]} "
                         f"{tt.stop_ids[leg.from_stop]} {clock(leg.departure_s)}")
            parts.append(f"{tt.stop_ids[leg.to_stop]} {clock(leg.arrival_s)}")
        elif leg.kind == ON_DEMAND:
            frm = f"{tt.stop_ids[leg.from_stop]} " if leg.from_stop >= 0 else ""
            to = f"{tt.stop_ids[leg.to_stop]} " if leg.to_stop >= 0 else ""
            parts.append(f"ON_DEMAND {frm}{clock(leg.departure_s)}")
            parts.append(f"{to}{clock(leg.arrival_s)}")
        elif leg.kind == TRANSFER:
            if leg.from_stop != leg.to_stop:
                parts.append(f"WALK {leg.duration_s}s {tt.stop_ids[leg.to_stop]}")
            elif leg.duration_s:
                parts.append(f"CHANGE {leg.duration_s}s")
        elif leg.duration_s or leg.kind not in (ACCESS, EGRESS):
            parts.append(f"WALK {leg.duration_s}s")
    return " → ".join(parts)


class ItineraryWriter:
    """Turns journeys of one timetable into OTP-shaped dicts."""

    def __init__(self, tt: Timetable, walker: Walker | None = None) -> None:
        self.tt = tt
        self.walker = walker
        noon = datetime(tt.service_date.year, tt.service_date.month, tt.service_date.day, 12,
                        tzinfo=timezone(timedelta(seconds=tt.utc_offset_s)))
        self.midnight = noon - timedelta(hours=12)

    def iso(self, seconds: int) -> str:
        """Return the ISO-8601 local time of ``seconds`` after service-day midnight."""
        return (self.midnight + timedelta(seconds=int(seconds))).isoformat()

    def epoch_ms(self, seconds: int) -> int:
        """Return epoch milliseconds of ``seconds`` after service-day midnight."""
        return int((self.midnight + timedelta(seconds=int(seconds))).timestamp() * 1000)

    def response(self, journeys: list[Journey], origin: tuple[float, float, str],
                 destination: tuple[float, float, str], *, query_s: int,
                 arrive_by: bool = False) -> dict[str, Any]:
        """Return ``{"plan": {...}}`` for ``journeys`` between two named places."""
        return {
            "requestParameters": {"arriveBy": arrive_by, "time": self.iso(query_s)},
            "plan": {
                "date": self.epoch_ms(query_s),
                "from": _place(origin),
                "to": _place(destination),
                "itineraries": [self.itinerary(j, origin, destination) for j in journeys],
            },
        }

    def itinerary(self, j: Journey, origin: tuple[float, float, str],
                  destination: tuple[float, float, str]) -> dict[str, Any]:
        """Return one OTP itinerary dict."""
        legs = [self.leg(leg, origin, destination) for leg in j.legs
                if leg.kind in (RIDE, ON_DEMAND) or leg.duration_s > 0 or leg.kind == "DIRECT"
                or (leg.kind == TRANSFER and leg.from_stop != leg.to_stop)]
        walk_s = sum(leg["duration"] for leg in legs if leg["mode"] == "WALK")
        transit_s = sum(leg["duration"] for leg in legs if leg["transitLeg"])
        return {
            "duration": j.duration_s,
            "startTime": self.epoch_ms(j.departure_s),
            "endTime": self.epoch_ms(j.arrival_s),
            "startTimeIso": self.iso(j.departure_s),
            "endTimeIso": self.iso(j.arrival_s),
            "walkTime": walk_s,
            "transitTime": transit_s,
            "waitingTime": j.duration_s - walk_s - transit_s,
            "walkDistance": round(sum(leg["distance"] for leg in legs
                                      if leg["mode"] == "WALK"), 1),
            "transfers": j.transfers,
            "legs": legs,
            "summary": describe(j, self.tt),
        }

    def _stop_place(self, stop: int, place: tuple[float, float, str]) -> dict[str, Any]:
        if stop < 0:
            return _place(place)
        tt = self.tt
        return {"name": tt.stop_names[stop], "stopId": tt.stop_ids[stop],
                "lat": float(tt.stop_lat[stop]), "lon": float(tt.stop_lon[stop]),
                "vertexType": "TRANSIT"}

    def leg(self, leg: Leg, origin: tuple[float, float, str],
            destination: tuple[float, float, str]) -> dict[str, Any]:
        """Return one OTP leg dict."""
        frm = self._stop_place(leg.from_stop, origin)
        to = self._stop_place(leg.to_stop, destination)
        frm["departure"] = self.epoch_ms(leg.departure_s)
        to["arrival"] = self.epoch_ms(leg.arrival_s)
        out: dict[str, Any] = {
            "startTime": self.epoch_ms(leg.departure_s),
            "endTime": self.epoch_ms(leg.arrival_s),
            "startTimeIso": self.iso(leg.departure_s),
            "endTimeIso": self.iso(leg.arrival_s),
            "duration": leg.arrival_s - leg.departure_s,
            "from": frm,
            "to": to,
        }
        if leg.kind == RIDE:
            out.update(self._ride(leg))
        elif leg.kind == ON_DEMAND and leg.offer is not None:
            out.update(self._ondemand(leg.offer, frm, to))
        else:
            a, b = (frm["lat"], frm["lon"]), (to["lat"], to["lon"])
            if leg.from_stop == leg.to_stop and leg.from_stop >= 0:
                pts, dist = [a, b], 0.0
            elif self.walker is not None:
                _, dist, pts = self.walker.between(a, b)
            else:
                dist = float(haversine_m(a[0], a[1], b[0], b[1])) * 1.3
                pts = [a, b]
            out.update({"mode": "WALK", "transitLeg": False, "distance": round(dist, 1),
                        "legGeometry": {"points": encode(pts), "length": len(pts)}})
        return out

    def _ondemand(self, o: OnDemandOffer, frm: dict[str, Any], to: dict[str, Any]
                  ) -> dict[str, Any]:
        b = o.booking
        pts = [(frm["lat"], frm["lon"]), (to["lat"], to["lon"])]
        info: dict[str, Any] = {
            "pickupWindow": {"start": self.epoch_ms(o.pickup_earliest_s),
                             "end": self.epoch_ms(o.pickup_latest_s),
                             "startIso": self.iso(o.pickup_earliest_s),
                             "endIso": self.iso(o.pickup_latest_s)},
            "latestDropoff": self.epoch_ms(o.dropoff_latest_s),
            "howToBook": b.how_to_book,
            "phone": b.phone,
            "url": b.url,
            "infoUrl": b.info_url,
            "minimumNotice": b.min_notice_s,
            "latestBookingTime": (self.epoch_ms(b.latest_booking_s)
                                  if b.latest_booking_s is not None else None),
            "latestBookingTimeIso": (self.iso(b.latest_booking_s)
                                     if b.latest_booking_s is not None else None),
        }
        if b.fare_yen is not None:
            info["fare"] = {"amount": b.fare_yen, "currency": "JPY"}
        return {"mode": ON_DEMAND, "transitLeg": True, "route": o.zone_name or o.zone_id,
                "zoneId": o.zone_id, "distance": round(o.distance_m, 1),
                "bookingInfo": info,
                "legGeometry": {"points": encode(pts), "length": len(pts)}}

    def _ride(self, leg: Leg) -> dict[str, Any]:
        tt = self.tt
        route = int(tt.trip_route[leg.trip])
        p = int(tt.trip_pattern[leg.trip])
        first, _ = tt.trip_event_range(leg.trip)
        bpos, apos = leg.board_event - first, leg.alight_event - first
        stops = tt.pattern_stop_ids(p)
        inter = []
        for i in range(bpos + 1, apos):
            s, e = int(stops[i]), first + i
            inter.append({"name": tt.stop_names[s], "stopId": tt.stop_ids[s],
                          "lat": float(tt.stop_lat[s]), "lon": float(tt.stop_lon[s]),
                          "arrival": self.epoch_ms(int(tt.arrival_s[e])),
                          "departure": self.epoch_ms(int(tt.departure_s[e]))})
        pts = self._ride_points(leg.trip, [int(s) for s in stops[bpos:apos + 1]],
                                leg.board_event, leg.alight_event)
        dist = float(np.sum(haversine_m([p_[0] for p_ in pts[:-1]], [p_[1] for p_ in pts[:-1]],
                                        [p_[0] for p_ in pts[1:]], [p_[1] for p_ in pts[1:]])))
        agency = tt.agency_names[0] if tt.agency_names else ""
        return {
            "mode": route_mode(int(tt.route_types[route])),
            "transitLeg": True,
            "route": tt.route_short_names[route] or tt.route_long_names[route],
            "routeId": tt.route_ids[route],
            "routeShortName": tt.route_short_names[route],
            "routeLongName": tt.route_long_names[route],
            "tripId": tt.trip_ids[leg.trip],
            "headsign": tt.trip_headsigns[leg.trip],
            "agencyName": agency,
            "intermediateStops": inter,
            "distance": round(dist, 1),
            "legGeometry": {"points": encode(pts), "length": len(pts)},
        }

    def _ride_points(self, trip: int, stops: list[int], be: int, ae: int
                     ) -> list[tuple[float, float]]:
        tt = self.tt
        stop_pts = [(float(tt.stop_lat[s]), float(tt.stop_lon[s])) for s in stops]
        shape = int(tt.trip_shape[trip])
        if shape < 0:
            return stop_pts
        a, b = int(tt.shape_point_offsets[shape]), int(tt.shape_point_offsets[shape + 1])
        lat, lon = tt.shape_lat[a:b], tt.shape_lon[a:b]
        if b - a < 2:
            return stop_pts
        d0, d1 = float(tt.shape_dist_m[be]), float(tt.shape_dist_m[ae])
        sd = tt.shape_point_dist_m[a:b]
        if np.isfinite(d0) and np.isfinite(d1) and np.all(np.isfinite(sd)) and d1 >= d0:
            inside = np.flatnonzero((sd > d0) & (sd < d1))
            idx = inside.tolist()
        else:
            # project the board and alight stops on the shape, searching forward
            i0 = int(np.argmin(haversine_m(stop_pts[0][0], stop_pts[0][1], lat, lon)))
            rest = haversine_m(stop_pts[-1][0], stop_pts[-1][1], lat[i0:], lon[i0:])
            i1 = i0 + int(np.argmin(rest))
            idx = list(range(i0 + 1, i1))
        return [stop_pts[0]] + [(float(lat[i]), float(lon[i])) for i in idx] + [stop_pts[-1]]


def _place(p: tuple[float, float, str]) -> dict[str, Any]:
    return {"name": p[2], "lat": p[0], "lon": p[1], "vertexType": "NORMAL"}

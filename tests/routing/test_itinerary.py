"""routing.itinerary and routing.polyline: OTP-shaped legs, times and geometry."""

from __future__ import annotations

from routing.itinerary import ItineraryWriter, clock, route_mode
from routing.planner import Place, Planner
from routing.polyline import decode, encode
from tests.routing.tinyfeed import TinyFeed, Trip, hms

LINE = {"A": (0, 0), "B": (2000, 0), "C": (4000, 0)}


def test_polyline_matches_the_reference_example() -> None:
    """Google's documented example encodes and decodes exactly."""
    pts = [(38.5, -120.2), (40.7, -120.95), (43.252, -126.453)]
    assert encode(pts) == "_p~iF~ps|U_ulLnnqC_mqNvxq`@"
    assert decode(encode(pts)) == pts


def test_clock_and_modes() -> None:
    """Clock strings keep hours past 24; route types map to OTP modes."""
    assert clock(hms("25:10")) == "25:10" and clock(hms("08:14:20")) == "08:14:20"
    assert (route_mode(3), route_mode(1), route_mode(2), route_mode(715)) == (
        "BUS", "SUBWAY", "RAIL", "BUS")


def _journey(shape: bool):  # type: ignore[no-untyped-def]
    tf = TinyFeed(LINE, [Trip("10", [("A", "08:00"), ("B", "08:06"), ("C", "25:12")],
                              headsign="Harbour")],
                  shapes={"sh": [(0, 0), (1000, 300), (2000, 0), (3000, -300), (4000, 0)]}
                  if shape else {}, trip_shapes={0: "sh"} if shape else {})
    tt = tf.build()
    planner = Planner(tt)
    lat, lon = tf.latlon(-120, 0)
    js = planner.depart_at(Place(lat=lat, lon=lon), Place(stop=tt.stop_index["C"]),
                           hms("07:50"))
    w = ItineraryWriter(tt)
    return w.response(js, (lat, lon, "Home"), (0.0, 0.0, "C"), query_s=hms("07:50")), tt, tf


def test_itinerary_is_otp_shaped() -> None:
    """Legs carry modes, names, ids, ISO times in the feed offset, headsign and stops."""
    resp, _, _ = _journey(shape=False)
    it = resp["plan"]["itineraries"][0]
    walk, bus = it["legs"]
    assert walk["mode"] == "WALK" and walk["from"]["name"] == "Home"
    assert walk["to"]["stopId"] == "A" and walk["duration"] == 130
    assert bus["mode"] == "BUS" and bus["routeShortName"] == "10"
    assert bus["headsign"] == "Harbour" and bus["tripId"] == "T0"
    assert [s["stopId"] for s in bus["intermediateStops"]] == ["B"]
    assert bus["startTimeIso"] == "2026-01-05T08:00:00+09:00"
    assert bus["endTimeIso"] == "2026-01-06T01:12:00+09:00"  # 25:12 is the next calendar day
    assert bus["endTime"] - bus["startTime"] == (hms("25:12") - hms("08:00")) * 1000
    assert it["transfers"] == 0 and it["walkTime"] == 130
    assert it["duration"] == it["walkTime"] + it["transitTime"] + it["waitingTime"]
    # no shape: the geometry goes stop to stop
    pts = decode(bus["legGeometry"]["points"])
    assert len(pts) == 3


def test_ride_geometry_follows_the_shape() -> None:
    """With shapes.txt the leg geometry is the shape slice between board and alight stops."""
    resp, _, tf = _journey(shape=True)
    bus = resp["plan"]["itineraries"][0]["legs"][1]
    pts = decode(bus["legGeometry"]["points"])
    assert len(pts) == 5
    lat, lon = tf.latlon(1000, 300)
    assert abs(pts[1][0] - lat) < 2e-5 and abs(pts[1][1] - lon) < 2e-5
    assert bus["distance"] > 4000  # the zig-zag is longer than the straight line

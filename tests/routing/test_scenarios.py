"""Numbered routing scenarios on tiny inline timetables, one rule each."""

from __future__ import annotations

import pytest

from routing.itinerary import describe
from routing.planner import Place, Planner, PlannerConfig
from tests.routing.tinyfeed import TinyFeed, Trip, hms

LINE = {"A": (0, 0), "B": (2000, 0), "C": (4000, 0), "D": (6000, 0), "E": (8000, 0)}


def _plan(tf: TinyFeed, frm: str, to: str, when: str, *, transfers: str = "walk",
          arrive: bool = False, window_min: int = 0, criterion: str | None = None,
          max_transfers: int = 8) -> list[str]:
    tt = tf.build()
    planner = Planner(tt, config=PlannerConfig(transfers=transfers,
                                               max_transfers=max_transfers))

    def place(text: str) -> Place:
        if text in tt.stop_index:
            return Place(stop=tt.stop_index[text])
        x, y = (float(v) for v in text.split(","))
        lat, lon = tf.latlon(x, y)
        return Place(lat=lat, lon=lon)

    o, d = place(frm), place(to)
    if arrive:
        js = planner.arrive_by(o, d, hms(when), window_s=window_min * 60, criterion=criterion)
    else:
        js = planner.depart_at(o, d, hms(when), window_s=window_min * 60, criterion=criterion)
    return [describe(j, tt) for j in js]


def test_01_direct_bus() -> None:
    """One bus from A to C: board at A, alight at C."""
    tf = TinyFeed(LINE, [Trip("10", [("A", "08:00"), ("B", "08:06"), ("C", "08:12")])])
    assert _plan(tf, "A", "C", "07:50") == ["BUS 10 A 08:00 → C 08:12"]


def test_02_transfer_same_stop_takes_zero_seconds() -> None:
    """A change at the same stop needs no time: arrive 08:10, leave 08:10."""
    tf = TinyFeed(LINE, [Trip("1", [("A", "08:00"), ("B", "08:10")]),
                         Trip("2", [("B", "08:10"), ("C", "08:20")])])
    assert _plan(tf, "A", "C", "07:55") == ["BUS 1 A 08:00 → B 08:10 → BUS 2 B 08:10 → C 08:20"]


def test_03_min_transfer_time_at_stop() -> None:
    """transfers.txt type 2 at B (120 s) misses the 08:11 bus and takes the 08:30 one."""
    trips = [Trip("1", [("A", "08:00"), ("B", "08:10")]),
             Trip("2", [("B", "08:11"), ("C", "08:20")]),
             Trip("2", [("B", "08:30"), ("C", "08:40")])]
    tf = TinyFeed(LINE, trips, transfers=[("B", "B", 2, 120)])
    assert _plan(tf, "A", "C", "07:55") == [
        "BUS 1 A 08:00 → B 08:10 → CHANGE 120s → BUS 2 B 08:30 → C 08:40"]


def test_04_forbidden_transfer_at_stop() -> None:
    """transfers.txt type 3 at B: no change there, so C is unreachable."""
    trips = [Trip("1", [("A", "08:00"), ("B", "08:10")]),
             Trip("2", [("B", "08:15"), ("C", "08:20")])]
    tf = TinyFeed(LINE, trips, transfers=[("B", "B", 3, -1)])
    assert _plan(tf, "A", "C", "07:55") == []


def test_05_forbidden_transfer_between_stops() -> None:
    """A 100 m walk B -> B2 exists, but transfers.txt type 3 forbids it."""
    stops = {"A": (0, 0), "B": (2000, 0), "B2": (2000, 100), "C": (4000, 0)}
    trips = [Trip("1", [("A", "08:00"), ("B", "08:10")]),
             Trip("2", [("B2", "08:20"), ("C", "08:30")])]
    ok = TinyFeed(stops, trips)
    assert _plan(ok, "A", "C", "07:55") == [
        "BUS 1 A 08:00 → B 08:10 → WALK 108s B2 → BUS 2 B2 08:20 → C 08:30"]
    banned = TinyFeed(stops, trips, transfers=[("B", "B2", 3, -1)])
    assert _plan(banned, "A", "C", "07:55") == []


def test_06_no_pickup_means_no_boarding() -> None:
    """pickup_type 1 at A on the first trip: the rider waits for the next one."""
    trips = [Trip("1", [("A", "08:00"), ("B", "08:10")], no_pickup=["A"]),
             Trip("1", [("A", "08:30"), ("B", "08:40")])]
    assert _plan(TinyFeed(LINE, trips), "A", "B", "07:55") == ["BUS 1 A 08:30 → B 08:40"]


def test_07_no_drop_off_means_no_alighting() -> None:
    """drop_off_type 1 at B: ride on to C, the only place to get off."""
    tf = TinyFeed(LINE, [Trip("1", [("A", "08:00"), ("B", "08:10"), ("C", "08:20")],
                              no_drop_off=["B"])])
    assert _plan(tf, "A", "B", "07:55") == []
    assert _plan(tf, "A", "C", "07:55") == ["BUS 1 A 08:00 → C 08:20"]


def test_08_walking_transfer_crow_fly() -> None:
    """240 m apart: crow-fly x 1.3 at 1.2 m/s = 260 s; 08:14:20 is caught, 08:14:19 not."""
    stops = {"A": (0, 0), "B": (2000, 0), "X": (2000, 240), "C": (4000, 240)}
    first = Trip("1", [("A", "08:00"), ("B", "08:10")])
    tf = TinyFeed(stops, [first, Trip("2", [("X", "08:14:20"), ("C", "08:30")])])
    assert _plan(tf, "A", "C", "07:55") == [
        "BUS 1 A 08:00 → B 08:10 → WALK 260s X → BUS 2 X 08:14:20 → C 08:30"]
    tf_missed = TinyFeed(stops, [first, Trip("2", [("X", "08:14:19"), ("C", "08:30")])])
    assert _plan(tf_missed, "A", "C", "07:55") == []


def test_09_transfers_none_forbids_walking_between_stops() -> None:
    """--transfers none: the 100 m walk from test 05 is not allowed; same-stop still is."""
    stops = {"A": (0, 0), "B": (2000, 0), "B2": (2000, 100), "C": (4000, 0)}
    trips = [Trip("1", [("A", "08:00"), ("B", "08:10")]),
             Trip("2", [("B2", "08:20"), ("C", "08:30")]),
             Trip("3", [("B", "08:50"), ("C", "09:00")])]
    assert _plan(TinyFeed(stops, trips), "A", "C", "07:55", transfers="none") == [
        "BUS 1 A 08:00 → B 08:10 → BUS 3 B 08:50 → C 09:00"]


def test_10_transfers_txt_time_between_stops_overrides_walking() -> None:
    """transfers.txt type 2 B -> B2 at 900 s replaces the 108 s walk."""
    stops = {"A": (0, 0), "B": (2000, 0), "B2": (2000, 100), "C": (4000, 0)}
    trips = [Trip("1", [("A", "08:00"), ("B", "08:10")]),
             Trip("2", [("B2", "08:20"), ("C", "08:30")]),
             Trip("2", [("B2", "08:40"), ("C", "08:50")])]
    tf = TinyFeed(stops, trips, transfers=[("B", "B2", 2, 900)])
    assert _plan(tf, "A", "C", "07:55") == [
        "BUS 1 A 08:00 → B 08:10 → WALK 900s B2 → BUS 2 B2 08:40 → C 08:50"]


def test_11_access_and_egress_from_coordinates() -> None:
    """From a point 120 m before A to a point 60 m past C: walk, bus, walk."""
    tf = TinyFeed(LINE, [Trip("10", [("A", "08:00"), ("B", "08:06"), ("C", "08:12")])])
    # 120 m x 1.3 / 1.2 = 130 s; 60 m -> 65 s
    assert _plan(tf, "-120,0", "4060,0", "07:50") == ["WALK 130s → BUS 10 A 08:00 → C 08:12 "
                                                      "→ WALK 65s"]


def test_12_pareto_over_arrival_and_transfers() -> None:
    """A slow direct bus and a faster two-bus trip are both Pareto-optimal."""
    trips = [Trip("1", [("A", "08:00"), ("D", "09:00")]),
             Trip("2", [("A", "08:05"), ("B", "08:15")]),
             Trip("3", [("B", "08:16"), ("D", "08:40")])]
    assert _plan(TinyFeed(LINE, trips), "A", "D", "07:55") == [
        "BUS 1 A 08:00 → D 09:00",
        "BUS 2 A 08:05 → B 08:15 → BUS 3 B 08:16 → D 08:40"]


def test_13_transfer_limit() -> None:
    """Three buses in a chain need two transfers; with max 1 there is no journey."""
    trips = [Trip("1", [("A", "08:00"), ("B", "08:10")]),
             Trip("2", [("B", "08:11"), ("C", "08:20")]),
             Trip("3", [("C", "08:21"), ("D", "08:30")])]
    tf = TinyFeed(LINE, trips)
    assert len(_plan(tf, "A", "D", "07:55", max_transfers=2)) == 1
    assert _plan(tf, "A", "D", "07:55", max_transfers=1) == []


def test_14_range_raptor_lists_every_pareto_departure() -> None:
    """Buses every 20 min: a 60 min window yields each departure, latest first dominated none."""
    trips = [Trip("1", [("A", f"08:{m:02d}"), ("B", f"08:{m + 10:02d}")]) for m in (0, 20, 40)]
    trips.append(Trip("1", [("A", "09:00"), ("B", "09:10")]))
    assert _plan(TinyFeed(LINE, trips), "A", "B", "07:50", window_min=60) == [
        "BUS 1 A 08:00 → B 08:10", "BUS 1 A 08:20 → B 08:30", "BUS 1 A 08:40 → B 08:50"]


def test_15_arrive_by_is_latest_departure() -> None:
    """Arrive by 08:45: the 08:20 bus (arrives 08:30) is the latest that makes it."""
    trips = [Trip("1", [("A", f"08:{m:02d}"), ("B", f"08:{m + 10:02d}")]) for m in (0, 20, 40)]
    assert _plan(TinyFeed(LINE, trips), "A", "B", "08:45", arrive=True) == [
        "BUS 1 A 08:20 → B 08:30"]


def test_16_arrive_by_with_walks_and_transfer() -> None:
    """Arrive-by keeps walk, change and egress legs in forward order."""
    trips = [Trip("1", [("A", "08:00"), ("B", "08:10")]),
             Trip("2", [("B", "08:12"), ("C", "08:20")])]
    tf = TinyFeed(LINE, trips, transfers=[("B", "B", 2, 60)])
    assert _plan(tf, "-120,0", "4060,0", "08:30", arrive=True) == [
        "WALK 130s → BUS 1 A 08:00 → B 08:10 → CHANGE 60s → BUS 2 B 08:12 → C 08:20 → WALK 65s"]


def test_17_mcraptor_walk_criterion_keeps_less_walking() -> None:
    """Criterion walk: a later journey without the 260 s walk is kept beside the fast one."""
    stops = {"A": (0, 0), "B": (2000, 0), "X": (2000, 240), "C": (4000, 240)}
    trips = [Trip("1", [("A", "08:00"), ("B", "08:10")]),
             Trip("2", [("X", "08:15"), ("C", "08:30")]),
             Trip("3", [("B", "08:40"), ("C", "08:55")])]
    tf = TinyFeed(stops, trips)
    assert _plan(tf, "A", "C", "07:55") == [
        "BUS 1 A 08:00 → B 08:10 → WALK 260s X → BUS 2 X 08:15 → C 08:30"]
    assert sorted(_plan(tf, "A", "C", "07:55", criterion="walk")) == [
        "BUS 1 A 08:00 → B 08:10 → BUS 3 B 08:40 → C 08:55",
        "BUS 1 A 08:00 → B 08:10 → WALK 260s X → BUS 2 X 08:15 → C 08:30"]


def test_18_mcraptor_cost_penalises_transfers() -> None:
    """Criterion cost (300 s per extra boarding): a direct bus 4 min slower is kept."""
    trips = [Trip("1", [("A", "08:05"), ("D", "08:44")]),
             Trip("2", [("A", "08:05"), ("B", "08:15")]),
             Trip("3", [("B", "08:16"), ("D", "08:40")])]
    tf = TinyFeed(LINE, trips)
    got = _plan(tf, "A", "D", "08:00", criterion="cost")
    assert sorted(got) == ["BUS 1 A 08:05 → D 08:44",
                           "BUS 2 A 08:05 → B 08:15 → BUS 3 B 08:16 → D 08:40"]


def test_19_loop_trip_visits_a_stop_twice() -> None:
    """A loop A-B-C-A: from C back to A on the same trip."""
    tf = TinyFeed(LINE, [Trip("L", [("A", "08:00"), ("B", "08:10"), ("C", "08:20"),
                                    ("A", "08:30")])])
    assert _plan(tf, "C", "A", "08:00") == ["BUS L C 08:20 → A 08:30"]
    assert _plan(tf, "A", "C", "07:59") == ["BUS L A 08:00 → C 08:20"]


def test_20_zero_second_hop_and_times_past_midnight() -> None:
    """A 0-second hop and a 25:10 arrival stay in the same time frame."""
    tf = TinyFeed(LINE, [Trip("N", [("A", "24:50"), ("B", "24:50"), ("C", "25:10")])])
    assert _plan(tf, "B", "C", "24:40") == ["BUS N B 24:50 → C 25:10"]


def test_21_overtaking_trip_is_used() -> None:
    """An express leaving later but arriving earlier (its own pattern) wins."""
    trips = [Trip("1", [("A", "08:00"), ("B", "08:30"), ("C", "09:00")]),
             Trip("1", [("A", "08:05"), ("B", "08:15"), ("C", "08:25")])]
    assert _plan(TinyFeed(LINE, trips), "A", "C", "07:55") == ["BUS 1 A 08:05 → C 08:25"]


def test_22_direct_walk_when_close() -> None:
    """Origin and destination 300 m apart: a walk-only journey (325 s) is offered."""
    tf = TinyFeed(LINE, [Trip("1", [("A", "08:00"), ("B", "08:10")])])
    assert _plan(tf, "0,100", "0,400", "08:00") == ["WALK 325s"]
    tt = tf.build()
    lat1, lon1 = tf.latlon(0, 100)
    lat2, lon2 = tf.latlon(0, 400)
    (j,) = Planner(tt).depart_at(Place(lat=lat1, lon=lon1), Place(lat=lat2, lon=lon2),
                                 hms("08:00"))
    assert (j.walk_s, j.transfers, j.n_rides, j.duration_s) == (325, 0, 0, 325)


def test_23_unreachable_is_empty() -> None:
    """No trip serves E: no journey, no error."""
    tf = TinyFeed(LINE, [Trip("1", [("A", "08:00"), ("B", "08:10")])])
    assert _plan(tf, "A", "E", "07:00") == []


def test_24_chained_walks_are_closed() -> None:
    """transfers.txt edges B->X (60 s) and X->Y (60 s) give a direct B->Y walk of 120 s."""
    stops = {"A": (0, 0), "B": (2000, 0), "X": (3000, 0), "Y": (4000, 0), "C": (6000, 0)}
    trips = [Trip("1", [("A", "08:00"), ("B", "08:10")]),
             Trip("2", [("Y", "08:13"), ("C", "08:30")])]
    tf = TinyFeed(stops, trips, transfers=[("B", "X", 2, 60), ("X", "Y", 2, 60)])
    assert _plan(tf, "A", "C", "07:55") == [
        "BUS 1 A 08:00 → B 08:10 → WALK 120s Y → BUS 2 Y 08:13 → C 08:30"]


def test_25_stop_origin_walks_to_a_nearby_stop() -> None:
    """From stop:A in walk mode, a bus at A2 100 m away is reached by a 108 s walk."""
    stops = {"A": (0, 0), "A2": (100, 0), "B": (2000, 0)}
    tf = TinyFeed(stops, [Trip("1", [("A2", "08:00"), ("B", "08:10")])])
    assert _plan(tf, "A", "B", "07:55") == ["WALK 108s → BUS 1 A2 08:00 → B 08:10"]
    assert _plan(tf, "A", "B", "07:55", transfers="none") == []


@pytest.mark.parametrize("criterion", ["walk", "cost"])
def test_26_mcraptor_contains_earliest_arrival(criterion: str) -> None:
    """McRAPTOR's set holds the journey with the earliest arrival."""
    trips = [Trip("1", [("A", "08:00"), ("D", "09:00")]),
             Trip("2", [("A", "08:05"), ("B", "08:15")]),
             Trip("3", [("B", "08:16"), ("D", "08:40")])]
    got = _plan(TinyFeed(LINE, trips), "A", "D", "07:55", criterion=criterion)
    assert "BUS 2 A 08:05 → B 08:15 → BUS 3 B 08:16 → D 08:40" in got


def test_29_arrive_by_window_lists_latest_departures() -> None:
    """Arrive by 09:00 within 60 min: every bus arriving 08:00-09:00, none before."""
    trips = [Trip("1", [("A", f"{h:02d}:{m:02d}"), ("B", f"{h:02d}:{m + 10:02d}")])
             for h in (7, 8) for m in (0, 20, 40)]
    assert _plan(TinyFeed(LINE, trips), "A", "B", "09:00", arrive=True, window_min=60) == [
        "BUS 1 A 08:00 → B 08:10", "BUS 1 A 08:20 → B 08:30", "BUS 1 A 08:40 → B 08:50"]


def test_30_arrive_by_mcraptor_keeps_the_walk_free_journey() -> None:
    """Arrive by 09:00, criterion walk: leave later with a 260 s walk, or earlier without."""
    stops = {"A": (0, 0), "B": (2000, 0), "X": (2000, 240), "C": (4000, 240)}
    trips = [Trip("1", [("A", "08:00"), ("B", "08:10")]),
             Trip("1", [("A", "08:20"), ("B", "08:30")]),
             Trip("2", [("X", "08:35"), ("C", "08:50")]),
             Trip("3", [("B", "08:15"), ("C", "08:58")])]
    tf = TinyFeed(stops, trips)
    assert _plan(tf, "A", "C", "09:00", arrive=True) == [
        "BUS 1 A 08:20 → B 08:30 → WALK 260s X → BUS 2 X 08:35 → C 08:50"]
    assert sorted(_plan(tf, "A", "C", "09:00", arrive=True, criterion="walk")) == [
        "BUS 1 A 08:00 → B 08:10 → BUS 3 B 08:15 → C 08:58",
        "BUS 1 A 08:20 → B 08:30 → WALK 260s X → BUS 2 X 08:35 → C 08:50"]

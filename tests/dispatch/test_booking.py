"""The booking lifecycle: every transition, who may make it, and the baseline feasibility check."""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, date, datetime

import pytest

from dispatch.booking import (
    OVERRIDES,
    SEAT_HOLDING,
    TRANSITIONS,
    Actor,
    Booking,
    BookingError,
    BookingStatus,
    FeasibilityResult,
    PickupOffer,
    RideRequest,
    RunWindowCheck,
    ServiceRun,
    request_fingerprint,
    transition,
)
from transit.errors import TsunaguError

S = BookingStatus
R, D, V, Y = Actor.RIDER, Actor.DISPATCHER, Actor.VEHICLE, Actor.SYSTEM
DAY = date(2026, 11, 24)
AT = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)

# The lifecycle of issue #5, written out independently of dispatch.booking.
EXPECTED: dict[tuple[BookingStatus, BookingStatus], set[Actor]] = {
    (S.QUOTED, S.BOOKED): {R, D},
    (S.QUOTED, S.CANCELLED): {R, D, Y},
    (S.BOOKED, S.ASSIGNED): {Y, D},
    (S.BOOKED, S.CANCELLED): {R, D},
    (S.ASSIGNED, S.ASSIGNED): {Y, D},
    (S.ASSIGNED, S.EN_ROUTE): {V, D},
    (S.ASSIGNED, S.CANCELLED): {R, D},
    (S.EN_ROUTE, S.PICKED_UP): {V, D},
    (S.EN_ROUTE, S.NO_SHOW): {V, D},
    (S.EN_ROUTE, S.CANCELLED): {R, D},
    (S.PICKED_UP, S.DROPPED_OFF): {V, D},
}
EXPECTED_OVERRIDES = {(S.NO_SHOW, S.PICKED_UP), (S.CANCELLED, S.BOOKED),
                      (S.EN_ROUTE, S.ASSIGNED)}


def grid_ride_s(a: int, b: int) -> int:
    """Manhattan ride time on a 10-wide grid of street nodes, 60 s a block."""
    return 60 * (abs(a % 10 - b % 10) + abs(a // 10 - b // 10))


def make_booking(status: BookingStatus, *, seats: int = 1) -> Booking:
    """A booking in ``status`` on run ``r1`` with pick-up window 08:00-08:10."""
    request = RideRequest("alice", DAY, 1, 25, 8 * 3600, 8 * 3600 + 1800, seats=seats)
    return Booking(booking_id="b-1", request=request, status=status,
                   offer=PickupOffer("r1", 8 * 3600, 8 * 3600 + 600, 8 * 3600 + 600),
                   version=3, created_at=AT, updated_at=AT)


def test_table_matches_the_issue() -> None:
    """The transition table is exactly the lifecycle of the issue, overrides apart."""
    assert {k: set(v) for k, v in TRANSITIONS.items()} == EXPECTED
    assert set(OVERRIDES) == EXPECTED_OVERRIDES
    assert not set(OVERRIDES) & set(TRANSITIONS)


@pytest.mark.parametrize(("src", "dst", "actor"),
                         list(itertools.product(S, S, Actor)),
                         ids=lambda v: v.value)
def test_every_transition(src: BookingStatus, dst: BookingStatus, actor: Actor) -> None:
    """Each (from, to, actor) either moves the booking or raises naming id, from and to."""
    booking = make_booking(src)
    allowed = actor in EXPECTED.get((src, dst), set()) or (
        actor is D and (src, dst) in EXPECTED_OVERRIDES)
    if allowed:
        moved = transition(booking, dst, actor=actor, at=AT, note="checked by phone")
        assert moved.status is dst
        assert moved.version == booking.version + 1
        assert booking.status is src  # the original is untouched (frozen)
    else:
        with pytest.raises(BookingError) as info:
            transition(booking, dst, actor=actor, at=AT, note="checked by phone")
        message = str(info.value)
        assert "b-1" in message and src.value in message and dst.value in message


@pytest.mark.parametrize(("src", "dst"), sorted(EXPECTED_OVERRIDES))
def test_override_needs_a_note(src: BookingStatus, dst: BookingStatus) -> None:
    """A dispatcher override without a reason is refused."""
    with pytest.raises(BookingError, match="needs a note"):
        transition(make_booking(src), dst, actor=D, at=AT, note="  ")


def test_terminal_states_name_no_way_out() -> None:
    """Leaving a final state says it is final."""
    with pytest.raises(BookingError, match="none, it is final"):
        transition(make_booking(S.DROPPED_OFF), S.CANCELLED, actor=D, at=AT)


def test_booking_error_is_value_error_and_tsunagu_error() -> None:
    """Callers may catch BookingError as ValueError or TsunaguError."""
    with pytest.raises(ValueError):
        transition(make_booking(S.CANCELLED), S.EN_ROUTE, actor=D, at=AT)
    assert issubclass(BookingError, TsunaguError)


def test_seats_held_follow_the_state() -> None:
    """Seats are held from booked on, and given back only by a cancellation."""
    held = {s for s in S if make_booking(s, seats=2).seats_held == 2}
    assert held == set(SEAT_HOLDING)
    assert held == set(S) - {S.QUOTED, S.CANCELLED}


def test_assign_plans_pickup_inside_the_window() -> None:
    """Assigning sets a planned pick-up, which must lie in the confirmed window."""
    booked = make_booking(S.BOOKED)
    assert transition(booked, S.ASSIGNED, actor=Y, at=AT).planned_pickup_s == 8 * 3600
    assert transition(booked, S.ASSIGNED, actor=Y, at=AT,
                      planned_pickup_s=8 * 3600 + 300).planned_pickup_s == 8 * 3600 + 300
    with pytest.raises(BookingError, match="planned_pickup_s 30000 is outside"):
        transition(booked, S.ASSIGNED, actor=Y, at=AT, planned_pickup_s=30000)


def test_unknown_status_or_actor_named() -> None:
    """A status or actor that does not exist is a BookingError listing the valid ones."""
    with pytest.raises(BookingError, match=r"to_status must be one of quoted, booked.*got 'gone'"):
        transition(make_booking(S.BOOKED), "gone", actor=D, at=AT)  # type: ignore[arg-type]
    with pytest.raises(BookingError, match=r"actor must be one of rider.*got 'driver'"):
        transition(make_booking(S.BOOKED), S.CANCELLED, actor="driver",  # type: ignore[arg-type]
                   at=AT)
    with pytest.raises(BookingError, match="planned_pickup_s must be an int, got '8:00'"):
        transition(make_booking(S.BOOKED), S.ASSIGNED, actor=Y, at=AT,
                   planned_pickup_s="8:00")  # type: ignore[arg-type]


def test_naive_time_refused() -> None:
    """A transition time without a timezone is refused."""
    with pytest.raises(BookingError, match="naive"):
        transition(make_booking(S.BOOKED), S.CANCELLED, actor=R, at=datetime(2026, 1, 1))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"rider_id": ""}, "rider_id must be a non-empty string"),
    ({"seats": 0}, "seats must be >= 1, got 0"),
    ({"seats": 17}, "seats must be at most 16"),
    ({"seats": True}, "seats must be an int"),
    ({"origin": 5, "destination": 5}, "same node 5"),
    ({"origin": -1}, "origin must be >= 0"),
    ({"latest_pickup_s": 100}, "latest_pickup_s 100 is before earliest_pickup_s"),
    ({"service_date": "2026-11-24"}, "service_date must be a datetime.date"),
    ({"rider_id": "x" * 201}, "at most 200"),
    ({"latest_dropoff_s": 28800}, "latest_dropoff_s 28800 is not after earliest_pickup_s"),
    ({"latest_dropoff_s": 3600}, "latest_dropoff_s 3600 is not after earliest_pickup_s 28800"),
    ({"latest_dropoff_s": 48 * 3600 + 1}, "latest_dropoff_s 172801 is past 48:00"),
    ({"latest_dropoff_s": -5}, "latest_dropoff_s must be >= 0"),
    ({"latest_dropoff_s": 30000.0}, "latest_dropoff_s must be an int"),
    ({"latest_dropoff_s": True}, "latest_dropoff_s must be an int"),
])
def test_bad_request_names_the_field(kwargs: dict[str, object], message: str) -> None:
    """An invalid ride request raises BookingError naming the field and value."""
    fields: dict[str, object] = {"rider_id": "alice", "service_date": DAY, "origin": 1,
                                 "destination": 2, "earliest_pickup_s": 28800,
                                 "latest_pickup_s": 29400}
    fields.update(kwargs)
    with pytest.raises(BookingError, match=message):
        RideRequest(**fields)  # type: ignore[arg-type]


def test_bad_run_names_the_run() -> None:
    """An invalid service run names the run and the field."""
    with pytest.raises(BookingError, match="ServiceRun 'r9': end_s 100 must be after"):
        ServiceRun("r9", "v1", DAY, 200, 100, 4, 4)
    with pytest.raises(BookingError, match="seats_left 5 exceeds capacity_seats 4"):
        ServiceRun("r9", "v1", DAY, 100, 200, 4, 5)


def test_fingerprint_is_stable_and_sensitive() -> None:
    """Equal requests share a fingerprint; any changed field or quote changes it."""
    a = RideRequest("alice", DAY, 1, 2, 100, 200)
    assert request_fingerprint(a) == request_fingerprint(RideRequest("alice", DAY, 1, 2, 100, 200))
    assert request_fingerprint(a) != request_fingerprint(RideRequest("alice", DAY, 1, 2, 100, 201))
    assert request_fingerprint(a) != request_fingerprint(a, quote_id="q")
    timed = RideRequest("alice", DAY, 1, 2, 100, 200, latest_dropoff_s=900)
    assert request_fingerprint(timed) != request_fingerprint(a)
    assert request_fingerprint(timed) != request_fingerprint(
        RideRequest("alice", DAY, 1, 2, 100, 200, latest_dropoff_s=901))


def test_fingerprint_without_deadline_is_the_one_stored_before_it() -> None:
    """A request without latest_dropoff_s hashes as before the field existed (old rows replay)."""
    a = RideRequest("alice", DAY, 1, 2, 100, 200, seats=2)
    before = ('{"destination":2,"earliest_pickup_s":100,"latest_pickup_s":200,"origin":1,'
              '"quote_id":null,"rider_id":"alice","seats":2,"service_date":"2026-11-24"}')
    assert request_fingerprint(a) == hashlib.sha256(before.encode()).hexdigest()


def test_feasibility_result_needs_offer_or_reason() -> None:
    """A result with both an offer and a reason (or neither) is refused."""
    with pytest.raises(BookingError):
        FeasibilityResult(None)
    with pytest.raises(BookingError):
        FeasibilityResult(PickupOffer("r1", 0, 1, 2), reason="x")


def run(run_id: str, start_h: float, end_h: float, seats_left: int = 4) -> ServiceRun:
    """A run on DAY between two hours with four seats."""
    return ServiceRun(run_id, f"v-{run_id}", DAY, int(start_h * 3600), int(end_h * 3600), 4,
                      seats_left)


def test_window_check_picks_earliest_fitting_run() -> None:
    """The earliest pick-up on a run with seats wins; the others are alternatives."""
    check = RunWindowCheck(grid_ride_s, window_s=600)
    request = RideRequest("alice", DAY, 0, 34, 8 * 3600, 9 * 3600)  # 7 blocks: 420 s
    result = check.check(request, [run("late", 8.5, 10), run("early", 7, 9),
                                   run("full", 7, 9, seats_left=0)])
    assert result.ok and result.offer == PickupOffer("early", 28800, 29400, 29220)
    assert [a.run_id for a in result.alternatives] == ["late"]


def test_window_check_keeps_the_drop_off_deadline() -> None:
    """With a deadline, the offered pick-ups all reach the drop-off by it; too tight: refused."""
    check = RunWindowCheck(grid_ride_s, window_s=600)
    deadline = 8 * 3600 + 420 + 300  # 7 blocks (420 s) then 5 min to spare
    request = RideRequest("alice", DAY, 0, 34, 8 * 3600, 9 * 3600, latest_dropoff_s=deadline)
    result = check.check(request, [run("early", 7, 9), run("late", 8.5, 10)])
    assert result.offer == PickupOffer("early", 28800, 29100, 29220)
    assert result.alternatives == ()  # the later run cannot make the deadline
    tight = RideRequest("alice", DAY, 0, 34, 8 * 3600, 9 * 3600, latest_dropoff_s=28800 + 419)
    refused = check.check(tight, [run("early", 7, 9)])
    assert not refused.ok and "by the drop-off deadline 08:06" in refused.reason


def test_window_check_run_must_hold_the_whole_ride() -> None:
    """A run ending before the ride can finish does not serve it."""
    check = RunWindowCheck(grid_ride_s)
    request = RideRequest("alice", DAY, 0, 99, 8 * 3600, 8 * 3600 + 600)  # 18 blocks
    result = check.check(request, [run("short", 7.5, 8.2)])
    assert not result.ok
    assert "can pick up between 08:00-08:10" in result.reason


def test_window_check_refuses_with_reason_and_alternatives() -> None:
    """Outside every run the check says why and offers the nearest runs."""
    check = RunWindowCheck(grid_ride_s, max_alternatives=2)
    request = RideRequest("alice", DAY, 0, 1, 12 * 3600, 12 * 3600 + 600)
    result = check.check(request, [run("a", 7, 8), run("b", 14, 15), run("c", 20, 21),
                                   run("d", 13, 14, seats_left=0)])
    assert result.offer is None
    assert "08" not in result.reason and "12:00-12:10" in result.reason
    assert [a.run_id for a in result.alternatives] == ["b", "a"]


def test_window_check_reports_no_seats_and_no_service() -> None:
    """Sold-out runs and days without service give their own reasons."""
    check = RunWindowCheck(grid_ride_s)
    request = RideRequest("alice", DAY, 0, 1, 8 * 3600, 9 * 3600, seats=2)
    assert "fewer than 2 seat(s) left" in check.check(
        request, [run("a", 7, 10, seats_left=1)]).reason
    assert "no service run on 2026-11-24" in check.check(request, []).reason

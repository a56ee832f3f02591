"""How the planner asks for on-demand (DRT) legs: a Protocol of routing's own.

The planner never imports ``dispatch``: it asks an :class:`OnDemandProvider`
(implemented in ``web/`` on top of the live dispatcher, or by a test) for
*offers* — an on-demand ride that a vehicle can actually make, with its
promised pickup window, its planned times and how to book it. As in MOTIS,
the router proposes and the dispatcher quotes:

* :meth:`OnDemandProvider.access` — from a door inside a zone to each hub stop
  of the zone, the earliest ride the vehicles can fit in after ``depart_s``;
* :meth:`OnDemandProvider.access_by` — the same ride re-timed to reach one hub
  no later than ``arrive_by_s`` (the chosen bus departure minus the transfer
  buffer), so riders do not wait at the hub;
* :meth:`OnDemandProvider.egress_stops` — the hubs serving a destination door;
* :meth:`OnDemandProvider.egress` — from a hub to a door, picked up no earlier
  than ``ready_s`` (the bus arrival plus the buffer): time-dependent;
* :meth:`OnDemandProvider.egress_by` — a ride from a hub reaching the door by
  a deadline (arrive-by queries);
* :meth:`OnDemandProvider.direct` — door to door inside a zone.

Offers are quotes, not bookings: asking must not change the provider's plans.
Times are int seconds after the service day's midnight; stops are timetable
indices (``-1`` for a door).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from transit.errors import ModelError

DOOR = -1


@dataclass(frozen=True, slots=True)
class BookingInfo:
    """How to book an on-demand ride (GTFS-Flex ``booking_rules.txt`` fields, OTP names)."""

    how_to_book: str = ""
    phone: str = ""
    url: str = ""
    info_url: str = ""
    latest_booking_s: int | None = None
    min_notice_s: int = 0
    fare_yen: int | None = None


@dataclass(frozen=True, slots=True)
class OnDemandOffer:
    """A ride an on-demand vehicle can make, as quoted by the provider.

    Parameters
    ----------
    from_stop, to_stop
        Timetable stop indices of the pickup and drop-off, :data:`DOOR` for a door.
    pickup_earliest_s, pickup_latest_s
        The promised pickup window.
    pickup_s
        Planned pickup (inside the window).
    dropoff_s
        Planned drop-off; for access rides, the arrival at the hub.
    dropoff_latest_s
        Latest drop-off the provider promises (``dropoff_s`` when it promises the plan).
    distance_m
        Driven distance of the direct ride.
    zone_id, zone_name
        The on-demand zone.
    booking
        How to book it.
    """

    from_stop: int
    to_stop: int
    pickup_earliest_s: int
    pickup_latest_s: int
    pickup_s: int
    dropoff_s: int
    dropoff_latest_s: int
    distance_m: float
    zone_id: str
    zone_name: str = ""
    booking: BookingInfo = BookingInfo()

    def __post_init__(self) -> None:
        if not (self.pickup_earliest_s <= self.pickup_s <= self.pickup_latest_s):
            raise ModelError(f"OnDemandOffer: pickup_s={self.pickup_s} is outside the window "
                             f"[{self.pickup_earliest_s}, {self.pickup_latest_s}]")
        if not (self.pickup_s <= self.dropoff_s <= self.dropoff_latest_s):
            raise ModelError(f"OnDemandOffer: dropoff_s={self.dropoff_s} is not between "
                             f"pickup_s={self.pickup_s} and dropoff_latest_s="
                             f"{self.dropoff_latest_s}")

    @property
    def duration_s(self) -> int:
        """Planned time in the vehicle."""
        return self.dropoff_s - self.pickup_s


@runtime_checkable
class OnDemandProvider(Protocol):
    """Quotes on-demand rides for the planner (see the module docstring).

    Every method returns only rides the provider can serve (service hours,
    booking notice counted from ``booked_at_s`` — when the rider books —,
    vehicles' plans); an empty answer or ``None`` means none.
    """

    @property
    def transfer_buffer_s(self) -> int:
        """Slack kept between an on-demand ride and the bus it meets."""
        ...

    def access(self, lat: float, lon: float, depart_s: int, *,
               booked_at_s: int) -> Sequence[OnDemandOffer]:
        """Rides from the door at ``(lat, lon)`` to hub stops, leaving at or after ``depart_s``.

        One offer per reachable hub: the earliest arrival at that hub.
        """
        ...

    def access_by(self, lat: float, lon: float, stop: int, depart_s: int,
                  arrive_by_s: int, *, booked_at_s: int) -> OnDemandOffer | None:
        """A ride from the door to hub ``stop`` leaving at or after ``depart_s`` and
        arriving at the hub no later than ``arrive_by_s`` (as late as the vehicles allow)."""
        ...

    def egress_stops(self, lat: float, lon: float) -> Sequence[int]:
        """Hub stops of the zone holding the door at ``(lat, lon)`` (rides to and from it)."""
        ...

    def egress(self, stop: int, lat: float, lon: float, ready_s: int, *,
               booked_at_s: int) -> OnDemandOffer | None:
        """A ride from hub ``stop`` to the door, picked up at or after ``ready_s``."""
        ...

    def egress_by(self, stop: int, lat: float, lon: float, depart_s: int,
                  arrive_by_s: int, *, booked_at_s: int) -> OnDemandOffer | None:
        """A ride from hub ``stop`` to the door, picked up at or after ``depart_s`` and
        reaching the door no later than ``arrive_by_s`` (arrive-by queries)."""
        ...

    def direct(self, from_lat: float, from_lon: float, to_lat: float, to_lon: float,
               depart_s: int, arrive_by_s: int | None = None, *,
               booked_at_s: int) -> OnDemandOffer | None:
        """A door-to-door ride inside a zone, picked up at or after ``depart_s`` (and with
        ``arrive_by_s``, dropped off no later than that)."""
        ...


__all__ = ["DOOR", "BookingInfo", "OnDemandOffer", "OnDemandProvider"]

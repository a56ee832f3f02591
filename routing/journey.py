"""Journeys found by the RAPTOR family, as plain value objects.

A :class:`Journey` is a chain of :class:`Leg` in travel order, with stop, trip
and event *indices* of the timetable (strings are added later by
``routing.itinerary``). Times are seconds after the service day's midnight.
"""

from __future__ import annotations

from dataclasses import dataclass

from routing.ondemand import OnDemandOffer

#: Leg kinds.
ACCESS = "ACCESS"  # origin place -> first stop (walk; duration 0 when origin is the stop)
TRANSFER = "TRANSFER"  # stop -> stop between two vehicles (walk or same-stop change)
EGRESS = "EGRESS"  # last stop -> destination place
RIDE = "RIDE"  # one vehicle trip from boarding to alighting
ON_DEMAND = "ON_DEMAND"  # an on-demand vehicle ride (door -> hub, hub -> door, door -> door)


@dataclass(frozen=True, slots=True)
class Leg:
    """One leg: walking (``ACCESS``/``TRANSFER``/``EGRESS``) or a ``RIDE``.

    ``from_stop``/``to_stop`` are ``-1`` for the origin and destination places.
    For rides, ``trip`` is the compiled trip and ``board_event``/``alight_event``
    the stop events (indices into the timetable's event arrays). ``ON_DEMAND``
    legs carry the quoted ``offer`` (pickup window, booking info); their
    ``departure_s`` is the planned pickup and ``arrival_s`` the drop-off.
    """

    kind: str
    from_stop: int
    to_stop: int
    departure_s: int
    arrival_s: int
    duration_s: int
    trip: int = -1
    board_event: int = -1
    alight_event: int = -1
    offer: OnDemandOffer | None = None


@dataclass(frozen=True, slots=True)
class Journey:
    """A door-to-door journey: legs in order, departure, arrival and counts."""

    legs: tuple[Leg, ...]

    @property
    def departure_s(self) -> int:
        """Time the journey leaves the origin."""
        return self.legs[0].departure_s

    @property
    def arrival_s(self) -> int:
        """Time the journey reaches the destination."""
        return self.legs[-1].arrival_s

    @property
    def duration_s(self) -> int:
        """Door-to-door duration."""
        return self.arrival_s - self.departure_s

    @property
    def n_rides(self) -> int:
        """Number of vehicle trips."""
        return sum(1 for leg in self.legs if leg.kind == RIDE)

    @property
    def n_ondemand(self) -> int:
        """Number of on-demand rides."""
        return sum(1 for leg in self.legs if leg.kind == ON_DEMAND)

    @property
    def transfers(self) -> int:
        """Number of changes of vehicle (rides minus one, at least 0)."""
        return max(self.n_rides - 1, 0)

    @property
    def walk_s(self) -> int:
        """Seconds spent walking (access, transfers between stops, egress)."""
        return sum(leg.duration_s for leg in self.legs
                   if leg.kind not in (RIDE, ON_DEMAND) and not (leg.kind == TRANSFER
                                                and leg.from_stop == leg.to_stop))

"""The live dispatch model: ride requests, vehicles and plans (times in seconds).

Times are int seconds after service-day midnight.  Loads have two dimensions:
seats and wheelchair spaces (a wheelchair user takes a wheelchair space, the
companions take seats).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dispatch.errors import DispatchError

EARLIEST_PICKUP = "earliest_pickup"
LATEST_DROPOFF = "latest_dropoff"
TIME_KINDS = (EARLIEST_PICKUP, LATEST_DROPOFF)
PICKUP = "pickup"
DROPOFF = "dropoff"
STOP_KINDS = (PICKUP, DROPOFF)


@dataclass(frozen=True, slots=True)
class Place:
    """A door (``lat``/``lon``) or a stop (``stop_index`` set, with its coordinates)."""

    lat: float
    lon: float
    stop_index: int | None = None

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0) or not math.isfinite(self.lat):
            raise DispatchError(f"lat={self.lat!r} is not a latitude")
        if not (-180.0 <= self.lon <= 180.0) or not math.isfinite(self.lon):
            raise DispatchError(f"lon={self.lon!r} is not a longitude")


@dataclass(frozen=True, slots=True)
class RideRequest:
    """A door-to-stop (or any place to place) ride request.

    ``requested_time_s`` is the earliest pickup (``time_kind="earliest_pickup"``)
    or the latest drop-off (``"latest_dropoff"``).  The promised pickup window is
    ``window_s`` wide; the maximum ride time is ``ride_alpha * direct + ride_beta_s``.
    A booked ride (:class:`dispatch.booking.RideRequest`) is turned into one of
    these by the composition root (``web.services.drt_state.DrtState.request``).
    """

    request_id: int
    pickup: Place
    dropoff: Place
    requested_time_s: int
    time_kind: str = EARLIEST_PICKUP
    passengers: int = 1
    wheelchair: bool = False
    window_s: int = 600
    ride_alpha: float = 1.5
    ride_beta_s: int = 300
    service_s: int = 60

    def __post_init__(self) -> None:
        if self.time_kind not in TIME_KINDS:
            raise DispatchError(f"time_kind={self.time_kind!r} is not one of {TIME_KINDS}")
        if self.passengers < 1:
            raise DispatchError(f"passengers={self.passengers!r} must be at least 1")
        if self.window_s < 0 or self.service_s < 0 or self.ride_beta_s < 0:
            raise DispatchError(f"window_s={self.window_s}, service_s={self.service_s} and "
                                f"ride_beta_s={self.ride_beta_s} must not be negative")
        if self.ride_alpha < 1.0:
            raise DispatchError(f"ride_alpha={self.ride_alpha!r} must be at least 1")

    @property
    def load(self) -> tuple[int, int]:
        """(seats, wheelchair spaces) this request occupies."""
        return (self.passengers - (1 if self.wheelchair else 0), 1 if self.wheelchair else 0)

    def max_ride_s(self, direct_s: int) -> int:
        """Maximum ride time for a direct travel time of ``direct_s`` seconds."""
        return math.floor(self.ride_alpha * direct_s + self.ride_beta_s)

    def pickup_window_s(self, direct_s: int) -> tuple[int, int]:
        """The (earliest, latest) start of the pickup."""
        if self.time_kind == EARLIEST_PICKUP:
            return self.requested_time_s, self.requested_time_s + self.window_s
        latest = self.requested_time_s - self.service_s - direct_s
        return latest - self.window_s, latest

    def dropoff_deadline_s(self, direct_s: int) -> int:
        """Latest start of the drop-off."""
        if self.time_kind == LATEST_DROPOFF:
            return self.requested_time_s
        return self.pickup_window_s(direct_s)[1] + self.service_s + self.max_ride_s(direct_s)


@dataclass(frozen=True, slots=True)
class OnBoard:
    """A passenger already in the vehicle, picked up at ``picked_up_s``."""

    request: RideRequest
    picked_up_s: int

    def dropoff_deadline_s(self, direct_s: int, *, reachable_s: float) -> float:
        """Latest start of this passenger's drop-off.

        The request's own drop-off deadline and its ride-time limit counted
        from the pickup (``direct_s`` is the request's direct travel time),
        but never before ``reachable_s``, the earliest the vehicle can get
        there: a passenger on board is always delivered, late if it must be.
        """
        r = self.request
        hi = min(r.dropoff_deadline_s(direct_s),
                 self.picked_up_s + r.service_s + r.max_ride_s(direct_s))
        return max(hi, reachable_s)


@dataclass(frozen=True, slots=True)
class StopRef:
    """A stop of a request: its pickup or its drop-off."""

    request_id: int
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in STOP_KINDS:
            raise DispatchError(f"kind={self.kind!r} is not one of {STOP_KINDS}")


@dataclass(frozen=True, slots=True)
class Vehicle:
    """An on-demand vehicle and its state.

    ``position``/``position_time_s`` default to the depot at shift start;
    ``committed`` stops must be served first, in this order.
    """

    vehicle_id: int
    seats: int
    wheelchair_spaces: int
    depot: Place
    shift_start_s: int
    shift_end_s: int
    position: Place | None = None
    position_time_s: int | None = None
    onboard: tuple[OnBoard, ...] = ()
    committed: tuple[StopRef, ...] = ()

    def __post_init__(self) -> None:
        if self.seats < 0 or self.wheelchair_spaces < 0:
            raise DispatchError(f"seats={self.seats} and wheelchair_spaces="
                                f"{self.wheelchair_spaces} must not be negative")
        if self.shift_end_s < self.shift_start_s:
            raise DispatchError(f"shift_end_s={self.shift_end_s} is before "
                                f"shift_start_s={self.shift_start_s}")
        seats = sum(o.request.load[0] for o in self.onboard)
        chairs = sum(o.request.load[1] for o in self.onboard)
        if seats > self.seats or chairs > self.wheelchair_spaces:
            raise DispatchError(f"vehicle {self.vehicle_id} carries {seats} seated and "
                                f"{chairs} wheelchair passengers, over its capacity")

    @property
    def capacity(self) -> tuple[int, int]:
        """(seats, wheelchair spaces)."""
        return (self.seats, self.wheelchair_spaces)

    @property
    def start_place(self) -> Place:
        """Where the vehicle is now."""
        return self.position if self.position is not None else self.depot

    def start_time_s(self, now_s: int) -> int:
        """When the vehicle can leave its current place."""
        t = self.position_time_s if self.position_time_s is not None else self.shift_start_s
        return max(t, self.shift_start_s, now_s)


@dataclass(frozen=True, slots=True)
class PlannedStop:
    """A stop in a vehicle plan: start of service and load after it."""

    request_id: int
    kind: str
    place: Place
    time_s: int
    load: tuple[int, int]


@dataclass(frozen=True, slots=True)
class VehiclePlan:
    """Ordered stops of one vehicle, from its position back to its depot."""

    vehicle_id: int
    start_time_s: int
    stops: tuple[PlannedStop, ...]
    end_time_s: int


@dataclass(frozen=True, slots=True)
class Plan:
    """Plans of every vehicle and the requests left out."""

    routes: tuple[VehiclePlan, ...]
    rejected: tuple[int, ...] = ()

    def route_of(self, vehicle_id: int) -> VehiclePlan:
        """The plan of ``vehicle_id``."""
        for route in self.routes:
            if route.vehicle_id == vehicle_id:
                return route
        raise DispatchError(f"vehicle_id={vehicle_id!r} has no route in this plan")

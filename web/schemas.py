"""Pydantic models of every API request and response (camelCase on the wire).

Request models forbid unknown fields and non-finite numbers, so a typo is a
422 naming the field rather than a silently ignored value. The OpenAPI
document (:mod:`web.openapi`) is generated from these models.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

Clock = Annotated[str, Field(pattern=r"^\d{1,2}:\d{2}(:\d{2})?$",
                             description="HH:MM[:SS] after the service day's midnight "
                                         "(hours may pass 24)", examples=["08:30"])]
Ident = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]+$")]
Note = Annotated[str, Field(min_length=1, max_length=500)]


class Model(BaseModel):
    """Base of request models: camelCase, no unknown fields, finite numbers."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True,
                              validate_by_alias=True, serialize_by_alias=True,
                              extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)


class Out(BaseModel):
    """Base of response models: camelCase."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True,
                              serialize_by_alias=True)


# -- problems --------------------------------------------------------------------------

class FieldError(Out):
    """One invalid field."""

    loc: str = Field(description="Where: query.x, body.a.b, header.Idempotency-Key, path.id")
    msg: str
    type: str


class Problem(Out):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError] | None = None
    alternatives: list[OfferOut] | None = Field(
        default=None, description="Offers the rider might take instead (refused rides)")


# -- planning --------------------------------------------------------------------------

class PlanQuery(Model):
    """A journey query (query string of GET /plan, or the body of POST /plan)."""

    from_: str = Field(alias="from", min_length=1, max_length=100,
                       description="LAT,LON or stop:ID", examples=["36.60,140.65"])
    to: str = Field(min_length=1, max_length=100, description="LAT,LON or stop:ID")
    date: dt.date | None = Field(default=None, description="Service day (default: the loaded one)")
    time: Clock
    arrive_by: bool = Field(default=False, description="time is the latest arrival")
    window: int = Field(default=0, ge=0, le=240,
                        description="Minutes: every Pareto journey departing (arriving) "
                                    "within the window")
    transfers: int | None = Field(default=None, ge=0, le=8,
                                  description="At most this many transfers")
    on_demand: bool | None = Field(
        default=None,
        description="Offer on-demand rides (ON_DEMAND legs with bookingInfo: door to hub "
                    "timed to meet the bus, hub to door, door to door), quoted from the "
                    "live vehicle plans. Default: on when the origin or the destination "
                    "lies in an on-demand zone during its service hours")


class PlanOut(Out):
    """An OpenTripPlanner-shaped plan response (see routing.itinerary)."""

    model_config = ConfigDict(extra="allow")
    request_parameters: dict[str, Any]
    plan: dict[str, Any]


class StopQuery(Model):
    """Stop search by name."""

    q: str = Field(min_length=1, max_length=100,
                   description="Part of a stop name (Japanese or Latin, NFKC-folded) or id")
    limit: int = Field(default=10, ge=1, le=50)


class StopOut(Out):
    """A stop."""

    id: str
    name: str
    lat: float
    lon: float


class StopList(Out):
    """Stops matching a search, best first."""

    stops: list[StopOut]


# -- quotes and bookings ---------------------------------------------------------------

class PlaceIn(Model):
    """A door (``lat``/``lon``) or a stop (``stopId``)."""

    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    stop_id: Ident | None = None

    @model_validator(mode="after")
    def _one_form(self) -> PlaceIn:
        coord = self.lat is not None or self.lon is not None
        if coord and self.stop_id is not None:
            raise ValueError("give lat/lon or stopId, not both")
        if not coord and self.stop_id is None:
            raise ValueError("give lat and lon, or stopId")
        if coord and (self.lat is None or self.lon is None):
            raise ValueError("give both lat and lon")
        return self


class RideIn(Model):
    """An on-demand ride asked for (quote)."""

    pickup: PlaceIn
    dropoff: PlaceIn
    date: dt.date | None = Field(default=None, description="Service day (default: the loaded one)")
    earliest_pickup: Clock
    latest_pickup: Clock
    latest_dropoff: Clock | None = Field(
        default=None, description="Hard drop-off deadline (the rider is set down by then), "
                                  "e.g. an ON_DEMAND leg's bookingInfo.latestDropoff: the bus's "
                                  "departure minus the transfer buffer; kept by every later "
                                  "booking and re-optimization")
    seats: int = Field(default=1, ge=1, le=16)
    rider_id: Ident | None = Field(default=None,
                                   description="Dispatchers booking for a rider; residents "
                                               "book for themselves")


class BookingIn(RideIn):
    """An on-demand ride to book (with the ``Idempotency-Key`` header)."""

    quote_id: Ident | None = None


class CancelIn(Model):
    """Why a booking is cancelled."""

    note: str = Field(default="", max_length=500)


class PointOut(Out):
    """A place with its street node."""

    lat: float
    lon: float
    node: int


class OfferOut(Out):
    """A pick-up window on a vehicle run."""

    run_id: str
    vehicle_id: str
    pickup_earliest: str
    pickup_latest: str
    dropoff_eta: str
    pickup_earliest_s: int
    pickup_latest_s: int
    dropoff_eta_s: int


class BookingOut(Out):
    """A booking (or quote) as stored."""

    id: str
    rider_id: str
    status: str
    date: dt.date
    pickup: PointOut
    dropoff: PointOut
    seats: int
    offer: OfferOut
    latest_dropoff: str | None = None
    latest_dropoff_s: int | None = None
    planned_pickup: str | None = None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    quote_expires_at: dt.datetime | None = None
    note: str = ""


class QuoteOut(Out):
    """A quote and other offers."""

    quote: BookingOut
    alternatives: list[OfferOut]


class BookingList(Out):
    """Bookings, oldest first."""

    bookings: list[BookingOut]


# -- vehicles --------------------------------------------------------------------------

class VehicleState(StrEnum):
    """What a vehicle is doing, as its driver reports."""

    OFF_DUTY = "off_duty"
    AVAILABLE = "available"
    BUSY = "busy"
    OUT_OF_SERVICE = "out_of_service"


class PositionIn(Model):
    """A position fix from the vehicle app."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    at: AwareDatetime | None = Field(default=None, description="Fix time (default: now)")
    heading_deg: float | None = Field(default=None, ge=0, lt=360)
    speed_mps: float | None = Field(default=None, ge=0, le=80)


class PositionOut(Out):
    """The last position fix."""

    lat: float
    lon: float
    at: dt.datetime
    heading_deg: float | None = None
    speed_mps: float | None = None


class RideProgress(Model):
    """A ride's progress reported by the vehicle."""

    booking_id: Ident
    status: Literal["en_route", "picked_up", "no_show", "dropped_off"]


class StatusIn(Model):
    """A status report from the vehicle app."""

    status: VehicleState | None = None
    ride: RideProgress | None = None

    @model_validator(mode="after")
    def _something(self) -> StatusIn:
        if self.status is None and self.ride is None:
            raise ValueError("give status, ride, or both")
        return self


class VehicleOut(Out):
    """A vehicle with its live state."""

    id: str
    service_id: str
    model: str
    seats: int
    wheelchair_spaces: int
    depot: dict[str, float]
    status: VehicleState
    position: PositionOut | None = None
    updated_at: dt.datetime | None = None


class VehicleList(Out):
    """Vehicles."""

    vehicles: list[VehicleOut]


class StatusOut(Out):
    """A vehicle after a status report, and the ride it moved."""

    vehicle: VehicleOut
    booking: BookingOut | None = None


# -- dispatcher actions ----------------------------------------------------------------

class ReoptimizeIn(Model):
    """Re-optimize one vehicle run's route with OR-Tools."""

    run_id: Ident
    time_limit_s: float = Field(default=2.0, gt=0, le=10)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class PlannedStopOut(Out):
    """A stop of a planned route."""

    booking_id: str
    kind: str
    time: str
    time_s: int


class ReoptimizeOut(Out):
    """The run's route after re-optimization."""

    run_id: str
    adopted: bool
    travel_time_s: float
    assigned: int
    stops: list[PlannedStopOut]


class ReassignIn(Model):
    """Move a booking to another run."""

    booking_id: Ident
    run_id: Ident
    note: Note
    planned_pickup: Clock | None = None


class OverrideIn(Model):
    """Correct a booking's state (dispatcher override)."""

    booking_id: Ident
    to_status: Literal["picked_up", "booked", "assigned"]
    note: Note
    expected_version: int | None = Field(default=None, ge=1)


Problem.model_rebuild()

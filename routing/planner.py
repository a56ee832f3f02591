"""The journey planner: places in, journeys out.

:class:`Planner` owns everything built once per compiled day (footpaths,
RAPTOR arrays in both directions, the walker) and answers queries between
:class:`Place` objects — a stop, or a coordinate reached on foot:

* :meth:`Planner.depart_at` — earliest arrival, Pareto over (arrival,
  transfers), optionally every Pareto journey departing within a window
  (range RAPTOR) and optionally with a third criterion (McRAPTOR);
* :meth:`Planner.arrive_by` — latest departure, by the reverse search (also
  with a window or a third criterion);
* :meth:`Planner.arrival_time` — the fast path for batch work.

Access and egress are the stops within ``walk_limit_s`` of a coordinate, or
the stop itself (plus its footpaths when transfers are ``"walk"``). A walk-only
journey is offered when origin and destination are within the walk limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from routing.errors import QueryError
from routing.footpaths import DEFAULT_RADIUS_M, DETOUR_FACTOR, WALK_SPEED_M_S, build_footpaths
from routing.geo import haversine_m
from routing.journey import Journey, Leg
from routing.mcraptor import CRITERIA, mc_query
from routing.provider import TimetableProvider
from routing.raptor import (
    DEFAULT_MAX_TRANSFERS,
    RaptorState,
    StopTimes,
    earliest_arrival,
    earliest_arrival_time,
    range_query,
)
from routing.walking import Walker
from transit.footpaths import Footpaths
from transit.streets import StreetNetwork
from transit.timetable import Timetable

DEFAULT_WALK_LIMIT_S = 15 * 60
DEFAULT_WINDOW_S = 60 * 60
DIRECT = "DIRECT"  # a walk-only journey (a leg kind beside ACCESS/TRANSFER/EGRESS/RIDE)


@dataclass(frozen=True, slots=True)
class Place:
    """An origin or destination: a stop index, or a coordinate (``stop == -1``)."""

    stop: int = -1
    lat: float = float("nan")
    lon: float = float("nan")

    @property
    def is_stop(self) -> bool:
        """Whether the place is a stop of the timetable."""
        return self.stop >= 0


_COORD = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_place(text: str, tt: Timetable, *, argument: str = "place") -> Place:
    """Return the place for ``stop:ID`` or ``LAT,LON``.

    Raises
    ------
    QueryError
        Naming ``argument`` and the text, when it is neither form, the stop is
        unknown or the coordinate is out of range.
    """
    if text.startswith("stop:"):
        sid = text[5:]
        if sid not in tt.stop_index:
            raise QueryError(f"{argument}: no stop {sid!r} in the feed")
        s = tt.stop_index[sid]
        return Place(stop=s, lat=float(tt.stop_lat[s]), lon=float(tt.stop_lon[s]))
    m = _COORD.match(text)
    if not m:
        raise QueryError(f"{argument}: expected LAT,LON or stop:ID, got {text!r}")
    lat, lon = float(m.group(1)), float(m.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise QueryError(f"{argument}: coordinate out of range: {text!r}")
    return Place(lat=lat, lon=lon)


def parse_clock(text: str, *, argument: str = "time") -> int:
    """Return seconds after midnight for ``HH:MM`` or ``HH:MM:SS`` (hours may pass 24)."""
    parts = text.strip().split(":")
    try:
        if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
            raise ValueError
        h, m = int(parts[0]), int(parts[1])
        s = int(parts[2]) if len(parts) == 3 else 0
    except ValueError:
        raise QueryError(f"{argument}: expected HH:MM[:SS], got {text!r}") from None
    if m > 59 or s > 59 or h > 47:
        raise QueryError(f"{argument}: expected HH:MM[:SS], got {text!r}")
    return h * 3600 + m * 60 + s


@dataclass(frozen=True, slots=True)
class PlannerConfig:
    """Planner options (all keyword-only where passed)."""

    transfers: str = "walk"
    radius_m: float = DEFAULT_RADIUS_M
    speed_m_s: float = WALK_SPEED_M_S
    detour: float = DETOUR_FACTOR
    walk_limit_s: int = DEFAULT_WALK_LIMIT_S
    max_transfers: int = DEFAULT_MAX_TRANSFERS
    transfer_penalty_s: int = 300


@dataclass(eq=False)
class Planner:
    """Plans journeys on one compiled day; build once, query many times."""

    timetable: Timetable
    streets: StreetNetwork | None = None
    config: PlannerConfig = field(default_factory=PlannerConfig)
    footpaths: Footpaths = field(init=False)
    provider: TimetableProvider = field(init=False)
    walker: Walker = field(init=False)
    _reverse_footpaths: Footpaths = field(init=False, repr=False)
    _fwd: RaptorState | None = field(default=None, init=False)
    _bwd: RaptorState | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        c = self.config
        if c.max_transfers < 0:
            raise QueryError(f"max_transfers: must be >= 0, got {c.max_transfers}")
        if c.walk_limit_s < 0:
            raise QueryError(f"walk_limit_s: must be >= 0, got {c.walk_limit_s}")
        self.walker = Walker(self.timetable, self.streets, speed_m_s=c.speed_m_s,
                             detour=c.detour)
        lengths = self.walker.stop_lengths if self.walker.on_streets else None
        self.footpaths = build_footpaths(self.timetable, mode=c.transfers, radius_m=c.radius_m,
                                         speed_m_s=c.speed_m_s, detour=c.detour,
                                         street_lengths=lengths)
        self.provider = TimetableProvider(self.timetable, self.footpaths)
        self._reverse_footpaths = self.footpaths.reversed()

    # -- states ------------------------------------------------------------

    def forward_state(self) -> RaptorState:
        """Return the planner's forward RAPTOR state (labels of the last forward query)."""
        return self._forward_state()

    def _forward_state(self) -> RaptorState:
        if self._fwd is None:
            self._fwd = RaptorState(self.provider.forward(), self.config.max_transfers)
        return self._fwd

    def backward_state(self) -> RaptorState:
        """Return the planner's backward RAPTOR state (labels of the last arrive-by query)."""
        return self._backward_state()

    def _backward_state(self) -> RaptorState:
        if self._bwd is None:
            self._bwd = RaptorState(self.provider.backward(), self.config.max_transfers)
        return self._bwd

    # -- access and egress -------------------------------------------------

    def access(self, place: Place) -> StopTimes:
        """Return the stops reachable from ``place`` on foot, with walking times."""
        return StopTimes.of(self._walk_stops(place, outbound=True))

    def egress(self, place: Place) -> StopTimes:
        """Return the stops from which ``place`` is reachable on foot."""
        return StopTimes.of(self._walk_stops(place, outbound=False))

    def _walk_stops(self, place: Place, *, outbound: bool) -> dict[int, int]:
        if place.is_stop:
            out = {place.stop: 0}
            if self.config.transfers == "walk":
                fp = self.footpaths if outbound else self._reverse_footpaths
                to, dur = fp.edges_from(place.stop)
                for s, d in zip(to.tolist(), dur.tolist(), strict=True):
                    if d <= self.config.walk_limit_s:
                        out[s] = min(out.get(s, d), d)
            return out
        near = self.walker.stops_near(place.lat, place.lon, self.config.walk_limit_s)
        return {s: v[0] for s, v in near.items()}

    def direct_walk(self, origin: Place, destination: Place, depart_s: int) -> Journey | None:
        """Return the walk-only journey when it is within the walk limit."""
        if origin.is_stop and destination.is_stop and origin.stop == destination.stop:
            return Journey((Leg(DIRECT, origin.stop, destination.stop, depart_s, depart_s, 0),))
        if origin.is_stop or destination.is_stop:
            return None
        crow = float(haversine_m(origin.lat, origin.lon, destination.lat, destination.lon))
        if crow / self.config.speed_m_s > self.config.walk_limit_s:
            return None  # no walk is shorter than the crow flies
        sec, _, _ = self.walker.between((origin.lat, origin.lon),
                                        (destination.lat, destination.lon))
        if sec > self.config.walk_limit_s:
            return None
        return Journey((Leg(DIRECT, -1, -1, depart_s, depart_s + sec, sec),))

    # -- queries -----------------------------------------------------------

    def depart_at(self, origin: Place, destination: Place, depart_s: int, *,
                  window_s: int = 0, criterion: str | None = None) -> list[Journey]:
        """Return Pareto-optimal journeys leaving ``origin`` at or after ``depart_s``.

        Parameters
        ----------
        origin, destination
            Where from and to.
        depart_s
            Seconds after the service day's midnight.
        window_s
            0: the Pareto set over (arrival, transfers) for ``depart_s``;
            otherwise every Pareto-optimal journey over (departure, arrival,
            transfers) departing within the window (range RAPTOR).
        criterion
            ``None``, or a third criterion for McRAPTOR: ``"walk"`` (walking
            seconds) or ``"cost"`` (generalized cost with a transfer penalty).
        """
        access, egress = self.access(origin), self.egress(destination)
        state = self._forward_state()
        if criterion is not None:
            _check_criterion(criterion)
            journeys = mc_query(state.data, access, egress, depart_s,
                                max_rides=self.config.max_transfers + 1,
                                criterion=criterion,
                                transfer_penalty_s=self.config.transfer_penalty_s)
        elif window_s > 0:
            journeys = range_query(state, access, egress, depart_s, window_s)
        else:
            journeys = earliest_arrival(state, access, egress, depart_s)
        direct = self.direct_walk(origin, destination, depart_s)
        return _with_direct(journeys, direct)

    def arrive_by(self, origin: Place, destination: Place, arrive_s: int, *,
                  window_s: int = 0, criterion: str | None = None) -> list[Journey]:
        """Return Pareto-optimal journeys reaching ``destination`` by ``arrive_s``.

        The reverse search: latest departure, Pareto over (departure, transfers);
        with ``window_s`` every Pareto journey arriving in ``[arrive_s -
        window_s, arrive_s]``; with ``criterion`` McRAPTOR backwards, Pareto
        over (departure, transfers, criterion).
        """
        access, egress = self.access(origin), self.egress(destination)
        state = self._backward_state()
        if criterion is not None:
            _check_criterion(criterion)
            journeys = mc_query(state.data, egress, access, -arrive_s,
                                max_rides=self.config.max_transfers + 1,
                                criterion=criterion,
                                transfer_penalty_s=self.config.transfer_penalty_s)
        elif window_s > 0:
            journeys = range_query(state, egress, access, -arrive_s, window_s)
        else:
            journeys = earliest_arrival(state, egress, access, -arrive_s)
        direct = self.direct_walk(origin, destination, arrive_s)
        if direct is not None:
            shift = arrive_s - direct.arrival_s
            direct = Journey(tuple(Leg(leg.kind, leg.from_stop, leg.to_stop,
                                       leg.departure_s + shift, leg.arrival_s + shift,
                                       leg.duration_s) for leg in direct.legs))
        return _with_direct(journeys, direct)

    def arrival_time(self, origin: Place, destination: Place, depart_s: int
                     ) -> tuple[int, int]:
        """Return ``(arrival_s, transfers)`` of the earliest arrival, ``(-1, -1)`` if none."""
        arr, rides = earliest_arrival_time(self._forward_state(), self.access(origin),
                                           self.egress(destination), depart_s)
        direct = self.direct_walk(origin, destination, depart_s)
        if direct is not None and (arr < 0 or direct.arrival_s <= arr):
            return direct.arrival_s, 0
        return arr, (max(rides - 1, 0) if arr >= 0 else -1)


def _check_criterion(criterion: str) -> None:
    if criterion not in CRITERIA:
        raise QueryError(f"criterion: expected one of {sorted(CRITERIA)}, got {criterion!r}")


def _with_direct(journeys: list[Journey], direct: Journey | None) -> list[Journey]:
    if direct is None:
        return journeys
    out = [j for j in journeys if not (j.arrival_s >= direct.arrival_s
                                       and j.departure_s <= direct.departure_s)]
    return [direct, *out]


__all__ = ["DIRECT", "Place", "Planner", "PlannerConfig", "parse_clock", "parse_place"]

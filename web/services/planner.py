"""Journey planning for the API: one compiled day, a pool of planners, stop search.

A :class:`routing.planner.Planner` keeps per-query scratch arrays (RAPTOR
labels, the street search), so it serves one query at a time. The service
builds ``pool_size`` planners over the same timetable and street network
(each costs a few milliseconds and shares the read-only arrays) and lends one
per request; the RAPTOR and Dijkstra kernels release the GIL, so requests on
two cores run in parallel.
"""

from __future__ import annotations

import queue
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from routing.geo import haversine_m
from routing.itinerary import ItineraryWriter
from routing.multimodal import MultimodalPlanner
from routing.ondemand import OnDemandProvider
from routing.planner import Place, Planner, PlannerConfig, parse_clock, parse_place
from transit.errors import TsunaguError
from transit.streets import StreetNetwork
from transit.timetable import Timetable
from web.config import ConfigError
from web.problems import ApiProblem, invalid
from web.schemas import PlanQuery, StopOut

MAX_DISTANCE_TO_STOP_M = 50_000.0


def fold(text: str) -> str:
    """Return ``text`` NFKC-normalised and case-folded, for name matching."""
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True, slots=True)
class _Stop:
    index: int
    key: str


class PlannerService:
    """Plans journeys and finds stops on one compiled service day.

    Parameters
    ----------
    timetable : Timetable
        The compiled day.
    streets : StreetNetwork, optional
        Walking network (crow-fly x detour without one).
    pool_size : int
        Planners built (at least the number of server threads).
    """

    def __init__(self, timetable: Timetable, streets: StreetNetwork | None, *,
                 pool_size: int = 4, config: PlannerConfig | None = None) -> None:
        if pool_size < 1:
            raise ConfigError(f"pool_size must be >= 1, got {pool_size}")
        self.timetable = timetable
        self.streets = streets
        cfg = config or PlannerConfig()
        self._pool: queue.LifoQueue[tuple[Planner, ItineraryWriter]] = queue.LifoQueue()
        for _ in range(pool_size):
            p = Planner(timetable, streets, cfg)
            self._pool.put((p, ItineraryWriter(timetable, p.walker)))
        tt = timetable
        self._stops = [_Stop(i, fold(f"{tt.stop_names[i]}\t{tt.stop_ids[i]}"))
                       for i in range(tt.n_stops)]

    @property
    def service_date(self) -> date:
        """The day loaded."""
        return self.timetable.service_date

    @contextmanager
    def _planner(self) -> Iterator[tuple[Planner, ItineraryWriter]]:
        item = self._pool.get()
        try:
            yield item
        finally:
            self._pool.put(item)

    def _place(self, text: str, loc: str) -> tuple[Place, str]:
        tt = self.timetable
        try:
            place = parse_place(text.strip(), tt, argument=loc)
        except TsunaguError as exc:
            kind = "unknown_stop" if text.strip().startswith("stop:") else "value_error"
            raise invalid(loc, str(exc).removeprefix(f"{loc}: "), kind=kind) from None
        if place.is_stop:
            return place, tt.stop_names[place.stop]
        d = haversine_m(place.lat, place.lon, tt.stop_lat, tt.stop_lon)
        if tt.n_stops == 0 or float(np.min(d)) > MAX_DISTANCE_TO_STOP_M:
            raise invalid(loc, f"{text.strip()} is outside the area served (no stop within "
                               f"{MAX_DISTANCE_TO_STOP_M / 1000:.0f} km)", kind="outside_area")
        return place, text.strip()

    def check_date(self, day: date | None, loc: str) -> date:
        """Return the loaded day, or raise a 422 if ``day`` is another one."""
        if day is not None and day != self.service_date:
            raise invalid(loc, f"only {self.service_date.isoformat()} is loaded, not "
                               f"{day.isoformat()}", kind="date_not_loaded")
        return self.service_date

    def plan(self, q: PlanQuery, *, where: str = "query",
             ondemand: OnDemandProvider | None = None,
             serves: Callable[[float, float, int], bool] | None = None) -> dict[str, Any]:
        """Return the OTP-shaped plan response for a validated query.

        Parameters
        ----------
        q : PlanQuery
            The validated query.
        where : str
            ``query`` or ``body`` (error locations).
        ondemand : OnDemandProvider, optional
            Quotes on-demand legs (:class:`routing.multimodal.MultimodalPlanner`);
            used when ``q.on_demand`` is true, or when it is unset and ``serves``
            says the origin or the destination is in a zone open at the query time.
        serves : callable, optional
            ``(lat, lon, time_s) -> bool``.
        """
        self.check_date(q.date, f"{where}.date")
        try:
            when = parse_clock(q.time, argument=f"{where}.time")
        except TsunaguError as exc:
            raise invalid(f"{where}.time", str(exc).removeprefix(f"{where}.time: ")) from None
        o, o_name = self._place(q.from_, f"{where}.from")
        d, d_name = self._place(q.to, f"{where}.to")
        use = q.on_demand
        if use is None:
            use = serves is not None and any(
                not p.is_stop and serves(p.lat, p.lon, when) for p in (o, d))
        with self._planner() as (planner, writer):
            if use and ondemand is not None:
                mm = MultimodalPlanner(planner, ondemand)
                journeys = mm.arrive_by(o, d, when) if q.arrive_by else mm.depart_at(o, d, when)
                if q.window:  # the range query's walk + transit journeys too
                    more = planner.arrive_by(o, d, when, window_s=q.window * 60) \
                        if q.arrive_by else planner.depart_at(o, d, when,
                                                              window_s=q.window * 60)
                    journeys += [j for j in more if j not in journeys]
                    journeys.sort(key=lambda j: (-j.departure_s, -j.arrival_s)
                                  if q.arrive_by else (j.arrival_s, -j.departure_s))
            elif q.arrive_by:
                journeys = planner.arrive_by(o, d, when, window_s=q.window * 60)
            else:
                journeys = planner.depart_at(o, d, when, window_s=q.window * 60)
            if q.transfers is not None:
                journeys = [j for j in journeys if j.transfers <= q.transfers]
            resp = writer.response(journeys, (o.lat, o.lon, o_name), (d.lat, d.lon, d_name),
                                   query_s=when, arrive_by=q.arrive_by)
        return resp

    def search_stops(self, text: str, limit: int) -> list[StopOut]:
        """Return stops whose name or id contains ``text`` (NFKC, case-folded), best first.

        A name starting with the text ranks before one containing it; then shorter names.
        """
        key = fold(text.strip())
        if not key:
            raise ApiProblem(422, "validation-error", "Request validation failed",
                             "query.q: empty after normalisation",
                             errors=[{"loc": "query.q", "msg": "empty",
                                      "type": "string_too_short"}])
        hits = [s for s in self._stops if key in s.key]
        hits.sort(key=lambda s: (not s.key.startswith(key), len(s.key), s.index))
        tt = self.timetable
        return [StopOut(id=tt.stop_ids[s.index], name=tt.stop_names[s.index],
                        lat=float(tt.stop_lat[s.index]), lon=float(tt.stop_lon[s.index]))
                for s in hits[:limit]]

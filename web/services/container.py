"""Everything the API needs, built once per app and lazily.

:class:`Services` is created by :func:`web.app.create_app` and stored as
``app.extensions["tsunagu"]``. Each part (compiled day, streets, planner pool,
booking store, fleet, tokens, rate limiter) is built on first use under a
lock, so CLI commands that need only tokens do not compile a timetable, and
``tsunagu serve`` warms everything up before it accepts connections.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from dispatch.store import BookingStore, database_url
from gtfs.compile import compile_feed_file
from gtfs.democity import generate_demo_city
from gtfs.democity.services import SAMPLE_WEEKDAY
from gtfs.ondemand import load_ondemand_service
from gtfs.reader import read_feed
from routing.osm import load_osm
from transit.ondemand import OnDemandService
from transit.streets import StreetNetwork
from transit.timetable import Timetable
from web.auth import TokenStore
from web.config import ConfigError, Settings
from web.ratelimit import Limit, RateLimiter
from web.services.booking import BookingService
from web.services.drt import DrtService, drt_services
from web.services.fleet import FleetService
from web.services.ondemand_provider import DispatchOnDemandProvider
from web.services.planner import PlannerService

T = TypeVar("T")


class Services:
    """The services of one app (see the module docstring)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        self._built: dict[str, Any] = {}

    def _once(self, name: str, build: Callable[[], T]) -> T:
        hit = self._built.get(name)
        if hit is not None:
            return hit
        with self._lock:
            if name not in self._built:
                self._built[name] = build()
            return self._built[name]

    # -- data --------------------------------------------------------------------------

    def paths(self) -> dict[str, Path]:
        """Return the feed, streets and DRT files in use (the demo city by default)."""
        def build() -> dict[str, Path]:
            s = self.settings
            if s.feed is not None:
                if s.streets is None or s.drt_service is None:
                    raise ConfigError("STREETS and DRT_SERVICE: required with FEED")
                return {"feed": s.feed, "streets": s.streets, "drt_service": s.drt_service}
            city = generate_demo_city(s.data_dir / "demo", reuse=True)
            return {"feed": city.feed_path, "streets": city.streets_path,
                    "drt_service": city.drt_service_path}
        return self._once("paths", build)

    @property
    def timetable(self) -> Timetable:
        """The compiled service day."""
        def build() -> Timetable:
            day = self.settings.date or SAMPLE_WEEKDAY
            cache = self.settings.cache_dir
            cache.mkdir(parents=True, exist_ok=True)
            return compile_feed_file(self.paths()["feed"], day, cache_dir=cache)
        return self._once("timetable", build)

    @property
    def streets(self) -> StreetNetwork:
        """The street network."""
        return self._once("streets", lambda: load_osm(self.paths()["streets"]))

    @property
    def active_services(self) -> frozenset[str]:
        """GTFS service ids running on the loaded day."""
        return self._once("active", lambda: frozenset(
            read_feed(self.paths()["feed"]).calendar.active_services(
                self.timetable.service_date)))

    @property
    def ondemand_service(self) -> OnDemandService:
        """The on-demand service definition (GTFS-Flex zones + ``drt_service.yaml``)."""
        p = self.paths()
        return self._once("ondemand_service", lambda: load_ondemand_service(
            p["feed"], p["drt_service"]))

    @property
    def drt(self) -> tuple[DrtService, ...]:
        """The on-demand services on the loaded day."""
        return self._once("drt", lambda: drt_services(
            self.ondemand_service, self.timetable, self.active_services))

    @property
    def ondemand(self) -> DispatchOnDemandProvider:
        """Journey planning's on-demand legs, quoted from the bookings' live plans."""
        return self._once("ondemand", lambda: DispatchOnDemandProvider(
            self.ondemand_service, self.timetable, dispatchers=self.bookings.states(),
            active_service_ids=self.active_services))

    # -- services ----------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        """The booking (and token) database."""
        s = self.settings
        return self._once("url", lambda: database_url(s.database_url, data_dir=s.data_dir,
                                                      environ=os.environ))

    @property
    def planner(self) -> PlannerService:
        """Journey planning."""
        return self._once("planner", lambda: PlannerService(
            self.timetable, self.streets, pool_size=self.settings.planner_pool))

    @property
    def store(self) -> BookingStore:
        """The durable booking store."""
        return self._once("store", lambda: BookingStore.open(self.database_url,
                                                             clock=self.settings.now))

    @property
    def bookings(self) -> BookingService:
        """Quotes, bookings and dispatcher actions."""
        s = self.settings
        return self._once("bookings", lambda: BookingService(
            self.store, self.drt, self.streets, self.timetable, quote_ttl_s=s.quote_ttl_s,
            clock=s.clock))

    @property
    def fleet(self) -> FleetService:
        """Live vehicles."""
        return self._once("fleet", lambda: FleetService(self.drt, now=self.settings.now))

    @property
    def tokens(self) -> TokenStore:
        """API tokens."""
        return self._once("tokens", lambda: TokenStore.open(
            self.database_url, clock=self.settings.clock,
            cache_ttl_s=self.settings.token_cache_ttl_s))

    @property
    def limiter(self) -> RateLimiter:
        """Rate limits per token and endpoint class."""
        s = self.settings
        return self._once("limiter", lambda: RateLimiter(
            {"plan": Limit(*s.rate_plan), "booking": Limit(*s.rate_booking)}, clock=s.clock))

    def warm(self) -> None:
        """Build every part now (``tsunagu serve`` calls this before serving)."""
        _ = (self.planner, self.bookings, self.fleet, self.tokens, self.limiter,
             self.ondemand)
        self.bookings.warm()

    def close(self) -> None:
        """Close database connections."""
        for name in ("store", "tokens"):
            part = self._built.get(name)
            if part is not None:
                part.close()

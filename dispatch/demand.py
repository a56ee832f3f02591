"""A day of ride requests: generated from population cells, or read from a CSV file.

:func:`generate_day` draws door-to-hub, hub-to-door and door-to-door requests
from the population (and jobs) of the cells inside each on-demand zone, with a
time-of-day profile clipped to the zone's open hours; the same inputs and seed
give the same day. :func:`read_requests_csv` reads requests with columns
``id,request_time,pickup_lat,pickup_lon,dropoff_lat,dropoff_lon,passengers,
wheelchair`` and one of ``earliest_pickup`` / ``latest_dropoff``; a bad row is a
:class:`DemandError` naming ``file:line``. Both give :class:`DayRequest` s whose
ride promises (window, maximum ride, dwell) come from the zone's booking rules.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from dispatch.errors import DispatchError
from dispatch.model import EARLIEST_PICKUP, LATEST_DROPOFF, Place, RideRequest
from transit.demand import ODTrips
from transit.ondemand import BookingRules, OnDemandService

__all__ = ["CSV_COLUMNS", "DEFAULT_HOURLY_WEIGHTS", "DayRequest", "DemandError",
           "DemandProfile", "generate_day", "parse_time_s", "read_requests_csv",
           "requests_from_trips", "ride_request"]

#: Columns a request CSV must have (plus exactly one of the two time columns).
CSV_COLUMNS = ("id", "request_time", "pickup_lat", "pickup_lon", "dropoff_lat", "dropoff_lon",
               "passengers", "wheelchair")
#: Relative demand per hour of the day (0..23): morning and afternoon peaks.
DEFAULT_HOURLY_WEIGHTS = (0.0, 0.0, 0.0, 0.0, 0.0, 0.2, 0.5, 1.6, 2.0, 1.4, 1.0, 1.0,
                          1.0, 1.0, 1.0, 1.2, 1.6, 1.8, 1.4, 0.8, 0.5, 0.3, 0.1, 0.0)
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f", ""}


class DemandError(DispatchError):
    """A request file or a demand option is invalid; file errors name ``file:line``."""


@dataclass(frozen=True, slots=True)
class DayRequest:
    """A ride request and when it was booked.

    Attributes
    ----------
    request : RideRequest
        The ride (``request_id`` is its index in the day).
    booked_at_s : int
        When the rider books it (seconds after service-day midnight).
    label : str
        The id shown at the edges (the CSV ``id``, or ``r<index>``).
    """

    request: RideRequest
    booked_at_s: int
    label: str


@dataclass(frozen=True, slots=True)
class DemandProfile:
    """How a generated day looks.

    Attributes
    ----------
    trips_per_resident : float
        On-demand requests per resident of a zone per day (before ``scale``).
    hub_share : float
        Share of requests between a door and a hub (half each way); the rest are
        door to door (destinations weighted by population + jobs).
    latest_dropoff_share : float
        Share of door-to-hub requests given as a latest drop-off (to meet a bus).
    latest_dropoff_lead_s : int
        Latest drop-off minus the sampled travel time for those.
    hourly_weights : tuple of 24 floats
        Relative demand per hour, clipped to the zone's open hours.
    extra_notice_mean_s : float
        Mean of the exponential notice added to the booking rules' minimum.
    party_sizes : tuple of float
        Probabilities of parties of 1, 2, 3... riders.
    wheelchair_share : float
        Share of requests with a wheelchair user.
    """

    trips_per_resident: float = 0.05
    hub_share: float = 0.7
    latest_dropoff_share: float = 0.3
    latest_dropoff_lead_s: int = 1800
    hourly_weights: tuple[float, ...] = DEFAULT_HOURLY_WEIGHTS
    extra_notice_mean_s: float = 1800.0
    party_sizes: tuple[float, ...] = (0.85, 0.12, 0.03)
    wheelchair_share: float = 0.03

    def __post_init__(self) -> None:
        for name in ("trips_per_resident", "extra_notice_mean_s"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise DemandError(f"{name}={v!r} must be a finite number >= 0")
        for name in ("hub_share", "latest_dropoff_share", "wheelchair_share"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise DemandError(f"{name}={v!r} must be in [0, 1]")
        if self.latest_dropoff_lead_s < 0:
            raise DemandError(f"latest_dropoff_lead_s={self.latest_dropoff_lead_s!r} "
                              "must not be negative")
        w = np.asarray(self.hourly_weights, dtype=float)
        if w.shape != (24,) or np.any(~np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise DemandError("hourly_weights must be 24 finite weights >= 0, not all zero")
        p = np.asarray(self.party_sizes, dtype=float)
        if p.ndim != 1 or len(p) == 0 or np.any(p < 0) or not math.isclose(p.sum(), 1.0,
                                                                          abs_tol=1e-9):
            raise DemandError(f"party_sizes={self.party_sizes!r} must be probabilities "
                              "summing to 1")


def ride_request(request_id: int, pickup: Place, dropoff: Place, requested_time_s: int, *,
                 time_kind: str = EARLIEST_PICKUP, passengers: int = 1,
                 wheelchair: bool = False, rules: BookingRules | None = None) -> RideRequest:
    """Return a :class:`RideRequest` carrying the promises of ``rules`` (defaults if none).

    The pickup window is ``rules.pickup_window_s`` wide, the maximum ride
    ``max_ride_factor * direct + max_ride_offset_s``; the dwell (``service_s``)
    is the boarding time.
    """
    if rules is None:
        return RideRequest(request_id, pickup, dropoff, requested_time_s, time_kind,
                           passengers, wheelchair)
    return RideRequest(request_id, pickup, dropoff, requested_time_s, time_kind, passengers,
                       wheelchair, window_s=rules.pickup_window_s,
                       ride_alpha=float(rules.max_ride_factor),
                       ride_beta_s=rules.max_ride_offset_s, service_s=rules.boarding_s)


def _sample_points(rng: np.random.Generator, service: OnDemandService, zone_index: int,
                   lat: np.ndarray, lon: np.ndarray, cells: np.ndarray,
                   cell_m: float) -> tuple[np.ndarray, np.ndarray]:
    """A point in each chosen cell, jittered inside the cell and kept inside the zone."""
    dlat = cell_m / 111_320.0
    dlon = cell_m / (111_320.0 * np.cos(np.radians(lat[cells])))
    plat = lat[cells] + (rng.random(len(cells)) - 0.5) * dlat
    plon = lon[cells] + (rng.random(len(cells)) - 0.5) * dlon
    outside = service.zones_at(plat, plon) != zone_index
    plat[outside] = lat[cells][outside]  # the cell centre is inside (cells were picked so)
    plon[outside] = lon[cells][outside]
    return np.round(plat, 6), np.round(plon, 6)


def generate_day(service: OnDemandService, *, cell_lat: ArrayLike, cell_lon: ArrayLike,
                 population: ArrayLike, jobs: ArrayLike,
                 hubs: Mapping[str, Sequence[Place]], service_ids: Collection[str],
                 seed: int, scale: float = 1.0, cell_m: float = 250.0,
                 profile: DemandProfile | None = None) -> list[DayRequest]:
    """Draw a day of requests from the population of the cells inside each zone.

    Parameters
    ----------
    service : OnDemandService
        Zones (polygons, hours), booking rules.
    cell_lat, cell_lon, population, jobs : array-like
        Cell centres and their residents and jobs.
    hubs : mapping of zone id to places
        The hub stops of each zone (where door-to-hub rides go).
    service_ids : collection of str
        GTFS services running that day (they pick the zone's hours).
    seed : int
        Random seed; the same inputs and seed give the same requests.
    scale : float
        Multiplies the number of requests (``trips_per_resident`` × residents).
    cell_m : float
        Cell size (points are jittered inside their cell).
    profile : DemandProfile, optional
        Shares, time-of-day weights, notice, party sizes.

    Returns
    -------
    list of DayRequest
        Sorted by booking time; ``request_id`` is the index in that order.
    """
    prof = profile if profile is not None else DemandProfile()
    if not (math.isfinite(scale) and scale >= 0):
        raise DemandError(f"scale={scale!r} must be a finite number >= 0")
    lat = np.asarray(cell_lat, dtype=np.float64)
    lon = np.asarray(cell_lon, dtype=np.float64)
    pop = np.asarray(population, dtype=np.float64)
    job = np.asarray(jobs, dtype=np.float64)
    if not (lat.shape == lon.shape == pop.shape == job.shape) or lat.ndim != 1:
        raise DemandError(f"cell arrays differ in shape: lat {lat.shape}, lon {lon.shape}, "
                          f"population {pop.shape}, jobs {job.shape}")
    if np.any(pop < 0) or np.any(job < 0):
        raise DemandError("population and jobs must not be negative")
    rng = np.random.default_rng(seed)
    zone_of_cell = service.zones_at(lat, lon)
    raw: list[tuple[int, Place, Place, int, str, int, bool, BookingRules | None]] = []
    for zi, zone in enumerate(service.zones):
        cells = np.flatnonzero(zone_of_cell == zi)
        residents = float(pop[cells].sum())
        windows = zone.windows_on(service_ids)
        n = int(rng.poisson(prof.trips_per_resident * residents * scale)) \
            if residents > 0 and windows else 0
        if n == 0:
            continue
        rules = service.booking(zone)
        hub_places = list(hubs.get(zone.zone_id, ()))
        # requested travel times: a minute grid over the open hours, weighted by hour
        start = min(a for a, _ in windows) // 60
        stop = -(-max(b for _, b in windows) // 60)
        minutes = np.arange(start, stop)
        weight = np.asarray(prof.hourly_weights)[(minutes // 60) % 24]
        is_open = np.zeros(len(minutes), bool)
        for a, b in windows:
            is_open |= (minutes * 60 >= a) & (minutes * 60 < b)
        weight = np.where(is_open, weight, 0.0)
        if weight.sum() <= 0:
            continue
        t = (rng.choice(minutes, size=n, p=weight / weight.sum()) * 60
             + rng.integers(0, 60, size=n))
        kind_draw = rng.random(n)
        to_hub = kind_draw < (prof.hub_share / 2 if hub_places else 0.0)
        from_hub = (~to_hub) & (kind_draw < (prof.hub_share if hub_places else 0.0))
        home = rng.choice(cells, size=n, p=pop[cells] / residents)
        attract = pop[cells] + job[cells]
        other = rng.choice(cells, size=n, p=attract / attract.sum())
        hlat, hlon = _sample_points(rng, service, zi, lat, lon, home, cell_m)
        olat, olon = _sample_points(rng, service, zi, lat, lon, other, cell_m)
        hub_pick = rng.integers(0, max(1, len(hub_places)), size=n)
        ld = rng.random(n) < prof.latest_dropoff_share
        party = rng.choice(np.arange(1, len(prof.party_sizes) + 1), size=n,
                           p=np.asarray(prof.party_sizes))
        chair = rng.random(n) < prof.wheelchair_share
        extra = rng.exponential(prof.extra_notice_mean_s, size=n) \
            if prof.extra_notice_mean_s > 0 else np.zeros(n)
        min_notice = rules.min_notice_s if rules is not None else 0
        window = rules.pickup_window_s if rules is not None else 600
        for k in range(n):
            door = Place(float(hlat[k]), float(hlon[k]))
            if to_hub[k]:
                pickup, dropoff = door, hub_places[int(hub_pick[k])]
            elif from_hub[k]:
                pickup, dropoff = hub_places[int(hub_pick[k])], door
            else:
                pickup, dropoff = door, Place(float(olat[k]), float(olon[k]))
            travel_s = int(t[k])
            notice = min_notice + int(extra[k])
            if to_hub[k] and ld[k]:
                kind, requested = LATEST_DROPOFF, travel_s + prof.latest_dropoff_lead_s
                booked = travel_s - window - notice
            else:
                kind, requested = EARLIEST_PICKUP, travel_s
                booked = travel_s - notice
            raw.append((booked, pickup, dropoff, requested, kind, int(party[k]),
                        bool(chair[k]), rules))
    raw.sort(key=lambda x: x[0])  # stable: ties keep the drawing order
    return [DayRequest(ride_request(i, p, d, req, time_kind=kind, passengers=party,
                                    wheelchair=chair, rules=rules), booked, f"r{i}")
            for i, (booked, p, d, req, kind, party, chair, rules) in enumerate(raw)]


def requests_from_trips(service: OnDemandService, trips: ODTrips, *, seed: int,
                        profile: DemandProfile | None = None) -> list[DayRequest]:
    """Turn origin-destination trips (e.g. a planner's scenario demand) into ride requests.

    Trips with an end inside an on-demand zone become requests for an earliest
    pickup at their departure time, booked ``min_notice_s`` of the zone's rules
    plus an exponential extra notice (``profile.extra_notice_mean_s``) before;
    party sizes and wheelchair users are drawn from ``profile``. Other trips are
    left out (route them by bus or walk first and pass only the on-demand ones).

    Returns
    -------
    list of DayRequest
        Sorted by booking time; ``request_id`` is the index, ``label`` the trip id.
    """
    prof = profile if profile is not None else DemandProfile()
    rng = np.random.default_rng(seed)
    zo = service.zones_at(trips.origin_lat, trips.origin_lon)
    zd = service.zones_at(trips.destination_lat, trips.destination_lon)
    keep = np.flatnonzero((zo >= 0) | (zd >= 0))
    n = len(keep)
    party = rng.choice(np.arange(1, len(prof.party_sizes) + 1), size=n,
                       p=np.asarray(prof.party_sizes))
    chair = rng.random(n) < prof.wheelchair_share
    extra = rng.exponential(prof.extra_notice_mean_s, size=n) \
        if prof.extra_notice_mean_s > 0 else np.zeros(n)
    raw = []
    for k, i in enumerate(keep.tolist()):
        zone = service.zones[int(zo[i] if zo[i] >= 0 else zd[i])]
        rules = service.booking(zone)
        notice = (rules.min_notice_s if rules is not None else 0) + int(extra[k])
        depart = int(trips.depart_s[i])
        raw.append((depart - notice, i, Place(round(float(trips.origin_lat[i]), 6),
                                              round(float(trips.origin_lon[i]), 6)),
                    Place(round(float(trips.destination_lat[i]), 6),
                          round(float(trips.destination_lon[i]), 6)),
                    depart, int(party[k]), bool(chair[k]), rules))
    raw.sort(key=lambda x: (x[0], x[1]))
    return [DayRequest(ride_request(j, p, d, depart, passengers=pax, wheelchair=ch, rules=r),
                       booked, trips.trip_ids[i])
            for j, (booked, i, p, d, depart, pax, ch, r) in enumerate(raw)]


def parse_time_s(text: str) -> int:
    """Seconds after midnight of ``H:MM:SS`` (hours past 24 allowed) or an int of seconds."""
    s = text.strip()
    if s.isdigit():
        return int(s)
    parts = s.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) \
            or len(parts[1]) != 2 or len(parts[2]) != 2:
        raise DemandError(f"{text!r} is not H:MM:SS or seconds")
    h, m, sec = (int(p) for p in parts)
    if m > 59 or sec > 59:
        raise DemandError(f"{text!r} has minutes or seconds above 59")
    return h * 3600 + m * 60 + sec


def _float(value: str, name: str, low: float, high: float) -> float:
    try:
        x = float(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a number") from None
    if not (math.isfinite(x) and low <= x <= high):
        raise ValueError(f"{name}={value!r} is outside [{low:g}, {high:g}]")
    return x


def read_requests_csv(path: str | Path, service: OnDemandService | None = None
                      ) -> list[DayRequest]:
    """Read a day of requests from a CSV file.

    Columns: :data:`CSV_COLUMNS` and exactly one of ``earliest_pickup`` /
    ``latest_dropoff`` (times ``H:MM:SS`` or seconds; ``request_time`` is when the
    ride is booked). ``passengers`` defaults to 1 and ``wheelchair`` to false when
    blank. Promises come from the booking rules of the zone holding the pickup
    (else the drop-off) when ``service`` is given.

    Returns
    -------
    list of DayRequest
        In file order; ``request_id`` is the row index, ``label`` the ``id``.

    Raises
    ------
    DemandError
        Missing file or column, bad value or duplicate id, as ``file:line: message``.
    """
    p = Path(path)
    name = str(p)
    try:
        handle = p.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise DemandError(f"{name}: cannot read: {exc.strerror or exc}") from None
    out: list[DayRequest] = []
    with handle:
        try:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise DemandError(f"{name}:1: empty file (expected a header row)")
            cols = [c.strip() for c in header]
            missing = [c for c in CSV_COLUMNS if c not in cols]
            if missing:
                raise DemandError(f"{name}:1: missing column(s) {', '.join(missing)}")
            kinds = [k for k in (EARLIEST_PICKUP, LATEST_DROPOFF) if k in cols]
            if len(kinds) != 1:
                raise DemandError(f"{name}:1: expected exactly one of the columns "
                                  f"{EARLIEST_PICKUP}, {LATEST_DROPOFF}")
            kind = kinds[0]
            at = {c: i for i, c in enumerate(cols)}
            seen: dict[str, int] = {}
            for row in reader:
                line = reader.line_num
                if not any(x.strip() for x in row):
                    continue
                if len(row) != len(cols):
                    raise DemandError(f"{name}:{line}: {len(row)} fields, expected {len(cols)}")
                try:
                    out.append(_row(row, at, kind, len(out), seen, line, service))
                except (ValueError, DispatchError) as exc:
                    raise DemandError(f"{name}:{line}: {exc}") from None
        except csv.Error as exc:
            raise DemandError(f"{name}:{reader.line_num}: {exc}") from None
        except UnicodeDecodeError:
            raise DemandError(f"{name}: not UTF-8 text") from None
    return out


def _row(row: list[str], at: Mapping[str, int], kind: str, index: int,
         seen: dict[str, int], line: int, service: OnDemandService | None) -> DayRequest:
    def get(col: str) -> str:
        return row[at[col]].strip()

    label = get("id")
    if not label:
        raise ValueError("id is blank")
    if label in seen:
        raise ValueError(f"id={label!r} is given twice (first on line {seen[label]})")
    seen[label] = line
    booked = _time(get("request_time"), "request_time")
    requested = _time(get(kind), kind)
    pickup = Place(_float(get("pickup_lat"), "pickup_lat", -90, 90),
                   _float(get("pickup_lon"), "pickup_lon", -180, 180))
    dropoff = Place(_float(get("dropoff_lat"), "dropoff_lat", -90, 90),
                    _float(get("dropoff_lon"), "dropoff_lon", -180, 180))
    pax_text = get("passengers") or "1"
    if not pax_text.isdigit() or int(pax_text) < 1:
        raise ValueError(f"passengers={pax_text!r} is not a whole number >= 1")
    chair_text = get("wheelchair").lower()
    if chair_text not in _TRUE | _FALSE:
        raise ValueError(f"wheelchair={get('wheelchair')!r} is not true/false")
    if booked > requested:
        raise ValueError(f"request_time={get('request_time')!r} is after "
                         f"{kind}={get(kind)!r}")
    rules = None
    if service is not None:
        zone = service.zone_at(pickup.lat, pickup.lon) or service.zone_at(dropoff.lat,
                                                                           dropoff.lon)
        rules = service.booking(zone) if zone is not None else None
    req = ride_request(index, pickup, dropoff, requested, time_kind=kind,
                       passengers=int(pax_text), wheelchair=chair_text in _TRUE, rules=rules)
    return DayRequest(req, booked, label)


def _time(text: str, name: str) -> int:
    try:
        return parse_time_s(text)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None

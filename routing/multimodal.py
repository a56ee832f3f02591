"""Journeys mixing walking, transit and on-demand rides.

:class:`MultimodalPlanner` composes a :class:`~routing.planner.Planner` with an
:class:`~routing.ondemand.OnDemandProvider` and answers a depart-at query with
the sensible set of:

1. walk only (within the walk limit), and walk + transit + walk;
2. on-demand access + transit: the provider's offers to hub stops become
   per-stop ready times for RAPTOR (arrival at the hub + transfer buffer); the
   ride is then re-timed to reach the hub no later than the chosen bus
   departure minus the buffer (:meth:`OnDemandProvider.access_by`); a journey
   whose ride is not promised to make its bus is dropped;
3. transit + on-demand egress: for every round's arrival label at a hub
   serving the destination, the provider quotes a ride picked up no earlier
   than that arrival plus the buffer (time-dependent egress, evaluated per
   arrival found by RAPTOR);
4. on-demand door to door.

Every journey found is a candidate; a candidate is dropped when another
arrives no later with no more rides and no more on-demand legs (Pareto over
arrival, rides, on-demand legs), so walking options stay beside faster
on-demand ones. The result is sorted by arrival.

:meth:`MultimodalPlanner.arrive_by` is the same backwards: latest departures
from the origin's hubs (backward RAPTOR labels) each get a ride timed to them,
rides to the door with a drop-off deadline give the latest bus arrivals at
the destination's hubs, and door to door with a deadline; sorted by latest
departure. Journeys with rides at both ends are searched forward only.
"""

from __future__ import annotations

from dataclasses import dataclass

from routing.journey import ACCESS, EGRESS, ON_DEMAND, RIDE, Journey, Leg
from routing.ondemand import DOOR, OnDemandOffer, OnDemandProvider
from routing.planner import Place, Planner
from routing.raptor import INF, RaptorState, StopTimes, earliest_arrival, trace_to_stop

#: Arrive-by queries ask for rides no earlier than this before the arrival time.
DEFAULT_HORIZON_S = 3 * 3600


@dataclass(frozen=True, slots=True)
class MultimodalOptions:
    """Which on-demand legs to look for (all on by default)."""

    access: bool = True
    egress: bool = True
    direct: bool = True


class MultimodalPlanner:
    """Plans journeys with walking, transit and on-demand legs.

    Parameters
    ----------
    planner
        Walk and transit planning on one compiled day.
    provider
        Quotes on-demand rides; ``None`` plans walk and transit only.
    options
        Which on-demand legs to offer.
    horizon_s
        Arrive-by queries ask for rides picked up no earlier than ``arrive_s - horizon_s``.

    Like :class:`Planner`, one instance per thread (it reuses RAPTOR labels).
    """

    def __init__(self, planner: Planner, provider: OnDemandProvider | None, *,
                 options: MultimodalOptions | None = None,
                 horizon_s: int = DEFAULT_HORIZON_S) -> None:
        self.planner = planner
        self.provider = provider
        self.options = options or MultimodalOptions()
        self.horizon_s = horizon_s

    def depart_at(self, origin: Place, destination: Place, depart_s: int, *,
                  booked_at_s: int | None = None) -> list[Journey]:
        """Return the sensible set of journeys leaving ``origin`` at or after ``depart_s``.

        Parameters
        ----------
        origin, destination
            Where from and to (on-demand legs need coordinates: a stop place
            is reached on foot or by transit only).
        depart_s
            Seconds after the service day's midnight.
        booked_at_s
            When the rider books on-demand rides (booking notice counts from it);
            default ``depart_s`` ("book now, leave now").
        """
        booked = depart_s if booked_at_s is None else booked_at_s
        planner, provider, opts = self.planner, self.provider, self.options
        walk_access = planner.access(origin)
        walk_egress = planner.egress(destination)
        state = planner.forward_state()
        hubs: list[int] = []
        if provider is not None and opts.egress and not destination.is_stop:
            hubs = sorted(set(provider.egress_stops(destination.lat, destination.lon)))
        candidates: list[Journey] = []
        direct_walk = planner.direct_walk(origin, destination, depart_s)
        if direct_walk is not None:
            candidates.append(direct_walk)
        # 1. walk + transit (+ on-demand egress)
        candidates += earliest_arrival(state, walk_access, walk_egress, depart_s)
        candidates += self._ondemand_egress(state, walk_access, hubs, destination, booked)
        if provider is None:
            return _sensible(candidates)
        # 2. on-demand access + transit (+ on-demand egress)
        if opts.access and not origin.is_stop:
            offers: dict[int, OnDemandOffer] = {}
            for o in provider.access(origin.lat, origin.lon, depart_s, booked_at_s=booked):
                if o.to_stop >= 0 and (o.to_stop not in offers
                                       or o.dropoff_s < offers[o.to_stop].dropoff_s):
                    offers[o.to_stop] = o
            if offers:
                buffer = provider.transfer_buffer_s
                acc = StopTimes.of({s: max(o.dropoff_s + buffer - depart_s, 0)
                                    for s, o in offers.items()})
                found = earliest_arrival(state, acc, walk_egress, depart_s)
                found += self._ondemand_egress(state, acc, hubs, destination, booked)
                for j in found:
                    with_ride = self._with_access_ride(j, origin, offers, depart_s, booked)
                    if with_ride is not None:
                        candidates.append(with_ride)
        # 4. door to door
        if opts.direct and not origin.is_stop and not destination.is_stop:
            d = provider.direct(origin.lat, origin.lon, destination.lat, destination.lon,
                                depart_s, booked_at_s=booked)
            if d is not None:
                candidates.append(Journey((_ride_leg(d, DOOR, DOOR),)))
        return _sensible(candidates)

    def arrive_by(self, origin: Place, destination: Place, arrive_s: int, *,
                  booked_at_s: int | None = None) -> list[Journey]:
        """Return the sensible set of journeys reaching ``destination`` by ``arrive_s``.

        The backward search: walk and transit (:meth:`Planner.arrive_by`);
        on-demand access — for each hub of the origin's zone and each round's
        latest bus departure from it, a ride reaching the hub by that departure
        minus the buffer (:meth:`OnDemandProvider.access_by`); on-demand egress —
        per hub of the destination's zone a ride reaching the door by
        ``arrive_s`` (:meth:`OnDemandProvider.egress_by`), whose earliest pickup
        minus the buffer is the latest bus arrival at the hub; and door to door
        with a drop-off deadline. Rides are asked for no earlier than
        ``arrive_s - horizon_s``, booked at ``booked_at_s`` (default that same
        time). A journey with rides at both ends is not searched backwards.
        """
        planner, provider, opts = self.planner, self.provider, self.options
        candidates = list(planner.arrive_by(origin, destination, arrive_s))
        if provider is None:
            return _sensible(candidates, arrive_by=True)
        earliest = arrive_s - self.horizon_s
        booked = earliest if booked_at_s is None else booked_at_s
        buffer = provider.transfer_buffer_s
        state = planner.backward_state()
        walk_access = planner.access(origin)
        walk_egress = planner.egress(destination)
        # on-demand access: latest departures from the origin's hubs, then a ride to each
        if opts.access and not origin.is_stop:
            hubs = sorted(set(provider.egress_stops(origin.lat, origin.lon)))
            if hubs:
                earliest_arrival(state, walk_egress, walk_access, -arrive_s)
                for hub in hubs:
                    for k in range(1, state.n_rounds):
                        j = trace_to_stop(state, k, hub, walk_egress)
                        if j is None:
                            continue
                        o = provider.access_by(origin.lat, origin.lon, hub, earliest,
                                               j.departure_s - buffer, booked_at_s=booked)
                        if o is not None and o.dropoff_latest_s <= j.departure_s - buffer:
                            candidates.append(Journey((_ride_leg(o, DOOR, hub), *j.legs)))
        # on-demand egress: rides from the destination's hubs, then the latest buses to them
        if opts.egress and not destination.is_stop:
            offers: dict[int, OnDemandOffer] = {}
            for hub in sorted(set(provider.egress_stops(destination.lat, destination.lon))):
                o = provider.egress_by(hub, destination.lat, destination.lon, earliest, arrive_s,
                                       booked_at_s=booked)
                if o is not None and o.dropoff_latest_s <= arrive_s:
                    offers[hub] = o
            if offers:
                # backward "access": ready at -(earliest pickup - buffer)
                acc = StopTimes.of({s: max(arrive_s - (o.pickup_earliest_s - buffer), 0)
                                    for s, o in offers.items()})
                for j in earliest_arrival(state, acc, walk_access, -arrive_s):
                    last = j.legs[-1]
                    assert last.kind == EGRESS and last.from_stop in offers
                    o = offers[last.from_stop]
                    candidates.append(Journey((*j.legs[:-1], _ride_leg(o, last.from_stop,
                                                                       DOOR))))
        if opts.direct and not origin.is_stop and not destination.is_stop:
            d = provider.direct(origin.lat, origin.lon, destination.lat, destination.lon,
                                earliest, arrive_s, booked_at_s=booked)
            if d is not None and d.dropoff_latest_s <= arrive_s:
                candidates.append(Journey((_ride_leg(d, DOOR, DOOR),)))
        return _sensible(candidates, arrive_by=True)

    # -- pieces ------------------------------------------------------------------------

    def _ondemand_egress(self, state: RaptorState, access: StopTimes, hubs: list[int],
                         destination: Place, booked: int) -> list[Journey]:
        """Journeys to each hub (one per round with a new label) + a quoted ride to the door."""
        provider = self.provider
        if provider is None or not hubs:
            return []
        buffer = provider.transfer_buffer_s
        out: list[Journey] = []
        for hub in hubs:
            for k in range(1, state.n_rounds):
                if int(state.ta[k, hub]) >= INF:
                    continue
                j = trace_to_stop(state, k, hub, access)
                if j is None:
                    continue
                offer = provider.egress(hub, destination.lat, destination.lon,
                                        j.arrival_s + buffer, booked_at_s=booked)
                if offer is None:
                    continue
                out.append(Journey((*j.legs, _ride_leg(offer, hub, DOOR))))
        return out

    def _with_access_ride(self, j: Journey, origin: Place, offers: dict[int, OnDemandOffer],
                          depart_s: int, booked: int) -> Journey | None:
        """Replace the access placeholder by the on-demand ride, timed to the bus.

        ``None`` when no ride is *promised* to reach the hub in time for the bus
        (neither the timed quote nor the earliest one): a plan never rests on a
        connection the provider does not promise.
        """
        provider = self.provider
        assert provider is not None
        first = j.legs[0]
        assert first.kind == ACCESS and first.to_stop in offers
        hub = first.to_stop
        ride = next(leg for leg in j.legs if leg.kind == RIDE)
        offer = offers[hub]
        latest = ride.departure_s - provider.transfer_buffer_s
        timed = provider.access_by(origin.lat, origin.lon, hub, depart_s, latest,
                                   booked_at_s=booked)
        if timed is not None and timed.to_stop == hub and timed.dropoff_latest_s <= latest:
            offer = timed  # promised to reach the hub in time for this bus
        elif offer.dropoff_latest_s > latest:
            return None
        return Journey((_ride_leg(offer, DOOR, hub), *j.legs[1:]))


def _ride_leg(o: OnDemandOffer, frm: int, to: int) -> Leg:
    return Leg(ON_DEMAND, frm, to, o.pickup_s, o.dropoff_s, o.duration_s, offer=o)


def _sensible(journeys: list[Journey], *, arrive_by: bool = False) -> list[Journey]:
    """Pareto over (arrival, rides, on-demand legs); ties keep the first; sorted by arrival.

    Arrive-by: over (latest departure, rides, on-demand legs), sorted by departure.
    """
    keys = [(-j.departure_s if arrive_by else j.arrival_s, j.n_rides, j.n_ondemand)
            for j in journeys]
    keep: list[Journey] = []
    seen: set[tuple[int, int, int]] = set()
    for j, key in zip(journeys, keys, strict=True):
        if key in seen:
            continue
        if any(o[0] <= key[0] and o[1] <= key[1] and o[2] <= key[2] and o != key
               for o in keys):
            continue
        seen.add(key)
        keep.append(j)
    if arrive_by:
        keep.sort(key=lambda j: (-j.departure_s, j.n_ondemand, j.n_rides, j.arrival_s))
    else:
        keep.sort(key=lambda j: (j.arrival_s, j.n_ondemand, j.n_rides, -j.departure_s))
    return keep


__all__ = ["DEFAULT_HORIZON_S", "MultimodalOptions", "MultimodalPlanner"]

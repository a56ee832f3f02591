"""Load an OpenStreetMap extract (.osm.pbf or .osm XML) into a StreetNetwork.

Read with pyosmium (node locations resolved in memory). Every way with a
``highway`` tag becomes edges between consecutive nodes:

* walking (both directions) unless the way is a motorway, under construction,
  or tagged ``foot=no`` / ``access=no|private`` without ``foot=yes``;
* driving for car highways (motorway ... living_street, service), respecting
  ``oneway`` (``yes``/``1``/``true``, ``-1``, roundabouts, motorways) and
  ``access``/``motor_vehicle`` = ``no``/``private``; the speed is ``maxspeed``
  (km/h, or ``mph``) or a default per highway class.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import osmium

from routing.errors import StreetDataError
from routing.geo import haversine_m
from transit.streets import DRIVE, WALK, StreetNetwork

_NO_WALK = {"motorway", "motorway_link", "construction", "proposed", "raceway",
            "bus_guideway", "abandoned", "disused", "bridleway"}
_DRIVE_KMH = {"motorway": 100, "motorway_link": 60, "trunk": 80, "trunk_link": 50,
              "primary": 60, "primary_link": 40, "secondary": 50, "secondary_link": 40,
              "tertiary": 40, "tertiary_link": 30, "unclassified": 30, "residential": 30,
              "living_street": 10, "service": 15, "road": 30}
_CLOSED = {"no", "private"}


def _speed_kmh(tag: str | None, default: float) -> float:
    if not tag:
        return default
    text = tag.strip().lower()
    try:
        if text.endswith("mph"):
            return float(text[:-3].strip()) * 1.609344
        return float(text.split()[0])
    except (ValueError, IndexError):
        return default


class _Collector(osmium.SimpleHandler):
    def __init__(self) -> None:
        super().__init__()
        self.node_index: dict[int, int] = {}
        self.lat: list[float] = []
        self.lon: list[float] = []
        self.tail: list[int] = []
        self.head: list[int] = []
        self.flags: list[int] = []
        self.speed: list[float] = []

    def _node(self, ref: int, lat: float, lon: float) -> int:
        i = self.node_index.get(ref)
        if i is None:
            i = len(self.lat)
            self.node_index[ref] = i
            self.lat.append(lat)
            self.lon.append(lon)
        return i

    def way(self, w: osmium.osm.Way) -> None:
        tags = w.tags
        hw = tags.get("highway")
        if hw is None:
            return
        access = tags.get("access", "")
        foot = tags.get("foot", "")
        walk = hw not in _NO_WALK and foot != "no" and (access not in _CLOSED or foot == "yes")
        drive = (hw in _DRIVE_KMH and access not in _CLOSED
                 and tags.get("motor_vehicle", "") not in _CLOSED
                 and tags.get("motorcar", "") not in _CLOSED)
        if not walk and not drive:
            return
        oneway = tags.get("oneway", "")
        forward_only = (oneway in ("yes", "1", "true") or tags.get("junction") == "roundabout"
                        or hw in ("motorway", "motorway_link")) and oneway != "no"
        backward_only = oneway == "-1"
        speed = _speed_kmh(tags.get("maxspeed"), _DRIVE_KMH.get(hw, 30)) / 3.6 if drive else 0.0
        nodes = [self._node(n.ref, n.location.lat, n.location.lon)
                 for n in w.nodes if n.location.valid()]
        for a, b in itertools.pairwise(nodes):
            if a == b:
                continue
            fwd = (WALK if walk else 0) | (DRIVE if drive and not backward_only else 0)
            bwd = (WALK if walk else 0) | (DRIVE if drive and not forward_only else 0)
            for t, h, f in ((a, b, fwd), (b, a, bwd)):
                if f:
                    self.tail.append(t)
                    self.head.append(h)
                    self.flags.append(int(f))
                    self.speed.append(speed if f & DRIVE else 0.0)


def load_osm(path: str | Path) -> StreetNetwork:
    """Return the walk and drive network of an OSM file.

    Raises
    ------
    StreetDataError
        If the file is missing, unreadable, or holds no highway ways.
    """
    p = Path(path)
    if not p.is_file():
        raise StreetDataError(f"osm: no such file {str(p)!r}")
    handler = _Collector()
    try:
        handler.apply_file(str(p), locations=True)
    except RuntimeError as exc:
        raise StreetDataError(f"osm: cannot read {str(p)!r}: {exc}") from None
    if not handler.tail:
        raise StreetDataError(f"osm: {str(p)!r} holds no walkable or drivable highway")
    lat = np.array(handler.lat, np.float64)
    lon = np.array(handler.lon, np.float64)
    tail = np.array(handler.tail, np.int64)
    head = np.array(handler.head, np.int64)
    length = haversine_m(lat[tail], lon[tail], lat[head], lon[head])
    return StreetNetwork.from_edges(lat, lon, tail, head, length,
                                    np.array(handler.flags, np.uint8),
                                    np.array(handler.speed, np.float64))

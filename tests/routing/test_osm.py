"""routing.osm: OSM XML and PBF into walk and drive graphs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from routing.errors import StreetDataError
from routing.geo import haversine_m
from routing.osm import load_osm
from tests.conftest import shared_path
from transit.streets import DRIVE, WALK

OSM = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <node id="1" version="1" lat="35.0000" lon="139.0000"/>
  <node id="2" version="1" lat="35.0010" lon="139.0000"/>
  <node id="3" version="1" lat="35.0020" lon="139.0000"/>
  <node id="4" version="1" lat="35.0020" lon="139.0010"/>
  <node id="5" version="1" lat="35.0030" lon="139.0010"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/>
    <tag k="highway" v="residential"/><tag k="maxspeed" v="20"/></way>
  <way id="11" version="1"><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="primary"/><tag k="oneway" v="yes"/></way>
  <way id="12" version="1"><nd ref="3"/><nd ref="4"/><tag k="highway" v="footway"/></way>
  <way id="13" version="1"><nd ref="4"/><nd ref="5"/><tag k="highway" v="motorway"/></way>
  <way id="14" version="1"><nd ref="1"/><nd ref="5"/>
    <tag k="highway" v="service"/><tag k="access" v="private"/></way>
  <way id="15" version="1"><nd ref="1"/><nd ref="3"/><tag k="building" v="yes"/></way>
</osm>
"""


def _edges(net):  # type: ignore[no-untyped-def]
    tails = np.repeat(np.arange(net.n_nodes), np.diff(net.offsets))
    return {(int(a), int(b)): (int(f), float(s)) for a, b, f, s in
            zip(tails, net.to_node, net.flags, net.drive_speed_m_s, strict=True)}


def test_tags_decide_walking_driving_and_direction(tmp_path: Path) -> None:
    """oneway, footway, motorway, access=private and maxspeed are honoured."""
    p = tmp_path / "t.osm"
    p.write_text(OSM)
    net = load_osm(p)
    e = _edges(net)
    lat = net.node_lat.tolist()
    n = {round(v, 4): i for i, v in enumerate(lat)}  # nodes 1..3 by latitude
    n1, n2 = n[35.0], n[35.001]
    n3 = next(i for i in range(net.n_nodes) if lat[i] == 35.002 and net.node_lon[i] == 139.0)
    assert e[(n1, n2)] == (WALK | DRIVE, pytest.approx(20 / 3.6))
    assert e[(n2, n3)][0] == WALK | DRIVE and e[(n3, n2)][0] == WALK  # oneway for cars only
    footway = [k for k, v in e.items() if v[0] == WALK and n2 not in k and n1 not in k]
    assert footway, "footway walkable"
    assert all(v[0] & DRIVE == 0 for k, v in e.items() if k in footway)
    n5 = int(np.argmax(net.node_lat))
    assert all(n5 not in k or v[0] == DRIVE for k, v in e.items())  # motorway: cars only
    assert not any(n1 in k and n5 in k for k in e)  # private service road dropped


def test_missing_or_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    """A missing file or one without highways raises StreetDataError naming it."""
    with pytest.raises(StreetDataError, match="no such file"):
        load_osm(tmp_path / "nope.osm")
    p = tmp_path / "empty.osm"
    p.write_text("<?xml version='1.0'?><osm version='0.6'><node id='1' lat='1' lon='1'/></osm>")
    with pytest.raises(StreetDataError, match="no walkable"):
        load_osm(p)


@pytest.mark.shared
def test_porto_alegre_pbf_loads() -> None:
    """The Porto Alegre extract gives a large network with both modes, lengths = haversine."""
    net = load_osm(shared_path("osm_portoalegre/poa_osm.pbf"))
    assert net.n_nodes > 30_000 and net.n_edges > 80_000
    walk = (net.flags & WALK) != 0
    drive = (net.flags & DRIVE) != 0
    assert walk.sum() > 80_000 and drive.sum() > 50_000
    assert np.all(net.drive_speed_m_s[drive] > 0)
    tails = np.repeat(np.arange(net.n_nodes), np.diff(net.offsets))
    d = haversine_m(net.node_lat[tails], net.node_lon[tails], net.node_lat[net.to_node],
                    net.node_lon[net.to_node])
    assert np.allclose(d, net.length_m)
    assert net.node_lat.min() > -30.12 and net.node_lat.max() < -29.98

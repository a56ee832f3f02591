"""transit.streets: the CSR street network and its checks."""

from __future__ import annotations

import numpy as np
import pytest

from transit.errors import ModelError
from transit.streets import DRIVE, WALK, StreetNetwork


def _net() -> StreetNetwork:
    lat = np.array([35.0, 35.001, 35.002])
    lon = np.array([139.0, 139.0, 139.0])
    tail = np.array([1, 0, 1, 2])
    head = np.array([2, 1, 0, 1])
    return StreetNetwork.from_edges(lat, lon, tail, head, np.array([111.0, 111.0, 111.0, 111.0]),
                                    np.array([WALK | DRIVE, WALK, WALK, WALK], np.uint8),
                                    np.array([8.0, 0.0, 0.0, 0.0]))


def test_from_edges_sorts_by_tail() -> None:
    """Edges are grouped by tail node; offsets delimit each node's edges."""
    net = _net()
    assert net.offsets.tolist() == [0, 1, 3, 4]
    assert net.to_node.tolist() == [1, 2, 0, 1]
    assert net.flags[1] == WALK | DRIVE and net.drive_speed_m_s[1] == 8.0
    assert (net.n_nodes, net.n_edges) == (3, 4)


def test_bad_arrays_are_refused() -> None:
    """Mismatched lengths, out-of-range nodes and negative lengths raise ModelError."""
    net = _net()
    with pytest.raises(ModelError, match="offsets"):
        StreetNetwork(net.node_lat, net.node_lon, net.offsets[:-1], net.to_node, net.length_m,
                      net.flags, net.drive_speed_m_s)
    with pytest.raises(ModelError, match="to_node"):
        StreetNetwork(net.node_lat, net.node_lon, net.offsets, net.to_node + 5, net.length_m,
                      net.flags, net.drive_speed_m_s)
    with pytest.raises(ModelError, match="length_m"):
        StreetNetwork(net.node_lat, net.node_lon, net.offsets, net.to_node, -net.length_m,
                      net.flags, net.drive_speed_m_s)

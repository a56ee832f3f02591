"""Tests for transfers.txt rules given between parent stations."""

from __future__ import annotations

import pytest

from gtfs.reader import read_feed
from tests.conftest import shared_path
from tests.gtfs.conftest import FeedMaker

STOPS = ("stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
         "ST,Station,36.60,140.650,1,\n"
         "S1,Platform N,36.60,140.650,0,ST\n"
         "S2,Platform S,36.60,140.651,0,ST\n"
         "S3,Three,36.60,140.670,0,\n"
         "S4,Four,36.60,140.690,0,\n")


def _pairs(feed) -> dict[tuple[str, str], tuple[int, int]]:
    ids = feed.stops["stop_id"].tolist()
    t = feed.transfers
    return {(ids[f], ids[g]): (int(k), int(m)) for f, g, k, m in
            zip(t.from_stop, t.to_stop, t.type, t.min_s, strict=True)}


def test_station_rule_applies_to_every_platform_pair(make_feed: FeedMaker) -> None:
    """A station-to-station rule becomes a rule for each pair of its platforms."""
    feed = read_feed(make_feed(stops_txt=STOPS, transfers_txt=(
        "from_stop_id,to_stop_id,transfer_type,min_transfer_time\nST,ST,2,180\n")))
    assert _pairs(feed) == {(a, b): (2, 180) for a in ("S1", "S2") for b in ("S1", "S2")}


def test_platform_rule_beats_station_rule(make_feed: FeedMaker) -> None:
    """A rule written for the platforms wins over the station's rule."""
    feed = read_feed(make_feed(stops_txt=STOPS, transfers_txt=(
        "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n"
        "S1,S2,3,\nST,ST,2,180\n")))
    pairs = _pairs(feed)
    assert pairs[("S1", "S2")] == (3, -1)
    assert pairs[("S2", "S1")] == (2, 180)


def test_station_to_stop_rule_expands_one_side(make_feed: FeedMaker) -> None:
    """Only the station side of a mixed rule is expanded."""
    feed = read_feed(make_feed(stops_txt=STOPS, transfers_txt=(
        "from_stop_id,to_stop_id,transfer_type,min_transfer_time\nST,S3,2,300\n")))
    assert _pairs(feed) == {("S1", "S3"): (2, 300), ("S2", "S3"): (2, 300)}


@pytest.mark.shared
def test_nyc_station_rules_reach_the_platforms() -> None:
    """NYC's station-level minimum times apply between its served platforms."""
    feed = read_feed(shared_path("gtfs_large_nyc_subway/nyc_subway_gtfs.zip"))
    pairs = _pairs(feed)
    assert pairs[("101N", "101S")] == (2, 180)
    parents = set(feed.stops["parent_station"])
    assert not any(a in parents or b in parents for a, b in pairs)

"""web.services.planner: the pool of planners behind /plan."""

from __future__ import annotations

import pytest

from tests.routing.tinyfeed import TinyFeed, Trip
from transit.errors import TsunaguError
from web.config import ConfigError
from web.services.planner import PlannerService


def test_pool_size_below_one_is_a_config_error() -> None:
    """pool_size=0 is a ConfigError (ValueError and TsunaguError) naming it; 1 builds."""
    tt = TinyFeed({"A": (0, 0), "B": (2000, 0)},
                  [Trip("1", [("A", "08:00"), ("B", "08:10")])]).build()
    with pytest.raises(ConfigError, match="pool_size must be >= 1, got 0") as bad:
        PlannerService(tt, None, pool_size=0)
    assert isinstance(bad.value, ValueError) and isinstance(bad.value, TsunaguError)
    assert PlannerService(tt, None, pool_size=1).timetable is tt

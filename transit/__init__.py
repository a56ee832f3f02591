"""The transit model every other package shares.

Stops, patterns and timetable arrays of one compiled service day, footpaths,
the street network, on-demand zones and fleets. This package imports nothing
else of Tsunagu's; see ``docs/design/transit.md`` for its invariants.
"""

from transit.errors import ModelError, TsunaguError
from transit.footpaths import Footpaths
from transit.streets import StreetNetwork
from transit.timetable import Timetable

__all__ = ["Footpaths", "ModelError", "StreetNetwork", "Timetable", "TsunaguError"]

"""The demo city: a deterministic synthetic coastal city modelled on Hitachi, Ibaraki.

A frequent BRT spine along the coast, feeder loops into the hills, a street
network, population and jobs per cell and one on-demand zone per segment,
written as a GTFS feed, OSM XML and side files. See ``docs/design/democity.md``.
"""

from gtfs.democity.city import DEFAULT_SEED, DemoCity, generate_demo_city, load_demo_city
from gtfs.democity.errors import DemoCityError

__all__ = ["DEFAULT_SEED", "DemoCity", "DemoCityError", "generate_demo_city", "load_demo_city"]

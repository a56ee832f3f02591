"""GTFS in and out.

Read and validate feeds (gtfs-kit and pandas stay inside this package), compile
one service day into a :class:`transit.Timetable`, read GTFS-Flex zones, write
scenario feeds, and generate the demo city. See ``docs/design/gtfs.md``.
"""

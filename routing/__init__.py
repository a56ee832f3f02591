"""Journey planning: RAPTOR over compiled timetables, street access and egress,
itineraries, isochrones and accessibility. Imports ``transit`` only; on-demand
legs come through a Protocol of its own. See ``docs/design/routing.md``.
"""

"""Demand-responsive transit: requests, vehicles, the OR-Tools batch optimizer,
real-time insertion, an independent plan checker, the booking store and the day
simulation. Imports ``transit`` only. See ``docs/design/dispatch.md``.
"""

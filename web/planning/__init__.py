"""Planners' scenario evaluation, comparison report and distributed batch (issue #6, 3-5).

``web.planning.compare.compare_scenarios`` is the entry point for the CLI and
the web page; ``evaluate`` routes and simulates one scenario's day,
``report`` writes the HTML report, ``distributed`` runs the batch on Dask.
"""

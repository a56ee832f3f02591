"""``tsunagu feed ...``: inspect GTFS feeds."""

from __future__ import annotations

import click


@click.group("feed")
def feed_group() -> None:
    """Inspect and validate GTFS feeds."""

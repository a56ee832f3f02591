"""``tsunagu demo``: generate the demo city and show what it holds."""

from __future__ import annotations

import click


@click.command("demo")
def demo_command() -> None:
    """Generate the demo city and print its summary."""
    click.echo("demo city: not generated yet")

"""The ``tsunagu`` command line: Flask's click CLI plus Tsunagu's own commands."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from web.app import create_app
from web.commands.accessibility import accessibility_command
from web.commands.darp import darp_group
from web.commands.demo import demo_command
from web.commands.feed import feed_group
from web.commands.ondemand import ondemand_group
from web.commands.plan import plan_batch_command, plan_command
from web.commands.scenario import demand_group, scenario_group
from web.commands.serve import serve_command
from web.commands.simulate import simulate_command
from web.commands.token import token_group


def _make_app() -> object:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_make_app, add_version_option=False,
             load_dotenv=False)
def cli() -> None:
    """Tsunagu: journey planning with buses and on-demand rides, and DRT dispatch."""


cli.add_command(feed_group)
cli.add_command(demo_command)
cli.add_command(darp_group)
cli.add_command(plan_command)
cli.add_command(plan_batch_command)
cli.add_command(serve_command)
cli.add_command(token_group)
cli.add_command(ondemand_group)
cli.add_command(scenario_group)
cli.add_command(demand_group)
cli.add_command(simulate_command)
cli.add_command(accessibility_command)


def main() -> None:
    """Entry point of the ``tsunagu`` console script."""
    cli.main(prog_name="tsunagu")

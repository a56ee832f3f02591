"""The ``tsunagu`` command line: Flask's click CLI plus Tsunagu's own commands."""

from __future__ import annotations

from typing import IO, Any

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


class _OneLineError(click.ClickException):
    """A usage or command error shown as one ``error: ...`` line on stderr, exit code 2."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        """Print ``error: message`` on one line (stderr unless ``file``)."""
        message = " ".join(self.format_message().split())
        click.echo(f"error: {message}", file=file, err=file is None)


def _one_line(exc: click.ClickException) -> click.ClickException:
    if isinstance(exc, click.exceptions.NoArgsIsHelpError | _OneLineError):
        return exc  # a bare group prints its help; already one line
    ctx = getattr(exc, "ctx", None)
    message = exc.format_message()
    if ctx is not None and ctx.command_path:
        message = f"{ctx.command_path}: {message}"
    return _OneLineError(message)


class _Cli(FlaskGroup):
    """Flask's group whose click errors (bad option, missing argument, bad value,
    a command's :class:`click.ClickException`) print one line and exit with code 2,
    like the commands' own ``error:`` lines, instead of click's usage block."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        """Parse the top-level options, a click error turned into one line."""
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.ClickException as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        """Run the sub-command, a click error below turned into one line."""
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            raise _one_line(exc) from None


@click.group(cls=_Cli, create_app=_make_app, add_version_option=False,
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

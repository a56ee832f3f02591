"""``tsunagu token create|revoke``: API tokens with a role.

``token create --role ROLE --name NAME [--rider R] [--vehicle V]`` prints the
token once (only its hash is stored); ``token revoke ID`` revokes one by the
id it shows (``tsu_<id>_...``).
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from transit.errors import TsunaguError
from web.app import services_of
from web.auth import Role


@click.group("token")
def token_group() -> None:
    """Create and revoke API tokens."""


@token_group.command("create")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True,
              help="What the token may do.")
@click.option("--name", required=True, help="Who holds it (for people reading the table).")
@click.option("--rider", default=None, help="Rider id of a resident [default: NAME].")
@click.option("--vehicle", default=None, help="Vehicle a driver token reports for.")
@with_appcontext
def create_command(role: str, name: str, rider: str | None, vehicle: str | None) -> None:
    """Create a token and print it (it is not shown again)."""
    services = services_of(current_app)
    try:
        if vehicle is not None and vehicle not in services.fleet.ids():
            raise click.BadParameter(f"{vehicle!r} is not a vehicle of the fleet "
                                     f"({', '.join(services.fleet.ids())})",
                                     param_hint="--vehicle")
        token, p = services.tokens.create(name=name, role=role, rider_id=rider,
                                          vehicle_id=vehicle)
    except TsunaguError as exc:
        raise click.ClickException(str(exc)) from None
    bound = f", rider {p.rider_id}" if p.rider_id else ""
    bound += f", vehicle {p.vehicle_id}" if p.vehicle_id else ""
    click.echo(f"token {p.token_id} for {p.name} ({p.role.value}{bound}); keep it, it is not "
               "shown again:", err=True)
    click.echo(token)


@token_group.command("revoke")
@click.argument("token_id")
@with_appcontext
def revoke_command(token_id: str) -> None:
    """Revoke the token with id TOKEN_ID."""
    services = services_of(current_app)
    if not services.tokens.revoke(token_id):
        raise click.ClickException(f"no token with id {token_id!r}")
    click.echo(f"token {token_id} revoked (servers forget it within "
               f"{services.settings.token_cache_ttl_s:.0f} s)")

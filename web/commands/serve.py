"""``tsunagu serve``: the API on a production WSGI server (waitress) on localhost.

It builds every service (compiled day, planners, booking store, fleet) before
listening, prints the URL and, with ``DEMO_TOKENS`` on (the default), a fresh
token per role. ``tsunagu run`` (Flask's development server) is for
development only.
"""

from __future__ import annotations

import ipaddress

import click
from flask import current_app
from flask.cli import with_appcontext

from transit.errors import TsunaguError
from web.app import services_of
from web.auth import Role


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback unless a proxy fronts it).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port (0: any free port, printed).")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Worker threads (match PLANNER_POOL).")
@with_appcontext
def serve_command(host: str, port: int, threads: int) -> None:
    """Serve the JSON API with waitress."""
    from waitress import create_server  # only this command needs the server

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    services = services_of(app)
    try:
        ip = ipaddress.ip_address(host)
        if not ip.is_loopback:
            click.echo(f"warning: listening on {host}, not loopback; put a TLS proxy in front",
                       err=True)
    except ValueError:
        pass
    try:
        services.warm()
    except TsunaguError as exc:
        raise click.ClickException(str(exc)) from None
    server = create_server(app, host=host, port=port, threads=threads, ident="tsunagu")
    url = f"http://{host}:{server.effective_port}/"
    tt = services.timetable
    click.echo(f"Tsunagu API on {url}api/v1  (OpenAPI: {url}api/v1/openapi.json)")
    click.echo(f"  pages: {url}resident (trip planner), {url}dispatcher, {url}planner "
               "(sign in with a token below)")
    click.echo(f"  day {tt.service_date.isoformat()}: {tt.n_stops} stops, {tt.n_trips} trips; "
               f"bookings in {services.store!r}; {threads} threads")
    if services.settings.demo_tokens:
        click.echo("  demo tokens (DEMO_TOKENS on; send as 'Authorization: Bearer ...'):")
        fleet = services.fleet.ids()
        for role in Role:
            vehicle = fleet[0] if role is Role.DRIVER and fleet else None
            if role is Role.DRIVER and vehicle is None:
                continue
            token, p = services.tokens.create(name=f"demo-{role.value}", role=role,
                                              vehicle_id=vehicle)
            extra = f" (vehicle {vehicle})" if vehicle else (
                f" (rider {p.rider_id})" if p.rider_id else "")
            click.echo(f"    {role.value:<10} {token}{extra}")
        click.echo(f"  try: curl -H 'Authorization: Bearer <token>' "
                   f"'{url}api/v1/stops?q=駅'")
    click.echo("  Ctrl-C stops.", nl=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        services.close()

"""``tsunagu darp ...``: solve dial-a-ride / PDPTW benchmark instances."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from dispatch.errors import DispatchError
from dispatch.instance_solver import solve_instance
from dispatch.instances import FORMATS, read_instance


@click.group("darp")
def darp_group() -> None:
    """Solve Cordeau DARP and Li & Lim PDPTW benchmark instances."""


@darp_group.command("solve")
@click.argument("instance", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True,
              help="Instance file format.")
@click.option("--time-limit", "time_limit_s", type=float, default=30.0, show_default=True,
              help="Seconds of search.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the solution as JSON.")
def solve_command(instance: Path, fmt: str, time_limit_s: float, seed: int,
                  as_json: bool) -> None:
    """Solve INSTANCE and print its routes (node ids as in the file)."""
    if not time_limit_s > 0:
        raise click.BadParameter(f"{time_limit_s!r} must be positive",
                                 param_hint="--time-limit")
    try:
        inst = read_instance(instance, fmt)
        sol = solve_instance(inst, time_limit_s=time_limit_s, seed=seed, clock=time.monotonic)
    except DispatchError as exc:
        raise click.ClickException(str(exc)) from exc
    data = sol.to_json()
    if as_json:
        click.echo(json.dumps(data))
        return
    click.echo(f"{data['instance']}: cost {data['cost']:.2f}, vehicles {data['vehicles']}, "
               f"unserved {len(data['unserved'])}, "
               f"{'feasible' if data['feasible'] else 'INFEASIBLE'}")
    for route in data["routes"]:
        click.echo(f"  vehicle {route['vehicle']}: "
                   + " ".join(str(s["node"]) for s in route["stops"]))

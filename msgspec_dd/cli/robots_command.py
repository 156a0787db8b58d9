"""``msgspec-dd robots``: list the configured robots (:mod:`msgspec_dd.robot_listing`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from msgspec_dd.cli.options import config_option


@click.command("robots")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text for people, json for scripts.")
@config_option
def command(format_: str, config_path: Path | None) -> None:
    """List the robots of msgspec-dd.yaml: kind, which environment variables are set (never
    their values), keywords, rate, display name, and the robot files without robot: go to.

    Exit 0 even when a variable is not set (this is a listing); 2 for an invalid config.
    """
    from msgspec_dd.config import load_config
    from msgspec_dd.robot_listing import format_text, list_robots

    listing = list_robots(load_config(config_path))
    if format_ == "json":
        click.echo(json.dumps(listing.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_text(listing), nl=False)

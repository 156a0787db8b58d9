"""``msgspec-dd render FILE``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from msgspec_dd.cli.options import config_option, variable_options
from msgspec_dd.workflow_commands import json_log_text, log_line


@click.command("render")
@click.argument("file", type=click.Path(path_type=Path))
@variable_options
@click.option("--format", "format_", type=click.Choice(["json", "text"]), default="json",
              show_default=True, help="json = the body send would post; text = what the group sees.")
@click.option("--compact", is_flag=True, help="Print the body exactly as posted: compact JSON on one line.")
@click.option("--robot", "robot_name", metavar="NAME",
              help="Render for this robot: for an app robot, the API request body (msgKey, msgParam, "
              "openConversationId, robotCode).")
@config_option
def command(file: Path, var_args: tuple[str, ...], vars_file: Path | None, format_: str,
            compact: bool, robot_name: str | None, config_path: Path | None) -> None:
    """Print the JSON body that send would post for FILE (UTF-8, not ASCII-escaped).

    render never adds a msgUuid; send adds one per message and robot. Exit 1 when the message
    has problems (including missing or invalid variables), 2 for usage or configuration errors.
    """
    from msgspec_dd.config import load_config
    from msgspec_dd.dingtalk import wire
    from msgspec_dd.dingtalk.plain_text import text_view
    from msgspec_dd.message_files.pipeline import prepare_file
    from msgspec_dd.redaction import redact

    config = load_config(config_path, paths=[file])
    message = prepare_file(file, config=config, var_args=var_args, vars_file=vars_file,
                           robots_override=(robot_name,) if robot_name else ())
    body: Mapping[str, Any] = message.payload
    if robot_name is not None:
        from msgspec_dd.delivery.app import request_body

        body = request_body(message.payload, config.robot(robot_name))
    if format_ == "text":
        click.echo(_for_the_log(redact(text_view(message.payload))), nl=False)
    elif compact:
        click.echo(json_log_text(wire.encode(body).decode("utf-8")))
    else:
        click.echo(json_log_text(wire.pretty(body)))


def _for_the_log(text: str) -> str:
    """Inside GitHub Actions stdout is the job log: no line of a message may read as a workflow
    command there. (JSON is always written so: its escape means the same character.)"""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return text
    return "".join(log_line(line) + "\n" for line in text.splitlines())

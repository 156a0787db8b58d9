"""``msgspec-dd render FILE``."""

from __future__ import annotations

from pathlib import Path

import click

from msgspec_dd.cli.options import config_option, variable_options


@click.command("render")
@click.argument("file", type=click.Path(path_type=Path))
@variable_options
@click.option("--format", "format_", type=click.Choice(["json", "text"]), default="json",
              show_default=True, help="json = the body send would post; text = what the group sees.")
@click.option("--compact", is_flag=True, help="Print the body exactly as posted: compact JSON on one line.")
@config_option
def command(file: Path, var_args: tuple[str, ...], vars_file: Path | None, format_: str,
            compact: bool, config_path: Path | None) -> None:
    """Print the JSON body that send would post for FILE (UTF-8, not ASCII-escaped).

    render never adds a msgUuid; send adds one per message and robot. Exit 1 when the message
    has problems (including missing or invalid variables), 2 for usage or configuration errors.
    """
    from msgspec_dd.config import load_config
    from msgspec_dd.dingtalk import wire
    from msgspec_dd.dingtalk.plain_text import text_view
    from msgspec_dd.message_files.pipeline import prepare_file

    config = load_config(config_path, paths=[file])
    message = prepare_file(file, config=config, var_args=var_args, vars_file=vars_file)
    if format_ == "text":
        click.echo(text_view(message.payload), nl=False)
    elif compact:
        click.echo(wire.encode(message.payload).decode("utf-8"))
    else:
        click.echo(wire.pretty(message.payload))

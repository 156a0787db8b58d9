"""``msgspec-dd preview FILE... [-o OUT.html]``."""

from __future__ import annotations

from pathlib import Path

import click

from msgspec_dd.cli.options import config_option, variable_options


@click.command("preview")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@variable_options
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    default=Path("preview.html"),
    show_default=True,
    help="Where to write the HTML page; '-' writes it to stdout.",
)
@config_option
def command(
    paths: tuple[Path, ...],
    var_args: tuple[str, ...],
    vars_file: Path | None,
    output: Path,
    config_path: Path | None,
) -> None:
    """Write a self-contained HTML page showing each message as the DingTalk client shows it.

    Variables not given with --var or --vars-file take their default, else their first example.
    Lint warnings are shown beside each message. Exit 1 when a message has problems (nothing is
    written), 2 for usage or configuration errors.
    """
    from msgspec_dd.config import load_config
    from msgspec_dd.preview import render_page
    from msgspec_dd.preview.build import build_items, write_page

    config = load_config(config_path, paths=paths)
    items = build_items(list(paths), config=config, var_args=var_args, vars_file=vars_file)
    page = render_page(items)
    if str(output) == "-":
        click.echo(page, nl=False)
        return
    write_page(page, output)
    count = len(items)
    click.echo(f"wrote {output} ({count} message{'' if count == 1 else 's'})", err=True)

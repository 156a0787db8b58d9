"""``msgspec-dd preview FILE... [-o OUT.html | --watch [--port N]]``."""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from msgspec_dd.cli.options import config_option, variable_options

if TYPE_CHECKING:
    from msgspec_dd.config import Config
    from msgspec_dd.preview import PreviewItem
    from msgspec_dd.preview.watch import WatchSettings


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
@click.option(
    "--watch",
    is_flag=True,
    help="Serve the page on 127.0.0.1 (its URL is the first line printed) and reload it whenever "
    "a message file, the vars file or the config changes; -o is not used. Ctrl-C stops.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    help="The port for --watch (default: a free one).",
)
@config_option
def command(
    paths: tuple[Path, ...],
    var_args: tuple[str, ...],
    vars_file: Path | None,
    output: Path,
    watch: bool,
    port: int,
    config_path: Path | None,
) -> int:
    """Write a self-contained HTML page showing each message as the DingTalk client shows it.

    Variables not given with --var or --vars-file take their default, else their first example.
    Problems are shown beside each message; a message with errors is still shown, as a draft.
    Exit 1 when a message has errors, 2 for usage or configuration errors.
    """
    from msgspec_dd.config import load_config
    from msgspec_dd.preview import render_page
    from msgspec_dd.preview.build import build_items, write_page

    config = load_config(config_path, paths=paths)
    if watch:
        from msgspec_dd.preview.watch import WatchSettings

        return _watch(WatchSettings(paths, var_args, vars_file, config_path), config, port)
    items = build_items(list(paths), config=config, var_args=var_args, vars_file=vars_file)
    page = render_page(items)
    if str(output) == "-":
        click.echo(page, nl=False)
    else:
        write_page(page, output)
    _report(items, None if str(output) == "-" else output)
    return 1 if any(item.draft for item in items) else 0


def _report(items: list[PreviewItem], output: Path | None) -> None:
    """The drafts' errors on stderr, as lint prints them, then what was written."""
    from msgspec_dd.workflow_commands import log_line

    for item in items:
        for error in item.errors:
            click.echo(log_line(error), err=True)
    if output is None:
        return
    count, drafts = len(items), sum(item.draft for item in items)
    note = f", {drafts} with errors" if drafts else ""
    click.echo(f"wrote {output} ({count} message{'' if count == 1 else 's'}{note})", err=True)


def _watch(settings: WatchSettings, config: Config, port: int) -> int:
    """Serve until Ctrl-C. Bad paths or variables are refused first (exit 2), as without --watch."""
    from msgspec_dd.preview.build import build_items
    from msgspec_dd.preview.watch import PreviewServer

    build_items(list(settings.paths), config=config,
                var_args=settings.var_args, vars_file=settings.vars_file)
    server = PreviewServer(settings, port=port).start()
    try:
        click.echo(server.url)
        sys.stdout.flush()  # the first line is the URL, for scripts that start the watch
        click.echo("preview: watching the files; the page reloads when one changes. "
                   "Press Ctrl-C to stop.", err=True)
        _wait()
    finally:
        server.stop()
    click.echo("preview: stopped", err=True)
    return 0


def _wait() -> None:
    """Sleep until Ctrl-C (SIGINT) or SIGTERM; both stop the watch normally (exit 0)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass

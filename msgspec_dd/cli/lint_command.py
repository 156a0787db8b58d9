"""``msgspec-dd lint [PATH...]``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from msgspec_dd.cli.options import config_option
from msgspec_dd.lint.reporters import FORMATS


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "format_", type=click.Choice(FORMATS), default="auto", show_default=True,
              help="auto = github annotations inside GitHub Actions, else text (colour on a terminal).")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@click.option("--explain", metavar="RULE", help="Print what a rule checks and why, and its level, then exit.")
@click.option("--list-rules", is_flag=True, help="List every rule with its level (as lint.rules sets it), then exit.")
@config_option
def command(paths: tuple[Path, ...], format_: str, strict: bool, explain: str | None,
            list_rules: bool, config_path: Path | None) -> None:
    """Check message files (default: messages/, recursively) for problems DingTalk would reject.

    Reports path:line:col: level: message [rule-id] on stdout. Exit 0 when clean, 1 when errors
    (or, with --strict, warnings) are found, 2 for usage or configuration errors.
    """
    from msgspec_dd.config import load_config
    from msgspec_dd.lint import explain as explain_rules
    from msgspec_dd.message_files.schedule import DEFAULT_PATHS

    roots = list(paths) or list(DEFAULT_PATHS)
    config = load_config(config_path, paths=roots)  # --explain shows its levels
    if list_rules:
        click.echo(explain_rules.listing(config))
        return
    if explain:
        click.echo(explain_rules.explain(explain, config))
        return
    from msgspec_dd.lint.engine import lint_paths
    from msgspec_dd.lint.reporters import choose, summary

    report = lint_paths(roots, config)
    choose(format_, sys.stdout).report(report)
    click.echo(summary(report), err=True)
    if report.failed(strict=strict):
        raise click.exceptions.Exit(1)

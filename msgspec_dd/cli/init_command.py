"""``msgspec-dd init [DIR]``: set up a repository for msgspec-dd (:mod:`msgspec_dd.starter.scaffold`)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("init")
@click.argument("directory", required=False, default=Path("."),
                type=click.Path(path_type=Path, file_okay=False))
def command(directory: Path) -> None:
    """Set up DIRECTORY (default: .) as a repository of DingTalk messages.

    Writes msgspec-dd.yaml, messages/ with an announcement and a scheduled example, local copies
    of the schemas, .github/workflows/messages.yml (review on pull request, send on merge, send
    what is due on a schedule), a .pre-commit-config.yaml entry and .vscode/settings.json.
    A file that exists is never overwritten ("kept"), so running init again changes nothing.
    """
    from msgspec_dd.starter.scaffold import Outcome, init_repository, next_steps

    reports = init_repository(directory)
    for report in reports:
        click.echo(report.format())
    written = sum(report.outcome is Outcome.WROTE for report in reports)
    where = "this folder" if str(directory) == "." else str(directory)
    if not written:
        click.echo(f"Nothing written: every file exists in {where}.")
        return
    click.echo(f"\nWrote {written} file{'s' * (written != 1)} in {where}.\n")
    click.echo(next_steps(), nl=False)

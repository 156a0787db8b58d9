"""``msgspec-dd send PATH...``: render, validate and post messages to their robots.

Thin: options become calls to :func:`msgspec_dd.message_files.pipeline.prepare_messages` and
:func:`msgspec_dd.delivery.batch.send`, or, for ``--sandbox``, to
:func:`msgspec_dd.sandbox.rehearsal.rehearse`: the CLI chooses sandbox robots or real ones,
delivery never knows. Result lines go to stdout, progress and diagnostics to stderr, every
line through :func:`_echo` (credential redaction).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from msgspec_dd.cli.options import config_option, variable_options
from msgspec_dd.delivery.robot import DEFAULT_MAX_WAIT
from msgspec_dd.workflow_commands import json_log_text

if TYPE_CHECKING:
    from msgspec_dd.config import Config
    from msgspec_dd.delivery.batch import BatchReport, Job
    from msgspec_dd.delivery.git_ledger import GitBranch
    from msgspec_dd.message_files.pipeline import PreparedMessage


def _max_wait(ctx: click.Context, param: click.Parameter, value: float) -> float:
    from msgspec_dd.delivery.pacing import check_max_wait
    from msgspec_dd.errors import UsageError

    try:
        return check_max_wait(value)
    except UsageError as err:
        raise click.BadParameter(str(err), ctx=ctx, param=param) from err


def _ledger(ctx: click.Context, param: click.Parameter, value: str | None
            ) -> Path | GitBranch | None:
    from msgspec_dd.delivery.git_ledger import parse_ledger
    from msgspec_dd.errors import UsageError

    try:
        return None if value is None else parse_ledger(value)
    except UsageError as err:
        raise click.BadParameter(str(err), ctx=ctx, param=param) from err


@click.command("send")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@variable_options
@click.option("--robot", "robot_names", multiple=True, metavar="NAME",
              help="Send to this robot instead of the files' own (repeatable).")
@click.option("--dry-run", is_flag=True, help="Do everything but the POST; print each body.")
@click.option("--ledger", "ledger_path", callback=_ledger, metavar="FILE|git:BRANCH",
              help="JSON Lines record of what was sent: re-runs send only what is missing. "
              "git:BRANCH keeps it on that branch of the repository, pushed to origin.")
@click.option("--max-wait", type=float, default=DEFAULT_MAX_WAIT, callback=_max_wait,
              show_default=True,
              metavar="SECONDS",
              help="How long one message may wait for its robot's rate or lock before it is "
              "reported as not sent.")
@click.option("--force", is_flag=True, help="Send even what the ledger records as sent.")
@click.option("--changed-since", metavar="REF",
              help="Send the when: change files under PATHS (default messages/) that git shows as "
              "added or modified since REF.")
@click.option("--due", is_flag=True,
              help="Send the scheduled files under PATHS (default messages/) whose latest "
              "occurrence is within its grace and not yet sent (needs --ledger).")
@click.option("--at", "at_text", metavar="ISO-8601",
              help="With --due: the time to consider now (without an offset: the configured "
              "timezone).")
@click.option("--sandbox", is_flag=True,
              help="Send to a local sandbox robot instead of DingTalk, then show what arrived.")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text = one line per message and robot; json = a document.")
@config_option
def command(
    paths: tuple[Path, ...],
    var_args: tuple[str, ...],
    vars_file: Path | None,
    robot_names: tuple[str, ...],
    dry_run: bool,
    ledger_path: Path | GitBranch | None,
    max_wait: float,
    force: bool,
    changed_since: str | None,
    due: bool,
    at_text: str | None,
    sandbox: bool,
    format_: str,
    config_path: Path | None,
) -> None:
    """Render, validate and post each message in PATHS to its robots.

    Every message is rendered and validated before the first POST. Exit 0 when every message
    was sent (or skipped as already sent), 1 when any failed or had problems, 2 for usage or
    configuration errors (a robot's webhook variable not set, for one). Directories with no
    message files are not an error: a note says so on stderr and the exit code is 0 (a
    scheduled job over an empty folder has nothing to send).
    """
    from msgspec_dd.config import load_config
    from msgspec_dd.delivery.batch import send
    from msgspec_dd.message_files.schedule import DEFAULT_PATHS

    _check_options(sandbox=sandbox, due=due, at_text=at_text, ledger=ledger_path,
                   changed_since=changed_since)
    config = load_config(config_path, paths=paths or DEFAULT_PATHS)
    prepare = dict(config=config, var_args=var_args, vars_file=vars_file, robots_override=robot_names)
    messages = (_due_messages(paths, at_text, **prepare) if due
                else _selected_messages(paths, changed_since, **prepare))
    if dry_run:
        _dry_run(messages, config, format_, ledger=ledger_path, due=due, force=force)
        return
    if sandbox:
        from msgspec_dd.sandbox import rehearsal

        report = rehearsal.rehearse(messages, config, max_wait=max_wait, progress=_progress)
    else:
        report = send(messages, config, ledger=ledger_path, force=force, max_wait=max_wait,
                      progress=_progress, due=due)
    _print_report(report, format_)
    if report.stopped is not None:
        _progress(report.stopped)
    if not report.ok:
        raise click.exceptions.Exit(1)


def _check_options(*, sandbox: bool, due: bool, at_text: str | None,
                   ledger: Path | GitBranch | None, changed_since: str | None) -> None:
    from msgspec_dd.errors import UsageError

    if sandbox:
        from msgspec_dd.sandbox import rehearsal

        rehearsal.check_options(ledger=None if ledger is None else Path(str(ledger)), sandbox=sandbox)
    if at_text is not None and not due:
        raise UsageError("--at goes with --due (it says when 'now' is for the schedules)")
    if due and changed_since is not None:
        raise UsageError("--due and --changed-since choose files in different ways; give one")
    if due and ledger is None:
        raise UsageError("--due needs a ledger, which remembers the occurrences already sent: "
                         "add --ledger FILE (or --ledger git:BRANCH in CI)")


def _selected_messages(paths: Sequence[Path], changed_since: str | None,
                       **prepare: Any) -> list[PreparedMessage]:
    """The files named, or changed since ``changed_since``, prepared; notes on what is left out."""
    from msgspec_dd.message_files.pipeline import prepare_messages
    from msgspec_dd.message_files.schedule import select_for_send

    selection = select_for_send(paths, prepare["config"], changed_since=changed_since)
    for note in selection.notes():
        _progress(note)
    messages = prepare_messages(selection.files, **prepare)
    if not messages:
        _progress(selection.nothing)
    return messages


def _due_messages(paths: Sequence[Path], at_text: str | None, **prepare: Any) -> list[PreparedMessage]:
    """``--due``: the scheduled files due at ``--at`` (default now), each as of its occurrence,
    plus the files whose ``when`` cannot be read (so that they are reported, not ignored)."""
    from datetime import datetime

    from msgspec_dd.message_files.due import due_messages
    from msgspec_dd.message_files.schedule import DEFAULT_PATHS, config_timezone, read_at

    tz = config_timezone(prepare["config"])
    at = read_at(at_text, tz=tz) if at_text is not None else datetime.now(tz)
    messages = due_messages(paths, at=at, **prepare)
    if not messages:
        _progress(f"nothing is due at {at.astimezone(tz).isoformat(timespec='minutes')} under "
                  f"{', '.join(map(str, paths or DEFAULT_PATHS))}")
    return messages


def _print_report(report: BatchReport, format_: str) -> None:
    """Result lines (or the JSON document), then what each sandbox robot received."""
    if format_ == "json":
        click.echo(json_log_text(json.dumps(report.to_json(), ensure_ascii=False, indent=2)))
        return
    for result in report.results:
        _echo(result.format())
    if report.arrived:
        from msgspec_dd.sandbox.rehearsal import format_arrived

        _echo(format_arrived(report.arrived), nl=False, block=True)


def _dry_run(messages: Sequence[PreparedMessage], config: Config, format_: str, *,
             ledger: Path | GitBranch | None, due: bool, force: bool) -> None:
    """Print each body as ``render`` does; post nothing and need no credentials. With a ledger,
    say what a real run would skip (and, with ``--due``, leave out what is no longer due)."""
    from msgspec_dd.delivery.batch import dry_run_document, dry_run_notes, dry_run_skips
    from msgspec_dd.dingtalk import wire

    skipped: list[Job] = []
    if ledger is not None:
        messages, skipped = dry_run_skips(messages, config, ledger, due=due, force=force)
    for note in dry_run_notes(messages, config):
        _progress(note)
    for job in skipped:
        _progress(f"{job.path} -> {job.robot}: a real run would skip it (already sent)")
    if format_ == "json":
        click.echo(json_log_text(wire.pretty(dry_run_document(messages, skipped))))
        return
    for message in messages:
        _progress(f"{message.path} -> {', '.join(message.robots)} (dry run, not sent)")
        click.echo(json_log_text(wire.pretty(message.payload)))


def _progress(line: str) -> None:
    _echo(f"msgspec-dd: {line}", err=True)


def _echo(text: str, *, err: bool = False, nl: bool = True, block: bool = False) -> None:
    """Every progress and result line goes out here: credentials hidden, and made a line that
    GitHub's runner cannot read as a workflow command (file names are user data). A ``block``
    keeps its line breaks, each of its lines escaped alone."""
    from msgspec_dd.redaction import redact
    from msgspec_dd.workflow_commands import log_line

    lines = redact(text).split("\n") if block else [redact(text)]
    click.echo("\n".join(log_line(line) for line in lines), err=err, nl=nl)

"""``msgspec-dd send PATH...``: render, validate and post messages to their robots.

Thin: options become calls to :func:`msgspec_dd.message_files.pipeline.prepare_messages` and
:func:`msgspec_dd.delivery.batch.send`, or, for ``--sandbox``, to
:func:`msgspec_dd.sandbox.rehearsal.rehearse`: the CLI chooses sandbox robots or real ones,
delivery never knows. Result lines go to stdout as each delivery ends, progress and
diagnostics to stderr (a :class:`~msgspec_dd.cli.batch_printer.BatchPrinter`), every line
through :func:`_echo` (credential redaction). With ``--format json`` stdout holds exactly one
JSON document however the run ends (:func:`_json_always`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from msgspec_dd.cli.options import config_option, ledger_spec, variable_options
from msgspec_dd.delivery.pacing import DEFAULT_MAX_WAIT
from msgspec_dd.workflow_commands import json_log_text

if TYPE_CHECKING:
    from msgspec_dd.cli.batch_printer import BatchPrinter
    from msgspec_dd.config import Config
    from msgspec_dd.delivery.batch import BatchReport
    from msgspec_dd.delivery.git_ledger import GitBranch
    from msgspec_dd.message_files.loader import Document
    from msgspec_dd.message_files.pipeline import PreparedMessage

F = TypeVar("F", bound=Callable[..., Any])
#: The exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


def _max_wait(ctx: click.Context, param: click.Parameter, value: float) -> float:
    from msgspec_dd.delivery.pacing import check_max_wait
    from msgspec_dd.errors import UsageError

    try:
        return check_max_wait(value)
    except UsageError as err:
        raise click.BadParameter(str(err), ctx=ctx, param=param) from err


def _json_always(function: F) -> F:
    """With ``--format json``, one JSON document on stdout also when the run ends in an error
    (the error still goes to stderr as usual). Ctrl-C with no batch report yet (before sending
    began) says so and exits 130, in both formats."""
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from msgspec_dd.cli import send_json
        from msgspec_dd.errors import MsgspecError

        as_json = kwargs.get("format_") == "json"
        try:
            return function(*args, **kwargs)
        except MsgspecError as err:
            if as_json:
                _print_json(send_json.error_document(err))
            raise
        except KeyboardInterrupt:
            if as_json:
                _print_json(send_json.interrupted_document())
            _progress(send_json.INTERRUPTED)
            raise click.exceptions.Exit(INTERRUPTED) from None

    return wrapper  # type: ignore[return-value]


@click.command("send")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@variable_options
@click.option("--robot", "robot_names", multiple=True, metavar="NAME",
              help="Send to this robot instead of the files' own (repeatable).")
@click.option("--dry-run", is_flag=True, help="Do everything but the POST; print each body.")
@click.option("--ledger", "ledger_path", callback=ledger_spec, metavar="FILE|git:BRANCH",
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
@click.option("--text", "text", metavar="TEXT",
              help="Send this text as a one-off text message, with no message file.")
@click.option("-q", "--quiet", is_flag=True,
              help="Print only failures (no progress, no sent lines, no sandbox printout).")
@config_option
@_json_always
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
    text: str | None,
    quiet: bool,
    config_path: Path | None,
) -> None:
    """Render, validate and post each message in PATHS to its robots.

    Every message is rendered and validated before the first POST. Exit 0 when every message
    was sent (or skipped as already sent), 1 when any failed or had problems, 2 for usage or
    configuration errors (a robot's webhook variable not set, for one). Directories with no
    message files are not an error: a note says so on stderr and the exit code is 0 (a
    scheduled job over an empty folder has nothing to send).

    PATH ``-`` reads one message file from stdin (YAML or JSON; a bare DingTalk body with a
    top-level ``msgtype`` is its ``message``); ``--text`` sends a text message with no file.
    Result lines are printed as each message ends. Ctrl-C stops after the POSTs in flight,
    prints what was and was not sent, and exits 130.
    """
    from msgspec_dd.config import load_config
    from msgspec_dd.message_files import one_off
    from msgspec_dd.message_files.schedule import DEFAULT_PATHS

    one_off.check_options(paths, text=text, changed_since=changed_since, var_args=var_args,
                          vars_file=vars_file, due=due)
    _check_options(sandbox=sandbox, due=due, at_text=at_text, ledger=ledger_path,
                   changed_since=changed_since)
    printer = _printer(format_, quiet)
    documents, var_args = _one_off_documents(paths, text, var_args)
    config = load_config(config_path, paths=[p for p in paths if p != one_off.STDIN_PATH] or DEFAULT_PATHS)
    prepare = dict(config=config, var_args=var_args, vars_file=vars_file, robots_override=robot_names)
    messages = _messages(paths, documents, printer, due=due, at_text=at_text,
                         changed_since=changed_since, **prepare)
    if dry_run:
        _dry_run(messages, config, format_, ledger=ledger_path, due=due, force=force)
        return
    report = _deliver(messages, config, printer, sandbox=sandbox, ledger_path=ledger_path,
                      force=force, max_wait=max_wait, due=due)
    _print_report(report, format_, printer)
    _exit(report, printer)


def _messages(paths: Sequence[Path], documents: Sequence[Document], printer: BatchPrinter, *,
              due: bool, at_text: str | None, changed_since: str | None,
              **prepare: Any) -> list[PreparedMessage]:
    """The one-off message, the due files, or the files named (or changed), prepared."""
    from msgspec_dd.message_files.pipeline import prepare_messages

    if documents:
        return prepare_messages((), documents=documents, **prepare)
    if due:
        return _due_messages(paths, at_text, printer, **prepare)
    return _selected_messages(paths, changed_since, printer, **prepare)


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


def _selected_messages(paths: Sequence[Path], changed_since: str | None, printer: BatchPrinter,
                       **prepare: Any) -> list[PreparedMessage]:
    """The files named, or changed since ``changed_since``, prepared; notes on what is left out."""
    from msgspec_dd.message_files.pipeline import prepare_messages
    from msgspec_dd.message_files.schedule import select_for_send

    selection = select_for_send(paths, prepare["config"], changed_since=changed_since)
    for note in selection.notes():
        printer.note(note)
    messages = prepare_messages(selection.files, **prepare)
    if not messages:
        printer.note(selection.nothing)
    return messages


def _due_messages(paths: Sequence[Path], at_text: str | None, printer: BatchPrinter,
                  **prepare: Any) -> list[PreparedMessage]:
    """``--due``: the scheduled files due at ``--at`` (default now), each as of its occurrence,
    plus the files whose ``when`` cannot be read (so that they are reported, not ignored)."""
    from datetime import datetime

    from msgspec_dd.message_files.built_ins import configured_timezone
    from msgspec_dd.message_files.due import due_messages
    from msgspec_dd.message_files.schedule import DEFAULT_PATHS, read_at

    tz = configured_timezone(prepare["config"])
    at = read_at(at_text, tz=tz) if at_text is not None else datetime.now(tz)
    messages = due_messages(paths, at=at, **prepare)
    if not messages:
        printer.note(f"nothing is due at {at.astimezone(tz).isoformat(timespec='minutes')} under "
                     f"{', '.join(map(str, paths or DEFAULT_PATHS))}")
    return messages


def _deliver(messages: Sequence[PreparedMessage], config: Config, printer: BatchPrinter, *,
             sandbox: bool, ledger_path: Path | GitBranch | None, force: bool, max_wait: float,
             due: bool) -> BatchReport:
    """Send to the sandbox or the real robots, the printer watching; the live line goes after."""
    from msgspec_dd.delivery.batch import send

    try:
        if sandbox:
            from msgspec_dd.sandbox import rehearsal

            return rehearsal.rehearse(messages, config, max_wait=max_wait, progress=printer.note,
                                      watcher=printer)
        return send(messages, config, ledger=ledger_path, force=force, max_wait=max_wait,
                    progress=printer.note, watcher=printer, due=due)
    finally:
        printer.close()


def _printer(format_: str, quiet: bool) -> BatchPrinter:
    """Result lines as they come (text format), and a live line when stderr is a terminal."""
    import sys

    from msgspec_dd.cli.batch_printer import BatchPrinter
    from msgspec_dd.cli.live_line import LiveLine

    live = LiveLine(sys.stderr) if sys.stderr.isatty() else None
    return BatchPrinter(_echo, quiet=quiet, lines=format_ != "json", live=live)


def _one_off_documents(paths: Sequence[Path], text: str | None, var_args: tuple[str, ...]
                       ) -> tuple[list[Document], tuple[str, ...]]:
    """``send -`` and ``--text``: their document, and the ``--var`` that carries the text."""
    from msgspec_dd.message_files import one_off

    if text is not None:
        document, name = one_off.text_document()
        return [document], (f"{name}={text}",)
    if one_off.STDIN_PATH in paths:
        import sys

        return [one_off.read_stdin(sys.stdin.buffer)], var_args
    return [], var_args


def _exit(report: BatchReport, printer: BatchPrinter) -> None:
    """Say why the batch stopped early, and exit 130 (Ctrl-C) or 1 (anything not sent)."""
    if report.stopped is not None:
        printer.write(f"msgspec-dd: {report.stopped}", err=True)
    if report.interrupted:
        sent = report.counts["sent"]
        printer.write(f"msgspec-dd: interrupted: {sent} sent, {len(report.not_sent)} not sent; "
                      "with --ledger, the same command sends only the rest", err=True)
        raise click.exceptions.Exit(INTERRUPTED)
    if not report.ok:
        raise click.exceptions.Exit(1)


def _print_report(report: BatchReport, format_: str, printer: BatchPrinter) -> None:
    """The JSON document; or, the result lines being printed already, what was not sent and
    what each sandbox robot received."""
    if format_ == "json":
        _print_json(report.to_json())
        return
    if report.interrupted:
        for path, robot in report.not_sent:
            printer.write(f"{path} -> {robot}: not sent (interrupted)")
    if report.arrived and not printer.quiet:
        from msgspec_dd.sandbox.rehearsal import format_arrived

        printer.write(format_arrived(report.arrived), nl=False, block=True)


def _print_json(document: dict[str, Any]) -> None:
    click.echo(json_log_text(json.dumps(document, ensure_ascii=False, indent=2)))


def _dry_run(messages: Sequence[PreparedMessage], config: Config, format_: str, *,
             ledger: Path | GitBranch | None, due: bool, force: bool) -> None:
    """Print each body as ``render`` does; post nothing and need no credentials. With a ledger,
    say what a real run would skip (and, with ``--due``, leave out what is no longer due)."""
    from msgspec_dd.delivery.batch import dry_run_document, dry_run_notes, dry_run_skips
    from msgspec_dd.dingtalk import wire

    skipped: set[tuple[str, str]] | None = None
    if ledger is not None:
        messages, jobs = dry_run_skips(messages, config, ledger, due=due, force=force)
        skipped = {(job.path, job.robot) for job in jobs}
    for note in dry_run_notes(messages, config):
        _progress(note)
    if format_ == "json":
        click.echo(json_log_text(wire.pretty(dry_run_document(messages, skipped))))
        return
    for message in messages:
        _progress(_dry_run_line(message, skipped or set()))
        click.echo(json_log_text(wire.pretty(message.payload)))


def _dry_run_line(message: PreparedMessage, skipped: set[tuple[str, str]]) -> str:
    """``m/a.yaml -> ops (dry run, not sent); default: skipped (already sent)``."""
    sending = [robot for robot in message.robots if (message.path, robot) not in skipped]
    parts = [f"{', '.join(sending)} (dry run, not sent)"] if sending else []
    if len(sending) < len(message.robots):
        done = [robot for robot in message.robots if robot not in sending]
        parts.append(f"{', '.join(done)}: skipped (already sent)")
    return f"{message.path} -> {'; '.join(parts)}"


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

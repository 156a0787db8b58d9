"""The action's ``send``: what ``msgspec-dd send --format json`` does, in this process.

The job summary must show exactly the bodies that were posted. ``send --format json`` reports
each result but not the body it posted, and rendering a second time for the summary could give
a different body (``now`` moves on). So each message is prepared once here, and the same
prepared messages go to delivery and to the summary. The calls are the CLI's own
(:func:`~msgspec_dd.message_files.pipeline.prepare_messages`, :func:`~msgspec_dd.delivery.batch.send`); the
``results`` document is the one the CLI prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from msgspec_dd.action.inputs import ActionInputs
from msgspec_dd.config import Config
from msgspec_dd.delivery.batch import dry_run_document, dry_run_notes, send
from msgspec_dd.delivery.git_ledger import parse_ledger
from msgspec_dd.errors import MsgspecError
from msgspec_dd.message_files.built_ins import configured_timezone
from msgspec_dd.message_files.due import due_messages
from msgspec_dd.message_files.pipeline import PreparedMessage, prepare_messages

__all__ = ["SendOutcome", "send_batch"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class SendOutcome:
    """One send run: the CLI's exit code, the document ``send --format json`` prints, the
    messages exactly as posted (or, on a dry run, as they would be, without ``msgUuid``) and,
    when it stopped before posting anything, why (the lines the CLI writes to stderr)."""

    code: int
    document: dict[str, Any]
    messages: tuple[PreparedMessage, ...] = ()
    stopped: tuple[str, ...] = ()


def send_batch(files: Sequence[Path], *, inputs: ActionInputs, config: Config,
               environ: Mapping[str, str], progress: Progress,
               now: datetime | None = None) -> SendOutcome:
    """Prepare ``files`` once and post them to their robots (webhooks read from ``environ``).

    Nothing is posted unless every message is valid and every robot's webhook is set. Never
    raises :class:`~msgspec_dd.errors.MsgspecError`: it becomes ``code`` and ``stopped``. With
    ``due``, the scheduled files among ``files`` that are due at ``now`` (default: the clock's
    now) are sent, each as of its occurrence.
    """
    try:
        messages = _prepare(files, inputs=inputs, config=config, environ=environ, now=now)
    except MsgspecError as exc:
        return SendOutcome(exc.exit_code, {}, stopped=exc.report_lines())
    if inputs.dry_run:
        return _dry_run(messages, config, environ, progress)
    return _deliver(messages, config, environ, progress, inputs)


def _prepare(files: Sequence[Path], *, inputs: ActionInputs, config: Config,
             environ: Mapping[str, str], now: datetime | None) -> list[PreparedMessage]:
    options: dict[str, Any] = {
        "config": config, "var_args": inputs.var_args, "environ": environ,
        "vars_file": Path(inputs.vars_file) if inputs.vars_file else None,
        "robots_override": inputs.robots,
    }
    if not inputs.due:
        return prepare_messages(list(files), **options)
    at = now or datetime.now(configured_timezone(config))
    return due_messages(list(files), at=at, **options)


def _dry_run(messages: Sequence[PreparedMessage], config: Config, environ: Mapping[str, str],
             progress: Progress) -> SendOutcome:
    for note in dry_run_notes(messages, config, environ):
        progress(note)
    return SendOutcome(0, dry_run_document(messages), tuple(messages))


def _deliver(messages: Sequence[PreparedMessage], config: Config, environ: Mapping[str, str],
             progress: Progress, inputs: ActionInputs) -> SendOutcome:
    try:
        ledger = parse_ledger(inputs.ledger) if inputs.ledger else None
        report = send(messages, config, environ=environ, progress=progress, ledger=ledger,
                      due=inputs.due)
    except MsgspecError as exc:
        return SendOutcome(exc.exit_code, {}, stopped=exc.report_lines())
    if inputs.due:  # an occurrence already sent was left out: not "as posted by this run"
        reported = {result.path for result in report.results}
        messages = [message for message in messages if message.path in reported]
    return SendOutcome(0 if report.ok else 1, report.to_json(), tuple(messages))

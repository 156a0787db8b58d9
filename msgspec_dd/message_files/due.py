"""``send --due``: preparing the scheduled files that are due, each as of its occurrence.

A due file is rendered with ``now`` and ``today`` set to its occurrence, so a late or repeated
job renders exactly the same body, and the occurrence joins its ledger identity. One
:func:`~msgspec_dd.message_files.pipeline.prepare_messages` call has one ``now``, so files are
prepared in groups of one occurrence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from msgspec_dd.config import Config
from msgspec_dd.message_files import variables
from msgspec_dd.message_files.discovery import discover
from msgspec_dd.message_files.loader import LoadError, load_document
from msgspec_dd.message_files.pipeline import PreparedMessage, prepare_messages
from msgspec_dd.message_files.schedule import DEFAULT_PATHS, Due, files_due


def due_messages(paths: Sequence[Path], *, at: datetime, config: Config,
                 **options: Any) -> list[PreparedMessage]:
    """``send --due``: the scheduled files under ``paths`` (default ``messages/``) due at ``at``,
    each prepared as of its occurrence. A file whose ``when`` cannot be read stops the batch
    with its problem (:class:`~msgspec_dd.errors.MessageError`): it would otherwise never be sent.
    ``options`` go to :func:`prepare_messages`."""
    candidates = discover(list(paths) or list(DEFAULT_PATHS))
    due, unreadable = files_due(paths, config, at=at, files=candidates)
    if unreadable:
        prepare_messages(unreadable, config=config, **options)  # raises, naming each problem
    return prepare_due(due, candidates=candidates, config=config, **options)


def prepare_due(
    due: Sequence[Due],
    *,
    config: Config,
    candidates: Sequence[Path] = (),
    var_args: Sequence[str] = (),
    vars_file: Path | None = None,
    robots_override: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
) -> list[PreparedMessage]:
    """Every due file prepared as of its occurrence (``PreparedMessage.occurrence`` set).

    A ``--var`` that neither a due file nor one of ``candidates`` (the files ``--due`` looked
    at) declares is a :class:`UsageError` (a typo); one for a file that is not due now is fine.
    Each group is given only the ``--var`` values its files declare.
    """
    texts = variables.parse_var_args(var_args)
    declared = {path: _declared(path) for path in {*candidates, *(item.path for item in due)}}
    variables.check_declared(texts, set().union(*declared.values()),
                             files="scheduled message file")
    prepared: list[PreparedMessage] = []
    for occurrence, paths in _groups(due).items():
        names = set().union(*(declared[path] for path in paths))
        group_args = [f"{name}={text}" for name, text in texts.items() if name in names]
        messages = prepare_messages(paths, config=config, var_args=group_args, vars_file=vars_file,
                                    robots_override=robots_override, now=occurrence, environ=environ)
        prepared.extend(replace(message, occurrence=occurrence) for message in messages)
    return prepared


def _groups(due: Sequence[Due]) -> dict[datetime, list[Path]]:
    groups: dict[datetime, list[Path]] = {}
    for item in due:
        groups.setdefault(item.occurrence, []).append(item.path)
    return groups


def _declared(path: Path) -> set[str]:
    try:
        return set(variables.declared(load_document(path).data))
    except LoadError:  # prepare_messages reports it
        return set()

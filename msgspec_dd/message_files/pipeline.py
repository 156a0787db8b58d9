"""Turning message files into bodies ready to post: load, check, resolve variables, render, validate.

Everything happens for every message of a batch before anything is sent: one invalid message
means nothing is prepared (:class:`~msgspec_dd.errors.MessageError` with all problems).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from msgspec_dd.config import CONFIG_NAME, Config, RobotConfig
from msgspec_dd.errors import ConfigError, MessageError, UsageError
from msgspec_dd.lint.engine import check
from msgspec_dd.lint.rules import SEND_RENDERED_RULES, SEND_SOURCE_RULES
from msgspec_dd.message_files import built_ins, variables
from msgspec_dd.message_files.discovery import discover
from msgspec_dd.message_files.loader import Document, LoadError, load_document
from msgspec_dd.message_files.renderer import render_message
from msgspec_dd.message_files.targets import file_robots
from msgspec_dd.problems import Level, Problem


@dataclass(frozen=True)
class PreparedMessage:
    """One rendered, validated message and where it goes.

    ``variables`` are the resolved values of the declared variables (typed, defaults applied):
    with the path, content, robot and, for a scheduled send, ``occurrence`` they identify the
    message in the ledger, since the rendered body changes with ``now``.
    """

    path: str
    content_sha256: str
    robots: tuple[str, ...]
    payload: dict[str, Any]
    variables: Mapping[str, Any]
    occurrence: datetime | None = None


def prepare_messages(
    paths: Sequence[Path],
    *,
    config: Config,
    var_args: Sequence[str] = (),
    vars_file: Path | None = None,
    robots_override: Sequence[str] = (),
    now: datetime | None = None,
    use_examples: bool = False,
    environ: Mapping[str, str] | None = None,
) -> list[PreparedMessage]:
    """Prepare every message file under ``paths``.

    ``use_examples`` (preview) fills variables that were not given with their default or first
    example and ``github`` with sample values. Raises MessageError (problems in messages),
    UsageError (missing path, bad ``--var``, a variable no file declares) or ConfigError
    (unknown robot).
    """
    files = discover(paths)
    given = variables.Given(
        variables.parse_var_args(var_args),
        variables.load_vars_file(vars_file) if vars_file else {},
    )
    documents, problems = _load_all(files)
    if not problems:  # a file that failed to load may be the one declaring the variable
        _check_given_names(given, documents)
    for name in robots_override:
        config.robot(name)
    tz = built_ins.timezone(config.timezone, source=str(config.path or CONFIG_NAME))
    builtins = built_ins.builtins(tz=tz, samples=use_examples, now=now, environ=environ)
    prepared: list[PreparedMessage] = []
    for document in documents:
        message, found = _prepare_one(document, given, config, builtins, robots_override, use_examples)
        problems.extend(found)
        if message is not None:
            prepared.append(message)
    if problems:
        raise MessageError(problems)
    return prepared


def prepare_file(path: Path, **options: Any) -> PreparedMessage:
    """Prepare exactly one file (``render``)."""
    if path.is_dir():
        raise UsageError(f"{path}: is a directory; render takes one message file")
    return prepare_messages([path], **options)[0]


def _load_all(files: Sequence[Path]) -> tuple[list[Document], list[Problem]]:
    documents: list[Document] = []
    problems: list[Problem] = []
    for file in files:
        try:
            documents.append(load_document(file))
        except LoadError as err:
            problems.append(err.problem)
    return documents, problems


def _check_given_names(given: variables.Given, documents: Sequence[Document]) -> None:
    declared: set[str] = set()
    for document in documents:
        declared |= set(variables.declared(document.data))
    unknown = sorted(given.names - declared)
    if unknown and documents:
        raise UsageError(f"variable{'s' * (len(unknown) > 1)} {', '.join(unknown)} "
                         "not declared by any message file (a typo?); check the names under 'vars:'")


def _prepare_one(
    document: Document,
    given: variables.Given,
    config: Config,
    builtins: Mapping[str, Any],
    robots_override: Sequence[str],
    use_examples: bool,
) -> tuple[PreparedMessage | None, list[Problem]]:
    problems = _errors(check(document, config, SEND_SOURCE_RULES))
    if problems:
        return None, problems
    chosen = given.for_file(variables.declared(document.data))
    values, problems = variables.resolve(document, chosen, samples=use_examples)
    if problems:
        return None, problems
    rendered, problems = render_message(document, values, builtins)
    if rendered is None:
        return None, problems
    robot_names = tuple(dict.fromkeys(robots_override)) or file_robots(document.data)
    robots = [_robot(config, name, document) for name in robot_names]
    problems = _errors(check(document, config, SEND_RENDERED_RULES, robots=robots, rendered=rendered))
    if problems:
        return None, problems
    return PreparedMessage(document.path, document.sha256, robot_names, rendered.payload, values), []


def _robot(config: Config, name: str, document: Document) -> RobotConfig:
    """The robot ``name``; an unknown one is a configuration error naming the file that asks."""
    try:
        return config.robot(name)
    except ConfigError as err:
        line, column = document.positions.locate(("robot",))
        raise ConfigError(f"{document.path}:{line}:{column}: {err}") from err


def _errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.level is Level.ERROR]

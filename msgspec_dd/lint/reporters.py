"""How lint results are shown: text for people, JSON for machines, GitHub annotations in Actions.

Reporters are small classes behind one interface, registered by name in :data:`REPORTERS`, which
also feeds the CLI's ``--format`` choices.
"""

from __future__ import annotations

import abc
import json
import os
from collections.abc import Mapping
from typing import ClassVar, TextIO

from msgspec_dd.lint.engine import LintReport
from msgspec_dd.problems import Level, Problem
from msgspec_dd.workflow_commands import (
    command_data,
    command_property,
    json_log_text,
    log_line,
    visible_controls,
)


class Reporter(abc.ABC):
    """Writes a :class:`LintReport` to a stream."""

    def __init__(self, stream: TextIO, *, color: bool = False) -> None:
        self.stream = stream
        self.color = color

    @abc.abstractmethod
    def report(self, report: LintReport) -> None:
        """Write every problem of ``report``."""


class TextReporter(Reporter):
    """``path:line:col: level: message [rule-id]``, one per line."""

    _COLORS: ClassVar[dict[Level, str]] = {Level.ERROR: "\x1b[31m", Level.WARNING: "\x1b[33m"}

    def report(self, report: LintReport) -> None:
        for problem in report.problems:
            self.stream.write(self._line(problem) + "\n")

    def _line(self, problem: Problem) -> str:
        # A file name or message may hold line breaks, terminal escapes or a workflow command.
        if not self.color:
            return log_line(problem.format())
        level = f"{self._COLORS[problem.level]}{problem.level.value}\x1b[0m"
        where = f"\x1b[1m{visible_controls(problem.path)}:{problem.line}:{problem.column}\x1b[0m"
        return f"{where}: {level}: {visible_controls(problem.message)} \x1b[2m[{problem.rule}]\x1b[0m"


class JsonReporter(Reporter):
    """One JSON document: the files checked, every problem, and counts."""

    def report(self, report: LintReport) -> None:
        document = {
            "files": list(report.files),
            "problems": [p.to_json() for p in report.problems],
            "errors": _count(report, Level.ERROR),
            "warnings": _count(report, Level.WARNING),
        }
        self.stream.write(json_log_text(json.dumps(document, ensure_ascii=False, indent=2)) + "\n")


class GitHubReporter(Reporter):
    """GitHub Actions workflow commands, which become annotations on the lines of the diff."""

    def report(self, report: LintReport) -> None:
        for p in report.problems:
            kind = "error" if p.level is Level.ERROR else "warning"
            props = f"file={command_property(p.path)},line={p.line},col={p.column},title={command_property(p.rule)}"
            self.stream.write(f"::{kind} {props}::{command_data(p.message)}\n")


REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "github": GitHubReporter,
}
FORMATS = ("auto", *REPORTERS)


def choose(name: str, stream: TextIO, environ: Mapping[str, str] | None = None) -> Reporter:
    """The reporter for ``--format name``; ``auto`` is github inside Actions, else text."""
    env = os.environ if environ is None else environ
    if name == "auto":
        name = "github" if env.get("GITHUB_ACTIONS") == "true" else "text"
    color = name == "text" and stream.isatty() and "NO_COLOR" not in env
    return REPORTERS[name](stream, color=color)


def summary(report: LintReport) -> str:
    """``3 files checked: 1 error, 2 warnings`` (the CLI writes it to stderr)."""
    errors, warnings = _count(report, Level.ERROR), _count(report, Level.WARNING)
    files = len(report.files)
    if not report.problems:
        return f"{files} file{'s' * (files != 1)} checked, no problems"
    return (f"{files} file{'s' * (files != 1)} checked: {errors} error{'s' * (errors != 1)}, "
            f"{warnings} warning{'s' * (warnings != 1)}")


def _count(report: LintReport, level: Level) -> int:
    return sum(1 for p in report.problems if p.level is level)

"""Running the rules of one pipeline stage over one message: findings placed in the file.

A rule's ``check()`` yields :class:`~msgspec_dd.lint.rule.Finding` values located by a path in
the data (or in the rendered body); here each becomes a :class:`~msgspec_dd.problems.Problem`
with the file's line and column, stamped with the rule's id and level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from msgspec_dd.config import Config
from msgspec_dd.lint import levels
from msgspec_dd.lint.registry import RULES
from msgspec_dd.lint.rule import CheckedRule, Finding, LintContext, Rule, Stage, has_check
from msgspec_dd.lint.suppressions import Suppressions
from msgspec_dd.message_files.loader import Document, PathT
from msgspec_dd.message_files.template import is_template
from msgspec_dd.problems import Level, Problem


def run_stage(rules: Iterable[Rule], stage: Stage, context: LintContext) -> list[Problem]:
    """What the ``rules`` of ``stage`` find in ``context``, in rule order."""
    problems: list[Problem] = []
    for rule in rules:
        if stage == rule.STAGE and has_check(rule):
            problems.extend(run_rule(rule, context))
    return problems


def run_rule(rule: CheckedRule, context: LintContext) -> list[Problem]:
    """What one rule finds, placed in the file."""
    return [_to_problem(rule, finding, context) for finding in rule.check(context)]


def blocking(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that stop a message: errors of rules declared ``BLOCKING``."""
    return [p for p in problems if p.level is Level.ERROR and RULES[p.rule].BLOCKING]


def settle(problems: Iterable[Problem], config: Config, suppressions: Suppressions) -> list[Problem]:
    """The problems at their effective level (``lint.rules``), without those off or silenced by a
    comment. Settled before :func:`prefer_specific`: a generic problem a silenced specific one
    hid is reported again, so an invalid file never passes because its hint was turned off."""
    settled = []
    for problem in problems:
        level = levels.level(problem.rule, config, problem.level)
        if level is not None and not suppressions.silences(problem):
            settled.append(problem if level is problem.level else replace(problem, level=level))
    return settled


def settler(config: Config, suppressions: Suppressions) -> Callable[[Iterable[Problem]], list[Problem]]:
    """:func:`settle` for one file's problems."""
    return lambda problems: settle(problems, config, suppressions)


def prefer_specific(problems: Sequence[Problem]) -> list[Problem]:
    """Drop a ``GENERIC`` rule's problem at the exact spot where a more specific rule said more."""
    specific = {(p.line, p.column) for p in problems if not RULES[p.rule].GENERIC}
    return [p for p in problems if not RULES[p.rule].GENERIC or (p.line, p.column) not in specific]


def _to_problem(rule: Rule, finding: Finding, context: LintContext) -> Problem:
    document = context.document
    if finding.line is not None:
        line, column = finding.line, finding.column or 1
    else:
        path = finding.path
        if finding.rendered is not None and context.rendered is not None:
            path = context.rendered.source(finding.rendered)
        line, column = document.positions.locate(path, key=finding.key)
        if finding.text_line and _is_literal_text(document, path):
            line, column = document.positions.locate_line(path, finding.text_line, finding.text_column)
    return Problem(document.path, line, column, rule.ID, rule.LEVEL, finding.message)


def _is_literal_text(document: Document, path: PathT) -> bool:
    """True when the string at ``path`` is written as is (no template): its lines are the text's."""
    value: Any = document.data
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return False
    return isinstance(value, str) and not is_template(value)

"""Running the rules over message files. One broken file never stops the run.

For each file: parse (problems from the loader), run the source rules, render with each
variable's ``default`` or first ``examples`` value (and sample ``github``), then run the rendered
rules on the body DingTalk would receive.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from msgspec_dd.config import CONFIG_NAME, Config, RobotConfig
from msgspec_dd.lint.rule import Finding, LintContext, Rule
from msgspec_dd.lint.rules import RULES
from msgspec_dd.message_files import built_ins, variables
from msgspec_dd.message_files.discovery import discover
from msgspec_dd.message_files.loader import Document, LoadError, PathT, load_document
from msgspec_dd.message_files.renderer import Rendered, render_message
from msgspec_dd.message_files.targets import file_robots
from msgspec_dd.message_files.template import is_template
from msgspec_dd.problems import Level, Problem

#: Rules whose errors make rendering pointless.
_BLOCKING = frozenset({"file-schema", "yaml-trap", "template-syntax", "undeclared-variable"})
_SCHEMA_RULES = frozenset({"file-schema", "payload-schema"})


@dataclass(frozen=True)
class LintReport:
    """The outcome of linting some files."""

    files: tuple[str, ...]
    problems: tuple[Problem, ...]

    def failed(self, *, strict: bool = False) -> bool:
        return any(p.level is Level.ERROR or strict for p in self.problems)


#: Below this many files a process pool costs more than it saves.
PARALLEL_THRESHOLD = 64


def lint_paths(paths: Sequence[Path], config: Config, *, jobs: int | None = None) -> LintReport:
    """Lint every message file under ``paths``.

    Large batches are linted by ``jobs`` forked processes (default: one per CPU), in file order.
    """
    files = discover(paths)
    problems: list[Problem] = _config_secrets(config)
    for found in _lint_files(files, config, jobs):
        problems.extend(found)
    return LintReport(tuple(str(f) for f in files), tuple(problems))


def _config_secrets(config: Config) -> list[Problem]:
    """``msgspec-dd.yaml`` is committed too: a token or secret written there is flagged as well."""
    if config.path is None:
        return []
    try:
        document = load_document(config.path)
    except LoadError:
        return []  # load_config already read it; a race is not lint's problem
    return check(document, config, ["committed-secret"])


def _lint_files(files: Sequence[Path], config: Config, jobs: int | None) -> Iterable[list[Problem]]:
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs < 2 or len(files) < PARALLEL_THRESHOLD or "fork" not in mp.get_all_start_methods():
        return (lint_file(file, config) for file in files)
    _warm_up(config)  # forked workers inherit the imports and the built validators
    from concurrent.futures import ProcessPoolExecutor

    chunks = [files[i::jobs] for i in range(jobs)]
    with ProcessPoolExecutor(jobs, mp_context=mp.get_context("fork")) as pool:
        results = list(pool.map(_lint_chunk, chunks, [config] * jobs))
    by_file = {file: problems for chunk, result in zip(chunks, results, strict=True)
               for file, problems in zip(chunk, result, strict=True)}
    return (by_file[file] for file in files)


def _lint_chunk(files: Sequence[Path], config: Config) -> list[list[Problem]]:
    return [lint_file(file, config) for file in files]


def _warm_up(config: Config) -> None:
    from msgspec_dd.dingtalk import markdown
    from msgspec_dd.schemas import catalog

    catalog.message_file_validator()
    catalog.payload_validator()
    markdown.parser()
    _sample_builtins(config)


def lint_file(path: Path, config: Config, *, display: str | None = None) -> list[Problem]:
    """Problems of one file, sorted."""
    try:
        document = load_document(path, display=display)
    except LoadError as err:
        return [err.problem]
    return lint_document(document, config)


def lint_document(document: Document, config: Config) -> list[Problem]:
    """Problems of one parsed file, sorted."""
    declared = variables.declared(document.data)
    base = LintContext(document, config, declared, _known_robots(document.data, config))
    problems = _prefer_specific(_run(base, "source"))
    if not isinstance(document.data, Mapping) or any(p.rule in _BLOCKING and p.level is Level.ERROR
                                                     for p in problems):
        return sorted(problems)
    if not all(v.has_sample for v in declared.values()):
        # variable-without-example said why the rendered checks are skipped; schemas still count
        return sorted([*problems, *variables.schema_problems(document)])
    values, value_problems = variables.resolve(document, {}, samples=True)
    problems.extend(value_problems)
    if value_problems:
        return sorted(problems)
    rendered, render_problems = render_message(document, values, _sample_builtins(config))
    problems.extend(render_problems)
    if rendered is not None:
        problems = _prefer_specific([*problems, *_run(_with(base, rendered), "rendered")])
    return sorted(set(problems))  # a fixed value inside a $for item is one problem, not one per element


def check(
    document: Document,
    config: Config,
    rule_ids: Iterable[str],
    *,
    robots: Sequence[RobotConfig] = (),
    rendered: Rendered | None = None,
) -> list[Problem]:
    """Run the rules ``rule_ids`` on one message (send runs the ones DingTalk would enforce)."""
    context = LintContext(document, config, variables.declared(document.data), tuple(robots), rendered)
    problems: list[Problem] = []
    for rule_id in rule_ids:
        problems.extend(_problems(RULES[rule_id], context))
    return sorted(set(problems))


def _run(context: LintContext, stage: str) -> list[Problem]:
    problems: list[Problem] = []
    for rule in RULES.values():
        if stage == rule.STAGE:
            problems.extend(_problems(rule, context))
    return problems


def _problems(rule: Rule, context: LintContext) -> list[Problem]:
    return [_to_problem(rule, finding, context) for finding in rule.check(context)]


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


def _prefer_specific(problems: list[Problem]) -> list[Problem]:
    """Drop a schema error at the exact spot where a more specific rule already said more."""
    specific = {(p.line, p.column) for p in problems if p.rule not in _SCHEMA_RULES}
    return [p for p in problems if p.rule not in _SCHEMA_RULES or (p.line, p.column) not in specific]


def _with(context: LintContext, rendered: Rendered) -> LintContext:
    return LintContext(context.document, context.config, context.variables, context.robots, rendered)


def _known_robots(data: Any, config: Config) -> tuple[RobotConfig, ...]:
    return tuple(config.robots[name] for name in file_robots(data) if name in config.robots)


def _sample_builtins(config: Config) -> dict[str, Any]:
    tz = built_ins.timezone(config.timezone, source=str(config.path or CONFIG_NAME))
    return built_ins.builtins(tz=tz, samples=True)

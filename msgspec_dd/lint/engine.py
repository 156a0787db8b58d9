"""``lint``: every message file through the pipeline with every rule. One broken file never stops the run.

For each file the pipeline (:mod:`msgspec_dd.message_files.pipeline`) loads it, runs the source
rules, fills each variable with its ``default`` or first ``examples`` value (and ``github`` with
sample values), renders it and runs the rendered rules on the body DingTalk would receive.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from msgspec_dd.config import Config, RobotConfig
from msgspec_dd.lint import checks, levels, suppressions
from msgspec_dd.lint.registry import RULES
from msgspec_dd.lint.rule import LintContext
from msgspec_dd.lint.rules import committed_secret, robot_rate
from msgspec_dd.message_files import built_ins, variables
from msgspec_dd.message_files.discovery import discover
from msgspec_dd.message_files.loader import Document, LoadError, load_document
from msgspec_dd.message_files.pipeline import Pipeline
from msgspec_dd.message_files.targets import file_robots
from msgspec_dd.problems import Level, Problem


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
    problems: list[Problem] = _config_problems(config)
    for found in _lint_files(files, config, jobs):
        problems.extend(found)
    return LintReport(tuple(str(f) for f in files), tuple(problems))


def _config_problems(config: Config) -> list[Problem]:
    """``msgspec-dd.yaml`` is committed too: a token or secret written there is flagged as well,
    a webhook robot's rate above DingTalk's limit, and ``lint.rules`` entries that do nothing
    (an unknown id, an enforced rule lowered)."""
    if config.path is None:
        return []
    try:
        document = load_document(config.path)
    except LoadError:
        return []  # load_config already read it; a race is not lint's problem
    context = LintContext(document, config)
    found = levels.setting_problems(config)
    found += [p for rule in (committed_secret, robot_rate) for p in checks.run_rule(rule, context)]
    return sorted(checks.settle(found, config, suppressions.read(document)))


def _lint_files(files: Sequence[Path], config: Config, jobs: int | None) -> Iterable[list[Problem]]:
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs < 2 or len(files) < PARALLEL_THRESHOLD or "fork" not in mp.get_all_start_methods():
        return _lint_chunk(files, config)
    _warm_up(config)  # forked workers inherit the imports and the built validators
    from concurrent.futures import ProcessPoolExecutor

    # Many small slices, taken by whichever worker is free: files differ in cost.
    size = -(-len(files) // (jobs * _SLICES_PER_JOB))
    slices = [files[start:start + size] for start in range(0, len(files), size)]
    with ProcessPoolExecutor(jobs, mp_context=mp.get_context("fork")) as pool:
        return [problems for result in pool.map(_lint_chunk, slices, [config] * len(slices))
                for problems in result]


_SLICES_PER_JOB = 8


def _lint_chunk(files: Sequence[Path], config: Config) -> list[list[Problem]]:
    pipeline = lint_pipeline(config)
    return [list(pipeline.run_file(file).problems) for file in files]


def _warm_up(config: Config) -> None:
    from msgspec_dd.dingtalk import markdown
    from msgspec_dd.schemas import catalog, user_schemas

    for schema in ("message-file", "payload"):
        catalog.fast_validator(schema)
    user_schemas.check({"type": "string"})  # jsonschema and its metaschema, for variables' schemas
    markdown.links("")  # builds the parsers lint's rules use, once, before forking
    markdown.unsupported("")
    _sample_builtins(config)


def lint_file(path: Path, config: Config, *, display: str | None = None) -> list[Problem]:
    """Problems of one file, sorted."""
    return list(lint_pipeline(config).run_file(path, display=display).problems)


def lint_document(document: Document, config: Config) -> list[Problem]:
    """Problems of one parsed file, sorted."""
    return list(lint_pipeline(config).run(document).problems)


def lint_pipeline(config: Config) -> Pipeline:
    """The pipeline of ``lint``: every rule, sample values, the robots the config knows."""
    return Pipeline(config, tuple(RULES.values()), sample_values, lambda doc: _known_robots(doc, config),
                    _sample_builtins(config))


def sample_values(document: Document) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Each variable's ``default``, else its first example: what lint renders with."""
    if not all(v.has_sample for v in variables.declared(document.data).values()):
        # variable-without-example said why the rendered checks are skipped; schemas still count
        return None, variables.schema_problems(document)
    return variables.resolve(document, {}, samples=True)


def _known_robots(document: Document, config: Config) -> tuple[RobotConfig, ...]:
    # unknown-robot reports the others; lint checks keywords of the robots it knows.
    return tuple(config.robots[name] for name in file_robots(document.data) if name in config.robots)


def _sample_builtins(config: Config) -> dict[str, Any]:
    return built_ins.builtins(tz=built_ins.configured_timezone(config), samples=True)

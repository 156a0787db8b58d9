"""From message files to preview items: render with examples, attach the problems.

Both come from the one pipeline (:mod:`msgspec_dd.message_files.pipeline`): the body and the
errors as ``send`` finds them (variables not given take their examples), the other problems as
``lint`` reports them. A message with errors is a draft, shown as far as it rendered.

This is what ``msgspec-dd preview`` does, reachable from Python with the same names.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from msgspec_dd.config import Config
from msgspec_dd.errors import UsageError
from msgspec_dd.message_files.pipeline import Pipeline, PipelineResult
from msgspec_dd.message_files.targets import file_robots
from msgspec_dd.preview.page import PreviewItem
from msgspec_dd.problems import Problem

__all__ = ["build_items", "write_page"]


def build_items(
    paths: Sequence[Path],
    *,
    config: Config,
    var_args: Sequence[str] = (),
    vars_file: Path | None = None,
    now: datetime | None = None,
) -> list[PreviewItem]:
    """One :class:`PreviewItem` per message file under ``paths``, with its problems.

    Variables that are not given take their default, else their first example (as lint does).
    A message with errors is still an item, a draft (:attr:`PreviewItem.draft`), shown as far as
    it rendered. Raises UsageError or ConfigError for bad paths, variables or configuration.
    """
    from msgspec_dd.lint.engine import lint_pipeline
    from msgspec_dd.message_files import built_ins
    from msgspec_dd.message_files.pipeline import read_given, run_messages

    builtins = built_ins.builtins(tz=built_ins.configured_timezone(config), samples=True, now=now)
    results = run_messages(paths, config=config, given=read_given(var_args, vars_file),
                           robots_override=(), builtins=builtins, samples=True, vars_file=vars_file)
    lint = lint_pipeline(config)
    return [_item(result, lint, config) for result in results]


def _item(result: PipelineResult, lint: Pipeline, config: Config) -> PreviewItem:
    """The item of one pipeline result: errors (what stops it) apart from lint's other problems."""
    errors = _errors(result)
    found = lint.run(result.document).problems if result.document is not None else ()
    warnings = [problem for problem in found if problem not in errors]
    names = _robot_names(result)
    return PreviewItem(
        label=result.path,
        payload=result.rendered.payload if result.rendered is not None else {},
        robot=", ".join(names),
        problems=tuple(problem.format() for problem in warnings),
        when=_when(result.document.data, config) if result.document is not None else None,
        errors=tuple(problem.format() for problem in errors),
        sender=", ".join(_sender(config, name) for name in names),
        app_robots=tuple(name for name in names if name in config.robots and config.robots[name].app),
    )


def _errors(result: PipelineResult) -> list[Problem]:
    """What stops the message: a file that did not load, or a blocking problem."""
    return list(result.problems) if result.document is None else result.blocking


def _robot_names(result: PipelineResult) -> tuple[str, ...]:
    if result.robots:
        return tuple(robot.name for robot in result.robots)
    return file_robots(result.document.data) if result.document is not None else ()


def _sender(config: Config, name: str) -> str:
    """How the group sees robot ``name``: its ``display_name``, else its name."""
    robot = config.robots.get(name)
    return (robot.display_name if robot is not None else None) or name


def _when(data: Any, config: Config) -> tuple[str, str] | None:
    """The file's schedule in words, English and Chinese; None for ``when: change`` (or a
    ``when`` that cannot be read: its problem is shown already)."""
    from msgspec_dd.message_files.built_ins import configured_timezone
    from msgspec_dd.message_files.schedule import WhenError, read_when

    try:
        schedule = read_when(data, tz=configured_timezone(config))
    except WhenError:
        return None
    if schedule.kind == "change":
        return None
    return schedule.describe("en"), schedule.describe("zh")


def write_page(page: str, path: Path) -> None:
    """Write the page as UTF-8; an unwritable path is a usage error (exit 2)."""
    try:
        path.write_text(page, encoding="utf-8")
    except OSError as err:
        raise UsageError(f"{path}: cannot write the preview: {err.strerror or err}") from err

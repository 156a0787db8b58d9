"""From message files to preview items: render with examples, attach lint warnings.

Both come from the one pipeline (:mod:`msgspec_dd.message_files.pipeline`): the body as ``send``
prepares it (variables not given take their examples), the warnings as ``lint`` reports them.

This is what ``msgspec-dd preview`` does, reachable from Python with the same names.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from msgspec_dd.config import Config
from msgspec_dd.errors import UsageError
from msgspec_dd.preview.page import PreviewItem

__all__ = ["build_items", "write_page"]


def build_items(
    paths: Sequence[Path],
    *,
    config: Config,
    var_args: Sequence[str] = (),
    vars_file: Path | None = None,
    now: datetime | None = None,
) -> list[PreviewItem]:
    """One :class:`PreviewItem` per message file under ``paths``, with its lint warnings.

    Variables that are not given take their default, else their first example (as lint does).
    Raises MessageError when a message has errors (nothing to show for it), UsageError or
    ConfigError for bad paths, variables or configuration.
    """
    from msgspec_dd.lint.engine import lint_pipeline
    from msgspec_dd.message_files.pipeline import prepare_messages

    messages = prepare_messages(
        paths, config=config, var_args=var_args, vars_file=vars_file, now=now, use_examples=True
    )
    lint = lint_pipeline(config)
    items: list[PreviewItem] = []
    for message in messages:
        warnings = lint.run_file(Path(message.path), display=message.path).problems
        items.append(
            PreviewItem(
                label=message.path,
                payload=message.payload,
                robot=", ".join(message.robots),
                problems=tuple(problem.format() for problem in warnings),
                when=_when(Path(message.path), config),
                app_robots=tuple(name for name in message.robots if config.robot(name).app),
            )
        )
    return items


def _when(path: Path, config: Config) -> tuple[str, str] | None:
    """The file's schedule in words, English and Chinese; None for ``when: change``."""
    from msgspec_dd.message_files.schedule import config_timezone, schedule_of

    schedule = schedule_of(path, tz=config_timezone(config))
    if schedule is None or schedule.kind == "change":
        return None
    return schedule.describe("en"), schedule.describe("zh")


def write_page(page: str, path: Path) -> None:
    """Write the page as UTF-8; an unwritable path is a usage error (exit 2)."""
    try:
        path.write_text(page, encoding="utf-8")
    except OSError as err:
        raise UsageError(f"{path}: cannot write the preview: {err.strerror or err}") from err

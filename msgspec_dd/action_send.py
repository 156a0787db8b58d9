"""The action's ``send``: what ``msgspec-dd send --format json`` does, in this process.

The job summary must show exactly the bodies that were posted. ``send --format json`` reports
each result but not the body it posted, and rendering a second time for the summary could give
a different body (``now`` moves on). So each message is prepared once here, and the same
prepared messages go to delivery and to the summary. The calls are the CLI's own
(:func:`~msgspec_dd.prepare.prepare_messages`, :meth:`~msgspec_dd.robot.Robot.from_config`,
:func:`~msgspec_dd.delivery.deliver`); the ``results`` document is the one the CLI prints.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from msgspec_dd.action_inputs import ActionInputs
from msgspec_dd.config import Config, read_env
from msgspec_dd.errors import MessageError, MsgspecError
from msgspec_dd.prepare import PreparedMessage, prepare_messages
from msgspec_dd.robot import Robot

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
               environ: Mapping[str, str], progress: Progress) -> SendOutcome:
    """Prepare ``files`` once and post them to their robots (webhooks read from ``environ``).

    Nothing is posted unless every message is valid and every robot's webhook is set. Never
    raises :class:`~msgspec_dd.errors.MsgspecError`: it becomes ``code`` and ``stopped``.
    """
    try:
        messages = prepare_messages(
            list(files), config=config, var_args=inputs.var_args,
            vars_file=Path(inputs.vars_file) if inputs.vars_file else None,
            robots_override=inputs.robots, environ=environ,
        )
    except MsgspecError as exc:
        return SendOutcome(exc.exit_code, {}, stopped=_why(exc))
    if inputs.dry_run:
        return _dry_run(messages, config, environ, progress)
    return _deliver(messages, config, environ, progress)


def _dry_run(messages: Sequence[PreparedMessage], config: Config, environ: Mapping[str, str],
             progress: Progress) -> SendOutcome:
    for name in _robot_names(messages):
        variable = config.robot(name).webhook_env
        if read_env(variable, environ) is None:
            progress(f"note: environment variable {variable} (robot {name}) is not set; "
                     "a real send would stop there")
    document = {"messages": [{"path": m.path, "robots": list(m.robots), "payload": m.payload}
                             for m in messages]}
    return SendOutcome(0, document, tuple(messages))


def _deliver(messages: Sequence[PreparedMessage], config: Config, environ: Mapping[str, str],
             progress: Progress) -> SendOutcome:
    from msgspec_dd.delivery import deliver

    robots: dict[str, Robot] = {}
    try:
        # Every robot before any POST: a missing webhook variable stops the whole batch here.
        for name in _robot_names(messages):
            robots[name] = Robot.from_config(config, name, environ=environ, progress=progress)
        count = sum(len(message.robots) for message in messages)
        progress(f"sending {count} message{'s' * (count != 1)} to {', '.join(robots)}")
        report = deliver(messages, robots)
    except MsgspecError as exc:
        return SendOutcome(exc.exit_code, {}, stopped=_why(exc))
    finally:
        for robot in robots.values():
            robot.close()
    # One last guard, as the CLI has: no robot's token or secret in the document.
    text = json.dumps(report.to_json(), ensure_ascii=False)
    for robot in robots.values():
        text = robot.redact(text)
    return SendOutcome(0 if report.ok else 1, json.loads(text), tuple(messages))


def _robot_names(messages: Sequence[PreparedMessage]) -> list[str]:
    return list(dict.fromkeys(name for message in messages for name in message.robots))


def _why(exc: MsgspecError) -> tuple[str, ...]:
    """What ``msgspec-dd send`` says on stderr when it stops before posting."""
    if not isinstance(exc, MessageError):
        return (f"msgspec-dd: {exc}",)
    count = len(exc.problems)
    return (*(problem.format() for problem in exc.problems),
            f"msgspec-dd: {count} problem{'s' * (count != 1)} in messages, so nothing was done. "
            "Fix them and run again (msgspec-dd lint shows every problem).")

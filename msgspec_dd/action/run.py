"""The GitHub Action's step (``action.yml``): ``python -m msgspec_dd.action [mask]``.

``action.yml`` installs the package, runs ``mask`` (hide the webhook, its token and the secret
from the log) and then this module without arguments, handing the inputs over as ``INPUT_*``
environment variables. The module picks the message files (all under ``paths``, or only those
the push or pull request changed), lints them into annotations, and then:

- ``lint``: writes a job summary with the problems and each message rendered with its examples;
  fails (exit 1) on errors.
- ``preview``: the same, plus the HTML preview page (output ``preview``, for upload-artifact).
- ``send``: does what ``msgspec-dd send --format json`` does (:mod:`msgspec_dd.action.send`),
  with the webhook and secret in the robot's environment variables; the summary shows the
  results and each message exactly as posted (rendered once, for delivery and summary alike).

Outputs ``sent``, ``skipped``, ``failed`` (counts) and ``results`` (JSON: what ``lint --format
json`` or ``send --format json`` prints). Exit codes are the CLI's: 0, 1 (problems or a message
not delivered), 2 (bad input or configuration).
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from msgspec_dd.action.changes import ChangeSet, changes_for_event, within
from msgspec_dd.action.inputs import ActionInputs, read_inputs
from msgspec_dd.action.limits import BUDGET, fitting, size
from msgspec_dd.action.markdown import code, plain
from msgspec_dd.action.runner import Runner, count_outputs, environ_without, mask_commands, zero_counts
from msgspec_dd.action.summary import (
    Shown,
    count_line,
    log_block,
    message_section,
    problems_table,
    results_table,
)
from msgspec_dd.config import Config, load_config
from msgspec_dd.errors import ConfigError, MessageError, MsgspecError, UsageError
from msgspec_dd.lint.engine import LintReport, lint_paths
from msgspec_dd.lint.reporters import GitHubReporter, JsonReporter
from msgspec_dd.message_files.discovery import discover, is_message_file
from msgspec_dd.problems import Level
from msgspec_dd.workflow_commands import log_line

if TYPE_CHECKING:
    from msgspec_dd.action.send import SendOutcome

#: Where ``preview`` writes its page, under ``RUNNER_TEMP``.
PREVIEW_NAME = "msgspec-dd-preview.html"
_CREDENTIAL_INPUTS = ("INPUT_WEBHOOK", "INPUT_SECRET")


@dataclass(frozen=True)
class Selection:
    """The message files this run works on, and how they were chosen (for the summary)."""

    files: tuple[Path, ...]
    scope: str
    notes: tuple[str, ...] = ()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``python -m msgspec_dd.action``."""
    args = list(sys.argv[1:] if argv is None else argv)
    sys.exit(run(args, dict(os.environ), sys.stdout, sys.stderr))


def run(args: Sequence[str], environ: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    """Run the action's step ``args`` (``[]`` or ``["mask"]``); returns the exit code."""
    credentials = [environ.get(name, "") for name in _CREDENTIAL_INPUTS]
    if list(args) == ["mask"]:
        out.writelines(line + "\n" for line in mask_commands(credentials))
        return 0
    runner = Runner.from_env(environ, [c for c in credentials if c.strip()])
    if args:
        runner.error(f"unexpected arguments {' '.join(args)!r} (expected none, or mask)", out)
        return 2
    try:
        inputs = read_inputs(environ)
        return _run(inputs, runner, environ, out, err)
    except MsgspecError as exc:
        runner.error(str(exc), out)
        runner.set_outputs({**count_outputs(), "results": {"error": runner.hide(str(exc))}})
        runner.add_summary(f"## msgspec-dd\n\n**Error:** {plain(runner.hide(str(exc)))}\n")
        return exc.exit_code


def _run(inputs: ActionInputs, runner: Runner, environ: Mapping[str, str], out: TextIO,
         err: TextIO) -> int:
    config = load_config(paths=[Path(path) for path in inputs.paths])
    if inputs.command == "recall":  # named files only: nothing is selected, linted or shown
        from msgspec_dd.action.recall import run_recall

        return run_recall(inputs, config, runner, environ, err)
    selection = select(inputs, environ)
    err.write(log_line(f"msgspec-dd: {len(selection.files)} message file(s) {selection.scope}")
              + "\n")
    report = lint_paths(list(selection.files), config) if selection.files else LintReport((), ())
    GitHubReporter(out).report(report)
    held = selection if inputs.due else _held_back(inputs, config, selection)  # due: send picks
    if inputs.command == "send":
        return _send(inputs, config, held, report, runner, environ, err)
    return _review(inputs, config, Selection(selection.files, selection.scope, held.notes), report, runner)


def _held_back(inputs: ActionInputs, config: Config, selection: Selection) -> Selection:
    """Scheduled and manual files are linted and shown, but only change files are sent; the
    summary says which wait (a file named in ``paths`` is sent whatever its when, unless
    ``changed-only``)."""
    from msgspec_dd.message_files.schedule import hold_back

    named = [] if inputs.changed_only else [Path(path) for path in inputs.paths]
    chosen = hold_back(selection.files, config, named=named)
    return Selection(chosen.files, selection.scope, (*selection.notes, *chosen.summary_lines(_display)))


def select(inputs: ActionInputs, environ: Mapping[str, str]) -> Selection:
    """The message files under ``paths``; with ``changed-only``, those this event changed."""
    roots = [Path(path) for path in inputs.paths]
    where = ", ".join(code(path) for path in inputs.paths)
    if not inputs.changed_only:
        return Selection(tuple(discover(roots)), f"under {where}")
    event_name = environ.get("GITHUB_EVENT_NAME", "")
    changes = changes_for_event(event_name, _event(environ), Path.cwd())
    absolute = [root.resolve() for root in roots]
    # A path this event deleted has nothing left to check; any other missing path is a mistake.
    gone = {c.path for c in changes.changes if c.status == "D"} | {
        c.old_path for c in changes.changes if c.old_path is not None}
    files = discover([root for root, full in zip(roots, absolute, strict=True)
                      if root.exists() or not any(within(path, [full]) for path in gone)])
    changed = changes.changed(absolute)
    chosen = tuple(file for file in files if file.resolve() in changed)
    kind = "push" if event_name == "push" else "pull request"
    scope = f"changed by this {kind} under {where}"
    if changes.head:
        scope += f" ({code(changes.describe())})"
    return Selection(chosen, scope, _change_notes(changes, absolute))


def _event(environ: Mapping[str, str]) -> Mapping[str, Any]:
    path = environ.get("GITHUB_EVENT_PATH")
    if not path:
        raise UsageError("changed-only needs GITHUB_EVENT_PATH (it is set inside GitHub Actions)")
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the event payload {path}: {exc}") from exc
    if not isinstance(event, Mapping):
        raise UsageError(f"the event payload {path} is not a JSON object")
    return event


def _change_notes(changes: ChangeSet, roots: Sequence[Path]) -> tuple[str, ...]:
    """Deleted and merely moved message files: said in the summary, never linted or sent."""
    notes: list[str] = []
    for change in changes.changes:
        if not (is_message_file(change.path) and within(change.path, roots)):
            continue
        if change.status == "D":
            notes.append(f"deleted: {code(_display(change.path))} (nothing to check or send)")
        elif not change.counts(roots) and change.old_path is not None:
            notes.append(f"moved without changes: {code(_display(change.old_path))} → "
                         f"{code(_display(change.path))} (not sent again)")
    return tuple(notes)


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# -- lint and preview ---------------------------------------------------------------------------

def _review(inputs: ActionInputs, config: Config, selection: Selection, report: LintReport,
            runner: Runner) -> int:
    shown = [_render_example(file, inputs, config, report) for file in selection.files]
    outputs: dict[str, Any] = {**count_outputs(), "results": _lint_document(report)}
    if inputs.command == "preview":
        page = _preview_page([Path(s.path) for s in shown if s.payload is not None], config, runner)
        outputs["preview"] = str(page) if page else ""
    runner.set_outputs(outputs)
    summary = _heading(inputs.command, selection, report) + problems_table(report.problems)
    runner.add_summary(summary + _messages(shown, BUDGET - size(summary)))
    return 1 if report.failed() else 0


def _render_example(file: Path, inputs: ActionInputs, config: Config, report: LintReport) -> Shown:
    from msgspec_dd.message_files.pipeline import prepare_messages

    errors = sum(1 for p in report.problems if p.path == str(file) and p.level is Level.ERROR)
    if errors:
        return Shown(str(file), (), None, f"{errors} error{'s' * (errors != 1)}; see above")
    try:
        [message] = prepare_messages([file], config=config, robots_override=inputs.robots,
                                     use_examples=True)
    except MsgspecError as exc:
        return Shown(str(file), (), None, _reason(exc))
    return Shown(message.path, message.robots, message.payload, "rendered with its examples",
                 _app_robots(config, message.robots))


def _preview_page(files: Sequence[Path], config: Config, runner: Runner) -> Path | None:
    from msgspec_dd.preview import render_page
    from msgspec_dd.preview.build import build_items, write_page

    if not files:
        return None
    path = runner.temp_dir / PREVIEW_NAME
    write_page(render_page(build_items(files, config=config)), path)
    return path


def _lint_document(report: LintReport) -> Any:
    """What ``msgspec-dd lint --format json`` prints, from the same reporter."""
    buffer = io.StringIO()
    JsonReporter(buffer).report(report)
    return json.loads(buffer.getvalue())


# -- send -----------------------------------------------------------------------------------------

def _send(inputs: ActionInputs, config: Config, selection: Selection, report: LintReport,
          runner: Runner, environ: Mapping[str, str], err: TextIO) -> int:
    from msgspec_dd.action.send import send_batch

    heading = _heading("send", selection, report)
    if not selection.files:
        runner.set_outputs({**count_outputs(), "results": {"results": [], "counts": zero_counts()}})
        runner.add_summary(heading + "Nothing to send.\n")
        return 0

    def progress(line: str) -> None:
        err.write(log_line(f"msgspec-dd: {runner.hide(line)}") + "\n")

    outcome = send_batch(selection.files, inputs=inputs, config=config,
                         environ=_send_environ(inputs, config, environ), progress=progress)
    for line in outcome.stopped:
        err.write(log_line(runner.hide(line)) + "\n")
    for result in outcome.document.get("results") or []:
        progress(f"{result.get('path')} -> {result.get('robot')}: {result.get('status')}")
    counts = {**zero_counts(), **(outcome.document.get("counts") or {})}
    runner.set_outputs({**count_outputs(counts), "results": outcome.document})
    note = "dry run, not posted" if inputs.dry_run else "as posted by this run"
    shown = [Shown(m.path, m.robots, m.payload, note, _app_robots(config, m.robots))
             for m in outcome.messages]
    summary = heading + _send_outcome(inputs, counts, outcome)
    summary += problems_table(report.problems)
    runner.add_summary(summary + _messages(shown, BUDGET - size(summary)))
    return outcome.code


def _send_environ(inputs: ActionInputs, config: Config, environ: Mapping[str, str]
                  ) -> dict[str, str]:
    """The environment send reads: the ``webhook`` and ``secret`` inputs in the robot's variables."""
    env = environ_without(environ, _CREDENTIAL_INPUTS)
    if not (inputs.webhook or inputs.secret):
        return env
    if len(inputs.robots) > 1:
        raise UsageError("the webhook and secret inputs belong to one robot, but robot names "
                         f"{', '.join(inputs.robots)}; set each robot's variables in env: instead")
    name = inputs.robots[0] if inputs.robots else "default"
    robot = config.robot(name)
    if inputs.webhook:
        env[robot.webhook_env] = inputs.webhook
    if inputs.secret:
        if not robot.secret_env:
            raise ConfigError(f"robot {name} has no secret_env in msgspec-dd.yaml, so the secret "
                              "input has nowhere to go; add secret_env to the robot")
        env[robot.secret_env] = inputs.secret
    return env


def _app_robots(config: Config, robots: Sequence[str]) -> tuple[str, ...]:
    return tuple(name for name in robots if config.robot(name).app is not None)



def _send_outcome(inputs: ActionInputs, counts: Mapping[str, int], outcome: SendOutcome) -> str:
    if inputs.dry_run and outcome.code == 0:
        return "**Dry run**: every message was rendered and validated; nothing was posted.\n\n"
    line = f"**{counts['sent']} sent, {counts['skipped']} skipped, {counts['failed']} failed**\n\n"
    text = line + results_table(outcome.document.get("results") or [])
    if outcome.stopped:
        text += "send stopped before posting anything:\n\n" + log_block(outcome.stopped)
    return text


# -- summary ---------------------------------------------------------------------------------------

def _heading(command: str, selection: Selection, report: LintReport) -> str:
    lines = [f"## msgspec-dd {command}", "",
             f"{count_line(report.problems, len(selection.files))}, {selection.scope}.", ""]
    lines += [f"- {note}" for note in selection.notes]
    return "\n".join(lines) + ("\n\n" if selection.notes else "\n")


def _messages(shown: Sequence[Shown], budget: int) -> str:
    """As many message sections as fit ``budget`` bytes, then a line saying how many more."""
    sections = fitting(map(message_section, shown), budget - 200)  # room for the line below
    rest = len(shown) - len(sections)
    more = (f"*{rest} more message{'s' * (rest != 1)} not shown: the job summary is limited to "
            "1 MiB.*\n") if rest else ""
    return "".join(sections) + more


def _reason(exc: MsgspecError) -> str:
    if isinstance(exc, MessageError):
        count = len(exc.problems)
        return f"{count} problem{'s' * (count != 1)} with its variables or rendering; see above"
    return str(exc)


"""The action's ``recall``: take sent messages back from the Actions tab.

What ``msgspec-dd recall FILE --ledger L`` does, for each message file named in ``paths``
(directories are refused: recalling everything under ``messages/`` is never what was meant),
with ``vars``, ``vars-file`` and ``robot`` as for ``send`` (the variables are part of the
message's identity) and the ``ledger`` input. The app key and secret come from the environment
variables the config names (``env:`` from secrets). Outputs ``failed`` (copies not recalled)
and ``results`` (per file, what ``recall --format json`` prints); the summary has a line per copy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

from msgspec_dd.action.inputs import ActionInputs
from msgspec_dd.action.markdown import plain
from msgspec_dd.action.runner import Runner, count_outputs
from msgspec_dd.config import Config
from msgspec_dd.delivery.git_ledger import GitBranch, parse_ledger
from msgspec_dd.delivery.receipts import RecallOutcome, Receipts, open_ledger, recall
from msgspec_dd.errors import UsageError
from msgspec_dd.message_files.pipeline import prepare_file
from msgspec_dd.workflow_commands import log_line


def run_recall(inputs: ActionInputs, config: Config, runner: Runner, environ: Mapping[str, str],
               err: TextIO) -> int:
    """Recall every file of ``paths``, each prepared before any is recalled; the exit code (1
    when a copy was not recalled)."""
    files = _files(inputs.paths)
    ledger_path = _ledger(environ)
    receipts = Receipts(config, environ)
    messages = [prepare_file(file, config=config, var_args=inputs.var_args,
                             vars_file=Path(inputs.vars_file) if inputs.vars_file else None,
                             robots_override=inputs.robots, environ=environ) for file in files]
    # One ledger for the run: a git: ledger is fetched once and pushed once, not per file.
    with ExitStack() as stack:
        ledger = open_ledger(ledger_path, stack, messages[0], config)
        outcomes = [outcome for message in messages for outcome in recall(message, ledger, receipts)]
    for outcome in outcomes:
        err.write(log_line(runner.hide(f"msgspec-dd: {outcome.format()}")) + "\n")
    failed = sum(1 for outcome in outcomes if not outcome.recalled)
    runner.set_outputs({**count_outputs({"failed": failed}),
                        "results": {"results": [outcome.to_json() for outcome in outcomes]}})
    runner.add_summary(summary(outcomes))
    return 1 if failed else 0


def summary(outcomes: Sequence[RecallOutcome]) -> str:
    """The job summary: how many copies were recalled, then a line per copy."""
    recalled = sum(1 for outcome in outcomes if outcome.recalled)
    lines = ["## msgspec-dd recall", "",
             f"**{recalled} recalled, {len(outcomes) - recalled} not recalled**", ""]
    lines += [f"- {plain(outcome.format())}" for outcome in outcomes]
    return "\n".join(lines) + "\n"


def _files(paths: Sequence[str]) -> list[Path]:
    files = [Path(path) for path in paths]
    for file in files:
        if file.is_dir():
            raise UsageError(f"input paths: {file} is a directory; recall takes the message files "
                             "to take back, one per line")
    return files


def _ledger(environ: Mapping[str, str]) -> Path | GitBranch:
    value = environ.get("INPUT_LEDGER", "").strip()
    if not value:
        raise UsageError("command recall needs the ledger input: the ledger the send job wrote "
                         "(it holds each message's processQueryKey)")
    return parse_ledger(value)


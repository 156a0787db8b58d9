"""The GitHub Action's inputs, read from the ``INPUT_*`` variables that ``action.yml`` sets.

``action.yml`` hands every input to the step through ``env:`` and never pastes ``${{ }}`` into a
shell line (a script-injection hole), so this module is the one place inputs are parsed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from msgspec_dd.errors import UsageError

#: What ``command:`` accepts.
COMMANDS = ("lint", "send", "preview", "recall")

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0", ""})


@dataclass(frozen=True)
class ActionInputs:
    """The action's inputs, parsed.

    ``paths`` and ``vars`` are one entry per line; ``robots`` one name per line or comma;
    ``webhook`` and ``secret`` are credentials and must never be printed. ``due`` sends the
    scheduled files that are due; ``ledger`` is a file path or ``git:BRANCH``.
    """

    command: str = "lint"
    paths: tuple[str, ...] = ("messages",)
    changed_only: bool = False
    var_args: tuple[str, ...] = ()
    vars_file: str | None = None
    robots: tuple[str, ...] = ()
    webhook: str | None = None
    secret: str | None = None
    dry_run: bool = False
    due: bool = False
    ledger: str | None = None

    @property
    def credentials(self) -> tuple[str, ...]:
        """The values to hide from every log line, summary and output."""
        return tuple(value for value in (self.webhook, self.secret) if value)


def read_inputs(environ: Mapping[str, str]) -> ActionInputs:
    """Parse the ``INPUT_*`` variables; :class:`UsageError` names the input that is wrong."""
    command = environ.get("INPUT_COMMAND", "").strip() or "lint"
    if command not in COMMANDS:
        raise UsageError(f"input command: {command!r} is not one of {', '.join(COMMANDS)}")
    return ActionInputs(
        command=command,
        paths=_lines(environ.get("INPUT_PATHS", "")) or ("messages",),
        changed_only=_flag(environ, "INPUT_CHANGED_ONLY", "changed-only"),
        var_args=_lines(environ.get("INPUT_VARS", "")),
        vars_file=environ.get("INPUT_VARS_FILE", "").strip() or None,
        robots=_names(environ.get("INPUT_ROBOT", "")),
        webhook=environ.get("INPUT_WEBHOOK", "").strip() or None,
        secret=environ.get("INPUT_SECRET", "").strip() or None,
        dry_run=_flag(environ, "INPUT_DRY_RUN", "dry-run"),
        **_schedule_inputs(environ),
    )


def _schedule_inputs(environ: Mapping[str, str]) -> dict[str, Any]:
    """``due`` and ``ledger``: due needs a ledger, which remembers the occurrences already sent."""
    due = _flag(environ, "INPUT_DUE", "due")
    ledger = environ.get("INPUT_LEDGER", "").strip() or None
    if due and ledger is None:
        raise UsageError("input due: true needs the ledger input (such as git:msgspec-dd-ledger), "
                         "which remembers the occurrences already sent")
    if due and _flag(environ, "INPUT_CHANGED_ONLY", "changed-only"):
        raise UsageError("inputs due and changed-only choose files in different ways; give one")
    return {"due": due, "ledger": ledger}


def _lines(text: str) -> tuple[str, ...]:
    """Non-blank lines, stripped; lines starting with ``#`` are comments."""
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def _names(text: str) -> tuple[str, ...]:
    names = (name.strip() for line in _lines(text) for name in line.split(","))
    return tuple(name for name in names if name)


def _flag(environ: Mapping[str, str], variable: str, name: str) -> bool:
    value = environ.get(variable, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise UsageError(f"input {name}: expected true or false, not {value!r}")

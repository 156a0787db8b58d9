"""The one small exception hierarchy. Exceptions mean "cannot go on"; findings are Problems.

Exit codes are derived from the class in exactly one place (:func:`msgspec_dd.cli.main`).
"""

from __future__ import annotations

from collections.abc import Sequence

from msgspec_dd.problems import Problem


class MsgspecError(Exception):
    """Base of every error msgspec-dd raises on purpose. ``exit_code`` is what the CLI exits with."""

    exit_code = 1

    def report_lines(self) -> tuple[str, ...]:
        """What the CLI writes to stderr for this error."""
        return (f"msgspec-dd: {self}",)


class UsageError(MsgspecError):
    """Bad command-line usage: unknown flag, missing path, bad ``--var`` syntax. Exit 2."""

    exit_code = 2


class ConfigError(UsageError):
    """Unreadable or invalid ``msgspec-dd.yaml``, unknown robot, webhook variable not set. Exit 2."""


class MessageError(MsgspecError):
    """Problems in message files (including missing or invalid variables). Exit 1."""

    exit_code = 1

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(problems))
        super().__init__("\n".join(p.format() for p in self.problems))

    def report_lines(self) -> tuple[str, ...]:
        """Every problem, then what to do."""
        count = len(self.problems)
        return (*(problem.format() for problem in self.problems),
                f"msgspec-dd: {count} problem{'s' * (count != 1)} in messages, so nothing was done. "
                f"{self._what_to_do()}")

    def _what_to_do(self) -> str:
        # Lint fills variables with their examples, so it cannot show a missing value.
        missing = [p for p in self.problems if MISSING_VARIABLE in p.message]
        if len(missing) == len(self.problems):
            return "Give the missing values with --var NAME=… (or --vars-file) and run again."
        if missing:
            return ("Give the missing values with --var NAME=…, fix the rest and run again "
                    "(msgspec-dd lint shows every other problem).")
        return "Fix them and run again (msgspec-dd lint shows every problem)."


#: How a missing variable's problem reads (:mod:`msgspec_dd.message_files.variables`), so the
#: closing advice can tell it from problems lint would show.
MISSING_VARIABLE = "is required: give it with --var"


class DeliveryError(MsgspecError):
    """A message could not be delivered. Exit 1."""

    exit_code = 1

"""Problems as values: every rule finding, parse error and schema error in a file is a :class:`Problem`.

A :class:`Problem` is the one outcome ``lint``, ``render``, ``preview``, ``send`` and the Action
report about a message file: where (path, line, column), which rule, how serious, what to do.
Everything else on that side is on its way to becoming one:

- a rule's ``check()`` yields a :class:`~msgspec_dd.lint.rule.Finding`: where in the *data* (a
  path in the file or in the rendered body), without a rule or level; the pipeline places it in
  the file and stamps the rule's id and level;
- :class:`~msgspec_dd.schemas.issues.SchemaIssue` is a violation of a schema in any JSON value
  (a message file, ``msgspec-dd.yaml``, a body posted to the sandbox robot), located by its JSON
  path only; lint turns those of message files into findings;
- :class:`~msgspec_dd.message_files.loader.LoadError` and
  :class:`~msgspec_dd.message_files.template.TemplateFailure` are exceptions ("cannot go on"):
  the first carries the problem of a file that cannot be read, the second a template that cannot
  compile or render, which the renderer and the template rules report as a problem.

What a robot answered and the result of one send are the delivery side's words
(:mod:`msgspec_dd.delivery.results`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from msgspec_dd.redaction import redact


class Level(str, enum.Enum):
    """How serious a problem is."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One finding in one file. Lines and columns are 1-based; columns count characters."""

    path: str
    line: int
    column: int
    rule: str
    level: Level
    message: str

    def __post_init__(self) -> None:
        # A problem may quote a value from the file; a credential there must not be repeated.
        object.__setattr__(self, "message", redact(self.message))

    def format(self) -> str:
        """``path:line:col: level: message [rule-id]``."""
        return f"{self.path}:{self.line}:{self.column}: {self.level.value}: {self.message} [{self.rule}]"

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "level": self.level.value,
            "rule": self.rule,
            "message": self.message,
        }

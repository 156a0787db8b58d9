"""Problems as values: every finding, parse error and schema error is a :class:`Problem`."""

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

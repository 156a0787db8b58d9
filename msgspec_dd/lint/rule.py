"""What a lint rule is: a module with ``ID``, ``LEVEL``, ``STAGE``, a docstring and ``check()``.

``STAGE`` says what a rule looks at: ``"source"`` rules see the parsed file, ``"rendered"`` rules
see the body DingTalk would receive (rendered with each variable's default or first example),
and ``"engine"`` rules are reported by the loader, the variables or the renderer themselves and
exist as modules for their documentation (``msgspec-dd lint --explain RULE``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from msgspec_dd.config import Config, RobotConfig
from msgspec_dd.message_files.loader import Document, PathT
from msgspec_dd.message_files.renderer import Rendered
from msgspec_dd.message_files.variables import Variable
from msgspec_dd.problems import Level

Stage = Literal["source", "rendered", "engine"]


@dataclass(frozen=True)
class Finding:
    """What a rule found and where: a source path, a rendered path, or an explicit position.

    ``text_line``/``text_column`` point inside the string at the path (1-based), for findings in
    a markdown text; they are used where the source's lines are the text's lines.
    """

    message: str
    path: PathT = ()
    key: bool = False
    rendered: PathT | None = None
    line: int | None = None
    column: int | None = None
    text_line: int | None = None
    text_column: int = 1


@dataclass(frozen=True)
class LintContext:
    """Everything a rule may look at for one message file."""

    document: Document
    config: Config
    variables: Mapping[str, Variable] = field(default_factory=dict)
    robots: tuple[RobotConfig, ...] = ()
    rendered: Rendered | None = None

    @property
    def data(self) -> Any:
        return self.document.data

    @property
    def payload(self) -> Any:
        return self.rendered.payload if self.rendered else None


class Rule(Protocol):
    """The shape of a rule module."""

    ID: str
    LEVEL: Level
    STAGE: Stage
    __doc__: str | None

    def check(self, context: LintContext) -> Iterator[Finding]: ...

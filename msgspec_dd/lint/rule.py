"""What a lint rule is: a module that declares itself, and, for most rules, a ``check()``.

Every rule module declares, as yamllint's do:

- ``ID``: the kebab-case id users write (``lint.rules`` in ``msgspec-dd.yaml``, ``--explain``);
- ``LEVEL``: its default level;
- ``STAGE``: the pipeline stage that reports it (see :mod:`msgspec_dd.message_files.pipeline`).
  ``"source"`` rules see the parsed file and ``"rendered"`` rules the body DingTalk would
  receive; both have a ``check()`` the pipeline runs. ``"load"``, ``"variables"`` and
  ``"render"`` rules are reported by the stage itself (the loader, the variables, the renderer,
  which import the rule's ``ID`` and ``LEVEL`` from its module; ``rule-setting`` where
  ``lint.rules`` and the disable comments are read) and have no ``check()``;
- ``BLOCKING``: whether an error from this rule stops the message. ``send`` (and ``render``,
  ``preview``, the Action) runs only the blocking rules and refuses a message they find errors
  in; ``lint`` runs every rule but does not go on past a stage with a blocking error, since what
  follows would check garbage (a template that does not parse cannot be rendered);
- ``GENERIC``: whether the rule's problem gives way where a more specific rule reported at the
  same spot (a schema error that a YAML-trap hint already explains better);
- the module docstring: the rule's documentation (``msgspec-dd lint --explain RULE``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeGuard

from msgspec_dd.config import Config, RobotConfig
from msgspec_dd.message_files.loader import Document, PathT
from msgspec_dd.message_files.renderer import Rendered
from msgspec_dd.message_files.variables import Variable
from msgspec_dd.problems import Level

Stage = Literal["load", "source", "variables", "render", "rendered"]


@dataclass(frozen=True)
class Finding:
    """What a rule found and where: a source path, a rendered path, or an explicit position.

    Not yet a :class:`~msgspec_dd.problems.Problem`: the pipeline places it in the file (line and
    column) and stamps it with the rule's id and level, so rules never repeat either.
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
    """What every rule module declares."""

    ID: str
    LEVEL: Level
    STAGE: Stage
    BLOCKING: bool
    GENERIC: bool
    __doc__: str | None


class CheckedRule(Rule, Protocol):
    """A rule the pipeline runs: a ``"source"`` or ``"rendered"`` rule."""

    def check(self, context: LintContext) -> Iterator[Finding]: ...


def has_check(rule: Rule) -> TypeGuard[CheckedRule]:
    """True for a rule with a ``check()`` (the others are reported by a stage itself)."""
    return callable(getattr(rule, "check", None))

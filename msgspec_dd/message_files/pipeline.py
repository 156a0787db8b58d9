"""The one staged pipeline every command runs message files through.

    load → check source → resolve variables → render → check rendered

Each stage produces problems as values (:class:`~msgspec_dd.problems.Problem`); a file stops at
the first stage with a *blocking* problem, since what follows would check garbage (a template
that does not parse cannot be rendered). Whether a rule blocks is declared on its module
(``BLOCKING``, see :mod:`msgspec_dd.lint.rule`). A :class:`Pipeline` holds what differs
between the commands, injected:

- ``lint`` (:func:`msgspec_dd.lint.engine.lint_paths`) runs every rule, fills each variable
  with its default or first example, and reports everything the stages find;
- ``send``, ``render`` and the Action (:func:`prepare_messages`) run only the blocking rules,
  with the values given on the command line, and refuse the whole batch when any file has a
  blocking problem, before anything is posted;
- ``preview`` (:func:`run_messages`) runs the same, but keeps every file's result, so a draft
  is shown with its problems.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from msgspec_dd.config import Config, RobotConfig
from msgspec_dd.dingtalk import wire
from msgspec_dd.errors import ConfigError, MessageError, UsageError
from msgspec_dd.lint import checks, suppressions
from msgspec_dd.lint.registry import RULES
from msgspec_dd.lint.rule import LintContext, Rule
from msgspec_dd.message_files import built_ins, variables
from msgspec_dd.message_files.discovery import discover
from msgspec_dd.message_files.loader import Document, LoadError, load_document
from msgspec_dd.message_files.renderer import Rendered, render_message
from msgspec_dd.message_files.targets import file_robots, robot_path
from msgspec_dd.problems import Problem

#: The "resolve variables" stage: values for a file's variables (None: nothing to render with).
Values = Callable[[Document], tuple[dict[str, Any] | None, list[Problem]]]
#: The robots a file goes to (their keywords are checked on the rendered body).
Robots = Callable[[Document], tuple[RobotConfig, ...]]


@dataclass(frozen=True)
class PipelineResult:
    """What the pipeline made of one file: every problem found, and the body if it got that far."""

    path: str
    problems: tuple[Problem, ...]
    document: Document | None = None
    rendered: Rendered | None = None
    robots: tuple[RobotConfig, ...] = ()
    #: The resolved values of the file's variables (typed, defaults applied), once resolved.
    values: Mapping[str, Any] | None = None

    @property
    def blocking(self) -> list[Problem]:
        """The problems that stop this message from being sent."""
        return checks.blocking(self.problems)


@dataclass(frozen=True)
class Pipeline:
    """One run's collaborators: the rules to run, how variables get values, the built-ins."""

    config: Config
    rules: tuple[Rule, ...]
    values: Values
    robots: Robots
    builtins: Mapping[str, Any]

    def run_file(self, path: Path, *, display: str | None = None) -> PipelineResult:
        """Load ``path`` and run it through the stages (a file that cannot be read is one problem)."""
        try:
            document = load_document(path, display=display)
        except LoadError as err:
            return PipelineResult(err.problem.path, (err.problem,))
        return self.run(document)

    def run(self, document: Document) -> PipelineResult:
        """Check source → resolve variables → render → check rendered, up to a blocking stage."""
        context = LintContext(document, self.config, variables.declared(document.data))
        # lint.rules and the file's disable comments settle each stage before it decides to stop.
        comments = suppressions.read(document)
        settle = checks.settler(self.config, comments)
        problems = checks.prefer_specific(settle([*comments.problems,
                                                  *checks.run_stage(self.rules, "source", context)]))
        if checks.blocking(problems) or not isinstance(document.data, Mapping):
            return _result(context, problems)
        values, found = self.values(document)
        found = settle(found)
        problems.extend(found)
        if values is None or checks.blocking(found):
            return _result(context, problems)
        rendered, found = render_message(document, values, self.builtins)
        problems.extend(settle(found))
        if rendered is None:
            return _result(context, problems, values)
        context = replace(context, robots=self.robots(document), rendered=rendered)
        problems.extend(settle(checks.run_stage(self.rules, "rendered", context)))
        return _result(context, checks.prefer_specific(problems), values)


def _result(context: LintContext, problems: list[Problem],
            values: Mapping[str, Any] | None = None) -> PipelineResult:
    # A fixed value inside a $for item is one problem, not one per element.
    found = tuple(sorted(set(problems)))
    return PipelineResult(context.document.path, found, context.document, context.rendered,
                          context.robots, values)


@dataclass(frozen=True)
class PreparedMessage:
    """One rendered, validated message and where it goes.

    ``variables`` are the resolved values of the declared variables (typed, defaults applied):
    with the path, content, robot and, for a scheduled send, ``occurrence`` they identify the
    message in the ledger, since the rendered body changes with ``now``. ``body`` is ``payload``
    as the bytes posted, encoded once when it was rendered (and here, for a message made by hand).
    """

    path: str
    content_sha256: str
    robots: tuple[str, ...]
    payload: dict[str, Any]
    variables: Mapping[str, Any]
    occurrence: datetime | None = None
    body: bytes = field(default=b"", repr=False)

    def __post_init__(self) -> None:
        if not self.body:
            object.__setattr__(self, "body", wire.encode(self.payload))


def prepare_messages(
    paths: Sequence[Path],
    *,
    config: Config,
    var_args: Sequence[str] = (),
    vars_file: Path | None = None,
    robots_override: Sequence[str] = (),
    now: datetime | None = None,
    use_examples: bool = False,
    environ: Mapping[str, str] | None = None,
    note: Callable[[str], None] | None = None,
    documents: Sequence[Document] = (),
) -> list[PreparedMessage]:
    """Prepare every message file under ``paths`` for sending: the pipeline with the blocking rules.

    ``documents`` are messages already loaded without a file (``send -``, ``send --text``, see
    :mod:`msgspec_dd.message_files.one_off`); they go first.

    ``use_examples`` (preview) fills variables that were not given with their default or first
    example and ``github`` with sample values. Raises MessageError (problems in messages),
    UsageError (missing path, bad ``--var``, a ``--var`` no file declares) or ConfigError
    (unknown robot). A ``--vars-file`` key no file declares is only a ``note`` (default: stderr):
    one shared vars file serves many messages.
    """
    given = read_given(var_args, vars_file)
    builtins = built_ins.builtins(tz=built_ins.configured_timezone(config), samples=use_examples, now=now,
                                  environ=environ)
    results = run_messages(paths, config=config, given=given, robots_override=robots_override,
                           builtins=builtins, samples=use_examples, vars_file=vars_file,
                           note=note, documents=documents)
    problems = [problem for result in results for problem in _stopping(result)]
    if problems:
        raise MessageError(problems)
    return [_prepared(result) for result in results if result.rendered is not None]


def run_messages(paths: Sequence[Path], *, config: Config, given: variables.Given,
                 robots_override: Sequence[str], builtins: Mapping[str, Any],
                 samples: bool = False, vars_file: Path | None = None,
                 note: Callable[[str], None] | None = None,
                 documents: Sequence[Document] = ()) -> list[PipelineResult]:
    """Every file under ``paths`` through the send pipeline, its problems kept as values.

    ``preview`` shows each result, drafts included; :func:`prepare_messages` refuses the batch
    when any result has a blocking problem. A file that cannot be loaded is a result with its
    problem and no document. ``documents`` (loaded without a file: ``send -``, ``--text``) go first.
    """
    loaded, unloadable = _load_all(discover(paths))
    documents = [*documents, *loaded]
    if not unloadable:  # a file that failed to load may be the one declaring the variable
        _check_given_names(given, documents, vars_file, note or _stderr)
    for name in robots_override:
        config.robot(name)
    pipeline = send_pipeline(config, given, robots_override, builtins, samples=samples)
    failed = [PipelineResult(problem.path, (problem,)) for problem in unloadable]
    return failed + [pipeline.run(document) for document in documents]


def read_given(var_args: Sequence[str], vars_file: Path | None) -> variables.Given:
    """The values given on the command line and in the vars file."""
    return variables.Given(
        variables.parse_var_args(var_args),
        variables.load_vars_file(vars_file) if vars_file else {},
    )


def _stopping(result: PipelineResult) -> list[Problem]:
    """What stops ``result`` from going out: a file that did not load, or a blocking problem."""
    return list(result.problems) if result.document is None else result.blocking


def prepare_file(path: Path, **options: Any) -> PreparedMessage:
    """Prepare exactly one file (``render``)."""
    if path.is_dir():
        raise UsageError(f"{path}: is a directory; render takes one message file")
    return prepare_messages([path], **options)[0]


def send_pipeline(config: Config, given: variables.Given, robots_override: Sequence[str],
                  builtins: Mapping[str, Any], *, samples: bool = False) -> Pipeline:
    """The pipeline of ``send``: the blocking rules, the given values, the chosen robots."""
    blocking_rules = tuple(rule for rule in RULES.values() if rule.BLOCKING)
    return Pipeline(config, blocking_rules, given_values(given, samples=samples),
                    chosen_robots(config, robots_override), builtins)


def given_values(given: variables.Given, *, samples: bool) -> Values:
    """Values from ``--var``/``--vars-file`` (with ``samples``, the rest from defaults or examples)."""
    def values(document: Document) -> tuple[dict[str, Any] | None, list[Problem]]:
        chosen = given.for_file(variables.declared(document.data))
        return variables.resolve(document, chosen, samples=samples)

    return values


def chosen_robots(config: Config, override: Sequence[str]) -> Robots:
    """``--robot`` names if any, else the file's; an unknown one is a configuration error."""
    def robots(document: Document) -> tuple[RobotConfig, ...]:
        names = tuple(dict.fromkeys(override)) or file_robots(document.data)
        return tuple(_robot(config, name, document) for name in names)

    return robots


def _prepared(result: PipelineResult) -> PreparedMessage:
    assert result.rendered is not None and result.document is not None and result.values is not None
    document = result.document
    robots = tuple(robot.name for robot in result.robots)
    return PreparedMessage(document.path, document.sha256, robots, result.rendered.payload,
                           result.values, body=result.rendered.body)


def _load_all(files: Sequence[Path]) -> tuple[list[Document], list[Problem]]:
    documents: list[Document] = []
    problems: list[Problem] = []
    for file in files:
        try:
            documents.append(load_document(file))
        except LoadError as err:
            problems.append(err.problem)
    return documents, problems


def _check_given_names(given: variables.Given, documents: Sequence[Document], vars_file: Path | None,
                       note: Callable[[str], None]) -> None:
    """A ``--var`` no file declares is a typo on the command line; a vars-file key is only noted,
    since one ``common.vars.yaml`` for many messages is normal."""
    if not documents:
        return
    declared: set[str] = set()
    for document in documents:
        declared |= set(variables.declared(document.data))
    variables.check_declared(given.texts, declared)
    unused = sorted(set(given.values) - declared)
    if unused:
        note(f"note: --vars-file {vars_file}: {', '.join(unused)} not declared by any message file "
             "of this batch; ignored")


def _stderr(text: str) -> None:
    print(text, file=sys.stderr)


def _robot(config: Config, name: str, document: Document) -> RobotConfig:
    """The robot ``name``; an unknown one is a configuration error naming the file that asks."""
    try:
        return config.robot(name)
    except ConfigError as err:
        line, column = document.positions.locate(robot_path(document.data, name))
        raise ConfigError(f"{document.path}:{line}:{column}: {err}") from err

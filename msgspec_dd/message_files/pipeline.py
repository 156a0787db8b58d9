"""The one staged pipeline every command runs message files through.

    load → check source → resolve variables → render → check rendered

Each stage produces problems as values (:class:`~msgspec_dd.problems.Problem`); a file stops at
the first stage with a *blocking* problem, since what follows would check garbage (a template
that does not parse cannot be rendered). Whether a rule blocks is declared on its module
(``BLOCKING``, see :mod:`msgspec_dd.lint.rule`). A :class:`Pipeline` holds what differs
between the commands, injected:

- ``lint`` (:func:`msgspec_dd.lint.engine.lint_paths`) runs every rule, fills each variable
  with its default or first example, and reports everything the stages find;
- ``send``, ``render``, ``preview`` and the Action (:func:`prepare_messages`) run only the
  blocking rules, with the values given on the command line, and refuse the whole batch when
  any file has a blocking problem, before anything is posted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from msgspec_dd.config import CONFIG_NAME, Config, RobotConfig
from msgspec_dd.errors import ConfigError, MessageError, UsageError
from msgspec_dd.lint import checks
from msgspec_dd.lint.registry import RULES
from msgspec_dd.lint.rule import LintContext, Rule
from msgspec_dd.message_files import built_ins, variables
from msgspec_dd.message_files.discovery import discover
from msgspec_dd.message_files.loader import Document, LoadError, load_document
from msgspec_dd.message_files.renderer import Rendered, render_message
from msgspec_dd.message_files.targets import file_robots
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
        problems = checks.prefer_specific(checks.run_stage(self.rules, "source", context))
        if checks.blocking(problems) or not isinstance(document.data, Mapping):
            return _result(context, problems)
        values, found = self.values(document)
        problems.extend(found)
        if values is None or checks.blocking(found):
            return _result(context, problems)
        rendered, found = render_message(document, values, self.builtins)
        problems.extend(found)
        if rendered is None:
            return _result(context, problems)
        context = replace(context, robots=self.robots(document), rendered=rendered)
        problems.extend(checks.run_stage(self.rules, "rendered", context))
        return _result(context, checks.prefer_specific(problems))


def _result(context: LintContext, problems: list[Problem]) -> PipelineResult:
    # A fixed value inside a $for item is one problem, not one per element.
    found = tuple(sorted(set(problems)))
    return PipelineResult(context.document.path, found, context.document, context.rendered, context.robots)


@dataclass(frozen=True)
class PreparedMessage:
    """One rendered, validated message and where it goes.

    ``variables`` are the values given for this file on the command line or in the vars file
    (read as their declared types): with the path, content and robot they identify the message
    in the ledger, since the rendered body changes with ``now``.
    """

    path: str
    content_sha256: str
    robots: tuple[str, ...]
    payload: dict[str, Any]
    variables: Mapping[str, Any]


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
    documents: Sequence[Document] = (),
) -> list[PreparedMessage]:
    """Prepare every message file under ``paths`` for sending: the pipeline with the blocking rules.

    ``documents`` are messages already loaded without a file (``send -``, ``send --text``, see
    :mod:`msgspec_dd.message_files.one_off`); they go first.

    ``use_examples`` (preview) fills variables that were not given with their default or first
    example and ``github`` with sample values. Raises MessageError (problems in messages),
    UsageError (missing path, bad ``--var``, a variable no file declares) or ConfigError
    (unknown robot).
    """
    files = discover(paths)
    given = variables.Given(
        variables.parse_var_args(var_args),
        variables.load_vars_file(vars_file) if vars_file else {},
    )
    loaded, problems = _load_all(files)
    documents = [*documents, *loaded]
    if not problems:  # a file that failed to load may be the one declaring the variable
        _check_given_names(given, documents)
    for name in robots_override:
        config.robot(name)
    pipeline = send_pipeline(config, given, robots_override, built_ins.builtins(
        tz=configured_timezone(config), samples=use_examples, now=now, environ=environ), samples=use_examples)
    prepared: list[PreparedMessage] = []
    for document in documents:
        result = pipeline.run(document)
        problems.extend(result.blocking)
        if not result.blocking and result.rendered is not None:
            prepared.append(_prepared(result, document, given))
    if problems:
        raise MessageError(problems)
    return prepared


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


def _prepared(result: PipelineResult, document: Document, given: variables.Given) -> PreparedMessage:
    assert result.rendered is not None
    chosen = given.for_file(variables.declared(document.data))
    robots = tuple(robot.name for robot in result.robots)
    return PreparedMessage(document.path, document.sha256, robots, result.rendered.payload, chosen)


def _load_all(files: Sequence[Path]) -> tuple[list[Document], list[Problem]]:
    documents: list[Document] = []
    problems: list[Problem] = []
    for file in files:
        try:
            documents.append(load_document(file))
        except LoadError as err:
            problems.append(err.problem)
    return documents, problems


def _check_given_names(given: variables.Given, documents: Sequence[Document]) -> None:
    declared: set[str] = set()
    for document in documents:
        declared |= set(variables.declared(document.data))
    unknown = sorted(given.names - declared)
    if unknown and documents:
        raise UsageError(f"variable{'s' * (len(unknown) > 1)} {', '.join(unknown)} "
                         "not declared by any message file (a typo?); check the names under 'vars:'")


def _robot(config: Config, name: str, document: Document) -> RobotConfig:
    """The robot ``name``; an unknown one is a configuration error naming the file that asks."""
    try:
        return config.robot(name)
    except ConfigError as err:
        line, column = document.positions.locate(("robot",))
        raise ConfigError(f"{document.path}:{line}:{column}: {err}") from err


def configured_timezone(config: Config) -> tzinfo:
    """The zone of ``msgspec-dd.yaml`` (the machine's when it sets none): ``now`` and ``today``."""
    return built_ins.timezone(config.timezone, source=str(config.path or CONFIG_NAME))

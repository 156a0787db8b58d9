"""Typed variables: each is declared in a message file as a JSON Schema under ``vars:``.

``--var name=value`` is read as the declared type (declared ``string``, or no type: the text
verbatim; any other type: parsed as a YAML value) and validated against the variable's schema.
``--vars-file`` supplies many; ``--var`` wins. A variable without ``default`` is required.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from msgspec_dd.errors import MISSING_VARIABLE, UsageError
from msgspec_dd.lint.rules import variable_value
from msgspec_dd.message_files.loader import (
    Document,
    LoadError,
    first_surrogate,
    load_document,
    parse_yaml,
)
from msgspec_dd.problems import Problem
from msgspec_dd.schemas import user_schemas

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DECIMAL = re.compile(r"^\s*[+-]?\d+\s*$")
_FLOAT = re.compile(r"^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$")
_MISSING: Any = object()


@dataclass(frozen=True)
class Variable:
    """One declared variable."""

    name: str
    schema: Mapping[str, Any]

    @property
    def required(self) -> bool:
        return "default" not in self.schema

    @property
    def sample(self) -> Any:
        """The value lint and preview use: ``default``, else the first of ``examples``."""
        if "default" in self.schema:
            return self.schema["default"]
        examples = self.schema.get("examples")
        if isinstance(examples, list) and examples:
            return examples[0]
        return _MISSING

    @property
    def has_sample(self) -> bool:
        return self.sample is not _MISSING

    def coerce(self, text: str) -> Any:
        """Read a ``--var`` value as the declared type; :class:`Unparsed` when it cannot be."""
        declared = self.schema.get("type")
        types = declared if isinstance(declared, list) else [declared]
        if declared is None or "string" in types:
            return text
        try:
            return _typed(text, types)
        except LoadError as err:
            return Unparsed(text, tuple(types), _load_error(err))
        except ValueError as err:  # int("9" * 5000)
            return Unparsed(text, tuple(types), _value_error(err))


@dataclass(frozen=True)
class Unparsed:
    """A ``--var`` text that is not YAML/JSON for its declared type: resolve reports it."""

    text: str
    types: tuple[Any, ...]
    reason: str

    @property
    def message(self) -> str:
        kinds = " or ".join(_KINDS.get(kind, str(kind)) for kind in self.types)
        text = self.text if len(self.text) <= 40 else self.text[:37] + "..."
        return f"{text!r} is not valid YAML/JSON for {kinds}: {self.reason}"


_KINDS = {"array": "an array", "object": "an object", "integer": "an integer", "number": "a number",
          "boolean": "a boolean", "null": "null"}


def _typed(text: str, types: list[Any]) -> Any:
    if ("integer" in types or "number" in types) and _DECIMAL.match(text):
        return int(text)  # "08" (as in week=$(date +%V)) is 8, not YAML's octal or a string
    if ("integer" in types or "number" in types) and _FLOAT.match(text):
        number = float(text)  # YAML 1.1 reads "1e3" as a string
        # A whole float is an integer (week=48.0); 48.5 stays a float and validation says why.
        return int(number) if "integer" in types and number.is_integer() else number
    # The loader, not yaml.safe_load: its bounds on aliases, merge keys and nesting apply here too.
    # A one-line value is short: the pure-Python parser's messages say at which column it fails.
    data, _ = parse_yaml(text, "--var", loader_class=yaml.SafeLoader)
    return data


def _load_error(err: LoadError) -> str:
    cause = err.__cause__
    if isinstance(cause, yaml.YAMLError):
        return _yaml_error(cause)
    if isinstance(cause, ValueError):
        return _value_error(cause)
    if isinstance(cause, (TypeError, AttributeError, OverflowError)):
        return f"cannot be read: {cause}"  # !!timestamp abc
    return err.problem.message  # too many values after aliases, or nested too deeply


def _value_error(err: ValueError) -> str:
    if "digits" in str(err):  # Python converts at most 4,300 digits to an int
        return "a number of more than 4,300 digits"
    return f"cannot be read: {err}"  # 2024-02-30


def _yaml_error(err: yaml.YAMLError) -> str:
    if not isinstance(err, yaml.MarkedYAMLError):
        return str(err)
    mark = err.problem_mark or err.context_mark
    where = f" at column {mark.column + 1}" if mark and mark.line == 0 else ""
    context = f" ({err.context})" if err.context else ""
    return f"{err.problem or 'invalid YAML'}{where}{context}"


def declared(data: Any) -> dict[str, Variable]:
    """The variables a message file declares (ignores malformed entries: the schema reports them)."""
    specs = data.get("vars") if isinstance(data, Mapping) else None
    if not isinstance(specs, Mapping):
        return {}
    return {
        name: Variable(name, spec if isinstance(spec, Mapping) else {})
        for name, spec in specs.items()
        if isinstance(name, str)  # YAML reads `1:` or `null:` as non-strings: not a name
    }


def parse_var_args(args: Sequence[str]) -> dict[str, str]:
    """``["week=48", "name=x=y"]`` -> ``{"week": "48", "name": "x=y"}``; UsageError on bad syntax."""
    values: dict[str, str] = {}
    for arg in args:
        name, sep, value = arg.partition("=")
        name = name.strip()
        if not sep or not _NAME.match(name):
            raise UsageError(f"--var {arg!r}: expected NAME=VALUE with NAME a variable name")
        values[name] = value
    return values


def check_declared(given: Iterable[str], declared: Iterable[str], *, files: str = "message file") -> None:
    """A ``--var`` name that none of the ``files`` declares is a typo on the command line:
    :class:`UsageError` naming each one."""
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise UsageError(f"variable{'s' * (len(unknown) > 1)} {', '.join(unknown)} "
                         f"not declared by any {files} (a typo?); check the names under 'vars:'")


def load_vars_file(path: Path) -> dict[str, Any]:
    """A YAML or JSON mapping of variable values; UsageError when unreadable or not a mapping."""
    try:
        document = load_document(path)
    except LoadError as err:
        raise UsageError(f"--vars-file: {err.problem.format()}") from err
    if document.data is None:
        return {}
    if not isinstance(document.data, Mapping):
        raise UsageError(f"--vars-file {path}: expected a mapping of variable names to values")
    return {str(key): value for key, value in document.data.items()}


@dataclass(frozen=True)
class Given:
    """Variable values from the command line: ``--var`` texts win over ``--vars-file`` values."""

    texts: Mapping[str, str]
    values: Mapping[str, Any]

    @property
    def names(self) -> set[str]:
        return set(self.texts) | set(self.values)

    def for_file(self, variables: Mapping[str, Variable]) -> dict[str, Any]:
        """The given values this file declares, each read as its declared type."""
        chosen: dict[str, Any] = {}
        for name, variable in variables.items():
            if name in self.texts:
                chosen[name] = variable.coerce(self.texts[name])
            elif name in self.values:
                chosen[name] = self.values[name]
        return chosen


def resolve(
    document: Document, given: Mapping[str, Any], *, samples: bool = False
) -> tuple[dict[str, Any], list[Problem]]:
    """Values for every declared variable, and problems for missing or invalid ones.

    With ``samples`` (lint, preview) a variable not given takes its default or first example.
    """
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, variable in declared(document.data).items():
        checked = _checked(variable)
        if checked.validator is None:
            problems.extend(_problem(document, name, f"variable {name!r} has an invalid schema: {error}")
                            for error in checked.errors[:3])
            continue
        value = given.get(name, _MISSING)
        if value is _MISSING:
            value = variable.sample if samples else variable.schema.get("default", _MISSING)
        if value is _MISSING:
            problems.append(_problem(document, name, f"variable {name!r} {MISSING_VARIABLE} "
                                     f"{name}=VALUE or --vars-file, or declare a default"))
            continue
        if isinstance(value, Unparsed):
            problems.append(_problem(document, name, f"variable {name!r}: {value.message}"))
            continue
        if first_surrogate(value) is not None:
            problems.append(_problem(document, name, f"variable {name!r} holds text that is not valid "
                                     "Unicode (an unpaired surrogate); give it as UTF-8"))
            continue
        problems.extend(_problem(document, name, f"variable {name + where!r}: {message}")
                        for where, message in checked.located(value))
        values[name] = value
    return values, problems


def schema_problems(document: Document) -> list[Problem]:
    """Problems with the declared variables' schemas themselves (whatever their values)."""
    problems: list[Problem] = []
    for name, variable in declared(document.data).items():
        problems.extend(_problem(document, name, f"variable {name!r} has an invalid schema: {error}")
                        for error in _checked(variable).errors[:3])
    return problems


def _checked(variable: Variable) -> user_schemas.Checked:
    # default and examples are values, validated against the rest of the schema.
    schema = {key: value for key, value in variable.schema.items() if key not in ("default", "examples")}
    return user_schemas.check(schema)


def _problem(document: Document, name: str, message: str) -> Problem:
    line, column = document.positions.locate(("vars", name), key=True)
    return Problem(document.path, line, column, variable_value.ID, variable_value.LEVEL, message)

"""A variable's JSON Schema is written by whoever writes the message file: checked before use,
evaluated in bounded time, and never a reason to fetch anything.

Before a schema validates a value it must have string keys, be a valid Draft 2020-12 schema, have
``pattern`` and ``patternProperties`` keys that compile (Python's regular expression syntax, as
jsonschema has always used) and stay small, and refer only to its own parts (``$ref: "#/..."``),
all of which must exist. Validation never leaves the process: the registry is empty, so no
reference is ever retrieved.

Time is bounded twice. Patterns are matched by the ``regex`` module with a timeout
(:data:`PATTERN_TIMEOUT`), so ``(x+x+)+y`` cannot hang; ``regex`` expands counted repeats when it
compiles, so a pattern whose repeats expand beyond :data:`MAX_PATTERN_SIZE` (``a{4294967294}``
would exhaust the memory) is refused beforehand. And every keyword evaluation checks a deadline
(:data:`BUDGET`), which bounds schemas that branch exponentially through ``$ref`` and ``anyOf``.
Running out of time is a problem ("too slow to evaluate"), never a hang. jsonschema evaluates
``unevaluatedProperties`` with Python's ``re``, beyond these bounds, so a schema may not combine
it with ``patternProperties``.
"""

from __future__ import annotations

import contextvars
import copy
import functools
import itertools
import math
import re
import sys
import time
import warnings
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from msgspec_dd.schemas.catalog import DATA_KEYWORDS, SCHEMA_MAPS

if TYPE_CHECKING:
    from jsonschema.protocols import Validator
    from referencing import Resource
    from referencing._core import Resolver

#: Seconds one ``pattern`` may take on one string.
PATTERN_TIMEOUT = 0.1
#: Seconds validating one value may take, all keywords together.
BUDGET = 1.0
#: How far a pattern's counted repeats may expand (``(ab){3}`` is 6): ``regex`` spends a few
#: hundred bytes on each unit when compiling.
MAX_PATTERN_SIZE = 10_000


_DEADLINE: contextvars.ContextVar[float] = contextvars.ContextVar("deadline", default=math.inf)
_TOO_SLOW = "is too slow to evaluate"


@dataclass(frozen=True)
class Checked:
    """A variable's schema after checking: ``errors`` say why it cannot be used; when there are
    none, ``validator`` validates values in bounded time."""

    errors: tuple[str, ...]
    validator: Validator | None = None
    #: The schema's ``repr``: equal schemas judge equal values alike.
    key: str = ""

    def located(self, value: Any) -> tuple[tuple[str, str], ...]:
        """:func:`located` for a usable schema, remembered for small values: a variable declared
        alike in many files (``week``, its example ``48``) is judged once."""
        assert self.validator is not None
        text = repr(value)
        if len(text) > _MAX_REMEMBERED:
            return tuple(located(self.validator, value))
        found = _judged.get((self.key, text))
        if found is None:
            found = tuple(located(self.validator, value))
            if len(_judged) >= _MAX_JUDGED:
                _judged.clear()
            if not any(_TOO_SLOW in message for _, message in found):  # a busy machine's verdict
                _judged[(self.key, text)] = found
        return found


_MAX_REMEMBERED = 2_000
_MAX_JUDGED = 4_096
_judged: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}


def check(schema: Mapping[str, Any]) -> Checked:
    """Check ``schema`` (a variable's, without ``default`` and ``examples``) once; cached."""
    return _check(_Keyed(repr(schema), schema))


def validate(validator: Validator, value: Any, *, limit: int = 3) -> list[str]:
    """Messages for the first ``limit`` violations of ``value``. Running out of time, recursion
    that never ends, or a value the schema cannot compare become one message saying so."""
    return [message for _, message in located(validator, value, limit=limit)]


def located(validator: Validator, value: Any, *, limit: int = 3) -> list[tuple[str, str]]:
    """As :func:`validate`, each message with where in ``value`` it is: ``[2]``, ``.name`` or ""."""
    token = _DEADLINE.set(time.monotonic() + BUDGET)
    try:
        return [(_where(error.absolute_path), error.message)
                for error in itertools.islice(validator.iter_errors(value), limit)]
    except TimeoutError as err:
        return [("", str(err))]
    except RecursionError:
        return [("", "the schema refers to itself without end ($ref)")]
    except (ValueError, TypeError, ArithmeticError) as err:  # e.g. multipleOf on .nan
        return [("", f"the value cannot be checked against the schema: {err}")]
    finally:
        _DEADLINE.reset(token)


def _where(path: Iterable[Any]) -> str:
    """``oncall[2]``-style suffix for a path inside a value (items by index, keys by name)."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


@dataclass(frozen=True)
class _Keyed:
    """A schema, hashed and compared by its ``repr`` (schemas are unhashable dicts)."""

    key: str
    schema: Any = field(compare=False, hash=False)


@functools.lru_cache(maxsize=512)
def _check(keyed: _Keyed) -> Checked:
    schema = keyed.schema
    for problems in (_key_problems, _metaschema_problems, _walk_problems):
        errors = tuple(problems(schema))
        if errors:
            return Checked(errors)
    # A copy: the cached validator must not change when the caller's document does.
    return Checked((), _validator_class()(copy.deepcopy(dict(schema)), registry=_empty_registry()),
                   keyed.key)


# ------------------------------------------------------------------------------ static checks


def _key_problems(node: Any, where: str = "", *, names: bool = False) -> Iterator[str]:
    """A key YAML read as a non-string (``1:``, ``on:``, ``null:``) anywhere in the schema but in
    values (``const``, ``enum``, ...), which may be any YAML. ``names``: ``node`` maps names to
    subschemas (``properties``), so its keys are never keywords."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _key_problems(item, f"{where}/{index}")
    elif isinstance(node, Mapping):
        for key, value in node.items():
            if not isinstance(key, str):
                yield (f"at {where or '/'}: key {key} is not a string (YAML reads `on`/`yes`/`1` "
                       "as non-strings); quote it")
                return
            if names or key not in DATA_KEYWORDS:
                yield from _key_problems(value, f"{where}/{key}", names=key in SCHEMA_MAPS and not names)


def _metaschema_problems(schema: Any) -> Iterator[str]:
    from msgspec_dd.schemas import catalog
    from msgspec_dd.schemas.issues import schema_issues

    for issue in schema_issues(catalog.metaschema_validator(), schema)[:1]:
        yield f"at {issue.pointer or '/'}: {issue.message}"


def _walk_problems(schema: Any) -> Iterator[str]:
    from referencing.jsonschema import DRAFT202012

    root = DRAFT202012.create_resource(schema)
    nodes = list(_subschemas(root, _empty_registry().resolver_with_root(root)))
    for node, resolver in nodes:
        yield from _ref_problems(node, resolver)
        for pattern in _patterns(node):
            problem = pattern_problem(pattern)
            if problem:
                yield problem
    keywords = {keyword for node, _ in nodes for keyword in node}
    if {"unevaluatedProperties", "patternProperties"} <= keywords:
        # jsonschema evaluates unevaluatedProperties with Python's re: its time cannot be bounded.
        yield ("unevaluatedProperties cannot be combined with patternProperties here; "
               "use additionalProperties")


def _subschemas(resource: Resource[Any], resolver: Resolver[Any]) -> Iterator[tuple[dict[str, Any], Resolver[Any]]]:
    if isinstance(resource.contents, dict):
        yield resource.contents, resolver
    for sub in resource.subresources():
        yield from _subschemas(sub, resolver.in_subresource(sub))


def _ref_problems(node: dict[str, Any], resolver: Resolver[Any]) -> Iterator[str]:
    from referencing.exceptions import Unresolvable

    for keyword in ("$ref", "$dynamicRef"):
        ref = node.get(keyword)
        if not isinstance(ref, str):
            continue
        if not ref.startswith("#"):
            yield (f"{keyword} {ref!r} is not local: refer to a part of this schema "
                   "(#/$defs/NAME); msgspec-dd never fetches schemas")
            continue
        try:
            resolver.lookup(ref)
        except Unresolvable:
            yield f"{keyword} {ref!r} does not resolve: nothing in this schema has that location"


def _patterns(node: dict[str, Any]) -> Iterator[str]:
    if isinstance(node.get("pattern"), str):
        yield node["pattern"]
    properties = node.get("patternProperties")
    if isinstance(properties, dict):
        yield from (key for key in properties if isinstance(key, str))


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used (it does not compile, or it expands too far), or None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "possible nested set" and the like: not our concern
            size = _size(_parser().parse(pattern))
        if size <= MAX_PATTERN_SIZE:
            _compiled(pattern)
    except (re.error, _regex().error, RecursionError, OverflowError, ValueError) as err:
        return f"pattern {pattern!r} is not a valid regular expression: {err}"
    if size > MAX_PATTERN_SIZE:
        return (f"pattern {pattern!r} repeats too much (its counted repeats expand beyond "
                f"{MAX_PATTERN_SIZE:,}); use maxLength / maxItems for lengths")
    return None


def _parser() -> Any:
    """Python's own pattern parser: exactly the syntax ``re`` accepts, as a tree."""
    if sys.version_info >= (3, 11):
        from re import _parser  # type: ignore[attr-defined]
    else:  # pragma: no cover - Python 3.10
        import sre_parse as _parser
    return _parser


_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})


def _size(node: Any) -> int:
    """How far a parsed pattern expands when compiled: counted repeats multiply their body
    (``a{1000,}`` by its minimum, ``*`` and ``+`` not at all), everything else adds."""
    total = 0
    for op, argument in node:
        if op.name in _REPEATS:
            low, high, body = argument
            total += max(low if high == _parser().MAXREPEAT else high, 1) * _size(body)
        else:
            total += 1 + sum(_size(sub) for sub in _nested(argument))
        if total > MAX_PATTERN_SIZE:
            break  # enough to refuse it; a hostile pattern may be long
    return total


def _nested(argument: Any) -> Iterator[Any]:
    """The sub-patterns inside one node's argument (groups, branches, assertions)."""
    if isinstance(argument, _parser().SubPattern):
        yield argument
    elif isinstance(argument, (tuple, list)):
        for item in argument:
            yield from _nested(item)


# ------------------------------------------------------------------------------ the validator


def _empty_registry() -> Any:
    from referencing import Registry

    return Registry()  # no resources and no retrieve: a reference outside the schema fails


@functools.cache
def _validator_class() -> type[Validator]:
    """Draft 2020-12 with patterns matched under a timeout, non-string keys taken as never
    matching a pattern, and a deadline checked by every keyword."""
    from jsonschema import Draft202012Validator, validators

    checks: dict[str, Callable[..., Any]] = dict(Draft202012Validator.VALIDATORS)
    checks |= {"pattern": _pattern, "patternProperties": _pattern_properties,
               "additionalProperties": _additional_properties, "uniqueItems": _unique_items}
    extended = validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator, {name: _budgeted(check) for name, check in checks.items()}
    )
    return cast("type[Validator]", extended)


def _budgeted(keyword: Callable[..., Any]) -> Callable[..., Any]:
    def check(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        _check_deadline()
        return keyword(validator, value, instance, schema)

    return check


def _check_deadline() -> None:
    if time.monotonic() > _DEADLINE.get():
        raise TimeoutError(f"the schema {_TOO_SLOW} on this value: simplify it")


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """``uniqueItems`` in linear time: jsonschema compares objects pairwise (6,000 took 25 s)."""
    from jsonschema.exceptions import ValidationError

    if not unique or not validator.is_type(instance, "array"):
        return
    seen: set[Any] = set()
    for index, item in enumerate(instance):
        _check_deadline()
        key = _canonical(item)
        if key in seen:
            yield ValidationError(f"item {index} repeats an earlier item; the items must be unique")
            return
        seen.add(key)


def _canonical(value: Any) -> Any:
    """A hashable value equal for exactly the values JSON Schema calls equal (1 == 1.0, True != 1,
    objects whatever their key order)."""
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, Mapping):
        return ("object", frozenset((key, _canonical(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return ("array", tuple(_canonical(item) for item in value))
    return ("other", value if isinstance(value, Hashable) else repr(value))


def search(pattern: str, text: Any) -> bool:
    """Whether ``pattern`` matches somewhere in ``text`` (False for a non-string), within
    :data:`PATTERN_TIMEOUT`; TimeoutError when it takes longer."""
    if not isinstance(text, str):
        return False
    _check_deadline()  # patterns x keys can add up to more than one keyword's worth of time
    try:
        return _compiled(pattern).search(text, timeout=PATTERN_TIMEOUT) is not None
    except TimeoutError as err:
        raise TimeoutError(f"pattern {pattern!r} {_TOO_SLOW} on this value: simplify it") from err


@functools.lru_cache(maxsize=128)
def _compiled(pattern: str) -> Any:
    # Our own small cache, not regex's 500-entry module cache.
    return _regex().compile(pattern, cache_pattern=False)


def _regex() -> Any:
    import regex  # type: ignore[import-untyped]  # imported when needed: most schemas have no pattern

    return regex


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, additional: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    extras = list(_extra_keys(instance, schema))
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif additional is False and extras:
        names = ", ".join(repr(extra) for extra in sorted(extras, key=str))
        yield ValidationError(f"Additional properties are not allowed ({names} unexpected)")


def _extra_keys(instance: Mapping[Any, Any], schema: Mapping[str, Any]) -> Iterable[Any]:
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    for key in instance:
        if key not in properties and not any(search(pattern, key) for pattern in patterns):
            yield key

"""Schema violations as people read them: located at the key, worded with what to do.

Raw jsonschema errors point at the parent of an unknown key, report every alternative of an
``anyOf`` and say "'x' is not of type 'string'". Here an unknown key is reported at the key
itself (with a "did you mean" for a mis-cased or misspelt name), an ``anyOf`` failure from the
alternative that fits the value's type, and messages say what to do (quote it in YAML, ...).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from msgspec_dd.schemas.catalog import MSGTYPES, JsonPath, pointer

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator


@dataclass(frozen=True)
class SchemaIssue:
    """One schema violation: where it is in the instance, what is wrong, and the JSON Schema
    keyword that failed. For an unknown key, ``path`` ends with the key itself."""

    path: JsonPath
    message: str
    keyword: str

    @property
    def pointer(self) -> str:
        """``path`` as a JSON Pointer, e.g. ``/link/messageURL``."""
        return pointer(self.path)


def schema_issues(validator: Validator, instance: Any) -> list[SchemaIssue]:
    """Every violation of ``instance``, as located, readable :class:`SchemaIssue` values.

    Compared with raw jsonschema errors: an unknown key is reported at the key itself (with a
    "did you mean" for a mis-cased or misspelt name), an ``anyOf`` failure is reported from the
    alternative that fits the value's type, and messages say what to do (quote it in YAML, ...).
    """
    found: dict[tuple[JsonPath, str], SchemaIssue] = {}
    for error in validator.iter_errors(instance):
        for leaf in _leaves(error):
            for issue in _describe(leaf, instance):
                # Two schemas may require a type at one spot (a variable is a mapping, and a
                # JSON Schema is a mapping or a boolean): one mistake, said once.
                kind = issue.keyword if issue.keyword == "type" else issue.message
                found.setdefault((issue.path, kind), issue)
    return sorted(found.values(), key=lambda issue: _sort_key(issue.path))


def _sort_key(path: JsonPath) -> tuple[tuple[int, int, str], ...]:
    return tuple((1, part, "") if isinstance(part, int) else (0, 0, part) for part in path)


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """The errors that explain ``error``: for anyOf/oneOf, those of the alternative that fits."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        yield error
        return
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [errs for errs in branches.values() if not any(_wrong_kind(e) for e in errs)]
    # Alternatives are ordered: the payload's own type first, then templates and $for items.
    chosen = fitting[0] if fitting else next(iter(branches.values()))
    if not fitting:
        yield from chosen[:1]
        return
    for sub in chosen:
        yield from _leaves(sub)


def _wrong_kind(error: ValidationError) -> bool:
    """True when an alternative failed because the value is of another kind altogether
    (a plain string is not of the kind "template" either)."""
    if error.relative_path:
        return False
    schema = error.schema if isinstance(error.schema, dict) else {}
    return error.validator in ("type", "enum", "const") or schema.get("title") == "template"


def _describe(error: ValidationError, instance: Any) -> Iterator[SchemaIssue]:
    path = _path(instance, error.absolute_path)
    if "propertyNames" in error.absolute_schema_path:
        path = (*path, str(error.instance))  # a bad key: point at the key itself
    keyword = str(error.validator)
    value = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    if keyword == "additionalProperties" and isinstance(value, dict):
        allowed = [str(name) for name in schema.get("properties", {})]
        for key in value:
            if key not in allowed and not _matches_pattern(key, schema):
                yield SchemaIssue((*path, str(key)), _unknown_key(key, path, allowed), keyword)
        return
    yield SchemaIssue(path, _message(error, path), keyword)


def _path(instance: Any, parts: Iterable[Any]) -> JsonPath:
    """``parts`` with every mapping key as text: YAML reads ``on:``, ``1:`` or ``null:`` as
    non-strings, and a key ``1`` must not be taken for the index of a list item."""
    path: list[str | int] = []
    for part in parts:
        if isinstance(instance, list) and isinstance(part, int):
            path.append(part)
            instance = instance[part] if 0 <= part < len(instance) else None
        else:
            path.append(str(part))
            instance = instance.get(part) if isinstance(instance, dict) else None
    return tuple(path)


def _matches_pattern(key: Any, schema: dict[str, Any]) -> bool:
    import re

    if not isinstance(key, str):
        return False  # patterns only ever describe string keys
    return any(re.search(pattern, key) for pattern in schema.get("patternProperties", {}))


def _unknown_key(key: Any, path: JsonPath, allowed: list[str]) -> str:
    if not isinstance(key, str):
        return (f"unknown field {key}{_where(path)}: YAML reads `on`/`yes`/`1` as non-strings; "
                "quote the key")
    message = f"unknown field {key!r}{_where(path)}"
    same_case = [name for name in allowed if name.lower() == key.lower()]
    close = same_case or difflib.get_close_matches(key, allowed, n=1, cutoff=0.75)
    if close:
        message += f": did you mean {close[0]!r}?"
        if same_case:
            message += " Field names are case-sensitive."
    elif allowed:
        message += f" (allowed: {', '.join(allowed)})"
    return message


def _where(path: JsonPath) -> str:
    if not path:
        return ""
    if isinstance(path[-1], int):
        return f" in an item of {path[-2]}" if len(path) > 1 else ""
    return f" in {path[-1]}"


def _message(error: ValidationError, path: JsonPath) -> str:
    keyword, value, expected = error.validator, error.instance, error.validator_value
    if keyword == "type" and "propertyNames" in error.absolute_schema_path:
        return _non_string_name(value, error.schema)
    if path and path[-1] == "msgtype" and keyword == "enum":
        return f"unknown msgtype {_json(value)}: {_msgtype_suggestion(value)}"
    if keyword == "enum" and isinstance(expected, list):
        choices = ", ".join(_json(choice) for choice in expected)
        if not isinstance(value, str) and _yaml_text(value) in expected:
            text = _json(_yaml_text(value))
            return f"must be the string {text}, not a {_kind(value)}: quote it in YAML"
        return f"{_json(value)} is not one of {choices}"
    if keyword == "type" and expected == "string" and isinstance(value, (int, float, bool)):
        return f"{_yaml_text(value)} must be a string, not a {_kind(value)}: quote it in YAML"
    if keyword == "type" and expected == "string" and isinstance(value, (list, dict)):
        return (f"must be a string, not a {_kind(value)}: YAML reads a bare value starting with "
                f"{'[' if isinstance(value, list) else '{'} as a {_kind(value)}; quote the text")
    if keyword == "type" and len(path) == 2 and path[0] == "vars":
        return (f"variable {path[1]!r} must be declared as a JSON Schema (a mapping), not a {_kind(value)}: "
                f"write {path[1]}: {{default: {_yaml_text(value)}}}, or give its type and examples")
    if keyword == "type":
        return f"must be {_expected_kind(expected)}, not a {_kind(value)}"
    if (keyword == "minLength" and value == "") or (keyword == "minItems" and value == []):
        return "must not be empty"
    if keyword == "not" and "propertyNames" in error.absolute_schema_path:
        names = ", ".join(expected.get("enum", ())) if isinstance(expected, dict) else ""
        return f"{_json(value)} is a built-in name ({names}): choose another name"
    if keyword == "pattern" and "propertyNames" in error.absolute_schema_path:
        return f"{_json(value)} is not a valid name: use letters, digits and _, not a leading digit"
    if keyword == "pattern" and path and path[-1] == "$for":
        return f"$for must read 'NAME in EXPRESSION', got {_json(value)}"
    if path and path[-1] in _ENV_FIELDS and keyword in ("pattern", "not"):
        return _not_an_env_name(str(path[-1]), looks_secret=keyword == "not")
    if keyword == "not" and "dependentSchemas" in error.absolute_schema_path:
        return "a robot is either a webhook robot or an app robot: with app:, remove webhook_env and secret_env"
    if keyword == "pattern":  # never repeat the value: it may be a credential pasted in
        return f"does not match the pattern {expected}"
    return str(error.message)


def _msgtype_suggestion(value: Any) -> str:
    same_case = [name for name in MSGTYPES if isinstance(value, str) and name.lower() == value.lower()]
    if same_case:
        return f"did you mean {same_case[0]!r}? msgtype is case-sensitive"
    close = difflib.get_close_matches(value, MSGTYPES, n=1, cutoff=0.75) if isinstance(value, str) else []
    if close:
        return f"did you mean {close[0]!r}?"
    return f"use one of {', '.join(MSGTYPES)}"


#: Fields naming an environment variable, and what that variable holds.
_ENV_FIELDS = {"webhook_env": "webhook", "secret_env": "secret", "app_key_env": "app key",
               "app_secret_env": "app secret"}


def _not_an_env_name(field: str, *, looks_secret: bool) -> str:
    what = _ENV_FIELDS[field]
    found = "a DingTalk token or secret (rotate it: it is now in a file), not" if looks_secret else "not"
    return (f"is {found} an environment variable name; put the {what} itself in the "
            "environment and name the variable here")


def _non_string_name(value: Any, schema: Any) -> str:
    message = f"the name {_yaml_text(value)} is read by YAML as a {_kind(value)}, not a string"
    if isinstance(schema, dict) and "pattern" in schema:
        return message + ": names must be identifiers (letters, digits and _, not a leading digit)"
    return message + ": quote it"


_KINDS = {
    bool: "boolean",
    int: "number",
    float: "number",
    str: "string",
    list: "list",
    dict: "mapping",
}
_EXPECTED = {
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
    "string": "a string",
    "array": "a list",
    "object": "a mapping",
    "null": "empty",
}


def _kind(value: Any) -> str:
    return "null" if value is None else _KINDS.get(type(value), type(value).__name__)


def _expected_kind(expected: Any) -> str:
    kinds = [expected] if isinstance(expected, str) else list(expected)
    return " or ".join(_EXPECTED.get(kind, kind) for kind in kinds)


def _yaml_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)

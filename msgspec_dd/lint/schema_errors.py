"""JSON Schema errors turned into findings that point at the offending key and say what to do."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from msgspec_dd.lint.rule import Finding
from msgspec_dd.loader import PathT


def findings(validator: Any, instance: Any, prefix: PathT = (), *, rendered: bool = False) -> Iterator[Finding]:
    """One finding per schema error (the most specific ones), paths under ``prefix``."""
    for error in sorted(_leaves(validator.iter_errors(instance)), key=lambda e: [str(p) for p in e.absolute_path]):
        path = (*prefix, *error.absolute_path)
        if error.validator in ("additionalProperties", "unevaluatedProperties"):
            yield from _unknown_keys(error, path, rendered)
        else:
            yield _finding(_message(error, path), path, rendered, key=error.validator == "required")


def _leaves(errors: Any) -> Iterator[Any]:
    """The errors worth showing: the deepest context of if/then, anyOf and oneOf failures."""
    for error in errors:
        if error.context:
            best = max(error.context, key=lambda e: len(e.absolute_path))
            yield from _leaves([best])
        else:
            yield error


def _unknown_keys(error: Any, path: PathT, rendered: bool) -> Iterator[Finding]:
    known = list((error.schema.get("properties") or {}).keys())
    instance = error.instance if isinstance(error.instance, dict) else {}
    for key in instance:
        if key in known or key.startswith("$"):
            continue
        message = f"unknown field {key!r}{_where(path)}{_suggest(key, known)}"
        yield _finding(message, (*path, key), rendered, key=True)


def _suggest(key: str, known: list[str]) -> str:
    same_case = [k for k in known if k.lower() == key.lower()]
    close = same_case or difflib.get_close_matches(key, known, n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; expected one of: {', '.join(known)}"


def _where(path: PathT) -> str:
    named = [str(p) for p in path if isinstance(p, str)]
    return f" in {named[-1]}" if named else ""


def _message(error: Any, path: PathT) -> str:
    field = ".".join(str(p) for p in path) or "the file"
    if error.validator == "required":
        return f"{field}: {error.message}"
    if error.validator == "type":
        return f"{field}: {error.instance!r} is not of type {error.validator_value!r}"
    return f"{field}: {error.message}"


def _finding(message: str, path: PathT, rendered: bool, *, key: bool = False) -> Finding:
    if rendered:
        return Finding(message, rendered=path, key=key)
    return Finding(message, path=path, key=key)

"""The JSON Schemas of msgspec-dd: loading, cached validators and bundling.

The schema files live in the repository's ``schemas/`` directory (shipped as package data) and
refer to each other by file name (``"$ref": "at.schema.json"``), so editors resolve them straight
from disk. Here they are held in one :class:`referencing.Registry` under those names.

Validators are built once and cached: lint validates thousands of bodies per run. Format checking
is off, DingTalk does not check formats either (lint has its own URL rules).
"""

from __future__ import annotations

import copy
import functools
import importlib.resources
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # jsonschema and referencing are imported lazily to keep start-up fast
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator
    from referencing import Registry

    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

#: The message types a DingTalk webhook robot accepts.
MSGTYPES: tuple[str, ...] = ("text", "link", "markdown", "actionCard", "feedCard")

SUFFIX = ".schema.json"
METASCHEMA = "https://json-schema.org/draft/2020-12/schema"

# The package holding the JSON files. It must not be called ``msgspec_dd.schemas``: that name is
# this module, and in an installed wheel a package directory of the same name would shadow it.
_DATA_PACKAGE = "msgspec_dd.schema_files"

# Keywords whose values are data, not subschemas: a "$ref" key inside them is not a reference.
_DATA_KEYWORDS = frozenset({"examples", "enum", "const", "default"})
# Keywords whose values map arbitrary names to subschemas.
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})


#: A location inside a JSON instance: keys and list indexes.
JsonPath = tuple["str | int", ...]


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


def pointer(path: Iterable[str | int]) -> str:
    """A JSON Pointer (RFC 6901) for ``path``; ``""`` is the whole document."""
    return "".join("/" + _escape(str(part)) for part in path)


def _data_dir() -> Traversable:
    try:
        return importlib.resources.files(_DATA_PACKAGE)
    except ModuleNotFoundError:
        # A source checkout (or editable install) without the data package: read ../schemas.
        return Path(__file__).resolve().parent.parent / "schemas"


def file_name(name: str) -> str:
    """``"text"`` -> ``"text.schema.json"``; a full file name is returned unchanged."""
    return name if name.endswith(SUFFIX) else name + SUFFIX


@functools.cache
def names() -> tuple[str, ...]:
    """The names of all schema files (without ``.schema.json``), sorted."""
    return tuple(
        sorted(
            e.name.removesuffix(SUFFIX) for e in _data_dir().iterdir() if e.name.endswith(SUFFIX)
        )
    )


@functools.cache
def _load_text(file: str) -> str:
    return (_data_dir() / file).read_text(encoding="utf-8")


def load(name: str) -> dict[str, Any]:
    """The schema called ``name`` (``"text"``, ``"at"``, ``"payload"``, ``"message-file"``, ...).

    Returns a fresh copy each time, so callers may modify it. ``KeyError`` for an unknown name.
    """
    file = file_name(name)
    if file.removesuffix(SUFFIX) not in names():
        raise KeyError(f"no schema {name!r}; known: {', '.join(names())}")
    schema = json.loads(_load_text(file))
    assert isinstance(schema, dict)
    return schema


@functools.cache
def registry() -> Registry[Any]:
    """A registry holding every schema file under its file name (``"at.schema.json"``)."""
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    return Registry().with_resources(
        (file_name(n), DRAFT202012.create_resource(load(n))) for n in names()
    )


@functools.cache
def validator(name: str) -> Validator:
    """A cached Draft 2020-12 validator for the schema ``name``, with all file refs resolvable."""
    from jsonschema import Draft202012Validator
    from referencing.jsonschema import DRAFT202012

    # Variables' schemas are checked against a static copy of the metaschema: same verdicts,
    # about three times faster than following its $dynamicRefs (lint checks many files).
    schema = _map_refs(load(name), lambda ref: STATIC_METASCHEMA if ref == METASCHEMA else ref)
    static = DRAFT202012.create_resource(_static_metaschema())
    return Draft202012Validator(
        schema, registry=registry().with_resource(STATIC_METASCHEMA, static)
    )


STATIC_METASCHEMA = "urn:msgspec-dd:static-metaschema-2020-12"
_ANNOTATIONS = frozenset({"$comment", "title", "description", "default", "deprecated"})


@functools.cache
def _static_metaschema() -> dict[str, Any]:
    """The 2020-12 metaschema made static: its vocabularies' properties (disjoint) merged into one
    object, ``$defs`` inlined and every ``$dynamicRef`` turned into a ``$ref`` to the root.
    Nothing here extends the metaschema, so the dynamic scope always ends at that root and this
    accepts exactly the schemas the original accepts (the tests compare them)."""
    from jsonschema_specifications import REGISTRY  # type: ignore[import-untyped]

    top = REGISTRY.contents(METASCHEMA)
    parts = {"": top} | {
        ref["$ref"].removeprefix("meta/"): REGISTRY.contents(_sibling(ref["$ref"]))
        for ref in top["allOf"]
    }
    defs = {vocabulary: part.get("$defs", {}) for vocabulary, part in parts.items()}
    properties: dict[str, Any] = {}
    for vocabulary, part in parts.items():
        properties.update(_static(part["properties"], vocabulary, defs, in_map=True))
    static: dict[str, Any] = {"type": ["object", "boolean"], "properties": properties}
    return static


def _sibling(ref: str) -> str:
    return METASCHEMA.removesuffix("schema") + ref


def _static(node: Any, vocabulary: str, defs: dict[str, Any], *, in_map: bool = False) -> Any:
    if isinstance(node, list):
        return [_static(value, vocabulary, defs) for value in node]
    if not isinstance(node, dict):
        return node
    if in_map:  # names -> subschemas
        return {name: _static(sub, vocabulary, defs) for name, sub in node.items()}
    out: dict[str, Any] = {}
    inlined: dict[str, Any] | None = None
    for key, value in node.items():
        if key == "$dynamicRef":
            out["$ref"] = "#"
        elif key == "$ref":
            target, _, fragment = value.partition("#")
            owner = target.removeprefix("meta/") if target else vocabulary
            name = fragment.removeprefix("/$defs/")
            inlined = _static(defs[owner][name], owner, defs)
        elif key in _DATA_KEYWORDS:
            out[key] = value
        else:
            out[key] = _static(value, vocabulary, defs, in_map=key in _SCHEMA_MAPS)
    if inlined is None:
        return out
    if set(out) <= _ANNOTATIONS:
        return {**inlined, **out}
    return {**out, "allOf": [*out.get("allOf", []), inlined]}


def payload_validator() -> Validator:
    """Validates a full rendered DingTalk body (any msgtype, dispatching on ``msgtype``)."""
    return validator("payload")


def payload_validator_for(msgtype: str) -> Validator:
    """Validates a body of one msgtype (``"text"``, ...); ``KeyError`` if unknown."""
    if msgtype not in MSGTYPES:
        raise KeyError(f"unknown msgtype {msgtype!r}; valid: {', '.join(MSGTYPES)}")
    return validator(msgtype)


def message_file_validator() -> Validator:
    """Validates a parsed message file (templates not yet rendered)."""
    return validator("message-file")


def config_validator() -> Validator:
    """Validates a parsed ``msgspec-dd.yaml``."""
    return validator("config")


def bundle(name: str) -> dict[str, Any]:
    """A self-contained copy of schema ``name``: the files it refers to, directly or not, are
    embedded under ``$defs`` (keyed by file name) and every ref is rewritten to ``#/$defs/...``.

    References to the JSON Schema metaschema stay as they are: every validator knows it.
    """
    root = file_name(name)
    schema = load(root)
    embedded = {file: load(file) for file in _referenced_files(root) if file != root}
    out: dict[str, Any] = _rewrite(schema, root, root)
    if embedded:
        defs = out.setdefault("$defs", {})
        for file, sub in sorted(embedded.items()):
            sub.pop("$schema", None)
            defs[file] = _rewrite(sub, file, root)
    return out


def _referenced_files(root: str) -> list[str]:
    seen = [root]
    for file in seen:  # grows while iterating: a breadth-first walk
        for ref in _refs(load(file)):
            target = ref.partition("#")[0]
            if target and not _is_absolute(target) and target not in seen:
                seen.append(target)
    return seen


def _refs(schema: Any) -> list[str]:
    found: list[str] = []

    def collect(ref: str) -> str:
        found.append(ref)
        return ref

    _map_refs(schema, collect)
    return found


def _rewrite(schema: Any, current: str, root: str) -> Any:
    return _map_refs(schema, lambda ref: _rewrite_ref(ref, current, root))


def _map_refs(node: Any, change: Callable[[str], str]) -> Any:
    """A copy of schema ``node`` with every ``$ref`` value passed through ``change``."""
    if isinstance(node, list):
        return [_map_refs(value, change) for value in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            out[key] = change(value)
        elif key in _DATA_KEYWORDS:
            out[key] = copy.deepcopy(value)
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            # Property names may be anything, "examples" or "$ref" included: never keywords.
            out[key] = {name: _map_refs(sub, change) for name, sub in value.items()}
        else:
            out[key] = _map_refs(value, change)
    return out


def _rewrite_ref(ref: str, current: str, root: str) -> str:
    target, _, fragment = ref.partition("#")
    if _is_absolute(target):
        return ref
    file = target or current
    prefix = "" if file == root else "/$defs/" + _escape(file)
    return "#" + prefix + fragment


def _is_absolute(uri: str) -> bool:
    return "://" in uri or uri.startswith("urn:")


def _escape(token: str) -> str:
    """JSON Pointer escaping of one reference token."""
    return token.replace("~", "~0").replace("/", "~1")


def issues(validator: Validator, instance: Any) -> list[SchemaIssue]:
    """Every violation of ``instance``, as located, readable :class:`SchemaIssue` values.

    Compared with raw jsonschema errors: an unknown key is reported at the key itself (with a
    "did you mean" for a mis-cased or misspelt name), an ``anyOf`` failure is reported from the
    alternative that fits the value's type, and messages say what to do (quote it in YAML, ...).
    """
    found: dict[tuple[JsonPath, str], SchemaIssue] = {}
    for error in validator.iter_errors(instance):
        for leaf in _leaves(error):
            for issue in _describe(leaf):
                found.setdefault((issue.path, issue.message), issue)
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


def _describe(error: ValidationError) -> Iterator[SchemaIssue]:
    path: JsonPath = tuple(error.absolute_path)
    if "propertyNames" in error.absolute_schema_path:
        path = (*path, str(error.instance))  # a bad key: point at the key itself
    keyword = str(error.validator)
    value = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    if keyword == "additionalProperties" and isinstance(value, dict):
        allowed = list(schema.get("properties", {}))
        for key in value:
            if key not in allowed and not _matches_pattern(key, schema):
                yield SchemaIssue((*path, key), _unknown_key(key, path, allowed), keyword)
        return
    yield SchemaIssue(path, _message(error, path), keyword)


def _matches_pattern(key: str, schema: dict[str, Any]) -> bool:
    import re

    return any(re.search(pattern, key) for pattern in schema.get("patternProperties", {}))


def _unknown_key(key: str, path: JsonPath, allowed: list[str]) -> str:
    import difflib

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
    if path and path[-1] == "msgtype" and keyword == "enum":
        return f"unknown msgtype {_json(value)}: use one of {', '.join(MSGTYPES)}"
    if keyword == "enum" and isinstance(expected, list):
        choices = ", ".join(_json(choice) for choice in expected)
        if not isinstance(value, str) and _yaml_text(value) in expected:
            text = _json(_yaml_text(value))
            return f"must be the string {text}, not a {_kind(value)}: quote it in YAML"
        return f"{_json(value)} is not one of {choices}"
    if keyword == "type" and expected == "string" and isinstance(value, (int, float, bool)):
        return f"{_yaml_text(value)} must be a string, not a {_kind(value)}: quote it in YAML"
    if keyword == "type":
        return f"must be {_expected_kind(expected)}, not a {_kind(value)}"
    if keyword == "minLength" and value == "":
        return "must not be empty"
    if keyword == "not" and "propertyNames" in error.absolute_schema_path:
        names = ", ".join(expected.get("enum", ())) if isinstance(expected, dict) else ""
        return f"{_json(value)} is a built-in name ({names}): choose another name"
    if keyword == "pattern" and "propertyNames" in error.absolute_schema_path:
        return f"{_json(value)} is not a valid name: use letters, digits and _, not a leading digit"
    if keyword == "pattern" and path and path[-1] == "$for":
        return f"$for must read 'NAME in EXPRESSION', got {_json(value)}"
    return str(error.message)


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
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)

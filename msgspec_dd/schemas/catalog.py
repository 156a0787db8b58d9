"""The JSON Schemas of msgspec-dd: loading, cached validators and bundling.

What a violation means to a person (located, worded issues) is :mod:`msgspec_dd.schemas.issues`.

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
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # jsonschema and referencing are imported lazily to keep start-up fast
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

# The package holding the JSON files. It must not be called ``msgspec_dd.schemas.catalog``: that name is
# this module, and in an installed wheel a package directory of the same name would shadow it.
_DATA_PACKAGE = "msgspec_dd.schemas.files"

#: Keywords whose values are data, not subschemas: a "$ref" key inside them is not a reference.
DATA_KEYWORDS = frozenset({"examples", "enum", "const", "default"})
#: Keywords whose values map arbitrary names to subschemas.
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})


#: A location inside a JSON instance: keys and list indexes.
JsonPath = tuple["str | int", ...]


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
        elif key in DATA_KEYWORDS:
            out[key] = value
        else:
            out[key] = _static(value, vocabulary, defs, in_map=key in SCHEMA_MAPS)
    if inlined is None:
        return out
    if set(out) <= _ANNOTATIONS:
        return {**inlined, **out}
    return {**out, "allOf": [*out.get("allOf", []), inlined]}


@functools.cache
def metaschema_validator() -> Validator:
    """Checks a schema someone wrote (a variable's) against Draft 2020-12, statically."""
    from jsonschema import Draft202012Validator
    from referencing import Registry

    return Draft202012Validator(_static_metaschema(), registry=Registry())


def is_valid(name: str, instance: Any) -> bool:
    """Whether ``instance`` is valid against the schema ``name``: the same verdict as jsonschema's.

    jsonschema-rs answers first, several times faster, and nearly every file and body lint sees
    is valid. Its "valid" is final: its patterns are made to mean what Python's do (below), so it
    never accepts what jsonschema rejects. Anything else (it rejects, or the value is not JSON, a
    YAML date or a non-string key) is left to jsonschema, which also words and locates the
    problems (:func:`msgspec_dd.schemas.issues.schema_issues`).
    """
    try:
        if fast_validator(name).is_valid(instance):
            return True
    except ValueError:  # jsonschema-rs takes JSON values only
        pass
    return bool(validator(name).is_valid(instance))


@functools.cache
def fast_validator(name: str) -> Any:
    """A jsonschema-rs validator for the schema ``name`` (bundled, Python's pattern semantics)."""
    import jsonschema_rs  # lazily: start-up stays fast

    return jsonschema_rs.validator_for(_python_patterns(bundle(name)), offline=True)


#: What Python's ``re`` matches with ``\s`` (``str.isspace``); Rust's ``\s`` lacks U+001C-U+001F
#: and U+0085 and has U+FEFF. Spelt out, so a pattern means the same to both validators.
_PYTHON_SPACE = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
_CLASS_ESCAPES = {"s": f"[{_PYTHON_SPACE}]", "S": f"[^{_PYTHON_SPACE}]"}


def _python_patterns(node: Any) -> Any:
    """A copy of schema ``node`` whose ``pattern`` values match in Rust as they do in Python."""
    if isinstance(node, list):
        return [_python_patterns(value) for value in node]
    if not isinstance(node, dict):
        return node
    return {key: _rust_pattern(value) if key == "pattern" and isinstance(value, str)
            else value if key in DATA_KEYWORDS else _python_patterns(value)
            for key, value in node.items()}


def _rust_pattern(pattern: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(pattern):
        pair = pattern[index:index + 2]
        escaped = pair[1:] if pair.startswith("\\") else ""
        out.append(_CLASS_ESCAPES.get(escaped, pair if escaped else pattern[index]))
        index += 2 if escaped else 1
    return "".join(out)


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
        elif key in DATA_KEYWORDS:
            out[key] = copy.deepcopy(value)
        elif key in SCHEMA_MAPS and isinstance(value, dict):
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


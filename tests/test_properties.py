"""Property-based tests across loader, renderer, lint and the CLI.

* Any valid DingTalk body, written as a message file (YAML or JSON), renders to itself and has no
  schema problems.
* Any mutation that breaks the schema (a required key dropped, an unknown key added, a string
  turned into an integer) is reported at the line where the YAML/JSON we wrote has that key.
* Arbitrary bytes, text and YAML structures never end in a traceback, in the library or the CLI.
* A variable's value is data: ``"{{ v }}"`` renders to ``str(v)``, never rendered again; strings
  without template markers pass through byte for byte; rendering keeps the structure.
"""

from __future__ import annotations

import contextlib
import functools
import json
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from msgspec_dd.config import default_config
from msgspec_dd.errors import MessageError, UsageError
from msgspec_dd.lint.engine import lint_file
from msgspec_dd.message_files.built_ins import builtins
from msgspec_dd.message_files.loader import Document, Positions, load_document
from msgspec_dd.message_files.pipeline import prepare_file
from msgspec_dd.message_files.renderer import render_message
from msgspec_dd.message_files.template import TEMPLATE_MARKERS
from msgspec_dd.problems import Level, Problem
from msgspec_dd.schemas import catalog
from tests.clirun import run_cli
from tests.jsontree import objects

PAYLOAD_TYPES = ["text", "link", "markdown", "actionCard-single", "actionCard-multi", "feedCard"]
SCHEMA_RULES = {"file-schema", "payload-schema"}
NOW = datetime(2024, 11, 29, 16, 30, tzinfo=timezone.utc)

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)

JsonPath = tuple[str | int, ...]


# ------------------------------------------------------------------------------------ helpers


def strings(node: Any) -> Iterator[str]:
    """Every string in ``node``, keys included."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def has_marker(text: str) -> bool:
    return any(marker in text for marker in TEMPLATE_MARKERS)


def no_markers(node: Any) -> bool:
    return not any(has_marker(s) for s in strings(node))


@functools.cache
def payloads(name: str) -> st.SearchStrategy[dict[str, Any]]:
    """Valid bodies of one payload schema whose strings hold no Jinja markers."""
    return from_schema(catalog.bundle(name)).filter(no_markers)


def string_leaves(node: Any, path: JsonPath = ()) -> Iterator[JsonPath]:
    if isinstance(node, str):
        yield path
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from string_leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from string_leaves(value, (*path, index))


def get(node: Any, path: JsonPath) -> Any:
    for part in path:
        node = node[part]
    return node


def yaml_dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def yaml_safe(node: Any) -> bool:
    # PyYAML's emitter writes NEL (U+0085) raw inside single quotes and reads it back as a
    # space, so such a body cannot be round-tripped through PyYAML at all (not our bug).
    return not any("\x85" in s for s in strings(node))


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def written(data: dict[str, Any], folder: Path) -> list[Path]:
    """``data`` as a YAML file (when PyYAML can round-trip it) and as a JSON file."""
    files = [write(folder, "m.json", json.dumps(data, ensure_ascii=False, indent=2))]
    if yaml_safe(data):
        files.append(write(folder, "m.yaml", yaml_dump(data)))
    return files


def render_file(path: Path) -> tuple[Any, list[Problem]]:
    document = load_document(path)
    rendered, problems = render_message(document, {}, builtins(tz=timezone.utc, now=NOW, environ={}))
    return (rendered.payload if rendered else None), problems


# ------------------------------------------------------------- valid payloads render to themselves


@pytest.mark.parametrize("name", PAYLOAD_TYPES)
@PROPERTY
@given(data=st.data())
def test_a_valid_payload_renders_to_itself_and_has_no_schema_problems(
    name: str, data: st.DataObject
) -> None:
    body = data.draw(payloads(name))
    with tempfile.TemporaryDirectory() as tmp:
        for path in written({"message": body}, Path(tmp)):
            assert render_file(path) == (body, []), path.name
            schema_problems = [p for p in lint_file(path, default_config()) if p.rule in SCHEMA_RULES]
            assert schema_problems == [], path.name


def with_https_urls(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with every URL field a valid https URL (send refuses other schemes)."""
    fields = {"messageUrl", "picUrl", "singleURL", "actionURL", "messageURL", "picURL"}

    def fix(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: f"https://example.com/{k}" if k in fields else fix(v) for k, v in node.items()}
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node

    return fix(body)  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", PAYLOAD_TYPES)
@PROPERTY
@given(data=st.data())
def test_prepare_posts_exactly_the_payload_written(name: str, data: st.DataObject) -> None:
    body = with_https_urls(data.draw(payloads(name)))
    # A markdown link in random text would be checked for its scheme: not this property.
    assume(not any("](" in s for s in strings(body)))
    with tempfile.TemporaryDirectory() as tmp:
        for path in written({"message": body}, Path(tmp)):
            message = prepare_file(path, config=default_config(), now=NOW)
            assert message.payload == body
            assert message.robots == ("default",)


# --------------------------------------------------------- schema breaks are located at their line


class Writer:
    """Writes YAML or JSON with one key per line, remembering the line of every path.

    It is deliberately independent of the loader: the expected line of a problem comes from
    the text written here, not from the code under test.
    """

    def __init__(self, syntax: str, *, ascii_json: bool = False) -> None:
        self.syntax = syntax
        self.ascii_json = ascii_json
        self.lines: list[str] = []
        self.line_of: dict[JsonPath, int] = {}

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def scalar(self, value: Any) -> str:
        if self.syntax == "json" or not isinstance(value, str):
            return json.dumps(value, ensure_ascii=self.ascii_json)
        dumped = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=2**30)
        assert dumped.endswith("\n") and dumped.count("\n") == 1, dumped
        return dumped[:-1]

    def document(self, data: dict[str, Any]) -> str:
        if self.syntax == "json":
            self.json_value(data, 0, (), "")
        else:
            self.yaml_mapping(data, 0, ())
        return self.text()

    # YAML: block style; a list item that is a mapping starts on the "- " line.
    def yaml_mapping(self, node: dict[str, Any], indent: int, path: JsonPath,
                     first: str | None = None) -> None:
        for index, (key, value) in enumerate(node.items()):
            prefix = first if index == 0 and first is not None else " " * indent
            self.yaml_entry(f"{prefix}{self.scalar(key)}:", value, indent, (*path, key))

    def yaml_entry(self, head: str, value: Any, indent: int, path: JsonPath) -> None:
        if isinstance(value, dict) and value:
            self.add(head, path)
            self.yaml_mapping(value, indent + 2, path)
        elif isinstance(value, list) and value:
            self.add(head, path)
            self.yaml_sequence(value, indent + 2, path)
        else:
            self.add(f"{head} {self.flow(value)}", path)

    def yaml_sequence(self, items: list[Any], indent: int, path: JsonPath) -> None:
        for index, item in enumerate(items):
            here = (*path, index)
            if isinstance(item, dict) and item:
                self.line_of[here] = len(self.lines) + 1
                self.yaml_mapping(item, indent + 2, here, first=" " * indent + "- ")
            elif isinstance(item, list) and item:
                self.add(" " * indent + "-", here)
                self.yaml_sequence(item, indent + 2, here)
            else:
                self.add(" " * indent + "- " + self.flow(item), here)

    def flow(self, value: Any) -> str:
        if isinstance(value, dict):
            return "{}"
        if isinstance(value, list):
            return "[]"
        return self.scalar(value)

    # JSON: indented; a container's line is the line of its key (or of its opening bracket).
    def json_value(self, value: Any, indent: int, path: JsonPath, head: str, comma: str = "") -> None:
        pad = " " * indent
        if isinstance(value, dict) and value:
            self.add(f"{pad}{head}{{", path)
            for index, (key, item) in enumerate(value.items()):
                self.json_value(item, indent + 2, (*path, key), f"{self.scalar(key)}: ",
                                "," if index < len(value) - 1 else "")
            self.lines.append(f"{pad}}}{comma}")
        elif isinstance(value, list) and value:
            self.add(f"{pad}{head}[", path)
            for index, item in enumerate(value):
                self.json_value(item, indent + 2, (*path, index), "",
                                "," if index < len(value) - 1 else "")
            self.lines.append(f"{pad}]{comma}")
        else:
            self.add(f"{pad}{head}{self.flow(value)}{comma}", path)

    def add(self, line: str, path: JsonPath) -> None:
        self.lines.append(line)
        self.line_of[path] = len(self.lines)


def breaks_schema(body: dict[str, Any]) -> bool:
    return not catalog.payload_validator().is_valid(body)


@st.composite
def broken(draw: st.DrawFn, name: str) -> tuple[dict[str, Any], JsonPath, str, str]:
    """A valid body with one schema-breaking change; the path and key whose line must be named."""
    body = draw(payloads(name))
    how = draw(st.sampled_from(["drop", "add", "retype"]))
    if how == "drop":
        choices = []
        for path, node in objects(body):
            for key in node:
                candidate = json.loads(json.dumps(body))
                del get(candidate, path)[key]
                if breaks_schema(candidate):
                    choices.append((path, key))
        assume(choices)
        path, key = draw(st.sampled_from(choices))
        del get(body, path)[key]
        # A missing key is reported at the object that lacks it.
        return body, path, key, how
    if how == "add":
        path, node = draw(st.sampled_from(list(objects(body))))
        key = draw(st.sampled_from(["unknownField", "zz", *(k[0].swapcase() + k[1:] for k in node)]))
        assume(key not in node)
        node[key] = "x"
        return body, (*path, key), key, how
    leaves = list(string_leaves(body))
    path = draw(st.sampled_from(leaves))
    get(body, path[:-1])[path[-1]] = draw(st.integers(min_value=0, max_value=10**6))
    assume(breaks_schema(body))
    return body, path, str(path[-1]), how


@pytest.mark.parametrize("syntax", ["yaml", "json"])
@pytest.mark.parametrize("name", PAYLOAD_TYPES)
@PROPERTY
@given(data=st.data())
def test_a_schema_break_is_reported_at_its_line(name: str, syntax: str, data: st.DataObject) -> None:
    body, path, key, how = data.draw(broken(name))
    writer = Writer(syntax, ascii_json=data.draw(st.booleans()))
    text = writer.document({"message": body})
    expected = writer.line_of[("message", *path)]
    with tempfile.TemporaryDirectory() as tmp:
        problems = lint_file(write(Path(tmp), f"m.{syntax}", text), default_config())
    errors = [p for p in problems if p.level is Level.ERROR]
    at_line = [p for p in errors if p.line == expected]
    assert at_line, f"{how} {key!r} at {path}: expected an error on line {expected}\n{text}\n{errors}"
    if how in ("drop", "add"):
        assert any(repr(key) in p.message for p in at_line), at_line


# Lines are counted as editors and GitHub count them: only "\n" ends a line (PyYAML also counts
# NEL, U+2028 and U+2029), and JSON positions do not depend on the text being readable as YAML.


@pytest.mark.parametrize("content", ["\\ud83d\\ude00", "\x7f", "\x9f"])
def test_json_positions_survive_characters_yaml_cannot_read(content: str, tmp_path: Path) -> None:
    text = f'{{"message": {{"msgtype": "text",\n "text": {{"content": "{content}"}},\n "zz": 1}}}}\n'
    problems = lint_file(write(tmp_path, "m.json", text), default_config())
    assert [(p.rule, p.line, p.column) for p in problems] == [("file-schema", 3, 2)]


@pytest.mark.parametrize("syntax", ["yaml", "json"])
@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
def test_lines_are_counted_as_editors_count_them(syntax: str, char: str, tmp_path: Path) -> None:
    if syntax == "json":
        text = f'{{"message": {{"msgtype": "text",\n "text": {{"content": "a{char}b"}},\n "zz": 1}}}}\n'
        expected = ("file-schema", 3, 2)
    else:
        text = f'message:\n  msgtype: text\n  text:\n    content: "a{char}b"\n  zz: 1\n'
        expected = ("file-schema", 5, 3)
    problems = lint_file(write(tmp_path, f"m.{syntax}", text), default_config())
    assert [(p.rule, p.line, p.column) for p in problems] == [expected]


def test_a_duplicate_json_key_is_an_error_at_the_second_key(tmp_path: Path) -> None:
    text = ('{"message": {"msgtype": "text", "text": {"content": "a"}},\n'
            ' "message": {"msgtype": "text"}}\n')
    problems = lint_file(write(tmp_path, "m.json", text), default_config())
    assert [(p.rule, p.line, p.column) for p in problems] == [("yaml-syntax", 2, 2)]
    assert "duplicate key 'message'" in problems[0].message


# ------------------------------------------------------------------- hostile input, never a crash

#: Keys YAML reads as non-strings: `on:`/`yes:` (booleans), `1:`, `null:`.
NON_STRING_KEYS = st.booleans() | st.integers(min_value=-3, max_value=3) | st.none()
TEMPLATE_SNIPPETS = st.sampled_from([
    "{{ x }}", "{{", "{% for %}", "{{ x.y }}", "{{ now }}", "{{ github.sha }}", "{# c #}",
    "{{ 1/0 }}", "{{ ''.__class__ }}", "{{ 'a' * 10**9 }}", "{% if x %}y{% endif %}",
    "a in articles", "k, v in d.items()", "x in 5", "13800138000", "https://example.com/a.png",
    "javascript:alert(1)", "| a | b |\n|---|---|\n", "access_token=" + "0" * 64,
])
KEYS = st.sampled_from([
    "message", "msgtype", "text", "content", "link", "markdown", "actionCard", "feedCard",
    "title", "messageUrl", "picUrl", "singleTitle", "singleURL", "btns", "actionURL", "links",
    "messageURL", "picURL", "at", "atMobiles", "isAtAll", "btnOrientation", "hideAvatar",
    "$for", "$if", "$value", "vars", "x", "articles", "type", "default", "examples", "robot",
    "description", "msgUuid",
]) | st.text(max_size=6) | NON_STRING_KEYS
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
    | TEMPLATE_SNIPPETS | st.sampled_from(["text", "link", "markdown", "actionCard", "feedCard",
                                             "integer", "string", "array", "object"])
)
STRUCTURES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=25,
)
MESSAGE_LIKE = st.fixed_dictionaries(
    {"message": st.fixed_dictionaries({"msgtype": st.sampled_from(catalog.MSGTYPES)},
                                      optional={"text": STRUCTURES, "at": STRUCTURES,
                                                "actionCard": STRUCTURES, "feedCard": STRUCTURES,
                                                "link": STRUCTURES, "markdown": STRUCTURES})},
    optional={"vars": st.dictionaries(st.sampled_from(["x", "articles", "d", "now"]) | NON_STRING_KEYS,
                                      STRUCTURES, max_size=3),
              "robot": STRUCTURES},
)


def assert_problems(value: Any) -> None:
    assert isinstance(value, list) and all(isinstance(p, Problem) for p in value)
    for problem in value:
        assert problem.line >= 1 and problem.column >= 1, problem


def lint_bytes(raw: bytes, suffix: str) -> list[Problem]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"m{suffix}"
        path.write_bytes(raw)
        return lint_file(path, default_config())


SUFFIXES = st.sampled_from([".yaml", ".json"])


@PROPERTY
@given(raw=st.binary(max_size=2000), suffix=SUFFIXES)
def test_arbitrary_bytes_are_problems_never_exceptions(raw: bytes, suffix: str) -> None:
    assert_problems(lint_bytes(raw, suffix))


@PROPERTY
@given(text=st.text(max_size=400), suffix=SUFFIXES)
def test_arbitrary_text_is_problems_never_exceptions(text: str, suffix: str) -> None:
    assert_problems(lint_bytes(text.encode("utf-8", "surrogatepass"), suffix))


@PROPERTY
@given(data=STRUCTURES | MESSAGE_LIKE, suffix=SUFFIXES)
def test_arbitrary_structures_are_problems_never_exceptions(data: Any, suffix: str) -> None:
    if suffix == ".json":
        raw = json.dumps(data, ensure_ascii=False).encode()
    else:
        assume(yaml_safe(data))
        raw = yaml_dump(data).encode()
    assert_problems(lint_bytes(raw, suffix))


#: Templates over a variable ``x`` of any shape: most fail on some shapes, none may crash.
TEMPLATES_OVER_X = st.sampled_from([
    "{{ x }}", "{{ x.y }}", "{{ x[0] }}", "{{ x | length }}", "{{ x | join(',') }}",
    "{% for i in x %}{{ i }}{% endfor %}", "{{ x ~ x }}", "{{ x * 3 }}", "{{ x + x }}",
    "{{ x | tojson }}", "{{ x % 2 }}", "{{ now.strftime(x) }}", "{{ x | int }}", "{{ x | sum }}",
    "{{ x | sort | first }}", "{{ x | dictsort }}", "{{ '%s' | format(x) }}", "{{ x | round }}",
    "{{ x | selectattr('a') | list }}", "{{ x | max }}", "{{ github.sha }}", "{{ today - x }}",
])
FOR_CLAUSES = st.sampled_from(["a in x", "k, v in x", "k, v in x.items()", "a in x[:2]"])
IF_CLAUSES = st.sampled_from(["a", "k", "a.b", "x.y", "true", "a > 1"])


@st.composite
def templated_files(draw: st.DrawFn) -> dict[str, Any]:
    """A valid body with templates over ``x`` in some strings and maybe a $for/$if button."""
    name = draw(st.sampled_from(PAYLOAD_TYPES))
    body = draw(payloads(name))
    leaves = list(string_leaves(body))
    for path in draw(st.lists(st.sampled_from(leaves), max_size=3)):
        get(body, path[:-1])[path[-1]] = draw(TEMPLATES_OVER_X)
    if name == "actionCard-multi" and draw(st.booleans()):
        body["actionCard"]["btns"].append({"$for": draw(FOR_CLAUSES), "$if": draw(IF_CLAUSES),
                                           "title": draw(TEMPLATES_OVER_X), "actionURL": "https://a"})
    return {"vars": {"x": {"examples": [draw(STRUCTURES)]}}, "message": body}


@PROPERTY
@given(data=templated_files(), samples=st.booleans())
def test_templated_files_are_problems_never_exceptions(data: dict[str, Any], samples: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp), "m.json", json.dumps(data))
        assert_problems(lint_file(path, default_config()))
        with contextlib.suppress(MessageError, UsageError):
            prepare_file(path, config=default_config(), now=NOW, use_examples=samples, environ={})


#: Pieces of variable schemas, valid and not: patterns that do not compile, are too slow or
#: expand too far; refs that are remote, dangling or endless; wrong types; non-string keys.
PATTERNS = st.sampled_from(["^[a-z]+$", "(", "[", "(x+x+)+y", "(a+)+$", "a{4294967294}",
                            "(?:(?:ab){100}){100}", r"\d{3}"])
REFS = st.sampled_from(["#", "#/nowhere", "#/$defs/a", "#a", "http://127.0.0.1:9/s.json", "s.json",
                        "urn:x", ""])
TYPES = st.sampled_from(["string", "integer", "number", "array", "object", "boolean", "null",
                         ["integer", "null"]])
WRONG = st.sampled_from([5, None, "strin", [1], -1, {"a": 1}])
HOSTILE_VALUES = st.sampled_from(["x" * 3000, "a" * 40 + "!", float("nan"), float("inf"),
                                  10**30, {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx!": 1}])
VARIABLE_VALUES = HOSTILE_VALUES | STRUCTURES
SUBSCHEMAS = st.recursive(
    st.fixed_dictionaries({}, optional={"type": TYPES, "pattern": PATTERNS, "$ref": REFS,
                                        "multipleOf": st.sampled_from([0.5, 3])}),
    lambda inner: st.fixed_dictionaries({}, optional={
        "properties": st.dictionaries(st.sampled_from(["a", "x" * 34 + "!"]) | NON_STRING_KEYS,
                                      inner, max_size=2),
        "patternProperties": st.dictionaries(PATTERNS, inner, max_size=2),
        "additionalProperties": inner | st.booleans(),
        "unevaluatedProperties": st.booleans(),
        "items": inner, "anyOf": st.lists(inner, min_size=1, max_size=3),
        "$defs": st.dictionaries(st.sampled_from(["a", "b"]), inner, max_size=2),
        "$anchor": st.just("a"), "$id": st.sampled_from(["http://127.0.0.1:9/x", "urn:y"]),
    }),
    max_leaves=5,
)


def rarely(strategy: st.SearchStrategy[Any], otherwise: st.SearchStrategy[Any],
           times: int) -> st.SearchStrategy[Any]:
    """``strategy`` about one time in ``times`` (hypothesis has no weights), else ``otherwise``.
    The rare branch is the largest number: hypothesis tries small numbers first."""
    return st.integers(1, times).flatmap(lambda n: strategy if n == times else otherwise)


#: A keyword of the wrong type now and then (the file schema stops those before any value is
#: validated), and always a sample value, so lint validates it.
VARIABLE_SCHEMAS = rarely(STRUCTURES, st.builds(
    lambda schema, wrong, sample: {**schema, **wrong, **sample},
    SUBSCHEMAS,
    rarely(st.dictionaries(st.sampled_from(["type", "pattern", "$ref", "minLength"]), WRONG,
                           min_size=1, max_size=1), st.just({}), 5),
    st.fixed_dictionaries({"examples": st.lists(VARIABLE_VALUES, min_size=1, max_size=2)})
    | st.fixed_dictionaries({"default": VARIABLE_VALUES}),
), 8)
VAR_TEXTS = st.sampled_from(["abc", "48", "48.0", "48.5", "[", "{a: 1}", "[1, 2]", "x" * 3000,
                             "null", "1e400", "9" * 5000])


@st.composite
def files_with_variable_schemas(draw: st.DrawFn) -> dict[str, Any]:
    """A valid body using ``x``, with ``x`` (and maybe a key YAML reads as a non-string) declared
    by any schema, valid or not."""
    variables = {"x": draw(VARIABLE_SCHEMAS)}
    if draw(st.integers(1, 5)) == 5:
        variables[draw(NON_STRING_KEYS)] = draw(VARIABLE_SCHEMAS)  # type: ignore[index]
    body = draw(payloads(draw(st.sampled_from(PAYLOAD_TYPES))))
    leaf = next(path for path in string_leaves(body) if path[-1] != "msgtype")
    get(body, leaf[:-1])[leaf[-1]] = "{{ x }}"
    return {"vars": variables, "message": body}


@PROPERTY
@given(data=files_with_variable_schemas(), var=VAR_TEXTS, samples=st.booleans())
def test_any_variable_schema_is_problems_never_exceptions(data: dict[str, Any], var: str,
                                                          samples: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp), "m.yaml", yaml_dump(data))
        assert_problems(lint_file(path, default_config()))
        with contextlib.suppress(MessageError, UsageError):
            prepare_file(path, config=default_config(), now=NOW, use_examples=samples, environ={},
                         var_args=[f"x={var}"])


CLI_SETTINGS = settings(PROPERTY, max_examples=4)


def assert_clean_exit(args: list[str]) -> None:
    result = run_cli(args)
    assert result.code in (0, 1, 2), result
    assert "Traceback" not in result.err, result.err


@CLI_SETTINGS
@given(raw=st.binary(max_size=300) | MESSAGE_LIKE.map(lambda d: yaml_dump(d).encode()),
       suffix=SUFFIXES)
def test_the_cli_never_shows_a_traceback(raw: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"m{suffix}"
        path.write_bytes(raw)
        assert_clean_exit(["lint", str(path)])
        assert_clean_exit(["render", str(path)])


@CLI_SETTINGS
@given(data=files_with_variable_schemas(), var=VAR_TEXTS)
def test_the_cli_never_shows_a_traceback_for_any_variable_schema(data: dict[str, Any], var: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp), "m.yaml", yaml_dump(data))
        assert_clean_exit(["lint", str(path)])
        assert_clean_exit(["render", str(path), "--var", f"x={var}"])


# ------------------------------------------------------------------------------------- renderer

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats()
    | st.lists(st.characters(codec="utf-8") | st.sampled_from(["{{", "}}", "{%", "%}", "{#", " v "]),
               max_size=12).map("".join),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)


def document(message: Any) -> Document:
    return Document("m.yaml", {"message": message}, Positions(), "", "")


def render(message: Any, variables: dict[str, Any]) -> Any:
    rendered, problems = render_message(document(message), variables,
                                        builtins(tz=timezone.utc, now=NOW, environ={}))
    assert problems == [] and rendered is not None, problems
    return rendered.payload


@PROPERTY
@given(value=VALUES)
def test_a_value_is_data_never_rendered_a_second_time(value: Any) -> None:
    body = render({"msgtype": "text", "text": {"content": "{{ v }}"}}, {"v": value})
    assert body["text"]["content"] == str(value)


PLAIN_TEXT = st.text().filter(lambda s: not has_marker(s))
#: template -> what it renders to with x = "X".
TEMPLATES = {"{{ x }}": "X", "a{{ x }}b": "aXb", "{% if x %}yes{% endif %}": "yes", "{# note #}": "",
             "{{ x }}\n": "X\n", "{{ '{{ x }}' }}": "{{ x }}"}
LEAVES = (st.none() | st.booleans() | st.integers() | PLAIN_TEXT
          | st.sampled_from(sorted(TEMPLATES)))
PLAIN_KEYS = st.text(max_size=6).filter(lambda k: k not in ("$for", "$if", "$value")) | \
    st.sampled_from(["{{ x }}", "title"])
TREES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(PLAIN_KEYS, inner, max_size=4),
    max_leaves=30,
)


def expected_render(node: Any) -> Any:
    if isinstance(node, str):
        return TEMPLATES.get(node, node)
    if isinstance(node, dict):
        return {k: expected_render(v) for k, v in node.items()}
    if isinstance(node, list):
        return [expected_render(v) for v in node]
    return node


def shape(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: shape(v) for k, v in node.items()}
    if isinstance(node, list):
        return [shape(v) for v in node]
    return type(node).__name__


@PROPERTY
@given(tree=TREES)
def test_rendering_keeps_structure_and_plain_strings(tree: Any) -> None:
    body = render({"msgtype": "text", "tree": tree}, {"x": "X"})
    assert body["tree"] == expected_render(tree)
    assert shape(body["tree"]) == shape(tree)
    for original, out in zip(strings(tree), strings(body["tree"]), strict=True):
        if not has_marker(original):
            assert out.encode("utf-8", "surrogatepass") == original.encode("utf-8", "surrogatepass")


@PROPERTY
@given(tree=TREES.filter(lambda t: isinstance(t, (dict, list))))
def test_plain_structures_round_trip_through_a_file(tree: Any) -> None:
    assume(no_markers(tree) and yaml_safe(tree))
    with tempfile.TemporaryDirectory() as tmp:
        for path in written({"message": {"msgtype": "text", "tree": tree}}, Path(tmp)):
            payload, problems = render_file(path)
            assert problems == []
            assert payload["tree"] == tree

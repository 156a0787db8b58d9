"""The loader gives what PyYAML and ``json`` give, and positions a plain reference computes.

YAML data is compared with ``yaml.load(..., SafeLoader)`` (types, and which values are one shared
object, included); YAML positions with a walk over PyYAML's nodes that counts lines as editors
do; JSON documents are written here, recording where each key and value was written.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msgspec_dd.message_files.loader import MAX_DEPTH, MAX_NODES, LoadError, Positions, parse_json, parse_yaml

PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MERGE = "tag:yaml.org,2002:merge"


def shape(value: Any, ids: dict[int, int] | None = None) -> Any:
    """``value`` with every type spelled out and containers numbered, so that equal shapes mean
    equal values of equal types sharing the same objects."""
    ids = {} if ids is None else ids
    if isinstance(value, list | dict | set):
        if id(value) in ids:
            return ("same as", ids[id(value)])
        number = ids[id(value)] = len(ids)
        if isinstance(value, dict):
            return ("dict", number, [(shape(k, ids), shape(v, ids)) for k, v in value.items()])
        items = value if isinstance(value, list) else sorted(value, key=repr)
        return (type(value).__name__, number, [shape(item, ids) for item in items])
    return (type(value).__name__, repr(value))


# ------------------------------------------------------------------------------------ YAML


class Duplicate(Exception):
    def __init__(self, at: tuple[int, int], key: Any) -> None:
        self.at, self.key = at, key


def reference_positions(text: str) -> Positions:
    """Where each value and key starts, from PyYAML's node marks; only ``\\n`` ends a line."""
    loader = yaml.SafeLoader(text)
    root = loader.get_single_node()
    starts = [0] + [match.end() for match in re.finditer("\n", text)]
    positions = Positions()

    def at(mark: Any) -> tuple[int, int]:
        line = bisect.bisect_right(starts, mark.index)
        return line, mark.index - starts[line - 1] + 1

    def pairs(node: yaml.MappingNode) -> list[tuple[Any, Any]]:
        """Own pairs, then merged ones nearest first."""
        own = [pair for pair in node.value if pair[0].tag != MERGE]
        for key_node, value_node in node.value:
            if key_node.tag == MERGE:
                for source in value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]:
                    own += pairs(source)
        return own

    def walk(node: yaml.Node, path: tuple[Any, ...], indent: int) -> None:
        positions.values.setdefault(path, at(node.start_mark))
        if isinstance(node, yaml.ScalarNode) and node.style == "|":
            positions.literal_blocks[path] = block_indent(text, starts, node, indent)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index), node.start_mark.column)
        elif isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            own = len([pair for pair in node.value if pair[0].tag != MERGE])
            for number, (key_node, value_node) in enumerate(pairs(node)):
                key = loader.construct_object(key_node)
                if key in seen and number < own:
                    raise Duplicate(at(key_node.start_mark), key)
                if key not in seen:
                    seen.add(key)
                    positions.keys.setdefault((*path, key), at(key_node.start_mark))
                    walk(value_node, (*path, key), key_node.start_mark.column)

    if root is not None:
        walk(root, (), 0)
    return positions


def block_indent(text: str, starts: list[int], node: yaml.ScalarNode, indent: int) -> int:
    """The column a literal block's lines start at: the key's column plus an explicit
    indentation indicator, else that of its first non-blank line."""
    header = re.match(r"\|[+-]?([1-9])?", text[node.start_mark.index:])
    if header and header.group(1):
        return indent + int(header.group(1)) + 1
    following = text[node.start_mark.index:].split("\n")[1:]
    content = next((line for line in following if line.strip()), "")
    return len(content) - len(content.lstrip(" ")) + 1


SCALARS = ["plain", "1", "-2", "0x1f", "0o17", "1_000", "1.5", "-.inf", ".nan", "1e3", "6.02e+23", "true", "on",
           "No", "null", "~", "2024-01-02", "2024-01-02T03:04:05Z", "2001-12-14 21:59:43.10 -5", "'quoted: yes'",
           '"tab\\tand \\u00e9 \\U0001F600"', "中文 text", "😀", "!!binary aGVsbG8=", "!!str 1", "!!float 2",
           "!!int '7'", "!!null ''", "*scalar", "*list", "*map", "a # comment"]
KEYS = ["name", "url", "on", "yes", "1", "2.0", "null", "2024-01-01", "中文", "'quoted'", "title", "name"]
LITERALS = ["|", "|-", "|+", "|2", "|2-", ">", ">-"]
PREAMBLE = "base: &map {p: 1, q: [1, 2]}\nmore: &other {q: 3, r: &scalar 中文}\nlist: &list [1, {x: *scalar}]\n"


def text_lines(depth: int) -> st.SearchStrategy[str]:
    line = st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]), max_size=8)
    return st.lists(line, min_size=1, max_size=3).map(
        lambda lines: "".join("  " * depth + "  " + text.strip() + "\n" for text in lines))


@st.composite
def block_value(draw: st.DrawFn, depth: int) -> str:
    """A value after ``key:`` or ``-`` at nesting ``depth``, ending in a newline."""
    kinds = ["scalar", "flow", "literal", "map", "seq"] if depth < 4 else ["scalar", "flow"]
    kind = draw(st.sampled_from(kinds))
    indent = "  " * depth
    anchor = draw(st.sampled_from(["", "", "", f"&n{depth}x{draw(st.integers(0, 10**9))} "]))
    if kind == "scalar":
        return " " + anchor + draw(st.sampled_from(SCALARS)) + "\n"
    if kind == "flow":
        return " " + anchor + draw(flow(0)) + "\n"
    if kind == "literal":
        return " " + draw(st.sampled_from(LITERALS)) + "\n" + draw(text_lines(depth))
    if kind == "seq":
        items = draw(st.lists(block_value(depth + 1), min_size=1, max_size=3))
        return " " + anchor + "\n" + "".join(f"{indent}  -{item}" for item in items)
    merges = draw(st.sampled_from(["", "", "<<: *map\n", "<<: [*other, *map]\n", "<<: *other\n"]))
    entries = draw(st.lists(st.tuples(st.sampled_from(KEYS), block_value(depth + 1)), min_size=1, max_size=4))
    body = "".join(f"{indent}  {key}:{value}" for key, value in entries)
    return " " + anchor + "\n" + (f"{indent}  {merges}" if merges else "") + body


@st.composite
def flow(draw: st.DrawFn, depth: int) -> str:
    items = st.sampled_from([*SCALARS[:20], "*map", "*list"]) if depth > 1 else st.one_of(
        st.sampled_from(SCALARS[:20]), flow(depth + 1))
    if draw(st.booleans()):
        return "[" + ", ".join(draw(st.lists(items, max_size=3))) + "]"
    keys = draw(st.lists(st.sampled_from(KEYS), max_size=3))
    return "{" + ", ".join(f"{key}: {draw(items)}" for key in keys) + "}"


@st.composite
def yaml_documents(draw: st.DrawFn) -> str:
    entries = draw(st.lists(st.tuples(st.sampled_from(KEYS), block_value(0)), min_size=1, max_size=4))
    body = "".join(f"{key}:{value}" for key, value in entries)
    return (PREAMBLE if draw(st.integers(0, 4)) else "") + body if "*" in body else body


def expected_yaml(text: str) -> tuple[Any, ...]:
    """("ok", data's shape, positions), ("duplicate", the problem) or ("invalid",)."""
    try:
        positions = reference_positions(text)
    except Duplicate as duplicate:
        return ("duplicate", f"m.yaml:{duplicate.at[0]}:{duplicate.at[1]}: error: duplicate key "
                             f"{duplicate.key!r}; remove one of them [yaml-syntax]")
    except yaml.YAMLError:
        return ("invalid",)
    return ("ok", shape(yaml.load(text, Loader=yaml.SafeLoader)), positions)


@PROPERTY
@given(yaml_documents(), st.sampled_from([yaml.CSafeLoader, yaml.SafeLoader]))
def test_yaml_data_and_positions_are_pyyamls(text: str, loader_class: type[Any]) -> None:
    expected = expected_yaml(text)
    try:
        data, positions = parse_yaml(text, "m.yaml", loader_class=loader_class)
    except LoadError as err:
        assert expected[0] in {"duplicate", "invalid"}, (text, err.problem.format())
        if expected[0] == "duplicate":
            assert err.problem.format() == expected[1]
        return
    assert expected[0] == "ok", text
    assert (shape(data), positions) == expected[1:]


@pytest.mark.parametrize("text", [
    "a: &x [1, {b: 2024-01-02}]\nc: *x\nd: [*x, *x]\n",
    "base: &b {x: 1, y: &t 2001-12-14t21:59:43.10-05:00}\nc: {<<: *b, x: 3, z: *t}\n",
    "a: &s !!set {x, y}\nb: *s\n",
    "c: !!omap [{k: 1}, {j: 2}]\nd: !!pairs [{k: 1}]\n",
    "a: !!binary aGVsbG8=\nb: !!float '1'\nc: [.NaN, -.Inf, 0b101, 1_0, 0o7, 190:20:30]\n",
])
def test_values_and_shared_objects_are_pyyamls(text: str) -> None:
    data, _ = parse_yaml(text, "m.yaml")
    assert shape(data) == shape(yaml.load(text, Loader=yaml.SafeLoader))


@pytest.mark.parametrize(("text", "message"), [
    ("a: !!int x\nb: [1, 1]\nb: 2\n", "3:1: error: duplicate key 'b'"),
    ("a: !!set x\nb: 2024-02-30\n", "2:4: error: invalid YAML value '2024-02-30': day is out of range"),
    ("a: !!omap x\nc: {b: !!int x}\n", "1:4: error: YAML reads `!` at the start of a value as a tag"),
    ("a: {b: !!int x}\nc: !!omap x\n", "1:8: error: invalid YAML value 'x': invalid literal for int()"),
    ("a: [2024-02-30, !!int x]\nb: {<<: 1}\n", "1:5: error: invalid YAML value '2024-02-30'"),
    ("b: 2\n[x]: 1\n", "2:1: error: invalid YAML: a list or mapping cannot be a key"),
])
def test_refusals_come_in_the_order_they_always_did(text: str, message: str) -> None:
    with pytest.raises(LoadError) as caught:
        parse_yaml(text, "m.yaml")
    assert caught.value.problem.format().startswith(f"m.yaml:{message}")


@pytest.mark.parametrize(("items", "refused"), [(MAX_NODES - 2, False), (MAX_NODES - 1, True)])
def test_the_node_limit_counts_every_value(items: int, refused: bool) -> None:
    text = "a:\n" + "- x\n" * items  # the mapping, the list and its items
    if refused:
        with pytest.raises(LoadError, match="more than 50,000 values"):
            parse_yaml(text, "m.yaml")
    else:
        assert len(parse_yaml(text, "m.yaml")[0]["a"]) == items


@pytest.mark.parametrize(("copies", "refused"), [(9_999, False), (10_000, True)])
def test_the_node_limit_counts_merged_keys_as_copies(copies: int, refused: bool) -> None:
    # The root, a and its two values, b; then per copy its mapping and, per merged key, the key
    # and its value.
    text = "a: &a {x: 1, y: 2}\nb: [" + ", ".join(["{<<: *a}"] * copies) + "]\n"
    assert (1 + 3 + 1 + copies * 5 > MAX_NODES) == refused
    if refused:
        with pytest.raises(LoadError, match="aliases expand too far"):
            parse_yaml(text, "m.yaml")
    else:
        assert parse_yaml(text, "m.yaml")[0]["b"][-1] == {"x": 1, "y": 2}


# ------------------------------------------------------------------------------------ JSON

json_scalars = (st.none() | st.booleans() | st.integers() | st.floats()
                | st.text(st.characters(codec="utf-8"), max_size=6) | st.sampled_from(['"', "\\", "a\\u", "\u2028"]))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=4) | st.sampled_from(["\\", '"', "a:b", "é"]), inner, max_size=4), max_leaves=25)
spaces = st.sampled_from(["", "", " ", "\n", "\t", "\r\n", "\n    "])


class JsonWriter:
    """Writes a value as JSON with drawn spacing, recording where each key and value starts."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw, self.text, self.positions = draw, "", Positions()
        self.ascii = draw(st.booleans())
        self.duplicate: tuple[tuple[int, int], str] | None = None  # the first, where and which

    def here(self) -> tuple[int, int]:
        return self.text.count("\n") + 1, len(self.text) - (self.text.rfind("\n") + 1) + 1

    def value(self, value: Any, path: tuple[str | int, ...]) -> None:
        self.text += self.draw(spaces)
        if self.duplicate is None:
            self.positions.values[path] = self.here()
        if isinstance(value, dict):
            items = list(value.items())
            if items and self.draw(st.integers(0, 9)) == 0:
                items.append(items[0])
            self.container("{", "}", items, path)
        elif isinstance(value, list):
            self.container("[", "]", list(enumerate(value)), path)
        else:
            self.text += json.dumps(value, ensure_ascii=self.ascii)

    def container(self, opening: str, closing: str, items: list[tuple[Any, Any]], path: tuple[str | int, ...]) -> None:
        self.text += opening
        seen = set()
        for number, (key, item) in enumerate(items):
            self.text += (self.draw(spaces) + "," if number else "") + self.draw(spaces)
            if opening == "{":
                if key in seen and self.duplicate is None:
                    self.duplicate = (self.here(), key)
                seen.add(key)
                if self.duplicate is None:
                    self.positions.keys[(*path, key)] = self.here()
                self.text += json.dumps(key, ensure_ascii=self.ascii) + self.draw(spaces) + ":"
            self.value(item, (*path, key))
        self.text += self.draw(spaces) + closing


@PROPERTY
@given(st.data(), json_values)
def test_json_data_and_positions_are_where_they_were_written(data: st.DataObject, value: Any) -> None:
    writer = JsonWriter(data.draw)
    writer.value(value, ())
    writer.text += data.draw(spaces)
    if writer.duplicate is not None:
        (line, column), key = writer.duplicate
        with pytest.raises(LoadError) as caught:
            parse_json(writer.text, "m.json")
        assert caught.value.problem.format() == (
            f"m.json:{line}:{column}: error: duplicate key {key!r}; remove one of them [yaml-syntax]")
        return
    parsed, positions = parse_json(writer.text, "m.json")
    assert shape(parsed) == shape(json.loads(writer.text))
    assert positions == writer.positions


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH])
def test_json_nesting_is_refused_at_the_first_value_too_deep(depth: int) -> None:
    text = '{"a":\n' + "[" * depth + " 1" + "]" * depth + "}"  # the 1's path is "a" and depth indexes
    if depth < MAX_DEPTH:
        assert parse_json(text, "m.json")[1].values[("a", *[0] * depth)] == (2, depth + 2)
        return
    with pytest.raises(LoadError) as caught:
        parse_json(text, "m.json")
    assert caught.value.problem.format() == (
        f"m.json:2:{depth + 2}: error: document is nested deeper than {MAX_DEPTH} levels [yaml-syntax]")

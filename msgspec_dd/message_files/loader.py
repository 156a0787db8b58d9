"""Reading message, variable and config files: YAML or JSON, UTF-8 only, positions kept.

Hostile input is expected: the file size is capped, alias expansion and nesting are bounded,
binary data and other encodings are told apart from YAML mistakes, and every failure becomes a
:class:`~msgspec_dd.problems.Problem` with ``path:line:col``, never a traceback.
"""

from __future__ import annotations

import bisect
import codecs
import functools
import hashlib
import itertools
import json
import os
import re
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from msgspec_dd.errors import MsgspecError
from msgspec_dd.lint.rules import yaml_syntax
from msgspec_dd.message_files import yaml_hints
from msgspec_dd.problems import Problem

#: A message body may be at most 20,000 bytes; a source file far larger is a mistake or an attack.
MAX_FILE_BYTES = 1_000_000
#: Nodes visited with aliases expanded ("billion laughs" stops here).
MAX_NODES = 50_000
MAX_DEPTH = 64

Key = str | int
PathT = tuple[Key, ...]

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LoadError(MsgspecError):
    """A file could not be read as a document; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.format())


@dataclass(frozen=True)
class Positions:
    """Where each value (and each mapping key) starts in the source, 1-based line and column."""

    values: dict[PathT, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathT, tuple[int, int]] = field(default_factory=dict)
    #: Strings written as literal blocks (``|``), whose lines are the source's lines: the
    #: column their content is indented to.
    literal_blocks: dict[PathT, int] = field(default_factory=dict)
    #: ``values``/``keys`` indexed by the text of each path part, built on first need.
    text_index: dict[int, dict[tuple[str, ...], tuple[int, int]]] = field(
        default_factory=dict, compare=False, repr=False)

    def locate_line(self, path: PathT, line: int | None, column: int = 1) -> tuple[int, int]:
        """Where line ``line`` (and ``column``) of the string at ``path`` is, when the string is a
        literal block; otherwise where the string starts."""
        indent = self.literal_blocks.get(path)
        if not line or indent is None:
            return self.locate(path)
        return self.locate(path)[0] + line, indent + column - 1

    def locate(self, path: PathT, *, key: bool = False) -> tuple[int, int]:
        """The position of ``path``, or of its nearest ancestor that has one.

        Keys YAML does not read as strings (``on``, ``1``) may come as their text or their value.
        """
        tables = (self.keys, self.values) if key else (self.values,)
        for end in range(len(path), -1, -1):
            for table in tables:
                found = table.get(path[:end]) or self._by_text(table).get(tuple(map(str, path[:end])))
                if found:
                    return found
        return (1, 1)

    def _by_text(self, table: dict[PathT, tuple[int, int]]) -> dict[tuple[str, ...], tuple[int, int]]:
        cached = self.text_index.get(id(table))
        if cached is None or len(cached) != len(table):
            cached = self.text_index[id(table)] = {tuple(map(str, p)): at for p, at in table.items()}
        return cached


@dataclass(frozen=True)
class Document:
    """A parsed file: its data, where each value came from, and a digest of its bytes."""

    path: str
    data: Any
    positions: Positions
    text: str
    sha256: str


def load_document(path: Path, *, display: str | None = None) -> Document:
    """Read and parse ``path``; :class:`LoadError` on any problem."""
    name = display if display is not None else str(path)
    try:
        with path.open("rb") as handle:
            raw = _read_bounded(handle)
    except OSError as err:
        raise LoadError(_problem(name, 1, 1, f"cannot read the file: {err.strerror or err}")) from err
    return parse_bytes(raw, name, json_syntax=path.suffix.lower() == ".json")


def _read_bounded(handle: BinaryIO) -> bytes:
    """At most ``MAX_FILE_BYTES + 1`` bytes: asked for by the file's size, since asking for the
    bound itself makes every read allocate a megabyte."""
    size = os.fstat(handle.fileno()).st_size
    raw = handle.read(min(size, MAX_FILE_BYTES) + 1)
    if len(raw) > size:  # it grew, or has no size (a pipe): read on up to the bound
        raw += handle.read(MAX_FILE_BYTES + 1 - len(raw))
    return raw


def parse_bytes(raw: bytes, name: str, *, json_syntax: bool = False) -> Document:
    """Parse file contents (``name`` is only used in problems)."""
    if len(raw) > MAX_FILE_BYTES:
        raise LoadError(
            _problem(name, 1, 1, f"file is larger than {MAX_FILE_BYTES:,} bytes; "
                     "a DingTalk message is at most 20,000 bytes, so split or shorten it")
        )
    text = decode(raw, name)
    data, positions = parse_json(text, name) if json_syntax else parse_yaml(text, name)
    # A lone surrogate can only come from an escape: UTF-8 cannot encode one.
    bad = first_surrogate(data) if "\\u" in text or "\\U" in text else None
    if bad is not None:
        line, column = positions.locate(bad)
        raise LoadError(_problem(name, line, column, "text holds an unpaired surrogate (\\ud800-\\udfff), "
                                 "which is not valid Unicode; remove the escape"))
    return Document(name, data, positions, text, hashlib.sha256(raw).hexdigest())


_SURROGATE = re.compile("[\ud800-\udfff]")


def first_surrogate(value: Any, path: PathT = ()) -> PathT | None:
    """The path of the first string (key or value) holding a lone surrogate, or None.

    Such strings cannot be encoded as UTF-8, so DingTalk could never receive them.
    """
    if isinstance(value, str):
        return path if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _SURROGATE.search(key):
                return (*path, key)
            found = first_surrogate(item, (*path, key))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = first_surrogate(item, (*path, index))
            if found is not None:
                return found
    return None


def decode(raw: bytes, name: str) -> str:
    """UTF-8 (an initial BOM is allowed); anything else is a problem that says what it looks like."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise LoadError(_problem(name, 1, 1, "file is UTF-16; save it as UTF-8"))
    if b"\x00" in raw[:8192]:
        raise LoadError(_problem(name, 1, 1, "file contains NUL bytes: it looks binary, not YAML or JSON"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line, column = _position_of_byte(raw, err.start)
        raise LoadError(_problem(name, line, column, _encoding_message(raw))) from err
    return text.removeprefix("\ufeff")


def _encoding_message(raw: bytes) -> str:
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return "file is not valid UTF-8; save it as UTF-8"
    return "file is not UTF-8 (it looks like GBK/GB18030); save it as UTF-8"


def _position_of_byte(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line_start = before.rfind(b"\n") + 1
    column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
    return before.count(b"\n") + 1, column


def parse_yaml(text: str, name: str, *, loader_class: type[Any] = _Loader) -> tuple[Any, Positions]:
    """Parse one YAML document, recording positions; aliases and depth are bounded.

    ``loader_class`` may be PyYAML's pure-Python ``SafeLoader``, whose messages name the column.
    """
    loader = loader_class(text)
    node: yaml.Node | None = None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, Positions()
        walker = _Walker(name, _Lines(text), loader)
        data = walker.walk(node, ())
        return (data if walker.built_all else loader.construct_document(node)), walker.positions
    except yaml.MarkedYAMLError as err:
        raise LoadError(_yaml_problem(name, err, text)) from err
    except yaml.YAMLError as err:
        raise LoadError(_problem(name, 1, 1, f"invalid YAML: {err}")) from err
    except RecursionError as err:
        raise LoadError(_problem(name, 1, 1, "document is nested too deeply")) from err
    except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as err:
        # A tag or value YAML parses but cannot build: 2024-02-30, !!int "abc", !!bool maybe, 5,000 digits.
        line, column, value = _unbuildable(loader, node, _Lines(text))
        why = "its tag has no such value" if isinstance(err, KeyError) else str(err)  # !!bool maybe
        raise LoadError(_problem(name, line, column,
                                 f"invalid YAML value{value}: {why}; quote it to keep it as text")) from err
    finally:
        loader.dispose()


def _unbuildable(loader: Any, root: yaml.Node | None, lines: _Lines) -> tuple[int, int, str]:
    """Where the first scalar the constructor cannot build is, and its text as " 'text'" (1:1
    and "" if none is found).

    Only called once construction failed, so trying each scalar again costs nothing in the
    ordinary case; the walk is iterative, and the walker has already bounded its size.
    """
    pending, seen = [] if root is None else [root], set()
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                loader.construct_object(node)
            except (ValueError, TypeError, AttributeError, KeyError, OverflowError, yaml.YAMLError):
                text = node.value if len(node.value) <= 40 else node.value[:37] + "..."
                return (*lines.position(node.start_mark), f" {text!r}")
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            pending.extend(part for pair in reversed(node.value) for part in reversed(pair))
    return (1, 1, "")


def parse_json(text: str, name: str) -> tuple[Any, Positions]:
    """Parse JSON strictly, then record where each value and key starts."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise LoadError(_problem(name, err.lineno, err.colno, f"invalid JSON: {err.msg}")) from err
    except RecursionError as err:
        raise LoadError(_problem(name, 1, 1, "document is nested too deeply")) from err
    except ValueError as err:  # an integer of more than 4,300 digits
        raise LoadError(_problem(name, 1, 1, f"invalid JSON value: {err}")) from err
    return data, json_positions(text, name)


def _yaml_problem(name: str, err: yaml.MarkedYAMLError, text: str) -> Problem:
    mark = err.problem_mark or err.context_mark
    line, column = _Lines(text).position(mark) if mark else (1, 1)
    what = " ".join(part for part in (err.context, err.problem) if part) or "invalid YAML"
    source_lines = text.splitlines()
    found = yaml_hints.hint(source_lines[line - 1], column, what) if line <= len(source_lines) else None
    if found is not None:
        return _problem(name, line, found.column, found.message)
    if line <= len(source_lines) and "\t" in source_lines[line - 1][:column]:
        what += " (YAML does not allow tabs for indentation; use spaces)"
    return _problem(name, line, column, f"invalid YAML: {what}")


def line_starts(text: str) -> list[int]:
    """The offset each line of ``text`` starts at (only ``\n`` ends a line); ``bisect_right`` of an
    offset in it is the offset's 1-based line."""
    return [0, *itertools.accumulate(len(line) + 1 for line in text.split("\n")[:-1])]


class _Lines:
    """Line and column of a character offset, counting only ``\n`` as editors and GitHub do.

    PyYAML's own line numbers also count NEL, U+2028 and U+2029 (and ``\r``) as line breaks, and
    a BOM as no character: only a text without them can take its marks' line and column as they are.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.marks_agree = not _OTHER_BREAKS.search(text)

    @functools.cached_property
    def starts(self) -> list[int]:
        return line_starts(self.text)

    def indent_after(self, mark: Any) -> int:
        """The 1-based column where the first non-blank line after ``mark``'s line starts its text."""
        line = bisect.bisect_right(self.starts, mark.index)
        while line < len(self.starts):
            start = self.starts[line]
            end = self.text.find("\n", start)
            content = self.text[start:] if end < 0 else self.text[start:end]
            if content.strip():
                return len(content) - len(content.lstrip(" ")) + 1
            line += 1
        return 1

    def position(self, mark: Any) -> tuple[int, int]:
        if self.marks_agree:
            return mark.line + 1, mark.column + 1
        return self.offset_position(mark.index)

    def offset_position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029\ufeff]")


class _Walker:
    """Visits the node graph as the constructor will, counting aliases as their expansion, and
    builds the data on the way.

    Only plain mappings, sequences and scalars are built here: after merge keys, other tags
    (``!!set``) or a value the constructor refuses, ``built_all`` is False and the constructor
    builds the whole document, raising its errors in its own order once the walk is done.
    """

    def __init__(self, name: str, lines: _Lines, loader: Any) -> None:
        self.loader = loader
        self.name = name
        self.positions = Positions()
        self.lines = lines
        self.visited = 0
        self.seen: set[int] = set()
        self.built: dict[int, Any] = {}
        self.aliased = False
        self.built_all = True

    def walk(self, node: yaml.Node, path: PathT, indent: int = 0) -> Any:
        """Record ``node`` at ``path`` and return its value; ``indent`` is the 0-based column of
        the key or ``-`` that holds it, from which a ``|2`` block's indentation indicator counts."""
        self._count(node)
        if len(path) > MAX_DEPTH:
            raise LoadError(self._at(node, f"document is nested deeper than {MAX_DEPTH} levels"))
        self.positions.values.setdefault(path, self.lines.position(node.start_mark))
        if isinstance(node, yaml.ScalarNode):
            if node.style == "|":
                self.positions.literal_blocks[path] = self._block_indent(node, indent)
            return self._scalar(node)
        self.aliased = self.aliased or id(node) in self.seen
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            value: Any = self._walk_mapping(node, path)
            self.built_all = self.built_all and node.tag == _MAP
        else:
            column = node.start_mark.column
            value = [self.walk(item, (*path, index), column) for index, item in enumerate(node.value)]
            self.built_all = self.built_all and node.tag == _SEQ
        return self.built.setdefault(id(node), value)  # an alias is the object its anchor made

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == _STR:
            return node.value
        if node.tag not in _SCALAR_TAGS:  # !!set, !!map or an unknown tag on a scalar
            self.built_all = False
            return None
        try:
            return self.loader.construct_object(node)
        except (yaml.YAMLError, ValueError, TypeError, AttributeError, OverflowError, KeyError):
            # PyYAML leaves a node that failed marked as being built: unmark it, so that the
            # constructor raises this error again rather than "found unconstructable recursive node".
            self.loader.recursive_objects.pop(node, None)
            self.built_all = False
            return None

    def _block_indent(self, node: yaml.ScalarNode, indent: int) -> int:
        """The 1-based column a literal block's content starts at: given by an indentation
        indicator (``|2``: two more than the key), else by its first non-blank line."""
        header = _BLOCK_HEADER.match(self.lines.text, node.start_mark.index)
        digit = header.group(1) or header.group(2) if header else None
        if digit:
            return indent + int(digit) + 1
        return self.lines.indent_after(node.start_mark)

    def _count(self, node: yaml.Node) -> None:
        self.visited += 1
        if self.visited > MAX_NODES:
            cause = "aliases expand too far" if self.aliased else "split the file"
            raise LoadError(self._at(node, f"document has more than {MAX_NODES:,} values ({cause})"))

    def _key(self, node: yaml.Node) -> Any:
        """The key as the constructor will make it (``on`` is True), so paths match the data."""
        if not isinstance(node, yaml.ScalarNode):
            # The constructor refuses it too, but only after building it, aliases expanded.
            raise LoadError(self._at(node, "invalid YAML: a list or mapping cannot be a key; "
                                           "write the key as text"))
        key = node.value if node.tag == _STR else self.loader.construct_object(node)
        if isinstance(key, Hashable):
            return key
        self.built_all = False  # nor a scalar tagged !!set or !!map
        return repr(key)

    def _walk_mapping(self, node: yaml.MappingNode, path: PathT) -> dict[Any, Any]:
        data: dict[Any, Any] = {}
        merges = False
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merges = True
                continue
            key = self._key(key_node)
            if key in data:
                raise LoadError(self._at(key_node, f"duplicate key {key!r}; remove one of them"))
            data[key] = self._walk_item(key_node, value_node, (*path, key))
        if merges:
            self._walk_merged(node, path, data)
        return data

    def _walk_merged(self, node: yaml.MappingNode, path: PathT, data: dict[Any, Any]) -> None:
        self.built_all = False  # the constructor orders merged keys its own way
        for key_node, value_node in _merged_items(node):
            # Each merged pair is visited, even when an explicit key wins: nested "<<: [*a, *a]"
            # levels multiply the pairs the constructor copies, just as aliases do.
            self.aliased = True
            self._count(node)
            key = self._key(key_node)
            if key not in data:  # explicit keys win over merged ones, as in the constructor
                data[key] = self._walk_item(key_node, value_node, (*path, key))

    def _walk_item(self, key_node: yaml.Node, value_node: yaml.Node, path: PathT) -> Any:
        self.positions.keys.setdefault(path, self.lines.position(key_node.start_mark))
        return self.walk(value_node, path, key_node.start_mark.column)

    def _at(self, node: yaml.Node, message: str) -> Problem:
        line, column = self.lines.position(node.start_mark)
        return _problem(self.name, line, column, message)


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
#: Scalars the constructor builds in one step (the others' constructors are generators).
_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{kind}"
                         for kind in ("null", "bool", "int", "float", "timestamp", "binary"))
_MERGE = "tag:yaml.org,2002:merge"
#: A literal block's header: ``|``, then an indentation indicator and a chomping indicator in
#: either order (``|2-``, ``|-2``).
_BLOCK_HEADER = re.compile(r"\|(?:([1-9])[+-]?|[+-]([1-9])?)?")


def _own_items(node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
    return [pair for pair in node.value if pair[0].tag != _MERGE]


def _merged_items(node: yaml.MappingNode) -> Iterator[tuple[yaml.Node, yaml.Node]]:
    """The pairs ``<<`` merge keys bring in, nearest first."""
    for key_node, value_node in node.value:
        if key_node.tag != _MERGE:
            continue
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            if isinstance(source, yaml.MappingNode):
                yield from _own_items(source)
                yield from _merged_items(source)


def _problem(name: str, line: int, column: int, message: str) -> Problem:
    return Problem(name, line, column, yaml_syntax.ID, yaml_syntax.LEVEL, message)


def json_positions(text: str, name: str) -> Positions:
    """Positions of every value and key in ``text``, which must be valid JSON; duplicate keys
    and nesting deeper than ``MAX_DEPTH`` are problems."""
    positions = Positions()
    lines = _Lines(text)
    frames: list[tuple[PathT, bool, int, set[str]]] = []  # the containers around this one
    path: PathT = ()  # of the container the tokens are in
    keyed, count, seen = False, 0, set[str]()
    value_path: PathT = ()
    # Up to the last token: a regex that finds no token in a run of trailing spaces would
    # try again from each of them (quadratic time).
    for token in _JSON_TOKEN.finditer(text, 0, len(text.rstrip(" \t\r\n"))):
        kind = token.lastgroup
        assert kind is not None  # every token is a named group
        if kind == "close":
            path, keyed, count, seen = frames.pop()
            continue
        at = lines.offset_position(token.start("string" if kind == "colon" else kind))
        if kind == "colon":
            key = _json_key(token.group("string"))
            if key in seen:
                raise LoadError(_problem(name, *at, f"duplicate key {key!r}; remove one of them"))
            seen.add(key)
            value_path = (*path, key)
            positions.keys[value_path] = at
            continue
        if frames and not keyed:
            value_path = (*path, count)
            count += 1
        if len(value_path) > MAX_DEPTH:
            raise LoadError(_problem(name, *at, f"document is nested deeper than {MAX_DEPTH} levels"))
        positions.values[value_path] = at
        if kind == "open":
            frames.append((path, keyed, count, seen))
            path, keyed, count, seen = value_path, token.group("open") == "{", 0, set()
    return positions


#: The tokens of valid JSON that start something, after the spaces and commas before them: a
#: string (a key when a colon follows), an opening or closing bracket, a number or literal.
_JSON_TOKEN = re.compile(r"""[ \t\r\n,]*(?:
    (?P<string>"[^"\\]*(?:\\.[^"\\]*)*")(?P<colon>[ \t\r\n]*:)?
    | (?P<open>[\[{])
    | (?P<close>[\]}])
    | (?P<literal>[^ \t\r\n,:\[\]{}"]+))
""", re.VERBOSE | re.DOTALL)


def _json_key(quoted: str) -> str:
    return json.loads(quoted) if "\\" in quoted else quoted[1:-1]



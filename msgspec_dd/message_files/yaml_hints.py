"""Hints for the YAML mistakes people make writing chat text, instead of the parser's words.

Chat messages start with ``@`` (a mention), ``**`` (bold), `` ` `` (code), ``!``, ``&`` or
``[紧急]`` and hold ``: `` (``CPU: 95%``), and templates start with ``{{``: YAML reads all of
these specially in an unquoted value. PyYAML then says "found character that cannot start any
token" or "while scanning an alias". Here the offending value is found on its source line and
the hint says what YAML did and how to quote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: What YAML makes of a value starting with each character.
_STARTERS = {
    "@": "`@` is reserved in YAML and cannot start a bare value",
    "`": "a backquote (`) is reserved in YAML and cannot start a bare value",
    "%": "`%` starts a YAML directive and cannot start a bare value",
    "*": "YAML reads `*` at the start of a value as an alias (a reference to an `&anchor`)",
    "&": "YAML reads `&` at the start of a value as an anchor",
    "!": "YAML reads `!` at the start of a value as a tag",
    "|": "YAML reads `|` at the start of a value as the start of a block of text",
    ">": "YAML reads `>` at the start of a value as the start of a folded block of text",
}
#: Values YAML reads as a whole of their own, when chat text goes on after them: ``[紧急] 服务宕机``.
_OPENERS = {"[": "a list", "{": "a mapping", '"': "a quoted text", "'": "a quoted text"}
#: What the parser says when text follows such a value on its line.
_TEXT_AFTER = ("did not find expected key", "expected <block end>")
#: A key and the start of its value (or a list item's dash), on one source line.
#: (Flow collections, ``{a: @b}``, are left to the parser's own words.)
_KEYED = re.compile(r"^(\s*(?:-\s+)*)((?:[^\s:#'\"{}\[\],][^:#{}\[\],]*?|\"[^\"]*\"|'[^']*')\s*:)[ \t]+(?=\S)")
_ITEM = re.compile(r"^(\s*(?:-\s+)+)(?=\S)")


@dataclass(frozen=True)
class Hint:
    """Where the value that YAML misread starts (1-based column) and what to do about it."""

    column: int
    message: str


def hint(line: str, column: int, problem: str) -> Hint | None:
    """A hint for the parser error ``problem`` at 1-based ``column`` of source ``line``, or None."""
    start = _value_start(line, column)
    if start is None:
        return None
    value = _strip_comment(line[start:]).rstrip()
    if "mapping values are not allowed" in problem and ": " in value:
        return _colon_hint(line, start, value)
    if value.startswith("{{"):
        return Hint(start + 1, "YAML reads a bare value starting with '{{' as a mapping, not as a template; "
                               f"quote the whole value: {_quoted_line(line, start, value)}")
    if value[:1] in _STARTERS:
        return Hint(start + 1, f"{_STARTERS[value[0]]}; quote the whole value: {_quoted_line(line, start, value)}")
    if value[:1] in _OPENERS and column > start + 2 and any(words in problem for words in _TEXT_AFTER):
        return Hint(start + 1, f"YAML reads the start of the value as {_OPENERS[value[0]]}, ending before "
                               f"column {column}, and cannot go on with the rest of the line; quote the whole "
                               f"value: {_quoted_line(line, start, value)}")
    return None


def _value_start(line: str, column: int) -> int | None:
    """The 0-based index where the value that holds ``column`` starts on ``line``."""
    match = _KEYED.match(line) or _ITEM.match(line)
    if match is None or match.end() >= column:
        return None
    return match.end()


def _colon_hint(line: str, start: int, value: str) -> Hint:
    at = start + value.index(": ") + 1
    return Hint(start + 1, f"the value holds ': ' (column {at}), which YAML reads as the start of "
                           f"another key; quote the whole value: {_quoted_line(line, start, value)}")


def _strip_comment(text: str) -> str:
    # In a bare value " #" starts a comment, so it was never part of what the author meant to quote.
    found = re.search(r"\s#", text)
    return text if found is None else text[:found.start()]


def _quoted_line(line: str, start: int, value: str) -> str:
    return f"{line[:start].strip()} {quote(value)}".strip()


def quote(value: str) -> str:
    """``value`` as a YAML scalar that reads back as the same text: double quotes when it holds
    neither ``"`` nor ``\\``, else single quotes (with ``'`` doubled)."""
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"

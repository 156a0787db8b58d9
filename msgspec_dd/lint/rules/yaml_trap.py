"""A YAML value that silently changed: unquoted phone numbers, numeric flags, dates, text cut short.

YAML reads ``13800138000`` as an integer, ``0`` as a number and ``2024-06-01`` as a date, but
DingTalk wants strings: ``atMobiles`` entries, ``btnOrientation`` and ``hideAvatar`` (``"0"`` or
``"1"``). A phone number that became an integer is not @-mentioned. Quote the value.

Passing::

    at: {atMobiles: ["13800138000"]}
    btnOrientation: "0"

In a bare value `` #`` starts a comment: ``text: ### 今晚维护`` is an empty text, and
``content: 今晚维护 #P1 请关注`` is only ``今晚维护``. A comment set off by two spaces and a
space after ``#`` (``title: 周报  # shown in the list``) is taken as meant. Likewise
``content: &urgent 今晚维护`` sends ``今晚维护``: YAML took ``&urgent`` as an anchor (one that
no ``*urgent`` uses is reported).

Failing::

    at: {atMobiles: [13800138000]}
    btnOrientation: 0
    text: ### 今晚维护 #P1
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from msgspec_dd.dingtalk.message_view import MENTION_LISTS
from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.message_files.loader import PathT
from msgspec_dd.message_files.yaml_hints import quote
from msgspec_dd.problems import Level

ID = "yaml-trap"
LEVEL = Level.ERROR
STAGE: Stage = "source"
#: The value DingTalk would receive is not the one the author meant.
BLOCKING = True
GENERIC = False

_ID_LISTS = frozenset(MENTION_LISTS)
_FLAGS = frozenset({"btnOrientation", "hideAvatar"})
#: What follows a bare value that YAML cut at a comment: the spaces, the ``#`` and the next character.
_COMMENT = re.compile(r"(\s+)#(.?)")
_ANCHOR = re.compile(r"&([^\s,\[\]{}]+)\s+")
_ALIAS = re.compile(r"\*([^\s,\[\]{}]+)")


def check(context: LintContext) -> Iterator[Finding]:
    data = context.data
    if isinstance(data, Mapping):
        yield from _walk(data.get("message"), ("message",))
        text = context.document.text
        if "#" in text or "&" in text:  # what a comment or an anchor could have cut
            source = _Source(context.document.positions.values, text.split("\n"), text)
            yield from _comments(source, data.get("message"), ("message",))


@dataclass(frozen=True)
class _Source:
    """Where each value starts, and the file's lines (split once: files may hold 50,000 values)."""

    starts: Mapping[PathT, tuple[int, int]]
    lines: list[str]
    text: str

    @cached_property
    def aliases(self) -> frozenset[str]:
        """Every ``*name`` the file uses (found once, when a value has an anchor)."""
        return frozenset(_ALIAS.findall(self.text))


def _comments(source: _Source, value: Any, path: PathT) -> Iterator[Finding]:
    """Text that a ``#`` on its line silently ended (or emptied), value by value."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _comments(source, item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _comments(source, item, (*path, index))
    elif value is None or isinstance(value, str):
        yield from _cut_by_comment(source, value, path)
        yield from _anchor_dropped(source, value, path)


def _cut_by_comment(source: _Source, value: str | None, path: PathT) -> Iterator[Finding]:
    at, lines = source.starts.get(path), source.lines
    if at is None or at[0] > len(lines):
        return
    line = lines[at[0] - 1]
    rest = line[at[1] - 1:]
    if value is None:
        match = _COMMENT.match(rest)
        if match:  # an empty value in a message is never meant, whatever the comment says
            yield Finding(f"the value is empty: YAML read {rest.strip()!r} as a comment; quote it to send "
                          f"it as text: {quote(rest.strip())}", path=path)
        return
    match = _COMMENT.match(rest[len(value):]) if value and rest.startswith(value) else None
    if match and (match.group(1) == " " or match.group(2) not in ("", " ")):
        cut = rest[len(value):].strip()
        yield Finding(f"the text ends at {value!r}: YAML read {cut!r} as a comment; quote the whole "
                      f"value to keep it: {quote(rest.strip())}", path=path)


def _walk(value: Any, path: PathT) -> Iterator[Finding]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _check_field(str(key), item, (*path, key))
            yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))
    elif isinstance(value, (datetime.date, datetime.datetime)):
        yield Finding(f"unquoted date {value} became a timestamp; quote it", path=path)


def _check_field(key: str, value: Any, path: PathT) -> Iterator[Finding]:
    if key in _FLAGS and isinstance(value, (int, float)) and not isinstance(value, bool):
        yield Finding(f"{key}: {value} is a number; DingTalk expects the string \"{value}\": quote it",
                      path=path)
    if key in _ID_LISTS and isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                yield Finding(f"{key} entry {item} is a number (an unquoted phone number or id); "
                              f"quote it: \"{item}\"", path=(*path, index))


def _anchor_dropped(source: _Source, value: str | None, path: PathT) -> Iterator[Finding]:
    """``content: &urgent 今晚维护``: YAML takes ``&urgent`` as an anchor and sends the rest."""
    at = source.starts.get(path)
    if not isinstance(value, str) or at is None or at[0] > len(source.lines):
        return
    match = _ANCHOR.match(source.lines[at[0] - 1], at[1] - 1)
    if match and match.group(1) not in source.aliases:  # an anchor used by an alias is meant
        line = source.lines[at[0] - 1][at[1] - 1:]
        yield Finding(f"YAML read {'&' + match.group(1)!r} as an anchor and dropped it: the text starts at "
                      f"{value[:20]!r}; quote the whole value to keep it: {quote(line.strip())}", path=path)

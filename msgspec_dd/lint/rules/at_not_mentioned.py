"""A person in ``atMobiles`` or ``atUserIds`` whom the text does not also write as ``@…``.

DingTalk only highlights and notifies a person when the text contains ``@<mobile>`` or
``@<userId>`` as well; otherwise the ``at`` entry silently does nothing.

Passing::

    text: {content: "@13800138000 please review"}
    at: {atMobiles: ["13800138000"]}

Failing::

    text: {content: "please review"}
    at: {atMobiles: ["13800138000"]}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from msgspec_dd.dingtalk.message_view import MENTION_LISTS
from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.lint.urls import within_body_limit
from msgspec_dd.problems import Level

ID = "at-not-mentioned"
LEVEL = Level.WARNING
STAGE: Stage = "rendered"
BLOCKING = False
GENERIC = False

_TEXT_FIELDS = {"text": "content", "markdown": "text", "actionCard": "text"}


def check(context: LintContext) -> Iterator[Finding]:
    payload = context.payload
    at = payload.get("at") if isinstance(payload, Mapping) else None
    if not isinstance(at, Mapping):
        return
    msgtype = payload.get("msgtype")
    content = payload.get(msgtype) if isinstance(msgtype, str) else None
    field = _TEXT_FIELDS.get(str(msgtype))
    text = content.get(field) if isinstance(content, Mapping) and field else None
    if not isinstance(text, str) or not within_body_limit(text):
        return  # body-too-large refuses it already
    lists: dict[str, list[Any]] = {name: _list(at.get(name)) for name in MENTION_LISTS}
    written = _written(text, {entry for entries in lists.values() for entry in entries if isinstance(entry, str)})
    for name, entries in lists.items():
        for index, entry in enumerate(entries):
            if isinstance(entry, str) and entry not in written:
                yield Finding(f"{name} entry {entry!r} is not written as '@{entry}' in the text, so "
                              "DingTalk will not highlight or notify them", rendered=("at", name, index))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


#: Characters of text compared in all; beyond it (tens of thousands of odd-length entries) the
#: remaining entries are not checked rather than looked for one by one in the whole text.
_WORK = 5_000_000


def _written(text: str, entries: set[str]) -> set[str]:
    """The entries written as ``@entry`` in ``text``, in time linear in the text per entry length."""
    starts = [index + 1 for index, char in enumerate(text) if char == "@"]
    written: set[str] = set()
    work = 0
    for length in sorted({len(entry) for entry in entries}):
        work += len(starts) * (length + 1)
        if work > _WORK:
            return written | {entry for entry in entries if len(entry) >= length}  # not checked
        written |= {text[start:start + length] for start in starts} & entries
    return written

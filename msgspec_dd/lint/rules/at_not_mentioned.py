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

from msgspec_dd.dingtalk.message_view import MENTION_LISTS
from msgspec_dd.lint.rule import Finding, LintContext, Stage
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
    if not isinstance(text, str):
        return
    for name in MENTION_LISTS:
        entries = at.get(name)
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, str) and f"@{entry}" not in text:
                yield Finding(f"{name} entry {entry!r} is not written as '@{entry}' in the text, so "
                              "DingTalk will not highlight or notify them", rendered=("at", name, index))

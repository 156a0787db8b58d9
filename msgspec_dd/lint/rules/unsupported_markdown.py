"""Markdown that DingTalk does not render: tables, code, HTML other than ``<font>``, ``~~``.

DingTalk's markdown is a subset: headings, ``>`` quotes, bold, italic, links, images and lists.
Tables, fenced or indented code, HTML other than ``<font color=...>``, strikethrough and task
lists are shown as plain text, so the group sees pipes, backticks and tags. Checked in
``markdown.text`` and ``actionCard.text``.

Failing::

    text: |
      | name | score |
      |------|-------|
      | Ann  | 9     |
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from msgspec_dd.dingtalk import markdown
from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.lint.urls import within_body_limit
from msgspec_dd.problems import Level

ID = "unsupported-markdown"
LEVEL = Level.WARNING
STAGE: Stage = "rendered"
BLOCKING = False
GENERIC = False

_MARKDOWN_TYPES = ("markdown", "actionCard")


def check(context: LintContext) -> Iterator[Finding]:
    payload = context.payload
    msgtype = payload.get("msgtype") if isinstance(payload, Mapping) else None
    if msgtype not in _MARKDOWN_TYPES:
        return
    content = payload.get(msgtype)
    text = content.get("text") if isinstance(content, Mapping) else None
    if not isinstance(text, str) or not within_body_limit(text):
        return  # body-too-large refuses it already; parsing costs time growing with the text
    for found in markdown.unsupported(text):
        yield Finding(f"{found.construct} is not rendered by DingTalk (text line {found.line}): "
                      f"{found.hint}", rendered=(msgtype, "text"), text_line=found.line,
                      text_column=found.column)

"""The job summary: each message as the group will see it, in GitHub-flavoured markdown.

Each message is a thin renderer of :class:`~msgspec_dd.dingtalk.message_view.MessageView`. DingTalk's
markdown is itself markdown, so ``markdown`` and ``actionCard`` texts are shown as they are, inside
a quote that stands for the chat bubble; plain ``text`` content is escaped so it shows literally;
buttons and links become links. The exact JSON body follows in a collapsed
``<details>`` block. Summaries never contain credentials: :class:`~msgspec_dd.action.runner.Runner`
redacts everything it writes.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from msgspec_dd.dingtalk.message_view import MessageView, as_app, view
from msgspec_dd.problems import Level, Problem

#: Characters with a meaning in GitHub markdown anywhere in a line (``.``, ``:`` and ``/`` are
#: left alone so that URLs in plain text still become links).
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>&@~^])")
#: Line starts that would make a list, a heading underline or a thematic break.
_LINE_START = re.compile(r"^(\d+)([.)])|^([-=])")


@dataclass(frozen=True)
class Shown:
    """One message in the summary: its file, robots, rendered body (None when it could not be
    rendered) and a note on how it was rendered."""

    path: str
    robots: tuple[str, ...]
    payload: Mapping[str, Any] | None
    note: str
    #: Those of ``robots`` that are app robots: shown as they show it (no @, msgKey layout).
    app_robots: tuple[str, ...] = ()


def plain(text: str) -> str:
    """``text`` escaped so markdown shows it literally (one line; see :func:`plain_lines`)."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", escaped)


def plain_lines(text: str) -> list[str]:
    """Plain text as markdown lines: escaped, leading spaces and line breaks kept."""
    lines = text.rstrip("\n").split("\n")
    out: list[str] = []
    for number, line in enumerate(lines):
        stripped = line.lstrip(" ")
        escaped = "&nbsp;" * (len(line) - len(stripped)) + plain(stripped)
        # A backslash before the newline is a hard line break, except before a blank line.
        breaks = number + 1 < len(lines) and escaped and lines[number + 1].strip()
        out.append(escaped + ("\\" if breaks else ""))
    return out


def cell(text: str) -> str:
    """``text`` for a table cell: escaped, on one line."""
    return plain(" ".join(text.split()))


def link(title: str, url: str) -> str:
    """A markdown link whose target survives spaces, parentheses and angle brackets."""
    target = "".join(url.split()).replace("<", "%3C").replace(">", "%3E")
    return f"[{plain(title) or plain(url)}](<{target}>)"


def image(url: str, *, height: int) -> str:
    return f'<img src="{html.escape("".join(url.split()))}" alt="" height="{height}">'


def quote(lines: Sequence[str]) -> str:
    """Lines as a blockquote: the chat bubble."""
    return "\n".join(f"> {line}" if line else ">" for line in lines) + "\n"


def message_markdown(payload: Mapping[str, Any], *, app: bool = False) -> str:
    """The message as the group sees it: title, text, buttons and links, mentions (as an app
    robot shows it when ``app``: :func:`~msgspec_dd.dingtalk.message_view.as_app`)."""
    shown = as_app(view(payload)) if app else view(payload)
    if not shown.supported:
        return quote([f"*{plain(shown.msgtype or 'unknown')} message: see the JSON body*"])
    return quote(_lines(shown))


def _lines(shown: MessageView) -> list[str]:
    """A thin renderer of the view: the title in bold (a link's title links to it), a link's
    picture, the text (markdown as it is, plain text escaped), buttons, feed items, mentions."""
    lines: list[str] = []
    if shown.title is not None:
        title = plain(shown.title) if shown.link_url is None else link(shown.title, shown.link_url)
        lines += [f"**{title}**", ""]
    if shown.picture:
        lines += [image(shown.picture, height=64), ""]
    if shown.markdown:
        lines += shown.body.rstrip("\n").split("\n")
    elif shown.msgtype != "feedCard":
        lines += plain_lines(shown.body)
    if shown.buttons:
        separator = " · " if shown.orientation == "horizontal" else "<br>"
        lines += ["", separator.join(f"**{link(b.title, b.url)}**" for b in shown.buttons)]
    lines += [f"- {_feed_picture(item.picture)}{link(item.title, item.url)}" for item in shown.feed]
    if shown.mentions:
        lines += ["", f"*mentions: {plain(' '.join(f'@{name}' for name in shown.mentions))}*"]
    return lines


def _feed_picture(url: str) -> str:
    return f"{image(url, height=40)} " if url else ""


def json_details(payload: Mapping[str, Any]) -> str:
    """The exact body in a collapsed block, fenced longer than any backtick run inside it."""
    body = json.dumps(payload, ensure_ascii=False, indent=2, default=str)
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall(r"`+", body))])
    return (f"<details><summary>JSON body</summary>\n\n{fence}json\n{body}\n{fence}\n\n"
            "</details>\n")


def message_section(shown: Shown) -> str:
    """One message: heading, where it goes, the bubble and the JSON body."""
    robots = ", ".join(f"`{name}`" for name in shown.robots) or "its robots"
    head = f"### `{shown.path}`\n\n"
    if shown.payload is None:
        return head + f"*Not rendered: {plain(shown.note)}*\n\n"
    msgtype = plain(str(shown.payload.get("msgtype", "")))
    meta = f"**{msgtype}** to {robots} · {plain(shown.note)}\n\n"
    return head + meta + _bubbles(shown) + "\n" + json_details(shown.payload) + "\n"


def _bubbles(shown: Shown) -> str:
    """The bubble webhook robots show and, under it, the one app robots show (only theirs when
    every robot is an app robot)."""
    assert shown.payload is not None
    if not shown.app_robots:
        return message_markdown(shown.payload)
    names = ", ".join(f"`{name}`" for name in shown.app_robots)
    app = f"*As app robot {names} shows it:*\n\n" + message_markdown(shown.payload, app=True)
    if set(shown.app_robots) == set(shown.robots):
        return app
    return message_markdown(shown.payload) + "\n" + app


def problems_table(problems: Sequence[Problem]) -> str:
    """Every lint problem (annotations show only the first ten of each kind per step)."""
    if not problems:
        return ""
    rows = ["| where | level | rule | problem |", "| --- | --- | --- | --- |"]
    for p in problems:
        level = "**error**" if p.level is Level.ERROR else "warning"
        where = f"`{p.path}:{p.line}:{p.column}`"
        rows.append(f"| {where} | {level} | {cell(p.rule)} | {cell(p.message)} |")
    return "\n".join(rows) + "\n\n"


def results_table(results: Sequence[Mapping[str, Any]]) -> str:
    """One row per message and robot: sent, skipped or failed with the reason and a hint."""
    if not results:
        return ""
    rows = ["| message | robot | result | detail |", "| --- | --- | --- | --- |"]
    for result in results:
        status = str(result.get("status", ""))
        detail = "; ".join(str(result[key]) for key in ("detail", "hint") if result.get(key))
        rows.append(f"| `{result.get('path') or ''}` | {cell(str(result.get('robot', '')))} | "
                    f"{'**failed**' if status == 'failed' else cell(status)} | {cell(detail)} |")
    return "\n".join(rows) + "\n\n"


def count_line(report_problems: Sequence[Problem], files: int) -> str:
    """``3 message files · 1 error, 2 warnings``."""
    errors = sum(1 for p in report_problems if p.level is Level.ERROR)
    warnings = len(report_problems) - errors
    lint = ("no problems" if not report_problems else
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}")
    return f"{files} message file{'s' * (files != 1)} · {lint}"

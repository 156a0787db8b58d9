"""The job summary: each message as the group will see it, in GitHub-flavoured markdown.

Each message is a thin renderer of :class:`~msgspec_dd.dingtalk.message_view.MessageView`. DingTalk's
markdown is itself markdown, so ``markdown`` and ``actionCard`` texts are shown as they are, inside
a quote that stands for the chat bubble; plain ``text`` content is escaped so it shows literally;
buttons and links become links. The exact JSON body follows in a collapsed
``<details>`` block. Summaries never contain credentials: :class:`~msgspec_dd.action.runner.Runner`
redacts everything it writes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from msgspec_dd.action.limits import fitting, size
from msgspec_dd.action.markdown import (
    cell,
    code,
    code_cell,
    fenced,
    image,
    link,
    markdown_lines,
    plain,
    plain_lines,
)
from msgspec_dd.dingtalk.message_view import MessageView, as_app, view
from msgspec_dd.problems import Level, Problem


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
        lines += markdown_lines(shown.body)
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
    return f"<details><summary>JSON body</summary>\n\n{fenced(body, 'json')}\n</details>\n"


def message_section(shown: Shown) -> str:
    """One message: heading, where it goes, the bubble and the JSON body."""
    robots = ", ".join(code(name) for name in shown.robots) or "its robots"
    head = f"### {code(shown.path)}\n\n"
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
    names = ", ".join(code(name) for name in shown.app_robots)
    app = f"*As app robot {names} shows it:*\n\n" + message_markdown(shown.payload, app=True)
    if set(shown.app_robots) == set(shown.robots):
        return app
    return message_markdown(shown.payload) + "\n" + app


#: Bytes a table may take of the summary's 1 MiB; the messages get what is left.
TABLE_BUDGET = 300_000


def problems_table(problems: Sequence[Problem], *, budget: int = TABLE_BUDGET) -> str:
    """Every lint problem (annotations show only the first ten of each kind per step), as many
    as fit ``budget`` bytes, then a line saying how many more there are."""
    rows = [_problem_row(p) for p in problems]
    return _table("| where | level | rule | problem |", rows, budget, "problem")


def _problem_row(p: Problem) -> str:
    level = "**error**" if p.level is Level.ERROR else "warning"
    where = code_cell(f"{p.path}:{p.line}:{p.column}")
    return f"| {where} | {level} | {cell(p.rule)} | {cell(p.message)} |"


def results_table(results: Sequence[Mapping[str, Any]], *, budget: int = TABLE_BUDGET) -> str:
    """One row per message and robot: sent, skipped or failed with the reason and a hint."""
    rows = [_result_row(result) for result in results]
    return _table("| message | robot | result | detail |", rows, budget, "result")


def _result_row(result: Mapping[str, Any]) -> str:
    status = str(result.get("status", ""))
    detail = "; ".join(str(result[key]) for key in ("detail", "hint") if result.get(key))
    shown_status = "**failed**" if status == "failed" else cell(status)
    return (f"| {code_cell(str(result.get('path') or ''))} | {cell(str(result.get('robot', '')))} "
            f"| {shown_status} | {cell(detail)} |")


def log_block(lines: Sequence[str], *, budget: int = TABLE_BUDGET) -> str:
    """Log lines in a fenced block, as many as fit ``budget`` bytes, then how many more."""
    shown = fitting(lines, budget, separator=1)
    block = fenced("\n".join(shown), "text") + "\n"
    rest = len(lines) - len(shown)
    if not rest:
        return block
    return block + f"*{rest} more line{'s' * (rest != 1)} not shown: the job log has every one.*\n\n"


def _table(header: str, rows: Sequence[str], budget: int, noun: str) -> str:
    if not rows:
        return ""
    shown = fitting(rows, budget - size(header) * 2, separator=1)
    table = "\n".join([header, "| --- | --- | --- | --- |", *shown]) + "\n\n"
    rest = len(rows) - len(shown)
    if not rest:
        return table
    return table + (f"*{rest} more {noun}{'s' * (rest != 1)} not shown: the job summary is limited "
                    "to 1 MiB; the job log has every one.*\n\n")


def count_line(report_problems: Sequence[Problem], files: int) -> str:
    """``3 message files · 1 error, 2 warnings``."""
    errors = sum(1 for p in report_problems if p.level is Level.ERROR)
    warnings = len(report_problems) - errors
    lint = ("no problems" if not report_problems else
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}")
    return f"{files} message file{'s' * (files != 1)} · {lint}"

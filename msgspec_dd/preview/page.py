"""The preview page: a self-contained HTML document with one panel per message.

No scripts and no external requests: the stylesheet is inlined, the avatar is inline SVG, and a
Content-Security-Policy forbids everything but the messages' own images, so a ``<script>`` in a
message could not run even if escaping failed.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from msgspec_dd.preview.message import render_chatlist_html, render_message_html

__all__ = ["CSP", "HEADING", "HEADING_ZH", "PreviewItem", "document", "render_page", "stylesheet"]

HEADING = "Preview — an approximation of the DingTalk client"
HEADING_ZH = "预览 — 近似钉钉客户端显示"
#: Only images (the messages' own) may load; styles are inline; nothing else, no scripts.
CSP = (
    "default-src 'none'; img-src https: http:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)


@dataclass(frozen=True)
class PreviewItem:
    """One message to preview: a label (usually the file path), its rendered payload, the robot
    it goes to, and any problems to show beside it."""

    label: str
    payload: Mapping[str, Any]
    robot: str = "default"
    problems: tuple[str, ...] = ()
    when: tuple[str, str] | None = None  # when it goes out, in English and Chinese (not for change)
    app_robots: tuple[str, ...] = ()  # those of its robots that are app robots (no @, msgKey layout)


@functools.cache
def stylesheet() -> str:
    """The preview's CSS (package data), inlined into every page."""
    return resources.files("msgspec_dd.preview").joinpath("preview.css").read_text("utf-8")


def render_page(items: Sequence[PreviewItem]) -> str:
    """A complete HTML page showing each item as a DingTalk group shows it."""
    count = len(items)
    body = (
        '<header class="dd-page-header" data-testid="page-header">'
        f'<h1>{html.escape(HEADING)}</h1><p class="dd-page-subtitle" lang="zh-CN">{HEADING_ZH}</p>'
        f'<p class="dd-page-note">{count} message{"" if count == 1 else "s"}. '
        "Fonts, sizes and wrapping differ between DingTalk's mobile and desktop clients; "
        "images load from the messages' own URLs.</p></header>"
        f'<main class="dd-items">{"".join(_item_html(item) for item in items)}</main>'
    )
    return document("Preview — msgspec-dd", body)


def document(title: str, body: str, *, head_extra: str = "", csp: str = CSP) -> str:
    """Wrap ``body`` in a full HTML document with the inline stylesheet and a strict CSP.

    Signing secrets (``SEC`` + 64 hex) are masked, as ``render`` masks them: a page is shared.
    """
    from msgspec_dd.redaction import redact

    return redact(
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp)}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{html.escape(title)}</title><style>{stylesheet()}</style>{head_extra}</head>"
        f'<body class="dd-page">{body}</body></html>\n'
    )


def _item_html(item: PreviewItem) -> str:
    return (
        f'<section class="dd-item" data-testid="item" data-label="{html.escape(item.label)}">'
        f'<div class="dd-item-head"><h2 class="dd-item-label">{html.escape(item.label)}</h2>'
        f'<div class="dd-item-meta">robot: {html.escape(item.robot)}</div></div>'
        f"{_problems_html(item.problems)}"
        '<div class="dd-caption">chat list · 会话列表</div>'
        f"{render_chatlist_html(item.payload, robot_name=item.robot)}"
        '<div class="dd-chat" data-testid="chat">'
        f"{render_message_html(item.payload, robot_name=item.robot)}</div>{_app_html(item)}"
        f"{_when_html(item.when)}</section>"
    )


def _app_html(item: PreviewItem) -> str:
    """The message again as its app robots show it: their API has no @ and its own buttons."""
    if not item.app_robots:
        return ""
    names = ", ".join(item.app_robots)
    return ('<div class="dd-caption">as app robot · 应用机器人</div>'
            '<div class="dd-chat" data-testid="app-chat">'
            f"{render_message_html(item.payload, robot_name=names, app=True)}</div>")


def _when_html(when: tuple[str, str] | None) -> str:
    if when is None:
        return ""
    english, chinese = (html.escape(words) for words in when)
    return (f'<div class="dd-caption" data-testid="when">when: {english}'
            f' · <span lang="zh-CN">发送时机：{chinese}</span></div>')


def _problems_html(problems: Sequence[str]) -> str:
    if not problems:
        return ""
    rows = "".join(f"<li>{html.escape(problem)}</li>" for problem in problems)
    return f'<ul class="dd-problems" data-testid="problems">{rows}</ul>'

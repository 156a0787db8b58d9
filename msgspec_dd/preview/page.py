"""The preview page: a self-contained HTML document with one panel per message.

No scripts and no external requests: the stylesheet is inlined, the avatar is inline SVG, and a
Content-Security-Policy forbids everything but the messages' own images, so a ``<script>`` in a
message could not run even if escaping failed. Only a page served by ``preview --watch`` carries
one script, the reload poll of :mod:`msgspec_dd.preview.live_reload`, allowed by its hash.

A draft (a message with errors that stop it going out) is shown with its errors above it; when
nothing could be rendered, the errors alone.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from msgspec_dd.preview.live_reload import LiveReload
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
    """One message to preview: a label (usually the file path), its rendered payload (empty when
    it could not be rendered), the robot it goes to, and any problems to show beside it.

    ``errors`` stop the message from going out (a draft); ``problems`` are the rest (warnings).
    ``sender`` is the name the group sees (a robot's ``display_name``), by default ``robot``.
    """

    label: str
    payload: Mapping[str, Any]
    robot: str = "default"
    problems: tuple[str, ...] = ()
    when: tuple[str, str] | None = None  # when it goes out, in English and Chinese (not for change)
    app_robots: tuple[str, ...] = ()  # those of its robots that are app robots (no @, msgKey layout)
    errors: tuple[str, ...] = ()
    sender: str = ""

    @property
    def draft(self) -> bool:
        """True when an error stops this message from being sent."""
        return bool(self.errors)


@functools.cache
def stylesheet() -> str:
    """The preview's CSS (package data), inlined into every page."""
    return resources.files("msgspec_dd.preview").joinpath("preview.css").read_text("utf-8")


def render_page(items: Sequence[PreviewItem], *, reload: LiveReload | None = None) -> str:
    """A complete HTML page showing each item as a DingTalk group shows it.

    With ``reload`` (served pages only) the page polls and reloads itself when stale.
    """
    script, csp = reload.tag() if reload else ("", CSP)
    return document("Preview — msgspec-dd", _page_body(items) + script, csp=csp)


def _page_body(items: Sequence[PreviewItem]) -> str:
    count = len(items)
    return (
        '<header class="dd-page-header" data-testid="page-header">'
        f'<h1>{html.escape(HEADING)}</h1><p class="dd-page-subtitle" lang="zh-CN">{HEADING_ZH}</p>'
        f'<p class="dd-page-note">{count} message{"" if count == 1 else "s"}. '
        "Fonts, sizes and wrapping differ between DingTalk's mobile and desktop clients; "
        "images load from the messages' own URLs.</p>"
        f'{_drafts_note(items)}</header>'
        f'<main class="dd-items">{"".join(_item_html(item) for item in items)}</main>'
    )


def _drafts_note(items: Sequence[PreviewItem]) -> str:
    drafts = sum(item.draft for item in items)
    if not drafts:
        return ""
    return (f'<p class="dd-page-drafts" data-testid="drafts-note">{drafts} draft'
            f'{"" if drafts == 1 else "s"} with errors: not sendable until fixed. '
            '<span lang="zh-CN">草稿有错误，修正后才能发送。</span></p>')


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
    classes = "dd-item dd-draft" if item.draft else "dd-item"
    return (
        f'<section class="{classes}" data-testid="item" data-label="{html.escape(item.label)}">'
        f'<div class="dd-item-head"><h2 class="dd-item-label">{html.escape(item.label)}</h2>'
        f'<div class="dd-item-meta">robot: {html.escape(item.robot)}{_draft_badge(item)}</div></div>'
        f"{_problems_html(item.errors, 'errors', 'dd-problems dd-errors')}"
        f"{_problems_html(item.problems)}{_message_html(item)}{_when_html(item.when)}</section>"
    )


def _draft_badge(item: PreviewItem) -> str:
    if not item.draft:
        return ""
    return ' <span class="dd-draft-badge" data-testid="draft">draft · 草稿</span>'


def _message_html(item: PreviewItem) -> str:
    """The chat-list row and the chat; a note instead when nothing could be rendered."""
    if not item.payload:
        return ('<p class="dd-not-rendered" data-testid="not-rendered">Not rendered: fix the errors '
                'above. <span lang="zh-CN">无法渲染：请先修正上面的错误。</span></p>')
    sender = item.sender or item.robot
    return (
        '<div class="dd-caption">chat list · 会话列表</div>'
        f"{render_chatlist_html(item.payload, robot_name=sender)}"
        '<div class="dd-chat" data-testid="chat">'
        f"{render_message_html(item.payload, robot_name=sender)}</div>{_app_html(item)}"
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


def _problems_html(
    problems: Sequence[str], testid: str = "problems", classes: str = "dd-problems"
) -> str:
    if not problems:
        return ""
    rows = "".join(f"<li>{html.escape(problem)}</li>" for problem in problems)
    return f'<ul class="{classes}" data-testid="{testid}">{rows}</ul>'

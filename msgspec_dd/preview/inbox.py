"""The sandbox inbox: accepted messages as a DingTalk group shows them, refreshed live.

:func:`inbox_page` takes the records the sandbox serves at ``/api/messages`` and renders each
with the preview's renderer, server-side. The page polls ``poll_url`` and reloads when the list
changed, as ``preview --watch`` does (:mod:`msgspec_dd.preview.live_reload`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from msgspec_dd.preview.live_reload import LiveReload
from msgspec_dd.preview.message import render_message_html
from msgspec_dd.preview.page import HEADING, HEADING_ZH, document

__all__ = ["inbox_page"]

#: The signature of the reply of ``/api/messages``: how many messages, and the last one's id.
_REPLY_SIGNATURE = (
    "((m) => m.length + ':' + (m.length ? m[m.length - 1].id : 0))(data.messages || [])"
)


def inbox_page(
    records: Sequence[Mapping[str, Any]] = (),
    *,
    title: str = "msgspec-dd sandbox",
    poll_url: str = "/api/messages",
    robot_name: str = "sandbox",
    interval_ms: int = 1000,
    tz: tzinfo | None = None,
) -> str:
    """The inbox HTML for sandbox ``records`` (``{"id", "received_at", "body", ...}``).

    Each record's ``body`` is shown as a chat message under the time it was received (in ``tz``,
    default the machine's zone). The page polls ``poll_url`` every ``interval_ms`` and reloads
    when a message arrived or the list was reset.
    """
    messages = "".join(_message_html(record, robot_name, tz) for record in records)
    if not messages:
        messages = (
            '<p class="dd-empty">No messages yet. POST one to the webhook URL. 暂无消息。</p>'
        )
    last_id = records[-1].get("id", 0) if records else 0
    reload = LiveReload(poll_url, f"{len(records)}:{last_id}", _REPLY_SIGNATURE, interval_ms,
                        on_load="window.scrollTo(0, document.body.scrollHeight);")
    script, csp = reload.tag()
    body = (
        '<header class="dd-page-header" data-testid="page-header">'
        f"<h1>{html.escape(title)}</h1>"
        f'<p class="dd-page-subtitle" lang="zh-CN">{html.escape(HEADING)} · {HEADING_ZH}</p>'
        f'</header><main class="dd-inbox"><div class="dd-chat" data-testid="chat">{messages}</div>'
        f"</main>{script}"
    )
    return document(title, body, csp=csp)


def _message_html(record: Mapping[str, Any], robot_name: str, tz: tzinfo | None) -> str:
    """One record; an app robot's as it shows it (``app``), a recalled one marked as such."""
    shown = render_message_html(_body(record), robot_name=str(record.get("robot") or robot_name),
                                title=_when(record, tz), app=record.get("app") is True)
    if record.get("recalled") is not True:
        return shown
    # The group sees it vanish without a notice; the inbox keeps it, marked, to show it went.
    return ('<div class="dd-recalled" data-testid="recalled">'
            f'<div class="dd-recalled-note">recalled · 已撤回</div>{shown}</div>')


def _body(record: Mapping[str, Any]) -> Mapping[str, Any]:
    body = record.get("body")
    return body if isinstance(body, Mapping) else {}


def _when(record: Mapping[str, Any], tz: tzinfo | None) -> str | None:
    received_at = record.get("received_at")
    if isinstance(received_at, bool) or not isinstance(received_at, (int, float)):
        return None
    try:
        moment = (
            datetime.fromtimestamp(received_at, tz) if tz else datetime.fromtimestamp(received_at)
        )
    except (OverflowError, OSError, ValueError):
        return None
    return moment.strftime("%Y-%m-%d %H:%M:%S")

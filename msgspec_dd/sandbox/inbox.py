"""The sandbox's inbox page at ``/``: the accepted messages, newest last, refreshed live.

A self-contained HTML page (no external resources). It polls ``/api/messages`` every second and
reloads when the list changed. Only :func:`inbox_page` is public, so the rendering of each
message can be replaced by the DingTalk-like renderer without touching the server.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from msgspec_dd.keywords import visible_texts

_STYLE = """
body { font-family: -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif;
       background: #f2f3f5; margin: 0; padding: 16px; }
h1 { font-size: 18px; color: #333; }
.empty { color: #888; }
.msg { background: #fff; border-radius: 8px; padding: 12px 16px; margin: 12px 0;
       max-width: 640px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.meta { font-size: 12px; color: #999; margin-bottom: 6px; }
.msgtype { background: #e8f0fe; color: #1a73e8; border-radius: 4px; padding: 0 6px; }
pre { white-space: pre-wrap; word-break: break-word; margin: 4px 0; font-family: inherit; }
"""

_SCRIPT = """
const state = %s;
async function poll() {
  try {
    const reply = await fetch(state.pollUrl, {cache: "no-store"});
    const data = await reply.json();
    const messages = data.messages || [];
    const last = messages.length ? messages[messages.length - 1].id : 0;
    if (messages.length !== state.count || last !== state.lastId) { location.reload(); return; }
  } catch (err) { /* the sandbox may be restarting: try again */ }
  setTimeout(poll, 1000);
}
setTimeout(poll, 1000);
"""


def inbox_page(
    records: Sequence[Mapping[str, Any]],
    *,
    title: str = "msgspec-dd sandbox",
    poll_url: str = "/api/messages",
) -> str:
    """The inbox HTML for these message records (as returned by ``/api/messages``)."""
    items = "\n".join(_message_html(record) for record in records)
    if not items:
        items = '<p class="empty">No messages yet. POST one to the webhook URL.</p>'
    state = {"pollUrl": poll_url, "count": len(records),
             "lastId": records[-1].get("id", 0) if records else 0}
    # "<" escaped so a value can never close the script element.
    script = _SCRIPT % json.dumps(state).replace("<", "\\u003c")
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n<main id=\"messages\">\n{items}\n</main>\n"
        f"<script>{script}</script>\n</body>\n</html>\n"
    )


def _message_html(record: Mapping[str, Any]) -> str:
    body = record.get("body")
    body = body if isinstance(body, Mapping) else {}
    msgtype = str(body.get("msgtype", "?"))
    texts = "".join(f"<pre>{html.escape(text)}</pre>" for text in visible_texts(body))
    return (
        f'<article class="msg" data-id="{html.escape(str(record.get("id", "")))}">'
        f'<div class="meta"><span class="msgtype">{html.escape(msgtype)}</span> '
        f"{html.escape(_when(record.get('received_at')))}</div>{texts}</article>"
    )


def _when(received_at: Any) -> str:
    if not isinstance(received_at, (int, float)):
        return ""
    return datetime.fromtimestamp(received_at).astimezone().isoformat(timespec="seconds")

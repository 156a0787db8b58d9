"""Previews of DingTalk messages as the group shows them, as self-contained HTML.

>>> from msgspec_dd.preview import PreviewItem, render_page
>>> page = render_page([PreviewItem("hello", {"msgtype": "text", "text": {"content": "hi"}})])
"""

from __future__ import annotations

from msgspec_dd.preview.inbox import inbox_page
from msgspec_dd.preview.message import (
    chat_list_summary,
    render_chatlist_html,
    render_message_html,
)
from msgspec_dd.preview.page import PreviewItem, render_page

__all__ = [
    "PreviewItem",
    "chat_list_summary",
    "inbox_page",
    "render_chatlist_html",
    "render_message_html",
    "render_page",
]

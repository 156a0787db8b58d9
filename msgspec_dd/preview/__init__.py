"""Previews of DingTalk messages as the group shows them, as self-contained HTML.

>>> from msgspec_dd.preview import PreviewItem, render_page
>>> page = render_page([PreviewItem("hello", {"msgtype": "text", "text": {"content": "hi"}})])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from msgspec_dd import lazy

if TYPE_CHECKING:  # the names, for type checkers; at run time see __getattr__
    from msgspec_dd.preview.inbox import inbox_page
    from msgspec_dd.preview.message import chat_list_summary, render_chatlist_html, render_message_html
    from msgspec_dd.preview.page import PreviewItem, render_page

#: The public names, each imported from its module on first use: importing a submodule (the
#: CLI does) never loads the others.
_LAZY = {
    "PreviewItem": "msgspec_dd.preview.page",
    "chat_list_summary": "msgspec_dd.preview.message",
    "inbox_page": "msgspec_dd.preview.inbox",
    "render_chatlist_html": "msgspec_dd.preview.message",
    "render_message_html": "msgspec_dd.preview.message",
    "render_page": "msgspec_dd.preview.page",
}

__all__ = [
    "PreviewItem",
    "chat_list_summary",
    "inbox_page",
    "render_chatlist_html",
    "render_message_html",
    "render_page",
]


__getattr__ = lazy.attributes(__name__, _LAZY)

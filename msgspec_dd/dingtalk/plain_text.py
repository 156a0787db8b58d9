"""A plain-text view of a message as the group sees it (``render --format text``).

A thin renderer of :class:`msgspec_dd.dingtalk.message_view.MessageView`: ``[title]``, the text, a link's
target and picture, one line per button or feed item, and who is mentioned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from msgspec_dd.dingtalk.message_view import MessageView, view

__all__ = ["text_view"]


def text_view(payload: Mapping[str, Any]) -> str:
    """What a reader sees, as plain text: title, text, buttons and links, mentions."""
    return "\n".join(_lines(view(payload))).rstrip("\n") + "\n"


def _lines(shown: MessageView) -> list[str]:
    """The lines of :func:`text_view` for an already read view."""
    if not shown.supported:
        return [f"[unsupported msgtype: {shown.msgtype or '(none)'}]"]
    lines = [] if shown.title is None else [f"[{shown.title}]"]
    if shown.msgtype != "feedCard":
        lines.append(shown.body.rstrip("\n"))
    if shown.link_url is not None:
        lines.append(f"-> {shown.link_url}")
    if shown.picture:
        lines.append(f"(image: {shown.picture})")
    if shown.buttons:
        lines.append("")
        lines += [f"[ {button.title} ] -> {button.url}" for button in shown.buttons]
    lines += [f"- {item.title} -> {item.url}" for item in shown.feed]
    if shown.mentions:
        lines += ["", "(mentions: " + " ".join(f"@{name}" for name in shown.mentions) + ")"]
    return lines

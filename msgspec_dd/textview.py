"""A plain-text view of a message as the group sees it (``render --format text``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def text_view(payload: Mapping[str, Any]) -> str:
    """What a reader sees, as plain text: title, text, buttons and links, mentions."""
    msgtype = str(payload.get("msgtype", ""))
    content = payload.get(msgtype)
    content = content if isinstance(content, Mapping) else {}
    lines = _VIEWS.get(msgtype, _unknown)(content)
    lines.extend(_mentions(payload.get("at")))
    return "\n".join(lines).rstrip("\n") + "\n"


def _text(content: Mapping[str, Any]) -> list[str]:
    return [str(content.get("content", ""))]


def _link(content: Mapping[str, Any]) -> list[str]:
    lines = [f"[{content.get('title', '')}]", str(content.get("text", "")),
             f"-> {content.get('messageUrl', '')}"]
    if content.get("picUrl"):
        lines.append(f"(image: {content['picUrl']})")
    return lines


def _markdown(content: Mapping[str, Any]) -> list[str]:
    return [f"[{content.get('title', '')}]", str(content.get("text", ""))]


def _action_card(content: Mapping[str, Any]) -> list[str]:
    lines = [f"[{content.get('title', '')}]", str(content.get("text", "")).rstrip("\n"), ""]
    if content.get("singleTitle"):
        lines.append(f"[ {content['singleTitle']} ] -> {content.get('singleURL', '')}")
    else:
        for button in content.get("btns") or []:
            if isinstance(button, Mapping):
                lines.append(f"[ {button.get('title', '')} ] -> {button.get('actionURL', '')}")
    return lines


def _feed_card(content: Mapping[str, Any]) -> list[str]:
    links = content.get("links") or []
    return [f"- {link.get('title', '')} -> {link.get('messageURL', '')}"
            for link in links if isinstance(link, Mapping)]


def _unknown(content: Mapping[str, Any]) -> list[str]:
    return [str(dict(content))]


def _mentions(at: Any) -> list[str]:
    if not isinstance(at, Mapping):
        return []
    names = [f"@{m}" for key in ("atMobiles", "atUserIds", "atDingtalkIds") for m in at.get(key) or []]
    if at.get("isAtAll") is True:
        names.insert(0, "@所有人")
    return ["", "(mentions: " + " ".join(names) + ")"] if names else []


_VIEWS = {
    "text": _text,
    "link": _link,
    "markdown": _markdown,
    "actionCard": _action_card,
    "feedCard": _feed_card,
}

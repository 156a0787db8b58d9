"""DingTalk's custom-keyword check: which text of a message is searched for the keywords.

DingTalk does not document which fields it scans per msgtype, so every user-visible text field
is the haystack: titles, text, content, button titles and feed titles. URLs are not searched.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

#: msgtype -> the fields of its object that the group sees as text.
VISIBLE_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("content",),
    "link": ("title", "text"),
    "markdown": ("title", "text"),
    "actionCard": ("title", "text", "singleTitle"),
    "feedCard": (),
}

#: msgtype -> (list field, text field of each item).
VISIBLE_ITEMS: dict[str, tuple[str, str]] = {
    "actionCard": ("btns", "title"),
    "feedCard": ("links", "title"),
}


def visible_texts(payload: Mapping[str, Any]) -> Iterator[str]:
    """Every user-visible string of a DingTalk payload, in document order."""
    msgtype = payload.get("msgtype")
    if not isinstance(msgtype, str):
        return
    body = payload.get(msgtype)
    if not isinstance(body, Mapping):
        return
    for field in VISIBLE_FIELDS.get(msgtype, ()):
        if isinstance(body.get(field), str):
            yield body[field]
    if msgtype in VISIBLE_ITEMS:
        items_field, text_field = VISIBLE_ITEMS[msgtype]
        items = body.get(items_field)
        if isinstance(items, Sequence) and not isinstance(items, str):
            for item in items:
                if isinstance(item, Mapping) and isinstance(item.get(text_field), str):
                    yield item[text_field]


def contains_keyword(payload: Mapping[str, Any], keywords: Sequence[str]) -> bool:
    """True when no keywords are configured or one appears in a user-visible field."""
    if not keywords:
        return True
    return any(keyword in text for text in visible_texts(payload) for keyword in keywords)

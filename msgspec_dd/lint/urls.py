"""The URLs of a rendered body: URL fields per msgtype, and markdown links and images.

Markdown links are read by markdown-it, as the preview reads them, so ``[x](https://a/Foo_(bar))``
is one URL. A markdown text over DingTalk's body limit is not parsed: ``body-too-large`` already
refuses it, and parsing costs time that grows with the text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from msgspec_dd.dingtalk import markdown, wire
from msgspec_dd.message_files.loader import PathT

#: (msgtype, field) of single URL fields, and whether the URL is an image.
_FIELDS = {
    ("link", "messageUrl"): False,
    ("link", "picUrl"): True,
    ("actionCard", "singleURL"): False,
}
#: (msgtype, list field) -> {item field: is image}
_ITEM_FIELDS = {
    ("actionCard", "btns"): {"actionURL": False},
    ("feedCard", "links"): {"messageURL": False, "picURL": True},
}
_MARKDOWN_FIELDS = {"markdown": "text", "actionCard": "text"}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


@dataclass(frozen=True)
class Url:
    value: str
    path: PathT
    image: bool
    #: For a URL inside a markdown text: its 1-based line and column in that text.
    text_line: int | None = None
    text_column: int = 1


def scheme(url: str) -> str | None:
    """The lower-cased scheme of ``url``, or None when it has none."""
    match = _SCHEME.match(url.strip())
    return match.group(1).lower() if match else None


def urls(payload: Any) -> Iterator[Url]:
    """Every non-empty URL in ``payload`` with its path in the body."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("msgtype"), str):
        return
    msgtype = payload["msgtype"]
    content = payload.get(msgtype)
    if not isinstance(content, Mapping):
        return
    for (kind, field), image in _FIELDS.items():
        if kind == msgtype:
            yield from _url(content.get(field), (msgtype, field), image)
    for (kind, list_field), fields in _ITEM_FIELDS.items():
        items = content.get(list_field) if kind == msgtype else None
        for index, item in enumerate(items if isinstance(items, list) else []):
            for field, image in fields.items():
                if isinstance(item, Mapping):
                    yield from _url(item.get(field), (msgtype, list_field, index, field), image)
    text = content.get(_MARKDOWN_FIELDS.get(msgtype, ""))
    if isinstance(text, str) and within_body_limit(text):
        for link in _links(text):
            if link.url.strip():
                yield Url(link.url.strip(), (msgtype, "text"), link.image, link.line, link.column)


def within_body_limit(text: str) -> bool:
    """True when ``text`` could be part of a body DingTalk accepts (worth checking in detail)."""
    return len(text) <= wire.MAX_BODY_BYTES and len(text.encode("utf-8", "surrogatepass")) <= wire.MAX_BODY_BYTES


@functools.lru_cache(maxsize=8)
def _links(text: str) -> tuple[markdown.Link, ...]:
    # url-scheme and insecure-url read the same body one after the other.
    return tuple(markdown.links(text))


def _url(value: Any, path: PathT, image: bool) -> Iterator[Url]:
    if isinstance(value, str) and value.strip():
        yield Url(value.strip(), path, image)

"""What the group sees of a message: one description per msgtype, read once from the body.

:func:`view` reads a DingTalk body into a :class:`MessageView`: the title the chat list shows, the
text and whether it is markdown, a link card's parts, buttons and how they are laid out, feed
items, who is mentioned and whether the avatar is hidden. The three pictures of a message are
thin renderers of this one view, so they cannot disagree about what is in it:

- plain text, :func:`msgspec_dd.dingtalk.plain_text.text_view` (``render --format text``),
- markdown for the GitHub job summary, :func:`msgspec_dd.action.summary.message_markdown`,
- HTML for the preview and the sandbox inbox, :mod:`msgspec_dd.preview.message`.

The view describes what DingTalk shows, not what the body says: ``btns`` are gone when
``singleTitle`` is set, and ``at`` only mentions people in the msgtypes where it works. It never
raises: the preview shows bodies that are not valid too, so a missing or mistyped field reads as
empty, and a msgtype DingTalk does not know gives a view with ``supported`` false.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

__all__ = ["AT_ALL", "UNSUPPORTED_TITLE", "Button", "FeedItem", "MessageView", "Orientation",
           "as_app", "view"]

#: The name DingTalk shows for ``isAtAll``.
AT_ALL = "所有人"
#: What the chat list shows for a message it cannot display.
UNSUPPORTED_TITLE = "[暂不支持的消息类型]"

#: ``single`` (one ``singleTitle`` button), ``vertical`` (``btnOrientation`` "0") or
#: ``horizontal`` (``btnOrientation`` "1").
Orientation = Literal["single", "vertical", "horizontal"]

# Documented for text and markdown, reported to work for actionCard; no effect on link, feedCard.
_MENTIONABLE = frozenset({"text", "markdown", "actionCard"})
#: The lists of ``at`` that name people (``atDingtalkIds`` is the legacy spelling of user ids).
MENTION_LISTS = ("atMobiles", "atUserIds", "atDingtalkIds")


@dataclass(frozen=True)
class Button:
    """An actionCard button: its label and where it leads (as written, not checked)."""

    title: str
    url: str


@dataclass(frozen=True)
class FeedItem:
    """One row of a feedCard: title, target and picture (``""`` when it has none)."""

    title: str
    url: str
    picture: str


@dataclass(frozen=True)
class MessageView:
    """The visible parts of one message.

    ``title`` is the ``title`` field of link, markdown and actionCard (None for the others);
    DingTalk shows it in the chat list and, for a link, on the card. ``body`` is the text of the
    bubble: ``content`` of text, ``text`` of the others, DingTalk markdown when ``markdown``.
    ``link_url`` and ``picture`` are a link card's target and picture. ``mentions`` are the
    names shown after ``@``: :data:`AT_ALL` first when everyone is mentioned (``at_all``), then
    mobiles, user ids and legacy DingTalk ids, in the body's order.
    """

    msgtype: str
    supported: bool
    title: str | None = None
    body: str = ""
    markdown: bool = False
    link_url: str | None = None
    picture: str = ""
    buttons: tuple[Button, ...] = ()
    orientation: Orientation = "vertical"
    feed: tuple[FeedItem, ...] = ()
    mentions: tuple[str, ...] = ()
    at_all: bool = False
    hide_avatar: bool = False

    @property
    def chat_title(self) -> str:
        """What the chat list and the notification show: ``[title]``; the first feed item's
        title for a feedCard; the content, on one line, for text."""
        if not self.supported:
            return UNSUPPORTED_TITLE
        if self.title is not None:
            return f"[{self.title}]"
        if self.msgtype == "feedCard":
            return self.feed[0].title if self.feed else ""
        return " ".join(self.body.split())


def view(payload: Mapping[str, Any]) -> MessageView:
    """The visible parts of the DingTalk body ``payload`` (never raises)."""
    msgtype = _str(payload.get("msgtype"))
    section = payload.get(msgtype)
    reader = _READERS.get(msgtype)
    if reader is None or not isinstance(section, Mapping):
        return MessageView(msgtype, supported=False)
    if msgtype not in _MENTIONABLE:
        return reader(msgtype, section)
    at = payload.get("at")
    if not isinstance(at, Mapping):
        return reader(msgtype, section)
    at_all = _flag(at.get("isAtAll"))
    mentions = ((AT_ALL,) if at_all else ()) + _mentions(at)
    return replace(reader(msgtype, section), mentions=mentions, at_all=at_all)


def as_app(shown: MessageView) -> MessageView:
    """What an enterprise app robot shows of the same message.

    Its API has no ``@`` and no ``hideAvatar``, and its ``msgKey`` decides the buttons' layout:
    one button is a single-button card (``sampleActionCard``), two side by side are
    ``sampleActionCard6``, the rest are stacked (``sampleActionCard2``…``5``).
    """
    orientation: Orientation = "single" if len(shown.buttons) == 1 else shown.orientation
    return replace(shown, mentions=(), at_all=False, hide_avatar=False, orientation=orientation)


# --------------------------------------------------------------------------- msgtypes


def _text(msgtype: str, section: Mapping[str, Any]) -> MessageView:
    return MessageView(msgtype, True, body=_str(section.get("content")))


def _markdown(msgtype: str, section: Mapping[str, Any]) -> MessageView:
    return MessageView(msgtype, True, title=_str(section.get("title")),
                       body=_str(section.get("text")), markdown=True)


def _link(msgtype: str, section: Mapping[str, Any]) -> MessageView:
    return MessageView(msgtype, True, title=_str(section.get("title")),
                       body=_str(section.get("text")), link_url=_str(section.get("messageUrl")),
                       picture=_str(section.get("picUrl")))


def _action_card(msgtype: str, section: Mapping[str, Any]) -> MessageView:
    single = _str(section.get("singleTitle"))
    if single:
        # DingTalk ignores btns when singleTitle and singleURL are set.
        buttons: tuple[Button, ...] = (Button(single, _str(section.get("singleURL"))),)
        orientation: Orientation = "single"
    else:
        buttons = tuple(Button(_str(b.get("title")), _str(b.get("actionURL")))
                        for b in _objects(section.get("btns")))
        orientation = "horizontal" if _str(section.get("btnOrientation")) == "1" else "vertical"
    return MessageView(msgtype, True, title=_str(section.get("title")),
                       body=_str(section.get("text")), markdown=True, buttons=buttons,
                       orientation=orientation,
                       hide_avatar=_str(section.get("hideAvatar")) == "1")


def _feed_card(msgtype: str, section: Mapping[str, Any]) -> MessageView:
    items = tuple(FeedItem(_str(i.get("title")), _str(i.get("messageURL")), _str(i.get("picURL")))
                  for i in _objects(section.get("links")))
    return MessageView(msgtype, True, feed=items)


_READERS = {
    "text": _text,
    "markdown": _markdown,
    "link": _link,
    "actionCard": _action_card,
    "feedCard": _feed_card,
}


# --------------------------------------------------------------------------- fields


def _mentions(at: Mapping[str, Any]) -> tuple[str, ...]:
    names: list[str] = []
    for key in MENTION_LISTS:
        values = at.get(key)
        if isinstance(values, list):
            names.extend(_str(name) for name in values)
    return tuple(name for name in names if name)


def _flag(value: Any) -> bool:
    # ``1 == True`` in Python; DingTalk takes a JSON boolean (and, leniently, the string "true").
    return value is True or value == "true"


def _objects(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _str(value: Any) -> str:
    """A field as text: absent, null, objects and lists read as empty."""
    if value is None or isinstance(value, (Mapping, list)):
        return ""
    return value if isinstance(value, str) else str(value)

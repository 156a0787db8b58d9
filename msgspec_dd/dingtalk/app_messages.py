"""A webhook body as an enterprise app robot's message: ``msgKey`` plus ``msgParam``.

The same message file serves both robot kinds, so each webhook ``msgtype`` maps to one of the
app API's message templates (DINGTALK.md, "msgKey → msgParam"). What the API cannot show (a
``feedCard``, ``@`` mentions, more than 5 buttons, a horizontal row of other than 2 buttons, a
``msgParam`` over 15,000 bytes) is returned as :class:`Unmappable` values, never raised: the
app-robot lint rule reports the very same values, so lint and send never disagree.
A single button (``singleTitle``, or one entry in ``btns``) has no layout, so its orientation
does not matter.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from msgspec_dd.dingtalk.message_view import MENTION_LISTS

#: DingTalk refuses a ``msgParam`` longer than this (UTF-8 bytes of the serialised string).
MAX_MSG_PARAM_BYTES = 15_000
#: The templates stop at five buttons.
MAX_BUTTONS = 5
#: The horizontal template, ``sampleActionCard6``, has exactly two buttons.
HORIZONTAL_BUTTONS = 2

#: Each ``msgKey`` we send and its ``msgParam`` fields: (required, optional).
TEMPLATES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "sampleText": (frozenset({"content"}), frozenset()),
    "sampleMarkdown": (frozenset({"title", "text"}), frozenset()),
    "sampleLink": (frozenset({"title", "text", "messageUrl"}), frozenset({"picUrl"})),
    "sampleActionCard": (frozenset({"title", "text", "singleTitle", "singleURL"}), frozenset()),
    **{
        f"sampleActionCard{n}": (
            frozenset({"title", "text"}
                      | {f"actionTitle{i}" for i in range(1, n + 1)}
                      | {f"actionURL{i}" for i in range(1, n + 1)}),
            frozenset(),
        )
        for n in range(2, MAX_BUTTONS + 1)
    },
    "sampleActionCard6": (
        frozenset({"title", "text", "buttonTitle1", "buttonUrl1", "buttonTitle2", "buttonUrl2"}),
        frozenset(),
    ),
}


Path = tuple[str | int, ...]


@dataclass(frozen=True)
class AppMessage:
    """What an app robot is sent for one message: a template and its serialised parameters."""

    msg_key: str
    msg_param: str

    @property
    def params(self) -> dict[str, Any]:
        """``msg_param`` as the object it serialises."""
        result: dict[str, Any] = json.loads(self.msg_param)
        return result


@dataclass(frozen=True)
class Unmappable:
    """A feature of the payload an app robot cannot send, and where it is in the payload."""

    reason: str
    path: Path = ()
    #: True when ``path`` names a key rather than its value (for locating it in the file).
    key: bool = False


def app_message(payload: Mapping[str, Any]) -> AppMessage | tuple[Unmappable, ...]:
    """``payload`` (a rendered webhook body) as an app robot's message, or why it cannot be."""
    found = [*_mentions(payload), *_msgtype_refusals(payload)]
    if found:
        return tuple(found)
    msg_key, params = _template(payload)
    msg_param = serialise(params)
    size = len(msg_param.encode("utf-8"))
    if size > MAX_MSG_PARAM_BYTES:
        return (Unmappable(f"the app robot's msgParam would be {size:,} bytes, over DingTalk's "
                           f"limit of {MAX_MSG_PARAM_BYTES:,} ({msg_key}); shorten the message",
                           (str(payload.get("msgtype")),), key=True),)
    return AppMessage(msg_key, msg_param)


def unmappable(payload: Mapping[str, Any]) -> tuple[Unmappable, ...]:
    """Every reason ``payload`` cannot go to an app robot (empty when it can)."""
    mapped = app_message(payload)
    return mapped if isinstance(mapped, tuple) else ()


def serialise(params: Mapping[str, Any]) -> str:
    """``msgParam`` as DingTalk wants it: a JSON object serialised to a string (compact, UTF-8)."""
    return json.dumps(params, ensure_ascii=False, separators=(",", ":"))


def send_body(message: AppMessage, *, robot_code: str, conversation: str) -> dict[str, str]:
    """The JSON body of ``POST /v1.0/robot/groupMessages/send`` for ``message``."""
    return {
        "msgKey": message.msg_key,
        "msgParam": message.msg_param,
        "openConversationId": conversation,
        "robotCode": robot_code,
    }


def has_mentions(at: Any) -> bool:
    """True when an ``at`` object mentions anyone (``isAtAll`` or a non-empty list)."""
    if not isinstance(at, Mapping):
        return False
    return at.get("isAtAll") is True or any(at.get(name) for name in MENTION_LISTS)


# -- refusals ---------------------------------------------------------------------------------


def _mentions(payload: Mapping[str, Any]) -> list[Unmappable]:
    if has_mentions(payload.get("at")):
        return [Unmappable("an app robot cannot @-mention anyone (the API has no @); remove 'at' or "
                           "send this message through a webhook robot", ("at",), key=True)]
    return []


def _msgtype_refusals(payload: Mapping[str, Any]) -> list[Unmappable]:
    msgtype = payload.get("msgtype")
    if msgtype == "feedCard":
        return [Unmappable("an app robot cannot send a feedCard (the API has no such template); send "
                           "it through a webhook robot, or use a link or actionCard",
                           ("msgtype",))]
    if msgtype not in ("text", "markdown", "link", "actionCard"):
        return [Unmappable(f"msgtype {msgtype!r} has no app robot template", ("msgtype",))]
    if msgtype == "actionCard" and not _is_single(_card(payload)):
        return _button_refusals(_card(payload))
    return []


def _button_refusals(card: Mapping[str, Any]) -> list[Unmappable]:
    count = len(_buttons(card))
    if count > MAX_BUTTONS:
        return [Unmappable(f"an app robot's action card has at most {MAX_BUTTONS} buttons, this one "
                           f"has {count}; remove some or send it through a webhook robot",
                           ("actionCard", "btns"), key=True)]
    if count > 1 and _horizontal(card) and count != HORIZONTAL_BUTTONS:
        return [Unmappable(f"an app robot lays out buttons side by side only for exactly "
                           f"{HORIZONTAL_BUTTONS} ({count} here); use btnOrientation \"0\" (vertical)",
                           ("actionCard", "btnOrientation"))]
    return []


# -- templates --------------------------------------------------------------------------------


def _template(payload: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    msgtype = payload["msgtype"]
    body = payload.get(msgtype)
    body = body if isinstance(body, Mapping) else {}
    if msgtype == "text":
        return "sampleText", {"content": body.get("content")}
    if msgtype == "markdown":
        return "sampleMarkdown", {"title": body.get("title"), "text": body.get("text")}
    if msgtype == "link":
        return "sampleLink", _link(body)
    return _action_card(body)


def _link(link: Mapping[str, Any]) -> dict[str, Any]:
    params = {"title": link.get("title"), "text": link.get("text"), "messageUrl": link.get("messageUrl")}
    if link.get("picUrl"):
        params["picUrl"] = link["picUrl"]
    return params


def _action_card(card: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"title": card.get("title"), "text": card.get("text")}
    buttons = _buttons(card)
    if _is_single(card):
        return "sampleActionCard", {**params, **_single_button(card, buttons)}
    if _horizontal(card):
        for number, button in enumerate(buttons, start=1):
            params[f"buttonTitle{number}"] = button.get("title")
            params[f"buttonUrl{number}"] = button.get("actionURL")
        return "sampleActionCard6", params
    for number, button in enumerate(buttons, start=1):
        params[f"actionTitle{number}"] = button.get("title")
        params[f"actionURL{number}"] = button.get("actionURL")
    return f"sampleActionCard{len(buttons)}", params


def _single_button(card: Mapping[str, Any], buttons: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    if "singleTitle" in card or "singleURL" in card:
        return {"singleTitle": card.get("singleTitle"), "singleURL": card.get("singleURL")}
    button = buttons[0] if buttons else {}  # no button at all is a payload-schema error
    return {"singleTitle": button.get("title"), "singleURL": button.get("actionURL")}


def _card(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    card = payload.get("actionCard")
    return card if isinstance(card, Mapping) else {}


def _buttons(card: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    buttons = card.get("btns")
    if not isinstance(buttons, Sequence) or isinstance(buttons, str):
        return []
    return [button if isinstance(button, Mapping) else {} for button in buttons]


def _is_single(card: Mapping[str, Any]) -> bool:
    """One button: ``singleTitle``/``singleURL`` (then ``btns`` is ignored) or one entry in ``btns``."""
    return "singleTitle" in card or "singleURL" in card or len(_buttons(card)) <= 1


def _horizontal(card: Mapping[str, Any]) -> bool:
    return card.get("btnOrientation") == "1"

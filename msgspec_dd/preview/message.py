"""One DingTalk message as the group shows it: avatar, robot name and a bubble or card.

A thin renderer of :class:`~msgspec_dd.dingtalk.message_view.MessageView`. Every piece of payload text is
HTML-escaped here or by :mod:`~msgspec_dd.preview.markdown_html`; URLs keep their target only for
the schemes DingTalk opens. The markup carries stable ``dd-*`` classes and
``data-testid`` attributes (``message``, ``bubble``, ``btn``, ``feed-row``, ``link-card``,
``mention``, ``chatlist-title``...) for tests and for people styling the page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from msgspec_dd.dingtalk.markdown import IMAGE_SCHEMES
from msgspec_dd.dingtalk.message_view import AT_ALL, Button, FeedItem, MessageView, as_app, view
from msgspec_dd.preview.markdown_html import highlight_mentions, render_html, safe_url

__all__ = ["AVATAR_SVG", "chat_list_summary", "render_chatlist_html", "render_message_html"]

#: The robot's avatar, drawn inline so the page loads nothing but the messages' own images.
AVATAR_SVG = (
    '<svg viewBox="0 0 36 36" aria-hidden="true" focusable="false">'
    '<circle cx="18" cy="7.5" r="1.8" fill="#fff"/>'
    '<rect x="17.2" y="8.5" width="1.6" height="4" fill="#fff"/>'
    '<rect x="9" y="12" width="18" height="14" rx="4.5" fill="#fff"/>'
    '<circle cx="14.5" cy="18.5" r="2" fill="#3296FA"/>'
    '<circle cx="21.5" cy="18.5" r="2" fill="#3296FA"/>'
    '<rect x="14.5" y="22" width="7" height="1.4" rx=".7" fill="#3296FA"/>'
    '<rect x="6.5" y="16" width="1.8" height="6" rx=".9" fill="#fff"/>'
    '<rect x="27.7" y="16" width="1.8" height="6" rx=".9" fill="#fff"/>'
    "</svg>"
)

_URL_IN_TEXT = re.compile(r"(?:https?|dingtalk)://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_LINK_ICON = (
    '<svg class="dd-link-pic dd-placeholder" data-testid="link-pic-placeholder" '
    'viewBox="0 0 52 52" aria-hidden="true"><rect width="52" height="52" rx="4" fill="#eef0f3"/>'
    '<path d="M22 30l8-8M20 26l-3 3a4 4 0 006 6l3-3M32 26l3-3a4 4 0 00-6-6l-3 3" '
    'stroke="#a2a3a4" stroke-width="2" fill="none" stroke-linecap="round"/></svg>'
)


def render_message_html(
    payload: Mapping[str, Any], *, robot_name: str = "msgspec-dd", title: str | None = None,
    app: bool = False,
) -> str:
    """One chat message (avatar, robot name, bubble) for a DingTalk robot ``payload``.

    ``title`` is an optional caption shown centred above the message, as DingTalk shows the time
    (for example ``"10:32"`` or a file name). A payload that is not a message DingTalk knows is
    shown as a notice instead of raising. ``app`` shows it as an enterprise app robot does (no
    ``@``, the button layout of its msgKey: :func:`~msgspec_dd.dingtalk.message_view.as_app`).
    """
    shown = as_app(view(payload)) if app else view(payload)
    classes = "dd-msg dd-no-avatar" if shown.hide_avatar else "dd-msg"
    avatar = (
        ""
        if shown.hide_avatar
        else f'<div class="dd-avatar" data-testid="avatar">{AVATAR_SVG}</div>'
    )
    caption = f'<div class="dd-time" data-testid="time">{_esc(title)}</div>' if title else ""
    # The notification text on hover: DingTalk shows it in the chat list, not in the bubble.
    return (
        f'{caption}<div class="{classes}" data-testid="message" '
        f'data-msgtype="{_esc(shown.msgtype)}" data-robot-kind="{"app" if app else "webhook"}" '
        f'title="{_esc(shown.chat_title)}">'
        f'{avatar}<div class="dd-msg-body">'
        f'<div class="dd-sender" data-testid="sender">{_esc(robot_name)}</div>'
        f"{_bubble(shown)}</div></div>"
    )


def render_chatlist_html(payload: Mapping[str, Any], *, robot_name: str = "msgspec-dd") -> str:
    """The row of the chat list for this message: robot name and the notification summary."""
    return (
        '<div class="dd-chatlist" data-testid="chatlist">'
        f'<div class="dd-avatar">{AVATAR_SVG}</div><div class="dd-chatlist-main">'
        f'<div class="dd-chatlist-top"><span class="dd-chatlist-name">{_esc(robot_name)}</span>'
        '<span class="dd-chatlist-time">now</span></div>'
        f'<div class="dd-chatlist-title" data-testid="chatlist-title">'
        f"{_esc(chat_list_summary(payload))}</div></div></div>"
    )


def chat_list_summary(payload: Mapping[str, Any]) -> str:
    """What the chat list and the notification show for a message.

    ``[title]`` for markdown, actionCard and link; the first title for feedCard; the content,
    on one line, for text.
    """
    return view(payload).chat_title


# --------------------------------------------------------------------------- bubbles


def _bubble(shown: MessageView) -> str:
    renderer = _RENDERERS.get(shown.msgtype)
    if renderer is None or not shown.supported:
        return (
            '<div class="dd-bubble dd-unsupported" data-testid="bubble">'
            f"[暂不支持的消息类型 / unsupported msgtype: {_esc(shown.msgtype)}]</div>"
        )
    return renderer(shown)


def _text_bubble(shown: MessageView) -> str:
    body = _plain_text_html(shown.body, shown.mentions)
    if shown.at_all and f"@{AT_ALL}" not in shown.body:
        body += f' <span class="dd-mention" data-testid="mention">@{AT_ALL}</span>'
    return f'<div class="dd-bubble dd-bubble-text" data-testid="bubble">{body}</div>'


def _markdown_bubble(shown: MessageView) -> str:
    return (
        '<div class="dd-bubble dd-bubble-markdown dd-md" data-testid="bubble">'
        f"{_markdown_html(shown)}</div>"
    )


def _link_bubble(shown: MessageView) -> str:
    pic_url = safe_url(shown.picture, IMAGE_SCHEMES)
    pic = _LINK_ICON if pic_url is None else _img("dd-link-pic", pic_url, "link-pic")
    return (
        '<div class="dd-bubble dd-card" data-testid="bubble">'
        f'<a class="dd-link-card" data-testid="link-card"{_href(shown.link_url or "")}>'
        f'<div class="dd-link-title" data-testid="link-title">{_esc(shown.title)}</div>'
        f'<div class="dd-link-row"><div class="dd-link-text" data-testid="link-text">'
        f"{_esc(shown.body)}</div>{pic}</div></a></div>"
    )


def _action_card_bubble(shown: MessageView) -> str:
    return (
        '<div class="dd-bubble dd-card" data-testid="bubble">'
        f'<div class="dd-ac-text dd-md" data-testid="ac-text">{_markdown_html(shown)}</div>'
        f"{_buttons(shown)}</div>"
    )


def _buttons(shown: MessageView) -> str:
    if not shown.buttons:
        return ""
    if shown.orientation == "single":
        [button] = shown.buttons
        return (
            '<div class="dd-btns dd-single" data-testid="btns" data-orientation="single">'
            f'<a class="dd-btn" data-testid="btn"{_href(button.url)}>'
            f'<span>{_esc(button.title)}</span><span class="dd-chevron">&#x203A;</span>'
            "</a></div>"
        )
    orientation = shown.orientation
    rendered = "".join(_button(button) for button in shown.buttons)
    return (
        f'<div class="dd-btns dd-{orientation}" data-testid="btns" '
        f'data-orientation="{orientation}">{rendered}</div>'
    )


def _button(button: Button) -> str:
    return f'<a class="dd-btn" data-testid="btn"{_href(button.url)}>{_esc(button.title)}</a>'


def _feed_card_bubble(shown: MessageView) -> str:
    if not shown.feed:
        return '<div class="dd-bubble dd-card" data-testid="bubble"></div>'
    first, rest = shown.feed[0], shown.feed[1:]
    hero = (
        f'<a class="dd-feed-hero" data-testid="feed-hero"{_href(first.url)}>'
        f"{_feed_picture('dd-feed-hero-pic', first, 'feed-hero-pic')}"
        f'<div class="dd-feed-hero-title">{_esc(first.title)}</div></a>'
    )
    rows = "".join(
        f'<a class="dd-feed-row" data-testid="feed-row"{_href(item.url)}>'
        f'<span class="dd-feed-row-title">{_esc(item.title)}</span>'
        f"{_feed_picture('dd-feed-thumb', item, 'feed-thumb')}</a>"
        for item in rest
    )
    return f'<div class="dd-bubble dd-card" data-testid="bubble">{hero}{rows}</div>'


def _feed_picture(css_class: str, item: FeedItem, testid: str) -> str:
    url = safe_url(item.picture, IMAGE_SCHEMES)
    if url is None:
        return f'<span class="{css_class} dd-placeholder" data-testid="{testid}"></span>'
    return _img(css_class, url, testid)


_RENDERERS: dict[str, Callable[[MessageView], str]] = {
    "text": _text_bubble,
    "markdown": _markdown_bubble,
    "link": _link_bubble,
    "actionCard": _action_card_bubble,
    "feedCard": _feed_card_bubble,
}


# --------------------------------------------------------------------------- pieces


def _markdown_html(shown: MessageView) -> str:
    rendered = render_html(shown.body, mentions=shown.mentions)
    if shown.at_all and f"@{AT_ALL}" not in shown.body:
        rendered += (
            '<p class="dd-atall"><span class="dd-mention" data-testid="mention">'
            f"@{AT_ALL}</span></p>"
        )
    return rendered


def _plain_text_html(content: str, mentions: Sequence[str]) -> str:
    """Text as DingTalk shows a text message: escaped, URLs clickable, mentions highlighted."""
    parts: list[str] = []
    last = 0
    for match in _URL_IN_TEXT.finditer(content):
        parts.append(highlight_mentions(_esc(content[last : match.start()]), mentions))
        url = match.group(0)
        parts.append(
            f'<a class="dd-link" href="{_esc(url)}" rel="noopener noreferrer">{_esc(url)}</a>'
        )
        last = match.end()
    parts.append(highlight_mentions(_esc(content[last:]), mentions))
    return "".join(parts)


def _img(css_class: str, url: str, testid: str) -> str:
    return (
        f'<img class="{css_class}" data-testid="{testid}" src="{_esc(url)}" alt="" '
        'referrerpolicy="no-referrer">'
    )


def _href(url: str) -> str:
    """An ``href`` attribute for a URL DingTalk opens, or a blocked-link marker."""
    safe = safe_url(url)
    if safe is None:
        return f' title="{_esc(url)}" data-blocked="true"'
    return f' href="{_esc(safe)}" rel="noopener noreferrer"'


def _esc(value: str | None) -> str:
    return html.escape(value or "")

"""The one description of what the group sees, and that its three renderers agree on it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msgspec_dd.action.summary import message_markdown
from msgspec_dd.dingtalk.message_view import AT_ALL, UNSUPPORTED_TITLE, Button, FeedItem, MessageView, view
from msgspec_dd.dingtalk.plain_text import text_view
from msgspec_dd.preview.message import render_message_html


def _payload(msgtype: str, at: dict[str, Any] | None = None, **section: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"msgtype": msgtype, msgtype: section}
    if at is not None:
        payload["at"] = at
    return payload


# --------------------------------------------------------------------------- msgtypes


def test_text() -> None:
    assert view(_payload("text", content="hi\nthere")) == MessageView(
        "text", True, body="hi\nthere")


def test_markdown() -> None:
    assert view(_payload("markdown", title="天气", text="#### 杭州\n")) == MessageView(
        "markdown", True, title="天气", body="#### 杭州\n", markdown=True)


def test_link() -> None:
    shown = view(_payload("link", title="t", text="x", messageUrl="https://a.test/",
                          picUrl="https://p.test/p.png"))
    assert shown == MessageView("link", True, title="t", body="x", link_url="https://a.test/",
                                picture="https://p.test/p.png")


def test_link_without_picture() -> None:
    assert view(_payload("link", title="t", text="x", messageUrl="https://a.test/")).picture == ""


@pytest.mark.parametrize(("orientation", "expected"),
                         [("0", "vertical"), ("1", "horizontal"), (None, "vertical"),
                          (1, "horizontal")])
def test_action_card_buttons_and_orientation(orientation: Any, expected: str) -> None:
    btns = [{"title": "好", "actionURL": "https://a.test/"}, "not a button",
            {"title": "不好", "actionURL": "https://b.test/"}]
    shown = view(_payload("actionCard", title="T", text="正文", btns=btns,
                          btnOrientation=orientation))
    assert shown.buttons == (Button("好", "https://a.test/"), Button("不好", "https://b.test/"))
    assert (shown.orientation, shown.markdown, shown.hide_avatar) == (expected, True, False)


def test_single_title_wins_over_btns() -> None:
    shown = view(_payload("actionCard", title="T", text="x", singleTitle="阅读全文",
                          singleURL="https://c.test/", btnOrientation="1", hideAvatar="1",
                          btns=[{"title": "b", "actionURL": "https://b.test/"}]))
    assert shown.buttons == (Button("阅读全文", "https://c.test/"),)
    assert (shown.orientation, shown.hide_avatar) == ("single", True)


def test_an_empty_single_title_leaves_the_btns() -> None:
    shown = view(_payload("actionCard", title="T", text="x", singleTitle="",
                          btns=[{"title": "b", "actionURL": "https://b.test/"}]))
    assert (shown.buttons, shown.orientation) == ((Button("b", "https://b.test/"),), "vertical")


def test_feed_card() -> None:
    links = [{"title": "一", "messageURL": "https://1.test/", "picURL": "https://p.test/1"},
             {"title": "二", "messageURL": "https://2.test/"}]
    assert view(_payload("feedCard", links=links)).feed == (
        FeedItem("一", "https://1.test/", "https://p.test/1"), FeedItem("二", "https://2.test/", ""))


@pytest.mark.parametrize("payload", [{}, {"msgtype": "image", "image": {}},
                                     {"msgtype": "text", "text": "not an object"},
                                     {"msgtype": ["text"]}])
def test_what_dingtalk_cannot_show_is_unsupported(payload: dict[str, Any]) -> None:
    shown = view(payload)
    assert not shown.supported
    assert shown.chat_title == UNSUPPORTED_TITLE


def test_mistyped_fields_read_as_empty() -> None:
    shown = view(_payload("link", title=None, text=["x"], messageUrl={"a": 1}, picUrl=7))
    assert (shown.title, shown.body, shown.link_url, shown.picture) == ("", "", "", "7")


# --------------------------------------------------------------------------- mentions


def test_mentions_everyone_first_then_mobiles_user_ids_and_legacy_ids() -> None:
    at = {"atDingtalkIds": ["d1"], "atUserIds": ["u1", ""], "atMobiles": ["138"], "isAtAll": True}
    shown = view(_payload("text", at=at, content="hi"))
    assert shown.mentions == (AT_ALL, "138", "u1", "d1")
    assert shown.at_all


@pytest.mark.parametrize(("value", "at_all"), [(True, True), ("true", True), (1, False),
                                               (False, False), ("false", False)])
def test_is_at_all_is_a_boolean(value: Any, at_all: bool) -> None:
    assert view(_payload("markdown", at={"isAtAll": value}, title="t", text="x")).at_all is at_all


def test_mention_lists_must_be_lists() -> None:
    assert view(_payload("text", at={"atMobiles": "138"}, content="x")).mentions == ()


@pytest.mark.parametrize("msgtype", ["link", "feedCard"])
def test_at_mentions_no_one_in_link_and_feed_card(msgtype: str) -> None:
    shown = view(_payload(msgtype, at={"atMobiles": ["138"], "isAtAll": True}, title="t",
                          text="x", messageUrl="https://a.test/", links=[]))
    assert (shown.mentions, shown.at_all) == ((), False)


# --------------------------------------------------------------------------- chat list


@pytest.mark.parametrize(
    ("payload", "title"),
    [
        (_payload("text", content="  站会\n 10:00  开始 "), "站会 10:00 开始"),
        (_payload("markdown", title="天气", text="x"), "[天气]"),
        (_payload("link", title="新版本", text="x", messageUrl="https://a.test/"), "[新版本]"),
        (_payload("actionCard", title="投票", text="x", singleTitle="s", singleURL="https://s/"),
         "[投票]"),
        (_payload("feedCard", links=[{"title": "一", "messageURL": "https://1/"}]), "一"),
        (_payload("feedCard", links=[]), ""),
    ],
)
def test_chat_title(payload: dict[str, Any], title: str) -> None:
    assert view(payload).chat_title == title


# --------------------------------------------------------------------------- the renderers agree

CARD = _payload(
    "actionCard",
    at={"atMobiles": ["13800000000"], "isAtAll": True},
    title="发布审批",
    text="请 @13800000000 审批",
    singleTitle="去审批",
    singleURL="https://example.com/ok",
    btns=[{"title": "被忽略", "actionURL": "https://example.com/ignored"}],
)


def test_renderers_show_the_same_buttons() -> None:
    html_text, summary, plain = render_message_html(CARD), message_markdown(CARD), text_view(CARD)
    for output in (html_text, summary, plain):
        assert "去审批" in output
        assert "被忽略" not in output


def test_renderers_show_the_same_mentions() -> None:
    html_text = render_message_html(CARD)
    assert re.findall(r'data-testid="mention">@([^<]*)<', html_text) == ["13800000000", AT_ALL]
    assert "*mentions: \\@所有人 \\@13800000000*" in message_markdown(CARD)
    assert "(mentions: @所有人 @13800000000)" in text_view(CARD)


def test_no_renderer_shows_mentions_on_a_link() -> None:
    link = _payload("link", at={"atMobiles": ["13800000000"], "isAtAll": True}, title="t",
                    text="x", messageUrl="https://a.test/")
    assert "mention" not in render_message_html(link)
    assert "mentions" not in message_markdown(link)
    assert "mentions" not in text_view(link)


_ANY = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["title", "text", "content", "btns", "links", "singleTitle", "messageURL",
                         "atMobiles", "isAtAll", "picUrl", "actionURL", "btnOrientation"]),
        inner, max_size=4),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["text", "markdown", "link", "actionCard", "feedCard", "image"]), _ANY, _ANY)
def test_any_body_gives_a_view_and_every_renderer_renders_it(msgtype: str, section: Any,
                                                             at: Any) -> None:
    payload = {"msgtype": msgtype, msgtype: section, "at": at}
    shown = view(payload)
    assert shown.supported == (msgtype != "image" and isinstance(section, dict))
    assert isinstance(shown.chat_title, str)
    for output in (text_view(payload), message_markdown(payload), render_message_html(payload)):
        assert isinstance(output, str) and output

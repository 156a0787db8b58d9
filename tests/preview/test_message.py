"""The preview HTML: each msgtype's parts are there, and payload text is always escaped.

``samples()`` is also what the browser tests load and screenshot.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msgspec_dd.preview import (
    PreviewItem,
    chat_list_summary,
    render_chatlist_html,
    render_message_html,
    render_page,
)

XSS = "<script>alert('xss')</script>"

WEATHER = (
    "#### 杭州天气 @150XXXXXXXX \n\n> 9度，西北风1级，空气良89，相对温度73%\n\n"
    "> ![screenshot]({img}/weather.png)\n\n"
    "> ###### 10点20分发布 [天气](https://www.dingtalk.com) \n"
)
REPORT = (
    "## 周报 · 第 48 周\n\n**完成** 3 项，*进行中* 2 项，<font color=#FF0000>阻塞 1 项</font>\n\n"
    "- 发布 v1.2\n- 修复登录问题\n\n1. 评审\n2. 上线\n\n"
    "| 项目 | 状态 |\n|---|---|\n| A | 完成 |\n\n"
    "负责人 @13800000000，详情见 [看板](https://example.com/board)\n"
)


def samples(img: str = "https://img.example.com") -> list[PreviewItem]:
    """One item of every msgtype and layout; ``img`` is where their pictures live."""
    return [
        PreviewItem(
            "messages/standup.yaml",
            {
                "msgtype": "text",
                "text": {
                    "content": "早上好！站会 10:00 开始 @13800000000\n"
                    "议程见 https://example.com/agenda?day=1&x=2"
                },
                "at": {"atMobiles": ["13800000000"], "isAtAll": True},
            },
        ),
        PreviewItem(
            "messages/weather.yaml",
            {
                "msgtype": "markdown",
                "markdown": {"title": "杭州天气", "text": WEATHER.format(img=img)},
            },
            robot="ops",
        ),
        PreviewItem(
            "messages/weekly.yaml",
            {
                "msgtype": "markdown",
                "markdown": {"title": "周报", "text": REPORT},
                "at": {"atMobiles": ["13800000000"]},
            },
            problems=("messages/weekly.yaml:9:1: warning: DingTalk shows tables as plain text",),
        ),
        PreviewItem(
            "messages/release.yaml",
            {
                "msgtype": "link",
                "link": {
                    "title": "时代的火车向前开",
                    "text": "这个即将发布的新版本，创始人xx称它为红树林。而在此之前，每当面临重大升级，"
                    "产品经理们都会取一个应景的代号，这一次，为什么是红树林",
                    "picUrl": f"{img}/link.png",
                    "messageUrl": "https://www.dingtalk.com/s?__biz=MzA4NjMwMTA2Ng==",
                },
            },
        ),
        PreviewItem(
            "messages/single.yaml",
            {
                "msgtype": "actionCard",
                "actionCard": {
                    "title": "乔布斯 20 年前想打造一间苹果咖啡厅",
                    "text": f"![screenshot]({img}/card.png)\n\n### 乔布斯 20 年前想打造的苹果咖啡厅"
                    "\n\nApple Store 的设计正从原来满满的科技感走向生活化",
                    "btnOrientation": "0",
                    "singleTitle": "阅读全文",
                    "singleURL": "https://www.dingtalk.com/",
                },
            },
        ),
        PreviewItem(
            "messages/vote.yaml",
            {
                "msgtype": "actionCard",
                "actionCard": {
                    "title": "投票",
                    "text": "### 周五团建去哪儿？\n\n请在周四前选择",
                    "btnOrientation": "0",
                    "btns": [
                        {"title": "爬山", "actionURL": "https://example.com/vote?a=1"},
                        {"title": "桌游", "actionURL": "https://example.com/vote?a=2"},
                        {"title": "都行", "actionURL": "https://example.com/vote?a=3"},
                    ],
                },
            },
        ),
        PreviewItem(
            "messages/approve.yaml",
            {
                "msgtype": "actionCard",
                "actionCard": {
                    "title": "发布审批",
                    "text": "#### v1.2 发布审批\n\n> 变更 12 项，风险低",
                    "btnOrientation": "1",
                    "hideAvatar": "1",
                    "btns": [
                        {"title": "同意", "actionURL": "https://example.com/ok"},
                        {"title": "拒绝", "actionURL": "https://example.com/no"},
                    ],
                },
            },
        ),
        PreviewItem(
            "messages/digest.yaml",
            {
                "msgtype": "feedCard",
                "feedCard": {
                    "links": [
                        {
                            "title": "时代的火车向前开1",
                            "messageURL": "https://www.dingtalk.com/1",
                            "picURL": f"{img}/feed1.png",
                        },
                        {
                            "title": "时代的火车向前开2",
                            "messageURL": "https://www.dingtalk.com/2",
                            "picURL": f"{img}/feed2.png",
                        },
                        {
                            "title": "时代的火车向前开3：一个很长很长的标题，长到需要换行才能显示完整的程度",
                            "messageURL": "https://www.dingtalk.com/3",
                            "picURL": f"{img}/feed3.png",
                        },
                    ]
                },
            },
        ),
        PreviewItem(
            f"messages/{XSS}.yaml",
            {
                "msgtype": "markdown",
                "markdown": {
                    "title": XSS,
                    "text": f"# {XSS}\n\n<img src=x onerror=alert(1)> [click](javascript:alert(1))"
                    f' <font color="red" onmouseover="alert(1)">red</font>\n\n'
                    '![x](javascript:alert(1)) <a href="javascript:alert(1)">a</a>',
                },
            },
            robot=XSS,
            problems=(XSS,),
        ),
        PreviewItem("messages/xss-text.yaml", {"msgtype": "text", "text": {"content": XSS}}),
    ]


def _payload(msgtype: str, **section: Any) -> dict[str, Any]:
    return {"msgtype": msgtype, msgtype: section}


class _Tags(HTMLParser):
    """Collects (tag, attrs) of every element, to check what the HTML really contains."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html_text: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html_text)
    return parser.tags


def ids_of(html_text: str) -> list[str]:
    return [str(attrs["data-testid"]) for _, attrs in tags(html_text) if "data-testid" in attrs]


# --------------------------------------------------------------------------- msgtypes


def test_text_is_escaped_with_line_breaks_kept_and_urls_clickable() -> None:
    html_text = render_message_html(
        _payload("text", content="a < b\nsee https://x.example/?a=1&b=2")
    )
    assert "a &lt; b\nsee " in html_text
    assert '<a class="dd-link" href="https://x.example/?a=1&amp;b=2"' in html_text
    assert "dd-bubble-text" in html_text


def test_text_mentions_are_highlighted_only_for_people_in_at() -> None:
    payload = _payload("text", content="@13800000000 @13900000000 hi")
    payload["at"] = {"atMobiles": ["13800000000"], "atUserIds": ["u1"]}
    html_text = render_message_html(payload)
    assert re.findall(r'data-testid="mention">([^<]*)<', html_text) == ["@13800000000"]


def test_is_at_all_shows_at_everyone() -> None:
    payload = _payload("text", content="hello")
    payload["at"] = {"isAtAll": True}
    assert re.findall(r'data-testid="mention">([^<]*)<', render_message_html(payload)) == [
        "@所有人"
    ]
    payload = _payload("markdown", title="t", text="hello @所有人")
    payload["at"] = {"isAtAll": True}
    assert re.findall(r'data-testid="mention">([^<]*)<', render_message_html(payload)) == [
        "@所有人"
    ]


def test_markdown_renders_the_dingtalk_subset_and_not_the_title() -> None:
    html_text = render_message_html(samples()[2].payload)
    names = [tag for tag, _ in tags(html_text)]
    for tag in ("h2", "strong", "em", "font", "ul", "ol", "a"):
        assert tag in names
    assert "table" not in names
    assert "| 项目 | 状态 |" in html_text
    assert ">周报<" not in html_text  # the title is for the chat list only


def test_link_card_has_title_text_and_picture() -> None:
    html_text = render_message_html(samples()[3].payload)
    ids = ids_of(html_text)
    for part in ("link-card", "link-title", "link-text", "link-pic"):
        assert part in ids
    card = next(attrs for _, attrs in tags(html_text) if attrs.get("data-testid") == "link-card")
    assert card["href"] == "https://www.dingtalk.com/s?__biz=MzA4NjMwMTA2Ng=="


def test_link_without_picture_shows_a_placeholder() -> None:
    html_text = render_message_html(_payload("link", title="t", text="x", messageUrl="https://a"))
    assert "link-pic-placeholder" in ids_of(html_text)
    assert "<img" not in html_text


def test_action_card_single_button() -> None:
    html_text = render_message_html(samples()[4].payload)
    assert ids_of(html_text).count("btn") == 1
    assert 'data-orientation="single"' in html_text
    assert "阅读全文" in html_text
    assert 'data-testid="avatar"' in html_text


def test_action_card_single_title_wins_over_btns() -> None:
    payload = _payload(
        "actionCard",
        title="t",
        text="x",
        singleTitle="one",
        singleURL="https://a",
        btns=[{"title": "b1", "actionURL": "https://b"}, {"title": "b2", "actionURL": "https://c"}],
    )
    assert ids_of(render_message_html(payload)).count("btn") == 1


@pytest.mark.parametrize(("orientation", "expected"), [("0", "vertical"), ("1", "horizontal")])
def test_action_card_buttons_orientation(orientation: str, expected: str) -> None:
    payload = _payload(
        "actionCard",
        title="t",
        text="x",
        btnOrientation=orientation,
        btns=[{"title": "b1", "actionURL": "https://b"}, {"title": "b2", "actionURL": "https://c"}],
    )
    html_text = render_message_html(payload)
    assert ids_of(html_text).count("btn") == 2
    assert f'data-orientation="{expected}"' in html_text


def test_hide_avatar_hides_the_avatar() -> None:
    html_text = render_message_html(samples()[6].payload)
    assert 'data-testid="avatar"' not in html_text
    assert "dd-no-avatar" in html_text


def test_feed_card_first_item_is_large_and_the_rest_are_rows() -> None:
    html_text = render_message_html(samples()[7].payload)
    ids = ids_of(html_text)
    assert ids.count("feed-hero") == 1
    assert ids.count("feed-hero-pic") == 1
    assert ids.count("feed-row") == 2
    assert ids.count("feed-thumb") == 2


def test_unknown_msgtype_is_a_notice_not_an_error() -> None:
    for payload in ({"msgtype": "image"}, {}, {"msgtype": "text", "text": "not an object"}):
        assert 'data-testid="bubble"' in render_message_html(payload)


def test_caption_and_robot_name() -> None:
    html_text = render_message_html(_payload("text", content="x"), robot_name="运维", title="10:32")
    assert '<div class="dd-time" data-testid="time">10:32</div>' in html_text
    assert '<div class="dd-sender" data-testid="sender">运维</div>' in html_text


# --------------------------------------------------------------------------- chat list


@pytest.mark.parametrize(
    ("index", "summary"),
    [
        (0, "早上好！站会 10:00 开始 @13800000000 议程见 https://example.com/agenda?day=1&x=2"),
        (1, "[杭州天气]"),
        (3, "[时代的火车向前开]"),
        (4, "[乔布斯 20 年前想打造一间苹果咖啡厅]"),
        (7, "时代的火车向前开1"),
    ],
)
def test_chat_list_summary(index: int, summary: str) -> None:
    payload = samples()[index].payload
    assert chat_list_summary(payload) == summary
    assert "chatlist-title" in ids_of(render_chatlist_html(payload))


# --------------------------------------------------------------------------- the page


def test_page_is_labelled_self_contained_and_scriptless() -> None:
    page = render_page(samples())
    assert "Preview — an approximation of the DingTalk client" in page
    assert "预览 — 近似钉钉客户端显示" in page
    assert page.startswith("<!DOCTYPE html>")
    elements = tags(page)
    assert not [
        tag for tag, _ in elements if tag in ("script", "iframe", "object", "embed", "link")
    ]
    csp = next(a for tag, a in elements if a.get("http-equiv") == "Content-Security-Policy")
    assert str(csp["content"]).startswith("default-src 'none'; img-src https: http:;")
    assert ids_of(page).count("item") == len(samples())
    for _, attrs in elements:
        for name, value in attrs.items():
            assert not name.startswith("on"), (name, value)
            if name in ("href", "src"):
                assert str(value).startswith(("https://", "http://")), value


def test_page_shows_problems_and_robot() -> None:
    page = render_page(samples()[2:3])
    assert 'data-testid="problems"' in page
    assert "DingTalk shows tables as plain text" in page
    assert "robot: default" in page


def test_every_payload_string_is_escaped() -> None:
    page = render_page(samples())
    assert "<script" not in page
    assert "&lt;script&gt;" in page
    for tag, attrs in tags(page):
        assert tag not in ("script", "img") or attrs.get("onerror") is None
        for name, value in attrs.items():
            assert name == "title" or "javascript:" not in str(value), (tag, name, value)


def test_page_uses_dingtalk_colours_and_chinese_fonts() -> None:
    page = render_page([])
    for expected in ("#3296fa", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC"):
        assert expected in page


# --------------------------------------------------------------------------- robustness

_FIELDS = [
    "content",
    "title",
    "text",
    "messageUrl",
    "picUrl",
    "singleTitle",
    "singleURL",
    "btnOrientation",
    "hideAvatar",
    "btns",
    "links",
    "actionURL",
    "messageURL",
    "picURL",
]
_NASTY = st.sampled_from(
    [
        XSS,
        '"><img src=x onerror=alert(1)>',
        "javascript:alert(1)",
        "https://ok.example/a",
        "<font color=red onclick=x>",
        "@所有人",
        "1",
        "0",
        "[x](javascript:alert(1))",
    ]
)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30) | _NASTY,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_FIELDS), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["text", "markdown", "link", "actionCard", "feedCard", "image", ""]),
    st.dictionaries(st.sampled_from(_FIELDS), _VALUES, max_size=6),
    st.dictionaries(st.sampled_from(["atMobiles", "atUserIds", "isAtAll"]), _VALUES, max_size=3),
)
def test_any_payload_renders_safely(
    msgtype: str, section: dict[str, Any], at: dict[str, Any]
) -> None:
    payload = {"msgtype": msgtype, msgtype: section, "at": at}
    rendered = render_message_html(payload) + render_chatlist_html(payload)
    for tag, attrs in tags(rendered):
        assert tag not in ("script", "iframe", "object", "embed")
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            if name in ("href", "src"):
                assert str(value).startswith(("https://", "http://", "dingtalk://")), value

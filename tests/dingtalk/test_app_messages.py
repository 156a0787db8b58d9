"""Each webhook msgtype as an app robot's msgKey and msgParam, field by field (DINGTALK.md's
table), and what cannot be mapped reported as values."""

from __future__ import annotations

import json
from typing import Any

import pytest

from msgspec_dd.dingtalk.app_messages import (
    MAX_MSG_PARAM_BYTES,
    TEMPLATES,
    AppMessage,
    Unmappable,
    app_message,
    send_body,
)

URL = "https://example.com/a"


def mapped(payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    message = app_message(payload)
    assert isinstance(message, AppMessage), message
    required, optional = TEMPLATES[message.msg_key]
    assert required <= set(message.params) <= required | optional
    return message.msg_key, message.params


def refused(payload: dict[str, Any]) -> tuple[Unmappable, ...]:
    result = app_message(payload)
    assert isinstance(result, tuple) and result
    return result


def buttons(count: int) -> list[dict[str, str]]:
    return [{"title": f"b{n}", "actionURL": f"{URL}/{n}"} for n in range(1, count + 1)]


def test_text() -> None:
    assert mapped({"msgtype": "text", "text": {"content": "你好"}}) == ("sampleText", {"content": "你好"})


def test_markdown() -> None:
    payload = {"msgtype": "markdown", "markdown": {"title": "T", "text": "# x"}}
    assert mapped(payload) == ("sampleMarkdown", {"title": "T", "text": "# x"})


def test_link_renames_nothing_and_keeps_the_picture_when_given() -> None:
    link = {"title": "T", "text": "x", "messageUrl": URL, "picUrl": URL + ".png"}
    assert mapped({"msgtype": "link", "link": link}) == ("sampleLink", link)
    del link["picUrl"]
    assert mapped({"msgtype": "link", "link": link}) == ("sampleLink", link)


def test_single_button_action_card() -> None:
    card = {"title": "T", "text": "x", "singleTitle": "go", "singleURL": URL, "btnOrientation": "1"}
    assert mapped({"msgtype": "actionCard", "actionCard": card}) == (
        "sampleActionCard", {"title": "T", "text": "x", "singleTitle": "go", "singleURL": URL})


def test_one_button_in_btns_is_the_single_button_template() -> None:
    card = {"title": "T", "text": "x", "btns": buttons(1), "btnOrientation": "1"}
    assert mapped({"msgtype": "actionCard", "actionCard": card}) == (
        "sampleActionCard", {"title": "T", "text": "x", "singleTitle": "b1", "singleURL": URL + "/1"})


@pytest.mark.parametrize("count", [2, 3, 4, 5])
def test_vertical_buttons_use_sample_action_card_n(count: int) -> None:
    card = {"title": "T", "text": "x", "btns": buttons(count), "hideAvatar": "1"}
    key, params = mapped({"msgtype": "actionCard", "actionCard": card})
    assert key == f"sampleActionCard{count}"
    expected = {"title": "T", "text": "x"}
    for n in range(1, count + 1):
        expected |= {f"actionTitle{n}": f"b{n}", f"actionURL{n}": f"{URL}/{n}"}
    assert params == expected


def test_two_horizontal_buttons_use_sample_action_card_6_with_its_url_spelling() -> None:
    card = {"title": "T", "text": "x", "btns": buttons(2), "btnOrientation": "1"}
    assert mapped({"msgtype": "actionCard", "actionCard": card}) == ("sampleActionCard6", {
        "title": "T", "text": "x", "buttonTitle1": "b1", "buttonUrl1": URL + "/1",
        "buttonTitle2": "b2", "buttonUrl2": URL + "/2"})


def test_msg_param_is_a_compact_utf8_json_string_and_the_send_body_names_the_group() -> None:
    message = app_message({"msgtype": "text", "text": {"content": "你好"}})
    assert isinstance(message, AppMessage)
    assert message.msg_param == '{"content":"你好"}'
    assert send_body(message, robot_code="dingabc", conversation="cid==") == {
        "msgKey": "sampleText", "msgParam": '{"content":"你好"}',
        "openConversationId": "cid==", "robotCode": "dingabc"}


def test_a_feed_card_is_refused() -> None:
    links = [{"title": "t", "messageURL": URL, "picURL": URL}]
    (problem,) = refused({"msgtype": "feedCard", "feedCard": {"links": links}})
    assert problem.path == ("msgtype",) and "feedCard" in problem.reason


@pytest.mark.parametrize("at", [{"isAtAll": True}, {"atMobiles": ["13800000000"]}, {"atUserIds": ["u"]},
                                {"atDingtalkIds": ["d"]}])
def test_mentions_are_refused(at: dict[str, Any]) -> None:
    (problem,) = refused({"msgtype": "text", "text": {"content": "x"}, "at": at})
    assert (problem.path, problem.key) == (("at",), True) and "@" in problem.reason


def test_an_at_that_mentions_nobody_maps() -> None:
    payload = {"msgtype": "text", "text": {"content": "x"}, "at": {"isAtAll": False, "atMobiles": []}}
    assert mapped(payload) == ("sampleText", {"content": "x"})


def test_more_than_five_buttons_are_refused() -> None:
    (problem,) = refused({"msgtype": "actionCard", "actionCard": {"title": "T", "text": "x",
                                                                 "btns": buttons(6)}})
    assert problem.path == ("actionCard", "btns") and "at most 5 buttons, this one has 6" in problem.reason


@pytest.mark.parametrize("count", [3, 4, 5])
def test_horizontal_buttons_other_than_two_are_refused(count: int) -> None:
    card = {"title": "T", "text": "x", "btns": buttons(count), "btnOrientation": "1"}
    (problem,) = refused({"msgtype": "actionCard", "actionCard": card})
    assert problem.path == ("actionCard", "btnOrientation") and f"({count} here)" in problem.reason


def test_a_msg_param_over_15000_bytes_is_refused_and_exactly_15000_maps() -> None:
    overhead = len(json.dumps({"content": ""}))
    fits = {"msgtype": "text", "text": {"content": "x" * (MAX_MSG_PARAM_BYTES - overhead)}}
    assert mapped(fits)[0] == "sampleText"
    wide = {"msgtype": "text", "text": {"content": "字" * 5000}}  # 15,000 bytes of text alone
    (problem,) = refused(wide)
    assert "15,014 bytes" in problem.reason and problem.path == ("text",)


def test_broken_payloads_never_raise() -> None:
    for payload in ({"msgtype": "actionCard"}, {"msgtype": "actionCard", "actionCard": {"btns": "x"}},
                    {"msgtype": "link", "link": []}, {"msgtype": "image"}, {}):
        app_message(payload)

"""``render --format text``: each msgtype as plain text, exactly."""

from __future__ import annotations

from typing import Any

from msgspec_dd.dingtalk.plain_text import text_view


def _payload(msgtype: str, at: dict[str, Any] | None = None, **section: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"msgtype": msgtype, msgtype: section}
    if at is not None:
        payload["at"] = at
    return payload


def test_text_with_mentions() -> None:
    payload = _payload("text", at={"atMobiles": ["138"], "isAtAll": True}, content="请 @138 看\n")
    assert text_view(payload) == "请 @138 看\n\n(mentions: @所有人 @138)\n"


def test_markdown_shows_title_then_text() -> None:
    payload = _payload("markdown", at={"atUserIds": ["u1"]}, title="天气", text="#### 杭州\n\n> 9度\n")
    assert text_view(payload) == "[天气]\n#### 杭州\n\n> 9度\n\n(mentions: @u1)\n"


def test_link_shows_target_and_picture_but_no_mentions() -> None:
    payload = _payload("link", at={"atMobiles": ["138"]}, title="新版本", text="红树林",
                       messageUrl="https://x.test/", picUrl="https://img.test/p.png")
    assert text_view(payload) == ("[新版本]\n红树林\n-> https://x.test/\n"
                                  "(image: https://img.test/p.png)\n")


def test_action_card_lists_its_buttons() -> None:
    card = _payload("actionCard", title="T", text="正文\n", btnOrientation="1",
                    btns=[{"title": "好", "actionURL": "https://a.test/"},
                          {"title": "不好", "actionURL": "https://b.test/"}])
    assert text_view(card) == "[T]\n正文\n\n[ 好 ] -> https://a.test/\n[ 不好 ] -> https://b.test/\n"


def test_action_card_single_button_wins() -> None:
    card = _payload("actionCard", title="T", text="正文", singleTitle="阅读全文",
                    singleURL="https://c.test/", btns=[{"title": "x", "actionURL": "https://x/"}])
    assert text_view(card) == "[T]\n正文\n\n[ 阅读全文 ] -> https://c.test/\n"


def test_feed_card_one_line_per_item() -> None:
    feed = _payload("feedCard", links=[{"title": "一", "messageURL": "https://1.test/"},
                                       {"title": "二", "messageURL": "https://2.test/"}])
    assert text_view(feed) == "- 一 -> https://1.test/\n- 二 -> https://2.test/\n"


def test_unsupported_msgtype() -> None:
    assert text_view({"msgtype": "image", "image": {}}) == "[unsupported msgtype: image]\n"
    assert text_view({}) == "[unsupported msgtype: (none)]\n"

"""The job summary's markdown: messages as the group sees them, tables, the JSON body."""

from __future__ import annotations

import json

from msgspec_dd.action.summary import (
    Shown,
    cell,
    json_details,
    link,
    log_block,
    message_markdown,
    message_section,
    plain,
    plain_lines,
    problems_table,
    results_table,
)
from msgspec_dd.problems import Level, Problem


def test_plain_text_shows_literally() -> None:
    assert plain("*bold* _x_ <b>&amp; [a](b) `c` | #1 @all ~s~") == (
        "\\*bold\\* \\_x\\_ \\<b\\>\\&amp; \\[a\\]\\(b\\) \\`c\\` \\| \\#1 \\@all \\~s\\~")
    assert plain("1. not a list") == "1\\. not a list"
    assert plain("- not a list") == "\\- not a list"
    assert plain("see https://example.com/a.b") == "see https://example.com/a.b"


def test_plain_lines_keep_breaks_and_indentation() -> None:
    assert plain_lines("one\ntwo\n\n  three\n") == ["one\\", "two", "", "&nbsp;&nbsp;three"]


def test_cells_and_links_stay_in_one_piece() -> None:
    assert cell("a |\n b") == "a \\| b"
    assert link("下载 (PDF)", "https://x.test/a b>(1)") == "[下载 \\(PDF\\)](<https://x.test/ab%3E(1)>)"
    assert link("", "https://x.test/") == "[https://x.test/](<https://x.test/>)"


def test_text_message() -> None:
    payload = {"msgtype": "text", "text": {"content": "请 @张三 看 *报告*\n下午三点"},
               "at": {"atUserIds": ["zhangsan"], "isAtAll": True}}
    assert message_markdown(payload) == (
        "> 请 \\@张三 看 \\*报告\\*\\\n> 下午三点\n>\n> *mentions: \\@所有人 \\@zhangsan*\n")


def test_markdown_message_passes_through_in_a_quote() -> None:
    payload = {"msgtype": "markdown", "markdown": {"title": "天气", "text": "#### 杭州\n\n> 9度\n"}}
    assert message_markdown(payload) == "> **天气**\n>\n> #### 杭州\n>\n> > 9度\n"


def test_link_message() -> None:
    payload = {"msgtype": "link", "link": {"title": "新版本", "text": "红树林", "picUrl":
               "https://img.test/p.png", "messageUrl": "https://x.test/"}}
    assert message_markdown(payload) == (
        "> **[新版本](<https://x.test/>)**\n>\n"
        '> <img src="https://img.test/p.png" alt="" height="64">\n>\n> 红树林\n')


def test_at_on_a_link_mentions_no_one() -> None:
    # DingTalk ignores at on link and feedCard; the preview and the text view show none either.
    payload = {"msgtype": "link", "link": {"title": "t", "text": "x", "messageUrl": "https://x.test/"},
               "at": {"atMobiles": ["138"], "isAtAll": True}}
    assert message_markdown(payload) == "> **[t](<https://x.test/>)**\n>\n> x\n"


def test_action_card_buttons() -> None:
    card = {"title": "T", "text": "正文", "btnOrientation": "1",
            "btns": [{"title": "好", "actionURL": "https://a.test/"},
                     {"title": "不好", "actionURL": "https://b.test/"}]}
    assert message_markdown({"msgtype": "actionCard", "actionCard": card}) == (
        "> **T**\n>\n> 正文\n>\n"
        "> **[好](<https://a.test/>)** · **[不好](<https://b.test/>)**\n")
    single = {"title": "T", "text": "正文", "singleTitle": "阅读全文", "singleURL": "https://c.test/"}
    assert message_markdown({"msgtype": "actionCard", "actionCard": single}).endswith(
        "> **[阅读全文](<https://c.test/>)**\n")


def test_feed_card_links() -> None:
    feed = {"links": [{"title": "一", "messageURL": "https://1.test/", "picURL": "https://p.test/1"},
                      {"title": "二", "messageURL": "https://2.test/"}]}
    assert message_markdown({"msgtype": "feedCard", "feedCard": feed}) == (
        '> - <img src="https://p.test/1" alt="" height="40"> [一](<https://1.test/>)\n'
        "> - [二](<https://2.test/>)\n")


def test_unknown_msgtype_points_at_the_json() -> None:
    assert message_markdown({"msgtype": "image"}) == "> *image message: see the JSON body*\n"


def test_json_details_fence_outlasts_backticks_in_the_body() -> None:
    payload = {"msgtype": "markdown", "markdown": {"title": "t", "text": "````code````"}}
    block = json_details(payload)
    assert block.startswith("<details><summary>JSON body</summary>\n\n`````json\n")
    body = block.split("`````json\n", 1)[1].split("\n`````", 1)[0]
    assert json.loads(body) == payload


def test_message_section_and_unrendered_message() -> None:
    payload = {"msgtype": "text", "text": {"content": "hi"}}
    section = message_section(Shown("messages/a.yaml", ("default", "ops"), payload, "as sent"))
    assert section.startswith("### `messages/a.yaml`\n\n**text** to `default`, `ops` · as sent\n\n"
                              "> hi\n\n<details>")
    failed = message_section(Shown("messages/b.yaml", (), None, "2 errors; see above"))
    assert failed == "### `messages/b.yaml`\n\n*Not rendered: 2 errors; see above*\n\n"


def test_tables() -> None:
    problem = Problem("messages/a.yaml", 3, 5, "http-url", Level.WARNING, "use https | not http")
    assert problems_table([problem]) == (
        "| where | level | rule | problem |\n| --- | --- | --- | --- |\n"
        "| `messages/a.yaml:3:5` | warning | http-url | use https \\| not http |\n\n")
    assert problems_table([]) == ""
    rows = results_table([{"path": "messages/a.yaml", "robot": "ops", "status": "failed",
                           "detail": "errcode 310000 (keywords not in content)",
                           "hint": "add a keyword"}])
    assert rows.splitlines()[2] == ("| `messages/a.yaml` | ops | **failed** | errcode 310000 "
                                     "\\(keywords not in content\\); add a keyword |")


def test_log_block_keeps_to_its_budget_and_says_what_it_left_out() -> None:
    assert log_block(["a", "```"]) == "````text\na\n```\n````\n\n"
    block = log_block([f"line {n}" for n in range(1000)], budget=100)
    assert block.startswith("```text\nline 0\n") and "line 99" not in block
    assert block.endswith(" more lines not shown: the job log has every one.*\n\n")

"""The hints for YAML mistakes of chat text and the small wrong messages: exact wording.

``test_cases`` pins rule, line and column of each case under ``tests/cases/lint/bad``; here the
message of each hint is pinned too, since saying what to do is the point of a hint.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from msgspec_dd.config import load_config
from msgspec_dd.lint.engine import lint_file, lint_paths
from tests.clirun import CASES

BAD = CASES / "lint" / "bad"
CONFIG = load_config(CASES / "lint" / "msgspec-dd.yaml")

HINTS = [
    ("yaml-at-start.yaml", "`@` is reserved in YAML and cannot start a bare value; quote the whole value: "
     'content: "@13800138000 请处理"'),
    ("yaml-bold-start.yaml", "YAML reads `*` at the start of a value as an alias (a reference to an "
     '`&anchor`); quote the whole value: text: "**重要** 今晚维护"'),
    ("yaml-backquote-start.yaml", "a backquote (`) is reserved in YAML and cannot start a bare value; "
     'quote the whole value: text: "`kubectl get pods` 失败"'),
    ("yaml-percent-start.yaml", "`%` starts a YAML directive and cannot start a bare value; quote the "
     'whole value: content: "%CPU 95 告警"'),
    ("yaml-bang-start.yaml", 'YAML reads `!` at the start of a value as a tag; quote the whole value: '
     'content: "!注意 今晚维护"'),
    ("yaml-ampersand-start.yaml", "YAML reads `&` at the start of a value as an anchor; quote the whole "
     'value: content: "&重要 通知"'),
    ("yaml-pipe-start.yaml", "YAML reads `|` at the start of a value as the start of a block of text; "
     'quote the whole value: text: "| 服务 | 状态 |"'),
    ("yaml-colon-in-value.yaml", "the value holds ': ' (column 18), which YAML reads as the start of "
     'another key; quote the whole value: content: "运维通知: 订单服务 CPU: 95%"'),
    ("yaml-bracket-prefix.yaml", "YAML reads the start of the value as a list, ending before column 19, "
     'and cannot go on with the rest of the line; quote the whole value: content: "[紧急] 订单服务宕机"'),
    ("yaml-quoted-prefix.yaml", "YAML reads the start of the value as a quoted text, ending before column "
     "19, and cannot go on with the rest of the line; quote the whole value: content: '\"紧急\" 订单服务宕机'"),
    ("yaml-template-start.yaml", "YAML reads a bare value starting with '{{' as a mapping, not as a "
     'template; quote the whole value: content: "{{ name }} 你好"'),
    ("bracket-list.yaml", "must be a string, not a list: YAML reads a bare value starting with [ as a list; "
     "quote the text"),
    ("yaml-bad-date.yaml", "invalid YAML value '2024-02-30': day is out of range for month; quote it "
     "to keep it as text"),
    ("heading-as-comment.yaml", "the value is empty: YAML read '### 今晚维护 #P1' as a comment; quote it "
     'to send it as text: "### 今晚维护 #P1"'),
    ("hashtag-cuts-text.yaml", "the text ends at '今晚维护': YAML read '#P1 请关注' as a comment; quote "
     'the whole value to keep it: "今晚维护 #P1 请关注"'),
    ("anchor-drops-text.yaml", "YAML read '&urgent' as an anchor and dropped it: the text starts at "
     "'今晚维护'; quote the whole value to keep it: \"&urgent 今晚维护\""),
    ("bare-body.yaml", "this is a bare DingTalk body (top-level 'msgtype'); put it under 'message:': add "
     "a line 'message:' at the top and indent the body under it by two spaces"),
    ("bare-body.json", "this is a bare DingTalk body (top-level 'msgtype'); put it under 'message:': "
     'wrap it as {"message": {...the body...}}'),
    ("helm-template.yaml", "syntax error: unexpected '.'; this looks like Helm or Prometheus template "
     "text, which Jinja cannot read: to send it as it is, wrap it in {% raw %}…{% endraw %}"),
    ("prometheus-template.yaml", "syntax error: unexpected char '$' at 6; this looks like Helm or "
     "Prometheus template text, which Jinja cannot read: to send it as it is, wrap it in "
     "{% raw %}…{% endraw %}"),
    ("template-runtime-line.yaml", "template error: 'int object' has no attribute 'items' (template line 3)"),
    ("indent-indicator-block.yaml", "template error: 'int object' has no attribute 'items' (template line 2)"),
    ("list-variable-item.yaml", "variable 'oncall[2]': '12345' does not match '^1[0-9]{10}$'"),
    ("if-filters-every-item.yaml", "$if: a.url.startswith('https://') is false for every item, so the list "
     "is empty and DingTalk refuses it: check the condition or the data"),
    ("msgtype-case.yaml", "unknown msgtype \"Markdown\": did you mean 'markdown'? msgtype is case-sensitive"),
]


@pytest.mark.parametrize(("name", "message"), HINTS, ids=[name for name, _ in HINTS])
def test_each_hint_says_what_happened_and_what_to_do(name: str, message: str) -> None:
    errors = [p.message for p in lint_file(BAD / name, CONFIG) if p.level.value == "error"]
    assert errors == [message]


def test_a_variable_written_as_a_value_is_one_schema_error_saying_how_to_declare_it() -> None:
    found = [(p.rule, p.message) for p in lint_file(BAD / "variable-as-value.yaml", CONFIG)]
    assert ("file-schema", "variable 'e' must be declared as a JSON Schema (a mapping), not a number: "
            "write e: {default: 5}, or give its type and examples") in found
    assert [rule for rule, _ in found].count("file-schema") == 1


def test_mobiles_that_are_not_numbers_say_how_to_write_them() -> None:
    assert [p.message for p in lint_file(BAD / "invalid-mobiles.yaml", CONFIG)] == [
        "atMobiles entry '+86-13800138000' is not how DingTalk matches a member: write the 11 digits "
        'without country code, dashes or spaces: "13800138000"',
        "atMobiles entry '150XXXXXXXX' is not an 11-digit mobile number (a placeholder?): nobody will be "
        'mentioned; write the member\'s number, such as "13800138000"',
    ]


@pytest.mark.parametrize("text", ["周报  # shown in the list", "周报"])
def test_a_deliberate_comment_is_not_a_trap(tmp_path: Path, text: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(f"message:\n  msgtype: text\n  text:\n    content: {text}\n", encoding="utf-8")
    assert lint_file(path, CONFIG) == []


def test_a_quoted_hashtag_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text('message:\n  msgtype: text\n  text:\n    content: "今晚维护 #P1"\n', encoding="utf-8")
    assert lint_file(path, CONFIG) == []


def test_a_colon_inside_a_flow_mapping_keeps_the_parser_message(tmp_path: Path) -> None:
    # No value of its own starts on that line: the parser's words, still located.
    path = tmp_path / "m.yaml"
    path.write_text("message:\n  msgtype: text\n  text: {content: @x}\n", encoding="utf-8")
    [problem] = lint_file(path, CONFIG)
    assert (problem.rule, problem.line, problem.column) == ("yaml-syntax", 3, 19)
    assert problem.message.startswith("invalid YAML: ")


_RATE_CONFIG = """\
robots:
  default:
    webhook_env: DINGTALK_WEBHOOK
    rate: {count: 10, per_seconds: 20}
  steady:
    webhook_env: DINGTALK_STEADY
    rate: {count: 20, per_seconds: 60}
  announce:
    app: {app_key_env: K, app_secret_env: S, robot_code: dingabc123, conversation: cidXYZ==}
    rate: {count: 100, per_seconds: 60}
"""


def test_a_webhook_robot_paced_above_twenty_a_minute_is_warned_about(tmp_path: Path) -> None:
    (tmp_path / "msgspec-dd.yaml").write_text(_RATE_CONFIG, encoding="utf-8")
    (tmp_path / "m.yaml").write_text("message:\n  msgtype: text\n  text: {content: hi}\n", encoding="utf-8")
    report = lint_paths([tmp_path / "m.yaml"], load_config(tmp_path / "msgspec-dd.yaml"), jobs=1)
    assert [p.format() for p in report.problems] == [
        f"{tmp_path / 'msgspec-dd.yaml'}:4:11: warning: robot 'default' may send 30 messages in one "
        "minute: DingTalk locks a webhook robot for 10 minutes past 20 a minute; lower its rate to "
        "{count: 20, per_seconds: 60} or less [robot-rate]"]

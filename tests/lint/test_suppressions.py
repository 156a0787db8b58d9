"""``# msgspec-dd: disable=`` and ``disable-file=`` comments, as yamllint's comments work: found in
the raw text, never inside a string, located warnings for ids that do nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from msgspec_dd.config import default_config
from msgspec_dd.errors import MessageError
from msgspec_dd.lint.engine import lint_document
from msgspec_dd.lint.suppressions import NONE, read
from msgspec_dd.message_files.loader import parse_bytes
from msgspec_dd.message_files.pipeline import prepare_messages

#: Two http links (insecure-url warnings on lines 5 and 6).
TWO_LINKS = """\
message:
  msgtype: link
  link:
    title: t
    messageUrl: http://example.com/a{a}
    picUrl: http://example.com/b.png{b}
    text: x
"""


def problems(text: str, name: str = "m.yaml") -> list[tuple[str, int, int]]:
    document = parse_bytes(text.encode(), name, json_syntax=name.endswith(".json"))
    return [(p.rule, p.line, p.column) for p in lint_document(document, default_config())]


def test_without_comments_both_links_are_reported() -> None:
    assert problems(TWO_LINKS.format(a="", b="")) == [("insecure-url", 5, 17), ("insecure-url", 6, 13)]


def test_a_trailing_comment_silences_the_rule_on_its_line_only() -> None:
    text = TWO_LINKS.format(a="  # msgspec-dd: disable=insecure-url", b="")
    assert problems(text) == [("insecure-url", 6, 13)]


def test_a_comment_alone_on_a_line_applies_to_the_next_line_with_content() -> None:
    text = TWO_LINKS.replace("    picUrl", "    # msgspec-dd: disable=insecure-url\n\n    picUrl")
    assert problems(text.format(a="", b="")) == [("insecure-url", 5, 17)]


def test_several_rules_in_one_comment() -> None:
    text = TWO_LINKS.format(a="", b="  # msgspec-dd: disable=at-no-effect,insecure-url")
    assert problems(text) == [("insecure-url", 5, 17)]


def test_disable_file_silences_the_rule_everywhere() -> None:
    text = "# msgspec-dd: disable-file=insecure-url\n" + TWO_LINKS.format(a="", b="")
    assert problems(text) == []


def test_a_comment_after_a_block_indicator_covers_the_whole_block() -> None:
    text = ("message:\n  msgtype: markdown\n  markdown:\n    title: t\n"
            "    text: |  # msgspec-dd: disable=unsupported-markdown\n"
            "      ~~old~~\n\n      | a | b |\n      |---|---|\n")
    assert problems(text) == []
    assert problems(text.replace("  # msgspec-dd: disable=unsupported-markdown", "")) != []


@pytest.mark.parametrize("where", [
    '    title: "t # msgspec-dd: disable=insecure-url"\n',  # a quoted string
    "    title: t#msgspec-dd:disable=insecure-url\n",  # a '#' glued to text starts no comment
])
def test_a_hash_inside_a_string_is_not_a_comment(where: str) -> None:
    text = TWO_LINKS.format(a="", b="").replace("    title: t\n", where)
    assert ("insecure-url", 5, 17) in problems(text)


def test_a_marker_inside_a_block_is_text_not_a_comment() -> None:
    text = ("message:\n  msgtype: markdown\n  markdown:\n    title: t\n    text: |\n"
            "      see http://example.com/ # msgspec-dd: disable-file=insecure-url\n"
            "      ![x](http://example.com/x.png)\n")
    assert [rule for rule, _, _ in problems(text)] == ["insecure-url"]


def test_a_comment_after_a_string_holding_a_hash_still_counts() -> None:
    text = TWO_LINKS.format(a="", b="").replace(
        "    messageUrl: http://example.com/a\n",
        '    messageUrl: "http://example.com/a#top"  # msgspec-dd: disable=insecure-url\n')
    assert problems(text) == [("insecure-url", 6, 13)]


def test_an_unknown_rule_in_a_comment_is_a_located_warning() -> None:
    text = TWO_LINKS.format(a="  # msgspec-dd: disable=insecure-url,insecure-urls", b="")
    document = parse_bytes(text.encode(), "m.yaml")
    found = lint_document(document, default_config())
    assert [p.format() for p in found] == [
        "m.yaml:5:74: warning: unknown rule 'insecure-urls' (msgspec-dd lint --list-rules lists the "
        "rules); this comment does not silence it [rule-setting]",
        "m.yaml:6:13: warning: 'http://example.com/b.png' uses http; use https (some clients block "
        "http images and links) [insecure-url]",
    ]


@pytest.mark.parametrize(("comment", "message"), [
    ("# msgspec-dd: disabel=insecure-url", "unknown comment '# msgspec-dd: disabel=insecure-url'; "
                                           "write disable=RULE[,RULE] or disable-file=RULE[,RULE]"),
    ("# msgspec-dd: disable=", "name the rules to disable: disable=RULE[,RULE]"),
])
def test_a_malformed_comment_is_a_located_warning(comment: str, message: str) -> None:
    text = "# head\n" + comment + "\n" + TWO_LINKS.format(a="", b="")
    [warning] = read(parse_bytes(text.encode(), "m.yaml")).problems
    assert (warning.rule, warning.line, warning.message) == ("rule-setting", 2, message)


def test_a_rule_send_enforces_is_not_silenced_by_a_comment(tmp_path: Path) -> None:
    text = ("robot: ops\nmessage:  # msgspec-dd: disable=missing-keyword\n  msgtype: text\n"
            "  text: {content: hello}\n")
    (tmp_path / "msgspec-dd.yaml").write_text("robots:\n  ops: {webhook_env: HOOK, keywords: [日报]}\n",
                                              encoding="utf-8")
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    from msgspec_dd.config import load_config
    from msgspec_dd.lint.engine import lint_paths

    config = load_config(cwd=tmp_path)
    found = {(p.rule, p.line) for p in lint_paths([tmp_path / "m.yaml"], config).problems}
    assert found == {("missing-keyword", 2), ("rule-setting", 2)}
    with pytest.raises(MessageError, match="missing-keyword"):
        prepare_messages([tmp_path / "m.yaml"], config=config)


def test_json_and_files_without_the_marker_have_no_suppressions() -> None:
    assert read(parse_bytes(b'{"a": "# msgspec-dd: disable=insecure-url"}', "m.json", json_syntax=True)) is NONE
    assert read(parse_bytes(b"a: 1  # a comment\n", "m.yaml")) is NONE

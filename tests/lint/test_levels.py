"""``lint.rules`` in ``msgspec-dd.yaml``: a rule's level under the config, in lint and in send,
and the rules send enforces whatever the config says."""

from __future__ import annotations

from pathlib import Path

import pytest

from msgspec_dd.config import Config, load_config
from msgspec_dd.errors import MessageError
from msgspec_dd.lint import levels
from msgspec_dd.lint.engine import lint_paths
from msgspec_dd.lint.registry import RULES
from msgspec_dd.message_files.pipeline import prepare_messages

#: An http link (insecure-url, a warning) and a mention the text does not write (at-not-mentioned).
LINK = """\
message:
  msgtype: markdown
  markdown:
    title: t
    text: "[report](http://example.com/r) 定时推送"
  at: {atMobiles: ["13800138000"]}
"""
KEYWORDS = "robots:\n  default:\n    webhook_env: HOOK\n    keywords: [定时推送]\n"


def project(tmp_path: Path, config: str, message: str = LINK) -> Config:
    (tmp_path / "msgspec-dd.yaml").write_text(KEYWORDS + config, encoding="utf-8")
    (tmp_path / "m.yaml").write_text(message, encoding="utf-8")
    return load_config(cwd=tmp_path)


def found(tmp_path: Path, config: Config) -> list[tuple[str, str, int]]:
    return [(p.rule, p.level.value, p.line) for p in lint_paths([tmp_path / "m.yaml"], config).problems]


def test_without_lint_rules_each_rule_has_its_own_level(tmp_path: Path) -> None:
    assert found(tmp_path, project(tmp_path, "")) == [
        ("insecure-url", "warning", 5), ("at-not-mentioned", "warning", 6)]


@pytest.mark.parametrize("off", ["off", "'off'", '"off"', "false"])
def test_off_quoted_or_not_turns_a_rule_off(tmp_path: Path, off: str) -> None:
    config = project(tmp_path, f"lint:\n  rules:\n    insecure-url: {off}\n")
    assert found(tmp_path, config) == [("at-not-mentioned", "warning", 6)]


def test_error_raises_a_warning_and_lint_fails(tmp_path: Path) -> None:
    config = project(tmp_path, "lint:\n  rules: {at-not-mentioned: error, insecure-url: warning}\n")
    assert found(tmp_path, config) == [("insecure-url", "warning", 5), ("at-not-mentioned", "error", 6)]
    assert lint_paths([tmp_path / "m.yaml"], config).failed()


def test_warning_lowers_a_blocking_rule_that_send_then_lets_through(tmp_path: Path) -> None:
    message = LINK.replace("http://example.com/r", "ftp://example.com/r").replace("  at: {atMobiles", "  #")
    config = project(tmp_path, "", message)
    with pytest.raises(MessageError, match=r"url-scheme"):
        prepare_messages([tmp_path / "m.yaml"], config=config)
    config = project(tmp_path, "lint:\n  rules: {url-scheme: warning}\n", message)
    assert found(tmp_path, config) == [("url-scheme", "warning", 5)]
    [prepared] = prepare_messages([tmp_path / "m.yaml"], config=config)
    assert "ftp://example.com/r" in prepared.payload["markdown"]["text"]


def test_a_lowered_yaml_trap_still_cannot_post_a_body_dingtalk_refuses(tmp_path: Path) -> None:
    # The unquoted phone number becomes an integer: with its hint off, the file's schema says so.
    message = "message:\n  msgtype: text\n  text: {content: 定时推送 @13800138000}\n" \
              "  at: {atMobiles: [13800138000]}\n"
    config = project(tmp_path, "lint:\n  rules: {yaml-trap: 'off'}\n", message)
    assert [rule for rule, level, _ in found(tmp_path, config) if level == "error"] == ["file-schema"]
    with pytest.raises(MessageError, match=r"file-schema"):
        prepare_messages([tmp_path / "m.yaml"], config=config)


@pytest.mark.parametrize(("rule", "message"), [
    ("missing-keyword", "message:\n  msgtype: text\n  text: {content: hello}\n"),
    ("payload-schema", "message:\n  msgtype: feedCard\n  feedCard:\n    links:\n      - $for: i in []\n"
                       "        title: 定时推送\n        messageURL: https://e.com\n        picURL: https://e.com/a.png\n"),
    ("body-too-large", "message:\n  msgtype: text\n  text: {content: \"定时推送{{ 'x' * 30000 }}\"}\n"),
])
def test_rules_dingtalk_enforces_stay_errors_in_lint_and_send(tmp_path: Path, rule: str, message: str) -> None:
    config = project(tmp_path, f"lint:\n  rules: {{{rule}: off}}\n", message)
    report = lint_paths([tmp_path / "m.yaml"], config)
    assert (rule, "error") in {(p.rule, p.level.value) for p in report.problems}
    [ignored] = [p for p in report.problems if p.rule == "rule-setting"]
    assert (Path(ignored.path).name, ignored.line, ignored.column) == ("msgspec-dd.yaml", 6, 11)
    assert ignored.message.startswith(f"lint.rules: {rule} cannot be lowered: ")
    assert ignored.message.endswith("so send refuses it anyway; this entry is ignored")
    with pytest.raises(MessageError, match=rule):
        prepare_messages([tmp_path / "m.yaml"], config=config)


def test_an_unknown_rule_id_is_a_located_warning(tmp_path: Path) -> None:
    config = project(tmp_path, "lint:\n  rules:\n    insecure-urls: off\n")
    report = lint_paths([tmp_path / "m.yaml"], config)
    [unknown] = [p for p in report.problems if p.rule == "rule-setting"]
    assert unknown.format() == (
        f"{tmp_path / 'msgspec-dd.yaml'}:7:5: warning: lint.rules: unknown rule 'insecure-urls' "
        "(msgspec-dd lint --list-rules lists the rules); this entry is ignored [rule-setting]")
    assert not report.failed()


def test_raising_an_enforced_rule_to_error_is_no_warning(tmp_path: Path) -> None:
    config = project(tmp_path, "lint:\n  rules: {payload-schema: error, rule-setting: off}\n")
    assert [p.rule for p in lint_paths([tmp_path / "m.yaml"], config).problems] == [
        "insecure-url", "at-not-mentioned"]


def test_enforced_rules_are_blocking_rules_and_the_lowerable_ones_are_named() -> None:
    assert set(levels.ENFORCED) <= {rule_id for rule_id, rule in RULES.items() if rule.BLOCKING}
    lowerable = {rule_id for rule_id, rule in RULES.items() if rule.BLOCKING} - set(levels.ENFORCED)
    assert lowerable == {"yaml-trap", "url-scheme"}

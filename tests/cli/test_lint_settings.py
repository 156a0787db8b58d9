"""``lint.rules`` and ``# msgspec-dd: disable`` comments through the real CLI: lint's report and
exit code, ``--explain`` and ``--list-rules`` at the effective level, and ``send`` still refusing,
against a sandbox robot, what DingTalk would refuse."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from msgspec_dd.cli import main
from msgspec_dd.lint.registry import RULES
from msgspec_dd.sandbox import SandboxServer, SandboxSettings
from tests.clirun import Run, run_cli

CONFIG = """\
robots:
  default:
    webhook_env: T_HOOK
    keywords: [日报]
lint:
  rules:
    insecure-url: off
    at-not-mentioned: error
    missing-keyword: off
"""
MENTION = """\
message:
  msgtype: markdown
  markdown:
    title: 日报
    text: "[report](http://example.com/r)"
  at: {atMobiles: ["13800138000"]}
"""
NO_KEYWORD = "message:  # msgspec-dd: disable=missing-keyword\n  msgtype: text\n  text: {content: hello}\n"


def lint(folder: Path, *args: str) -> Run:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR")}
    return run_cli(["lint", *args], cwd=folder, env=env)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "msgspec-dd.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "m.yaml").write_text(MENTION, encoding="utf-8")
    return tmp_path


def test_lint_reports_at_the_configured_levels(project: Path) -> None:
    result = lint(project, "m.yaml")
    assert result.code == 1
    assert result.out.splitlines()[-1] == (
        "m.yaml:6:20: error: atMobiles entry '13800138000' is not written as '@13800138000' in the "
        "text, so DingTalk will not highlight or notify them [at-not-mentioned]")
    assert "insecure-url" not in result.out
    assert result.out.splitlines()[0].endswith(
        "msgspec-dd.yaml:9:5: warning: lint.rules: missing-keyword cannot be lowered: DingTalk refuses "
        "a message without one of the robot's keywords (310000), so send refuses it anyway; this "
        "entry is ignored [rule-setting]")


def test_a_comment_silences_the_error_and_lint_passes(project: Path) -> None:
    (project / "m.yaml").write_text(MENTION.replace('"]}', '"]}  # msgspec-dd: disable=at-not-mentioned'),
                                    encoding="utf-8")
    result = lint(project, "m.yaml")
    assert result.code == 0
    assert [line.rsplit("[", 1)[1] for line in result.out.splitlines()] == ["rule-setting]"]


def test_list_rules_shows_the_effective_levels(project: Path) -> None:
    result = lint(project, "--list-rules")
    assert result.code == 0
    rows = {line.split()[0]: line for line in result.out.splitlines()}
    assert list(rows) == list(RULES)
    assert rows["insecure-url"].split()[1] == "off"
    assert rows["insecure-url"].endswith("(lint.rules; default warning)")
    assert rows["at-not-mentioned"].split()[1] == "error"
    assert rows["missing-keyword"].split()[1] == "error"  # enforced: the entry is ignored
    assert not rows["missing-keyword"].endswith(")")


def test_explain_shows_the_effective_level_and_what_send_does(project: Path) -> None:
    out = lint(project, "--explain", "insecure-url").out
    assert out.splitlines()[0] == (
        f"insecure-url (off; default warning, set by lint.rules in {project / 'msgspec-dd.yaml'})")
    assert out.rstrip().endswith("Send does not run this rule: it reports problems to lint only.")
    out = lint(project, "--explain", "missing-keyword").out
    assert out.splitlines()[0] == "missing-keyword (error)"
    assert out.rstrip().endswith("lint.rules and disable comments cannot lower it.")
    out = lint(project, "--explain", "url-scheme").out
    assert "lowered to warning or off in lint.rules" in out


def test_list_rules_with_an_invalid_level_is_a_config_error(project: Path) -> None:
    (project / "msgspec-dd.yaml").write_text("lint:\n  rules: {insecure-url: warn}\n", encoding="utf-8")
    result = lint(project, "--list-rules")
    assert (result.code, result.out) == (2, "")
    assert ":2:25: invalid configuration at lint.rules.insecure-url: " in result.err


@pytest.fixture
def robot(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    server = SandboxServer(SandboxSettings(keywords=("日报",))).start()
    monkeypatch.setenv("T_HOOK", server.url)
    yield server
    server.stop()


def test_send_still_refuses_what_dingtalk_would_refuse(
    project: Path, robot: SandboxServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    # missing-keyword is off in lint.rules and disabled by a comment: DingTalk would answer 310000.
    (project / "m.yaml").write_text(NO_KEYWORD, encoding="utf-8")
    monkeypatch.chdir(project)
    with pytest.raises(SystemExit) as exited:
        main(["send", "m.yaml"])
    _, err = capsys.readouterr()
    assert exited.value.code == 1
    assert "m.yaml:1:1: error: " in err and "[missing-keyword]" in err
    assert robot.messages == []


def test_send_posts_what_lint_rules_only_lowered(
    project: Path, robot: SandboxServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    # at-not-mentioned is an error for lint, but it never blocks a send: DingTalk accepts the body.
    monkeypatch.chdir(project)
    with pytest.raises(SystemExit) as exited:
        main(["send", "m.yaml"])
    out, _ = capsys.readouterr()
    assert (exited.value.code, out) == (0, "m.yaml -> default: sent\n")
    assert [body["markdown"]["title"] for body in robot.messages] == ["日报"]

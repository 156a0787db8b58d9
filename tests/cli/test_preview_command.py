"""``msgspec-dd preview``: files in, one HTML page out, exit codes per the product contract."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from msgspec_dd.cli import main

WEEKLY = """\
vars:
  week:
    type: integer
    minimum: 1
    maximum: 53
    examples: [48]
  owner:
    type: string
    default: 王小明
message:
  msgtype: markdown
  markdown:
    title: "第 {{ week }} 周周报"
    text: |
      ### 第 {{ week }} 周周报

      负责人 **{{ owner }}**

      | a | b |
      |---|---|
"""

TEXT = """\
message:
  msgtype: text
  text:
    content: "<script>alert(1)</script> 大家好"
  at:
    isAtAll: true
"""

BROKEN = """\
message:
  msgtype: link
  link:
    title: no text and no messageUrl
"""


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(["preview", *args])
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), out, err


@pytest.fixture
def messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "messages"
    folder.mkdir()
    (folder / "weekly.yaml").write_text(WEEKLY, encoding="utf-8")
    (folder / "hello.yaml").write_text(TEXT, encoding="utf-8")
    return folder


def test_writes_preview_html_with_every_message(
    messages: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["messages"], capsys)
    assert (code, out) == (0, "")
    assert err == "wrote preview.html (2 messages)\n"
    page = (messages.parent / "preview.html").read_text(encoding="utf-8")
    assert page.count('data-testid="item"') == 2
    assert "第 48 周周报" in page  # the first example stands in for the variable
    assert "负责人 <strong>王小明</strong>" in page  # and the default
    assert "[第 48 周周报]" in page  # the chat-list title
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 大家好" in page
    assert "<script" not in page


def test_var_wins_over_examples(messages: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(["messages/weekly.yaml", "--var", "week=50", "-o", "out.html"], capsys)
    assert code == 0
    page = (messages.parent / "out.html").read_text(encoding="utf-8")
    assert "第 50 周周报" in page and "第 48 周" not in page


def test_vars_file(messages: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (messages.parent / "week.vars.yaml").write_text("week: 7\nowner: Ann\n", encoding="utf-8")
    code, out, _ = run(["messages/weekly.yaml", "--vars-file", "week.vars.yaml", "-o", "-"], capsys)
    assert code == 0
    assert "第 7 周周报" in out and "<strong>Ann</strong>" in out


def test_a_signing_secret_in_a_message_is_masked_as_render_masks_it(
    messages: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "SEC" + "ab" * 32
    code, out, _ = run(["messages/weekly.yaml", "--var", f"owner={secret}", "-o", "-"], capsys)
    assert code == 0
    assert secret not in out and "SEC***" in out


def test_dash_writes_the_page_to_stdout(messages: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["messages/hello.yaml", "-o", "-"], capsys)
    assert code == 0
    assert out.startswith("<!DOCTYPE html>") and out.endswith("</html>\n")
    assert err == ""
    assert not (messages.parent / "preview.html").exists()


def test_lint_warnings_are_shown_beside_the_message(
    messages: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["messages/weekly.yaml", "-o", "-"], capsys)
    assert code == 0
    problems = re.search(r'<ul class="dd-problems" data-testid="problems">(.*?)</ul>', out)
    assert problems is not None
    assert "table is not rendered by DingTalk" in problems.group(1)
    assert "[unsupported-markdown]" in problems.group(1)


def test_a_broken_message_is_a_draft_shown_with_its_errors_and_exit_1(
    messages: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Changed by issue 11: the page is written, the draft shown with its errors beside it.
    (messages / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    code, out, err = run(["messages"], capsys)
    assert (code, out) == (1, "")
    assert "broken.yaml:" in err and ": error: " in err
    assert err.endswith("wrote preview.html (3 messages, 1 with errors)\n")
    page = (messages.parent / "preview.html").read_text(encoding="utf-8")
    assert page.count('data-testid="item"') == 3
    assert page.count('data-testid="draft"') == 1
    draft = _section(page, "messages/broken.yaml")
    assert 'data-testid="errors"' in draft and "broken.yaml:" in draft
    # The schema stops the pipeline before rendering: the problems alone.
    assert 'data-testid="not-rendered"' in draft and 'data-testid="bubble"' not in draft
    assert "1 draft with errors" in page
    assert "<script" not in page


def _section(page: str, label: str) -> str:
    found = re.search(rf'<section class="[^"]*" data-testid="item" data-label="{re.escape(label)}">'
                      r"(.*?)</section>", page)
    assert found is not None, label
    return found.group(1)


KEYWORD_CONFIG = """\
robots:
  default: {webhook_env: X}
  ops: {webhook_env: Y, keywords: [告警], display_name: 运维助手}
"""

NEEDS_WHO = """\
vars:
  who: {type: string}
message:
  msgtype: text
  text: {content: "值班 {{ who }}"}
"""


def test_a_missing_keyword_shows_the_message_beside_its_error(
    messages: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (messages.parent / "msgspec-dd.yaml").write_text(KEYWORD_CONFIG, encoding="utf-8")
    (messages / "ops.yaml").write_text("robot: ops\n" + TEXT, encoding="utf-8")
    code, out, err = run(["messages/ops.yaml", "-o", "-"], capsys)
    assert code == 1
    assert err.startswith("messages/ops.yaml:2:1: error: robot 'ops' only accepts messages")
    section = _section(out, "messages/ops.yaml")
    assert "[missing-keyword]" in section
    assert '<div class="dd-sender" data-testid="sender">运维助手</div>' in section
    assert "大家好" in section and 'data-testid="bubble"' in section


def test_a_message_that_cannot_render_shows_its_problems_alone(
    messages: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (messages / "oncall.yaml").write_text(NEEDS_WHO, encoding="utf-8")
    code, _, err = run(["messages", "-o", "out.html"], capsys)
    assert code == 1
    assert "variable 'who' is required" in err
    section = _section((messages.parent / "out.html").read_text(encoding="utf-8"),
                       "messages/oncall.yaml")
    assert "variable &#x27;who&#x27; is required" in section
    assert "[variable-without-example]" in section  # lint's hint: an example would show it
    assert 'data-testid="not-rendered"' in section and 'data-testid="bubble"' not in section


def test_the_draft_renders_once_the_variable_is_given(
    messages: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (messages / "oncall.yaml").write_text(NEEDS_WHO, encoding="utf-8")
    code, out, err = run(["messages/oncall.yaml", "--var", "who=Ann", "-o", "-"], capsys)
    assert (code, err) == (0, "")
    assert "值班 Ann" in out and 'data-testid="draft"' not in out


def test_a_file_that_does_not_load_is_a_draft_too(
    messages: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (messages / "tabs.yaml").write_text("message:\n\tmsgtype: text\n", encoding="utf-8")
    code, out, _ = run(["messages", "-o", "-"], capsys)
    assert code == 1
    section = _section(out, "messages/tabs.yaml")
    assert 'data-testid="errors"' in section and 'data-testid="not-rendered"' in section
    assert out.count('data-testid="item"') == 3


def test_display_name_is_the_sender(messages: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (messages.parent / "msgspec-dd.yaml").write_text(
        "robots:\n  default: {webhook_env: X, display_name: 周报机器人}\n", encoding="utf-8")
    code, out, _ = run(["messages/hello.yaml", "-o", "-"], capsys)
    assert code == 0
    assert '<div class="dd-sender" data-testid="sender">周报机器人</div>' in out
    assert '<span class="dd-chatlist-name">周报机器人</span>' in out
    assert "robot: default" in out  # the config's name stays in the panel's head


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.yaml"], "missing.yaml"),
        (["messages", "--var", "wek=1"], "wek"),
        (["messages", "-o", "no/such/dir/out.html"], "cannot write the preview"),
        (["messages", "--config", "nope.yaml"], "nope.yaml"),
        (["messages", "--bogus"], "--bogus"),
        (["messages", "--watch", "--port", "70000"], "70000"),
        (["missing.yaml", "--watch"], "missing.yaml"),
        ([], "Missing argument"),
    ],
)
def test_usage_errors_are_exit_2(
    messages: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(args, capsys)
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err

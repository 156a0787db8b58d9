"""Drafts you can see: messages with errors become preview items with their problems beside them."""

from __future__ import annotations

from pathlib import Path

import pytest

from msgspec_dd.config import load_config
from msgspec_dd.preview import render_page
from msgspec_dd.preview.build import build_items
from tests.browser import PageOpener, browser, open_html, screenshot

__all__ = ["browser", "open_html"]  # fixtures, used by name

CONFIG = """\
robots:
  default: {webhook_env: X, display_name: 周报机器人}
  ops: {webhook_env: Y, keywords: [告警], display_name: 运维助手}
"""

FILES = {
    "a-good.yaml": "message:\n  msgtype: text\n  text: {content: 周报已发布}\n",
    "b-keyword.yaml": (
        "robot: ops\nmessage:\n  msgtype: markdown\n"
        "  markdown: {title: 扩容, text: \"### 今晚扩容\\n\\n<script>alert(1)</script>\"}\n"
    ),
    "c-variable.yaml": (
        "vars:\n  who: {type: string}\nmessage:\n  msgtype: text\n"
        "  text: {content: \"值班 {{ who }}\"}\n"
    ),
    "d-template.yaml": "message:\n  msgtype: text\n  text: {content: \"{{ 1 // 0 }}\"}\n",
}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "msgspec-dd.yaml").write_text(CONFIG, "utf-8")
    (tmp_path / "messages").mkdir()
    for name, text in FILES.items():
        (tmp_path / "messages" / name).write_text(text, "utf-8")
    return tmp_path


def test_each_file_is_an_item_and_the_ones_with_errors_are_drafts(folder: Path) -> None:
    items = build_items([Path("messages")], config=load_config())
    assert [(item.label, item.draft, bool(item.payload)) for item in items] == [
        ("messages/a-good.yaml", False, True),
        ("messages/b-keyword.yaml", True, True),  # rendered: the keyword check is on the body
        ("messages/c-variable.yaml", True, False),  # nothing to render with
        ("messages/d-template.yaml", True, False),  # the template failed
    ]
    assert items[0].errors == ()
    assert "[missing-keyword]" in items[1].errors[0]
    assert "variable 'who' is required" in items[2].errors[0]
    assert any("[variable-without-example]" in problem for problem in items[2].problems)
    assert items[3].errors and items[3].errors[0].startswith("messages/d-template.yaml:3:")


def test_display_name_is_the_sender_and_the_robot_name_stays(folder: Path) -> None:
    items = build_items([Path("messages")], config=load_config())
    assert [(item.robot, item.sender) for item in items[:2]] == [
        ("default", "周报机器人"), ("ops", "运维助手")]


def test_a_page_without_drafts_has_no_draft_markup(folder: Path) -> None:
    items = build_items([Path("messages/a-good.yaml")], config=load_config())
    body = render_page(items).split("<body", 1)[1]  # the stylesheet names the draft classes
    assert "draft" not in body and "dd-errors" not in body and "<script" not in body


@pytest.mark.browser
def test_drafts_show_their_errors_in_chromium(
    open_html: PageOpener, folder: Path, tmp_path: Path
) -> None:
    page_file = tmp_path / "drafts.html"
    page_file.write_text(render_page(build_items([Path("messages")], config=load_config())), "utf-8")
    opened = open_html(page_file, width=1000)
    page = opened.page
    screenshot(opened, "preview-drafts")
    assert page.get_by_test_id("drafts-note").inner_text().startswith("3 drafts with errors")
    keyword = page.locator('[data-testid="item"][data-label="messages/b-keyword.yaml"]')
    assert keyword.get_by_test_id("draft").is_visible()
    assert "[missing-keyword]" in keyword.get_by_test_id("errors").inner_text()
    assert keyword.get_by_test_id("sender").inner_text() == "运维助手"
    assert "<script>alert(1)</script>" in keyword.get_by_test_id("bubble").inner_text()
    variable = page.locator('[data-testid="item"][data-label="messages/c-variable.yaml"]')
    assert variable.get_by_test_id("not-rendered").is_visible()
    assert variable.get_by_test_id("bubble").count() == 0
    good = page.locator('[data-testid="item"][data-label="messages/a-good.yaml"]')
    assert good.get_by_test_id("draft").count() == 0 and good.get_by_test_id("errors").count() == 0
    assert opened.dialogs == [] and opened.blocked == []

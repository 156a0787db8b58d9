"""Preview and job summary of a message for an app robot: what it really shows, with no ``@``
highlighted and the button layout of its msgKey, beside what a webhook robot shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from msgspec_dd.action.summary import Shown, message_section
from msgspec_dd.config import load_config
from msgspec_dd.dingtalk.message_view import as_app, view
from msgspec_dd.preview import render_page
from msgspec_dd.preview.build import build_items
from msgspec_dd.preview.message import render_message_html


def card(buttons: int, orientation: str) -> dict[str, Any]:
    return {"msgtype": "actionCard", "actionCard": {
        "title": "发布", "text": "# 发布", "btnOrientation": orientation,
        "btns": [{"title": f"b{n}", "actionURL": f"https://e.com/{n}"} for n in range(buttons)]}}


MENTION = {"msgtype": "text", "text": {"content": "请 @13800138000 查看"},
           "at": {"atMobiles": ["13800138000"], "isAtAll": True}}


@pytest.mark.parametrize(("payload", "orientation"), [
    (card(1, "0"), "single"), (card(1, "1"), "single"), (card(2, "1"), "horizontal"),
    (card(3, "0"), "vertical"), (card(5, "0"), "vertical"),
])
def test_the_app_view_takes_the_layout_of_its_msgkey(payload: dict[str, Any], orientation: str) -> None:
    assert as_app(view(payload)).orientation == orientation
    html = render_message_html(payload, app=True)
    assert f'data-orientation="{orientation}"' in html and 'data-robot-kind="app"' in html


def test_the_app_view_has_no_mentions_and_no_hidden_avatar() -> None:
    shown = as_app(view(MENTION))
    assert (shown.mentions, shown.at_all) == ((), False)
    assert 'class="dd-mention"' in render_message_html(MENTION)
    assert "dd-mention" not in render_message_html(MENTION, app=True)
    hidden = card(2, "1")
    hidden["actionCard"]["hideAvatar"] = "1"
    assert "dd-no-avatar" in render_message_html(hidden)
    assert "dd-no-avatar" not in render_message_html(hidden, app=True)


CONFIG = """\
robots:
  default:
    webhook_env: T_HOOK
  announce:
    app:
      app_key_env: T_APP_KEY
      app_secret_env: T_APP_SECRET
      robot_code: dingabc123
      conversation: "cidXYZ=="
"""


def test_the_preview_page_shows_the_app_robots_bubble_too(tmp_path: Path) -> None:
    (tmp_path / "msgspec-dd.yaml").write_text(CONFIG, "utf-8")
    (tmp_path / "a.yaml").write_text(
        "robot: [default, announce]\nmessage:\n  msgtype: actionCard\n  actionCard:\n"
        "    title: 发布\n    text: '# 发布'\n    btns:\n"
        "      - {title: 看, actionURL: 'https://e.com/a'}\n", "utf-8")
    config = load_config(tmp_path / "msgspec-dd.yaml")
    (item,) = build_items([tmp_path / "a.yaml"], config=config)
    assert item.app_robots == ("announce",)
    page = render_page([item])
    webhook, app = page.split('data-testid="app-chat"')
    assert 'data-orientation="vertical"' in webhook and 'data-robot-kind="webhook"' in webhook
    assert 'data-orientation="single"' in app and 'data-robot-kind="app"' in app


def test_the_summary_shows_what_the_app_robot_shows() -> None:
    both = message_section(Shown("m/a.md", ("default", "announce"), MENTION, "n", ("announce",)))
    webhook, app = both.split("*As app robot `announce` shows it:*")
    assert "*mentions: \\@所有人 \\@13800138000*" in webhook and "mentions" not in app
    only = message_section(Shown("m/a.md", ("announce",), card(2, "1"), "n", ("announce",)))
    assert only.count("> ") > 0 and "*As app robot `announce` shows it:*" in only
    assert "** · **" in only  # side by side: sampleActionCard6
    stacked = message_section(Shown("m/a.md", ("announce",), card(1, "1"), "n", ("announce",)))
    assert "** · **" not in stacked and "<br>" not in stacked.split("<details>")[0]

"""The preview shows when a scheduled or manual message goes out, in English and Chinese."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from msgspec_dd.config import default_config
from msgspec_dd.preview import render_page
from msgspec_dd.preview.build import build_items


def test_a_scheduled_message_shows_its_schedule_in_words(tmp_path: Path) -> None:
    (tmp_path / "weekly.yaml").write_text(
        "when: {cron: '0 8 * * 5', grace: 2h}\nmessage: {msgtype: text, text: {content: 周报}}\n",
        encoding="utf-8")
    (tmp_path / "hand.yaml").write_text(
        "when: manual\nmessage: {msgtype: text, text: {content: 手动}}\n", encoding="utf-8")
    (tmp_path / "news.yaml").write_text("message: {msgtype: text, text: {content: 公告}}\n",
                                        encoding="utf-8")
    config = dataclasses.replace(default_config(), timezone="Asia/Shanghai")
    hand, news, weekly = build_items([tmp_path], config=config)
    assert weekly.when == ("At 08:00, only on Friday (Asia/Shanghai), grace 2h",
                           "在 08:00, 仅在 星期五（Asia/Shanghai），宽限 2h")
    assert hand.when == ("sent only when named on the command line", "仅在命令行指定该文件时发送")
    assert news.when is None
    page = render_page([hand, news, weekly])
    assert page.count('data-testid="when"') == 2
    assert ('when: At 08:00, only on Friday (Asia/Shanghai), grace 2h · <span lang="zh-CN">'
            "发送时机：在 08:00, 仅在 星期五（Asia/Shanghai），宽限 2h</span>") in page

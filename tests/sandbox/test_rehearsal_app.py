"""``send --sandbox`` with app robots: an in-process app API per app robot, reached through the
real app transport, beside webhook sandboxes in the same batch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msgspec_dd.cli import main
from msgspec_dd.config import AppRobot, Config, RobotConfig
from msgspec_dd.delivery.results import Status
from msgspec_dd.message_files.pipeline import PreparedMessage
from msgspec_dd.sandbox.rehearsal import format_arrived, rehearse

APP = AppRobot("NEVER_SET_APP_KEY", "NEVER_SET_APP_SECRET", "dingrobot0001", "cidGroup==")
CONFIG = Config(robots={
    "default": RobotConfig(name="default", webhook_env="NEVER_SET_HOOK"),
    "announce": RobotConfig(name="announce", webhook_env="", secret_env=None, app=APP),
})
CARD = {"msgtype": "actionCard", "actionCard": {
    "title": "发布", "text": "# 发布", "btnOrientation": "0",
    "btns": [{"title": "同意", "actionURL": "https://e.com/a"},
             {"title": "拒绝", "actionURL": "https://e.com/b"}]}}


def test_a_batch_mixing_a_webhook_and_an_app_robot_is_rehearsed_through_both_transports() -> None:
    messages = [PreparedMessage("m/a.yaml", "sha", ("default", "announce"), CARD, {})]
    report = rehearse(messages, CONFIG)
    assert [(r.robot, r.status) for r in report.results] == [
        ("default", Status.SENT), ("announce", Status.SENT)]
    assert report.results[0].message_id is None and report.results[1].message_id
    (webhook,) = report.arrived["default"]
    (app,) = report.arrived["announce"]
    assert webhook["msgtype"] == "actionCard"
    assert {k: app[k] for k in ("msgKey", "openConversationId", "robotCode", "recalled")} == {
        "msgKey": "sampleActionCard2", "openConversationId": "cidGroup==",
        "robotCode": "dingrobot0001", "recalled": False}
    assert json.loads(app["msgParam"]) == {
        "title": "发布", "text": "# 发布", "actionTitle1": "同意", "actionURL1": "https://e.com/a",
        "actionTitle2": "拒绝", "actionURL2": "https://e.com/b"}
    assert format_arrived({"announce": report.arrived["announce"]}) == (
        "\n== sandbox robot announce: 1 message arrived ==\n-- 1 (sampleActionCard2) --\n"
        "title: 发布\ntext: # 发布\nactionTitle1: 同意\nactionURL1: https://e.com/a\n"
        "actionTitle2: 拒绝\nactionURL2: https://e.com/b\n")


def test_what_an_app_robot_cannot_show_fails_in_the_rehearsal_too() -> None:
    feed = {"msgtype": "text", "text": {"content": "hi"}, "at": {"isAtAll": True}}
    report = rehearse([PreparedMessage("m/a.yaml", "sha", ("announce",), feed, {})], CONFIG)
    (result,) = report.results
    assert result.status is Status.FAILED and "cannot @-mention" in result.detail
    assert report.arrived == {"announce": ()}


def test_send_sandbox_needs_no_app_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "msgspec-dd.yaml").write_text(
        "robots:\n  announce:\n    app:\n      app_key_env: NEVER_SET_APP_KEY\n"
        "      app_secret_env: NEVER_SET_APP_SECRET\n      robot_code: dingrobot0001\n"
        "      conversation: cidGroup==\n", "utf-8")
    (tmp_path / "a.yaml").write_text(
        "robot: announce\nmessage:\n  msgtype: text\n  text: {content: 停机通知}\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        main(["send", "a.yaml", "--sandbox"])
    out, err = capsys.readouterr()
    assert info.value.code == 0, err
    assert out == ("a.yaml -> announce: sent\n\n== sandbox robot announce: 1 message arrived ==\n"
                   "-- 1 (sampleText) --\ncontent: 停机通知\n")

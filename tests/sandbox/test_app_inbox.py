"""The sandbox inbox shows what its app API received, as the app robot shows it, and marks a
recalled message as recalled (over real HTTP, after a real send and recall)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from msgspec_dd.config import AppRobot, Config, RobotConfig
from msgspec_dd.delivery.app import AppTransport
from msgspec_dd.delivery.app_client import RecallResult
from msgspec_dd.delivery.robot import Robot
from msgspec_dd.sandbox import SandboxServer, SandboxSettings
from msgspec_dd.sandbox.app_api import AppApi, AppSettings
from msgspec_dd.sandbox.app_inbox import body


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxSettings(), app=AppApi(AppSettings())) as running:
        yield running


def app_robot(server: SandboxServer) -> Robot:
    api = server.app
    assert api is not None
    app = AppRobot("K", "S", api.settings.code, api.settings.conversation)
    config = Config(robots={"announce": RobotConfig(name="announce", webhook_env="", app=app)})
    environ = {"K": api.settings.app_key, "S": api.settings.app_secret,
               "MSGSPEC_DD_API_BASE": server.base_url}
    return Robot.from_config(config, "announce", environ=environ)


@pytest.mark.parametrize(("msg_key", "params", "expected"), [
    ("sampleText", {"content": "hi"}, {"msgtype": "text", "text": {"content": "hi"}}),
    ("sampleActionCard6", {"title": "t", "text": "x", "buttonTitle1": "a", "buttonUrl1": "u1",
                           "buttonTitle2": "b", "buttonUrl2": "u2"},
     {"msgtype": "actionCard", "actionCard": {"title": "t", "text": "x", "btnOrientation": "1", "btns": [
         {"title": "a", "actionURL": "u1"}, {"title": "b", "actionURL": "u2"}]}}),
    ("sampleActionCard3", {"title": "t", "text": "x", **{f"actionTitle{n}": str(n) for n in (1, 2, 3)},
                           **{f"actionURL{n}": f"u{n}" for n in (1, 2, 3)}},
     {"msgtype": "actionCard", "actionCard": {"title": "t", "text": "x", "btnOrientation": "0", "btns": [
         {"title": str(n), "actionURL": f"u{n}"} for n in (1, 2, 3)]}}),
])
def test_an_app_message_reads_back_as_the_body_that_shows_it(
        msg_key: str, params: dict[str, str], expected: dict[str, object]) -> None:
    assert body(msg_key, params) == expected


def test_the_inbox_shows_an_app_message_and_marks_it_recalled(server: SandboxServer) -> None:
    robot = app_robot(server)
    result = robot.send({"msgtype": "markdown", "markdown": {"title": "停机", "text": "# 今晚停机"}})
    robot.send({"msgtype": "text", "text": {"content": "第二条"}})
    before = requests.get(server.base_url + "/", timeout=5).text
    assert "今晚停机" in before and 'data-robot-kind="app"' in before
    assert 'data-testid="recalled"' not in before
    transport = robot.transport
    assert isinstance(transport, AppTransport) and result.message_id is not None
    answer = transport.client.recall([result.message_id], robot_code=transport.robot_code,
                                     conversation=transport.conversation)
    robot.close()
    assert isinstance(answer, RecallResult) and answer.recalled == (result.message_id,)
    after = requests.get(server.base_url + "/", timeout=5).text
    recalled, rest = after.split('data-testid="recalled"', 1)[1].split("</div></div></div>", 1)
    assert "recalled · 已撤回" in recalled and "今晚停机" in recalled
    assert "第二条" in rest and after.count('data-testid="recalled"') == 1
    assert server.app is not None and server.app.records()[0]["recalled"] is True

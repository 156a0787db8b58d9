"""App robots through the one robot interface, against the sandbox's app API over real HTTP:
the mapped body arrives, the processQueryKey reaches the result and the ledger, tokens are
fetched once per run and refreshed on expiry, rate answers are paced and retried, final errors
keep their hint, and no key, secret or token shows anywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from msgspec_dd.config import AppRobot, Config, Rate, RobotConfig
from msgspec_dd.delivery.app import APP_LOCK_SECONDS, AppTransport
from msgspec_dd.delivery.app_client import TokenCache
from msgspec_dd.delivery.batch import deliver, send
from msgspec_dd.delivery.ledger import Ledger
from msgspec_dd.delivery.results import Status
from msgspec_dd.delivery.robot import Robot
from msgspec_dd.dingtalk import wire
from msgspec_dd.dingtalk.errcodes import Kind
from msgspec_dd.errors import ConfigError
from msgspec_dd.message_files.pipeline import PreparedMessage
from msgspec_dd.sandbox import SandboxServer, SandboxSettings, new_secret
from msgspec_dd.sandbox.app_api import AppApi, AppSettings
from tests.clock import HandClock


@pytest.fixture
def clock() -> HandClock:
    return HandClock()


@pytest.fixture
def api(clock: HandClock) -> AppApi:
    return AppApi(AppSettings(clock=clock, rate_count=1000))


@pytest.fixture
def server(api: AppApi) -> Iterator[SandboxServer]:
    with SandboxServer(SandboxSettings(secret=new_secret()), app=api) as running:
        yield running


def app_config(api: AppApi, *, conversation: str | None = None) -> Config:
    app = AppRobot("T_APP_KEY", "T_APP_SECRET", api.settings.code,
                   conversation or api.settings.conversation)
    return Config(robots={
        "announce": RobotConfig(name="announce", webhook_env="", secret_env=None, app=app),
        "default": RobotConfig(name="default", webhook_env="T_HOOK", secret_env="T_SECRET"),
    })


def environ(server: SandboxServer, api: AppApi) -> dict[str, str]:
    return {"T_APP_KEY": api.settings.app_key, "T_APP_SECRET": api.settings.app_secret,
            "MSGSPEC_DD_API_BASE": server.base_url, "T_HOOK": server.url,
            "T_SECRET": str(server.secret)}


def message(n: int, robots: tuple[str, ...] = ("announce",),
            payload: dict[str, Any] | None = None) -> PreparedMessage:
    body = payload or {"msgtype": "markdown", "markdown": {"title": "公告", "text": f"# 公告 {n}"}}
    return PreparedMessage(f"m/{n}.yaml", f"sha{n}", robots, body, {})


def app_robot(server: SandboxServer, api: AppApi, clock: HandClock, **options: Any) -> Robot:
    return Robot.from_config(app_config(api), "announce", environ=environ(server, api),
                             clock=clock, sleep=clock.sleep, **options)


def secrets_of(api: AppApi) -> list[str]:
    token = api._token[0] if api._token else None  # the sandbox's current token, to look for
    return [api.settings.app_key, api.settings.app_secret, *([token] if token else [])]


def test_from_config_picks_the_app_transport_and_its_pace(server: SandboxServer, api: AppApi,
                                                          clock: HandClock) -> None:
    robot = app_robot(server, api, clock)
    assert isinstance(robot.transport, AppTransport)
    assert robot.pacer.rate == Rate(20, 60.0) and robot.pacer.lock_seconds == APP_LOCK_SECONDS
    robot.close()


def test_a_message_arrives_mapped_and_its_key_is_the_message_id(server: SandboxServer,
                                                                api: AppApi, clock: HandClock) -> None:
    robot = app_robot(server, api, clock)
    result = robot.send({"msgtype": "markdown", "markdown": {"title": "公告", "text": "# 停机"}})
    robot.close()
    (record,) = api.records()
    assert result.status is Status.SENT and result.message_id == record["processQueryKey"]
    assert (record["msgKey"], json.loads(record["msgParam"])) == (
        "sampleMarkdown", {"title": "公告", "text": "# 停机"})
    assert (record["robotCode"], record["openConversationId"]) == (
        api.settings.code, api.settings.conversation)


def test_the_request_is_encoded_once_and_posted_as_those_bytes(server: SandboxServer, api: AppApi,
                                                               clock: HandClock) -> None:
    robot = app_robot(server, api, clock)
    assert isinstance(robot.transport, AppTransport)
    payload = {"msgtype": "text", "text": {"content": "停机 ✅"}}
    request = robot.transport.encode(payload, wire.encode(payload), "no-msguuid-for-apps")
    assert request == wire.encode({"msgKey": "sampleText", "msgParam": '{"content":"停机 ✅"}',
                                   "openConversationId": api.settings.conversation,
                                   "robotCode": api.settings.code})
    assert isinstance(request, bytes) and robot.transport.post(request).kind is Kind.OK
    robot.close()
    (record,) = api.records()
    assert record["msgParam"] == '{"content":"停机 ✅"}'


def test_the_token_is_fetched_once_per_run_and_again_when_it_expires(
        server: SandboxServer, api: AppApi, clock: HandClock) -> None:
    tokens = TokenCache()
    first, second = (app_robot(server, api, clock, tokens=tokens) for _ in range(2))
    for robot in (first, second, first):
        assert robot.send({"msgtype": "text", "text": {"content": "hi"}}).ok
    assert api.token_requests == 1
    clock.now += api.settings.token_seconds + 1  # the sandbox's token has expired
    assert second.send({"msgtype": "text", "text": {"content": "later"}}).ok
    assert api.token_requests == 2 and len(api.records()) == 4
    first.close()
    second.close()


def test_a_token_refused_mid_run_is_fetched_anew_and_sent_once(server: SandboxServer, api: AppApi,
                                                                 clock: HandClock) -> None:
    robot = app_robot(server, api, clock)
    assert robot.send({"msgtype": "text", "text": {"content": "1"}}).ok
    api.expire_token()  # DingTalk forgot the token before our cache says it expires
    result = robot.send({"msgtype": "text", "text": {"content": "2"}})
    robot.close()
    assert result.status is Status.SENT and api.token_requests == 2 and len(api.records()) == 2


def fault(server: SandboxServer, **fields: Any) -> None:
    answer = requests.post(server.base_url + "/_sandbox/app-fault", json=fields, timeout=5)
    assert answer.status_code == 200


@pytest.mark.parametrize(("status", "code"), [
    (403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"), (400, "send.too.fast"),
    (429, "system.busy"),
])
def test_a_rate_answer_waits_for_the_lock_and_sends_again(server: SandboxServer, api: AppApi,
                                                          clock: HandClock, status: int, code: str) -> None:
    robot = app_robot(server, api, clock)
    fault(server, status=status, code=code, count=1)
    result = robot.send({"msgtype": "text", "text": {"content": "hi"}})
    robot.close()
    assert (result.status, result.attempts) == (Status.SENT, 2)
    assert sum(clock.slept) == pytest.approx(APP_LOCK_SECONDS)
    assert len(api.records()) == 1


def test_the_pace_holds_an_app_robot_to_its_rate(server: SandboxServer, api: AppApi,
                                                 clock: HandClock) -> None:
    robot = app_robot(server, api, clock)
    robot.pacer.rate = Rate(2, 10.0)
    for n in range(3):
        assert robot.send({"msgtype": "text", "text": {"content": str(n)}}).ok
    robot.close()
    assert sum(clock.slept) == pytest.approx(10.0)


def test_a_final_error_is_not_retried_and_keeps_its_hint(server: SandboxServer, api: AppApi,
                                                         clock: HandClock) -> None:
    config = app_config(api, conversation="cidWRONG==")
    robot = Robot.from_config(config, "announce", environ=environ(server, api), clock=clock,
                              sleep=clock.sleep)
    result = robot.send({"msgtype": "text", "text": {"content": "hi"}})
    robot.close()
    assert (result.status, result.attempts, clock.slept) == (Status.FAILED, 1, [])
    assert result.detail == "HTTP 400 invalid.openConversationId (openConversationId不合法)"
    assert "openConversationId, cid...==" in result.hint


def test_a_wrong_secret_is_final_with_the_key_and_secret_hint(server: SandboxServer, api: AppApi,
                                                              clock: HandClock) -> None:
    env = environ(server, api) | {"T_APP_SECRET": "not-the-secret-at-all"}
    robot = Robot.from_config(app_config(api), "announce", environ=env, clock=clock, sleep=clock.sleep)
    result = robot.send({"msgtype": "text", "text": {"content": "hi"}})
    robot.close()
    assert result.status is Status.FAILED and result.detail.startswith("HTTP 400 invalidClientIdOrSecret")
    assert "app_key_env and app_secret_env" in result.hint
    assert "not-the-secret-at-all" not in json.dumps(result.to_json())


@pytest.mark.parametrize(("payload", "why"), [
    ({"msgtype": "feedCard", "feedCard": {"links": [
        {"title": "a", "messageURL": "https://e.com", "picURL": "https://e.com/p.png"}]}},
     "cannot send a feedCard"),
    ({"msgtype": "text", "text": {"content": "hi"}, "at": {"isAtAll": True}}, "cannot @-mention"),
    ({"msgtype": "text", "text": {"content": "长" * 5001}}, "msgParam would be 15,"),
])
def test_what_an_app_robot_cannot_show_is_never_posted(server: SandboxServer, api: AppApi,
                                                       clock: HandClock, payload: dict[str, Any],
                                                       why: str) -> None:
    robot = app_robot(server, api, clock)
    result = robot.send(payload)
    robot.close()
    assert result.status is Status.FAILED and why in result.detail
    assert api.records() == [] and api.token_requests == 0


def test_an_unset_app_variable_stops_the_batch_before_any_post(server: SandboxServer, api: AppApi) -> None:
    env = environ(server, api)
    del env["T_APP_SECRET"]
    with pytest.raises(ConfigError, match="T_APP_SECRET is not set") as caught:
        send([message(1, ("default",)), message(2)], app_config(api), environ=env)
    assert caught.value.exit_code == 2
    assert server.requests == 0 and api.token_requests == 0 and api.records() == []


def test_a_batch_mixes_a_webhook_robot_and_an_app_robot(server: SandboxServer, api: AppApi,
                                                        tmp_path: Path) -> None:
    ledger = tmp_path / "sent.jsonl"
    batch = [message(1, ("default", "announce")), message(2, ("announce",))]
    report = send(batch, app_config(api), environ=environ(server, api), ledger=ledger)
    assert [(r.path, r.robot, r.status) for r in report.results] == [
        ("m/1.yaml", "default", Status.SENT), ("m/1.yaml", "announce", Status.SENT),
        ("m/2.yaml", "announce", Status.SENT)]
    assert [body["markdown"]["text"] for body in server.messages] == ["# 公告 1"]
    keys = [record["processQueryKey"] for record in api.records()]
    assert [r.message_id for r in report.results] == [None, *keys]
    again = send(batch, app_config(api), environ=environ(server, api), ledger=ledger)
    assert {r.status for r in again.results} == {Status.SKIPPED} and len(api.records()) == 2
    recorded = [json.loads(line) for line in ledger.read_text().splitlines()]
    assert [r["messageId"] for r in recorded if r["event"] == "sent" and r["robot"] == "announce"] == keys
    shown = ledger.read_text() + json.dumps(report.to_json())
    assert not [secret for secret in secrets_of(api) if secret in shown]


def test_the_run_shares_one_token_across_robots_of_one_app(server: SandboxServer, api: AppApi) -> None:
    config = app_config(api)
    config = Config(robots={**config.robots, "again": RobotConfig(
        name="again", webhook_env="", secret_env=None, app=config.robot("announce").app)})
    report = send([message(1, ("announce", "again"))], config, environ=environ(server, api))
    assert report.ok and api.token_requests == 1 and len(api.records()) == 2


def test_deliver_takes_app_robots_like_any_other(server: SandboxServer, api: AppApi, clock: HandClock,
                                                 tmp_path: Path) -> None:
    robots = {"announce": app_robot(server, api, clock)}
    ledger = Ledger.open(tmp_path / "l.jsonl")
    try:
        report = deliver([message(1)], robots, ledger=ledger)
    finally:
        ledger.close()
        robots["announce"].close()
    assert report.ok and report.results[0].message_id == api.records()[0]["processQueryKey"]


"""The sandbox's app robot API over real HTTP: DingTalk's field names, codes and statuses, the
test hooks, and ``msgspec-dd sandbox --app`` as a process."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from msgspec_dd.delivery.app_client import AppClient, AppCredentials
from msgspec_dd.sandbox import SandboxServer
from msgspec_dd.sandbox.app_api import TOKEN_HEADER, AppApi, AppSettings
from tests.cli.test_sandbox_command import sandbox
from tests.clock import HandClock

TEXT_PARAM = json.dumps({"content": "你好"}, ensure_ascii=False)


@pytest.fixture
def clock() -> HandClock:
    return HandClock(5_000.0)


@pytest.fixture
def api(clock: HandClock) -> AppApi:
    return AppApi(AppSettings(app_key="dingsandboxkey01", app_secret="s3cret-for-tests", clock=clock))


@pytest.fixture
def server(api: AppApi) -> Iterator[SandboxServer]:
    with SandboxServer(app=api) as running:
        yield running


def call(server: SandboxServer, path: str, body: Any, token: str | None = None) -> tuple[int, Any]:
    headers = {TOKEN_HEADER: token} if token else {}
    reply = requests.post(server.base_url + path, json=body, headers=headers, timeout=5)
    return reply.status_code, reply.json()


def token_of(server: SandboxServer, api: AppApi) -> str:
    status, answer = call(server, "/v1.0/oauth2/accessToken",
                          {"appKey": api.settings.app_key, "appSecret": api.settings.app_secret})
    assert status == 200 and answer["expireIn"] > 0
    token: str = answer["accessToken"]
    return token


def send(server: SandboxServer, api: AppApi, token: str, **overrides: Any) -> tuple[int, Any]:
    body = {"msgKey": "sampleText", "msgParam": TEXT_PARAM, "robotCode": api.settings.code,
            "openConversationId": api.settings.conversation} | overrides
    return call(server, "/v1.0/robot/groupMessages/send", body, token)


def test_the_same_token_until_it_expires_then_a_new_one(server: SandboxServer, api: AppApi, clock: HandClock) -> None:
    first = token_of(server, api)
    clock.now += 7000
    assert token_of(server, api) == first
    status, answer = call(server, "/v1.0/oauth2/accessToken",
                          {"appKey": api.settings.app_key, "appSecret": api.settings.app_secret})
    assert (status, answer["expireIn"]) == (200, 200)
    clock.now += 200
    assert send(server, api, first)[1]["code"] == "InvalidAuthentication"
    assert token_of(server, api) != first
    assert api.token_requests == 4


def test_a_wrong_secret_is_http_400_invalid_client_id_or_secret(server: SandboxServer, api: AppApi) -> None:
    status, answer = call(server, "/v1.0/oauth2/accessToken", {"appKey": api.settings.app_key, "appSecret": "x"})
    assert status == 400 and answer["code"] == "invalidClientIdOrSecret"
    assert set(answer) == {"code", "message", "requestid"}


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_a_missing_or_unknown_token_is_invalid_authentication(server: SandboxServer, api: AppApi,
                                                              token: str | None) -> None:
    status, answer = send(server, api, token or "")
    assert (status, answer["code"]) == (400, "InvalidAuthentication")


@pytest.mark.parametrize(("overrides", "code"), [
    ({"robotCode": "dingother"}, "invalidParameter.robotCode.notExsit"),
    ({"openConversationId": "cidother=="}, "invalid.openConversationId"),
    ({"msgKey": "sampleFeedCard"}, "invalidParameter.msgKey.invalid"),
    ({"msgParam": {"content": "an object, not a string"}}, "invalidParameter.msgParam.invalid"),
    ({"msgParam": "{}"}, "invalidParameter.msgParam.invalid"),
    ({"msgKey": "sampleActionCard6", "msgParam": json.dumps({"title": "t", "text": "x", "buttonTitle1": "a",
                                                             "buttonURL1": "u"})},
     "invalidParameter.msgParam.invalid"),
    ({"msgParam": json.dumps({"content": "字" * 5000}, ensure_ascii=False)}, "invalidParameter.msgParam.tooLong"),
])
def test_send_refusals(server: SandboxServer, api: AppApi, overrides: dict[str, Any], code: str) -> None:
    status, answer = send(server, api, token_of(server, api), **overrides)
    assert (status, answer["code"]) == (400, code)
    assert api.records() == []


def test_send_recall_query_and_reads(server: SandboxServer, api: AppApi) -> None:
    token = token_of(server, api)
    status, answer = send(server, api, token)
    assert status == 200 and set(answer) == {"processQueryKey"}
    key = answer["processQueryKey"]
    where = {"robotCode": api.settings.code, "openConversationId": api.settings.conversation}
    assert call(server, "/_sandbox/read", {"processQueryKey": key, "userIds": ["u1", "u2", "u1"]})[0] == 200
    query = call(server, "/v1.0/robot/groupMessages/query", {"processQueryKey": key, "maxResults": 1}, token)
    assert query == (200, {"sendStatus": "SUCCESS", "readUserIds": ["u1"], "hasMore": True, "nextToken": "1"})
    recall = call(server, "/v1.0/robot/groupMessages/recall", {**where, "processQueryKeys": [key, "nope"]}, token)
    assert recall == (200, {"successResult": [key], "failedResult": {"nope": "processQueryKey not found"}})
    again = call(server, "/v1.0/robot/groupMessages/recall", {**where, "processQueryKeys": [key]}, token)
    assert again[1] == {"successResult": [], "failedResult": {key: "message already recalled"}}
    query = call(server, "/v1.0/robot/groupMessages/query", {"processQueryKey": key, "nextToken": "1"}, token)
    assert query[1] == {"sendStatus": "RECALLED", "readUserIds": ["u2"], "hasMore": False}
    assert api.records()[0]["recalled"] is True


def test_rate_answers_and_scripted_faults(clock: HandClock) -> None:
    api = AppApi(AppSettings(rate_count=1, clock=clock))
    with SandboxServer(app=api) as server:
        token = token_of(server, api)
        assert send(server, api, token)[0] == 200
        status, answer = send(server, api, token)
        assert (status, answer["code"]) == (403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi")
        clock.now += 1
        call(server, "/_sandbox/app-fault", {"status": 429, "code": "system.busy", "count": 1})
        assert send(server, api, token)[1]["code"] == "system.busy"
        clock.now += 1
        assert send(server, api, token)[0] == 200


@pytest.mark.parametrize("raw", [b"not json", b"[1]", b"\xff"])
def test_bodies_that_are_not_json_objects_are_a_400(server: SandboxServer, raw: bytes) -> None:
    reply = requests.post(server.base_url + "/v1.0/robot/groupMessages/send", data=raw, timeout=5,
                          headers={"Content-Type": "application/json"})
    assert reply.status_code == 400 and reply.json()["code"] == "InvalidParameter"


def test_without_app_the_routes_do_not_exist() -> None:
    with SandboxServer() as plain:
        reply = requests.post(plain.base_url + "/v1.0/oauth2/accessToken", json={}, timeout=5)
        assert reply.status_code == 404


def test_sandbox_app_process_prints_its_api_line_and_serves_the_client(tmp_path: Path) -> None:
    with sandbox(tmp_path, "--app") as running:
        assert running.process.stdout is not None
        fields = dict(part.split("=", 1) for part in running.process.stdout.readline().split())
        assert fields["MSGSPEC_DD_API_BASE"] == running.base_url
        client = AppClient(AppCredentials(fields["app_key"], fields["app_secret"]),
                           base_url=fields["MSGSPEC_DD_API_BASE"], timeout=5)
        key = client.send({"msgKey": "sampleText", "msgParam": TEXT_PARAM, "robotCode": fields["robot_code"],
                           "openConversationId": fields["conversation"]})
        assert isinstance(key, str)
        token = client.tokens.get(fields["app_key"], client.clock())
        code, _, stderr = running.stop(signal.SIGTERM)
    assert code == 0
    assert "sandbox: app /v1.0/robot/groupMessages/send HTTP 200 ok" in stderr
    assert token and token not in stderr and fields["app_secret"] not in stderr


def test_app_reset_forgets_tokens_messages_and_faults(server: SandboxServer, api: AppApi) -> None:
    token = token_of(server, api)
    assert send(server, api, token)[0] == 200
    call(server, "/_sandbox/app-fault", {"status": 500, "code": "system.error", "count": 5})
    assert call(server, "/_sandbox/app-reset", {}) == (200, {"ok": True})
    assert (api.records(), api.token_requests) == ([], 0)
    assert send(server, api, token)[1]["code"] == "InvalidAuthentication"
    assert send(server, api, token_of(server, api))[0] == 200

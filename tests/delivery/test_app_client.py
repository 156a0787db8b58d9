"""The app API client against the sandbox's ``--app`` API over real HTTP: tokens fetched once per
run and refreshed, errors classified, recall and read status, and credentials never shown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from msgspec_dd.delivery.app_client import (
    AppClient,
    AppCredentials,
    ReadStatus,
    RecallResult,
    TokenCache,
    api_base,
)
from msgspec_dd.dingtalk.app_errors import REFRESH_TOKEN, AppError
from msgspec_dd.dingtalk.app_messages import AppMessage, app_message, send_body
from msgspec_dd.dingtalk.errcodes import Kind
from msgspec_dd.sandbox import SandboxServer
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
    with SandboxServer(app=api) as running:
        yield running


def client_for(server: SandboxServer, api: AppApi, clock: HandClock, *, secret: str | None = None,
               tokens: TokenCache | None = None) -> AppClient:
    credentials = AppCredentials(api.settings.app_key, secret or api.settings.app_secret)
    return AppClient(credentials, base_url=server.base_url, clock=clock, tokens=tokens, timeout=5)


def body(api: AppApi, payload: dict[str, Any] | None = None, **overrides: str) -> dict[str, str]:
    message = app_message(payload or {"msgtype": "text", "text": {"content": "你好"}})
    assert isinstance(message, AppMessage)
    return send_body(message, robot_code=api.settings.code, conversation=api.settings.conversation) | overrides


def sent(client: AppClient, api: AppApi) -> str:
    key = client.send(body(api))
    assert isinstance(key, str), key
    return key


def test_a_send_returns_the_process_query_key_the_sandbox_stored(server: SandboxServer, api: AppApi,
                                                                 clock: HandClock) -> None:
    key = sent(client_for(server, api, clock), api)
    (record,) = api.records()
    assert record["processQueryKey"] == key
    assert (record["msgKey"], json.loads(record["msgParam"])) == ("sampleText", {"content": "你好"})


def test_the_token_is_fetched_once_per_run_for_every_client_of_the_app(
    server: SandboxServer, api: AppApi, clock: HandClock
) -> None:
    tokens = TokenCache()
    for _ in range(3):
        client = client_for(server, api, clock, tokens=tokens)
        sent(client, api)
        clock.now += 60
    assert api.token_requests == 1


def test_the_token_is_refreshed_before_expire_in_runs_out(server: SandboxServer, api: AppApi,
                                                          clock: HandClock) -> None:
    client = client_for(server, api, clock)
    sent(client, api)
    clock.now += 7200 - 301
    sent(client, api)
    assert api.token_requests == 1
    clock.now += 2
    sent(client, api)
    assert api.token_requests == 2  # within five minutes of expiry: asked again, nothing refused


def test_an_expired_token_is_replaced_and_the_call_tried_once_more(server: SandboxServer, api: AppApi,
                                                                  clock: HandClock) -> None:
    client = client_for(server, api, clock)
    sent(client, api)
    api.expire_token()  # DingTalk dropped it early: the client only learns from the answer
    sent(client, api)
    assert api.token_requests == 2
    assert len(api.records()) == 2


def test_a_token_refused_twice_is_reported_not_retried_forever(server: SandboxServer, api: AppApi,
                                                               clock: HandClock) -> None:
    client = client_for(server, api, clock)
    requests.post(server.base_url + "/_sandbox/app-fault", json={"status": 401, "code": "InvalidAuthentication",
                                                                  "count": 2}, timeout=5)
    error = client.send(body(api))
    assert isinstance(error, AppError) and error.kind is REFRESH_TOKEN
    assert api.token_requests == 2 and api.records() == []


def test_a_wrong_secret_is_final_and_never_shown(server: SandboxServer, api: AppApi, clock: HandClock) -> None:
    wrong = "Zz9-" * 16
    client = client_for(server, api, clock, secret=wrong)
    error = client.send(body(api))
    assert isinstance(error, AppError)
    assert (error.status, error.code, error.kind) == (400, "invalidClientIdOrSecret", Kind.PERMANENT)
    assert "app_secret_env" in error.hint
    for shown in (repr(error), str(error), repr(client), repr(client.credentials)):
        assert wrong not in shown and api.settings.app_secret not in shown


@pytest.mark.parametrize(("overrides", "code"), [
    ({"robotCode": "dingnotmine"}, "invalidParameter.robotCode.notExsit"),
    ({"openConversationId": "cidother=="}, "invalid.openConversationId"),
    ({"msgKey": "sampleNope"}, "invalidParameter.msgKey.invalid"),
    ({"msgParam": json.dumps({"content": "x" * 15_000})}, "invalidParameter.msgParam.tooLong"),
])
def test_refusals_are_classified_final(server: SandboxServer, api: AppApi, clock: HandClock,
                                      overrides: dict[str, str], code: str) -> None:
    error = client_for(server, api, clock).send(body(api, **overrides))
    assert isinstance(error, AppError)
    assert (error.status, error.code, error.kind) == (400, code, Kind.PERMANENT)
    assert error.request_id and error.hint


def test_the_rate_answer_is_classified_for_backing_off(server: SandboxServer, clock: HandClock) -> None:
    api = AppApi(AppSettings(clock=clock, rate_count=2))
    with SandboxServer(app=api) as limited:
        client = client_for(limited, api, clock)
        sent(client, api)
        sent(client, api)
        error = client.send(body(api))
        assert isinstance(error, AppError)
        assert (error.status, error.code, error.kind) == (
            403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", Kind.RATE_LIMITED)
        clock.now += 1
        sent(client, api)


@pytest.mark.parametrize(("status", "code", "kind"), [
    (500, "system.error", Kind.RETRYABLE), (429, "system.busy", Kind.RATE_LIMITED),
    (400, "send.too.fast", Kind.RATE_LIMITED), (400, "group.disbanded", Kind.PERMANENT),
])
def test_scripted_answers_are_classified(server: SandboxServer, api: AppApi, clock: HandClock,
                                         status: int, code: str, kind: Kind) -> None:
    requests.post(server.base_url + "/_sandbox/app-fault", json={"status": status, "code": code}, timeout=5)
    error = client_for(server, api, clock).send(body(api))
    assert isinstance(error, AppError) and (error.status, error.code, error.kind) == (status, code, kind)


def test_recall_after_send_then_a_second_recall_fails(server: SandboxServer, api: AppApi, clock: HandClock) -> None:
    client = client_for(server, api, clock)
    key = sent(client, api)
    where = {"robot_code": api.settings.code, "conversation": api.settings.conversation}
    assert client.recall([key], **where) == RecallResult((key,), {})
    assert api.records()[0]["recalled"] is True
    again = client.recall([key], **where)
    assert isinstance(again, RecallResult) and again.recalled == () and set(again.failed) == {key}


def test_query_pages_through_every_reader(server: SandboxServer, api: AppApi, clock: HandClock) -> None:
    client = client_for(server, api, clock)
    key = sent(client, api)
    readers = [f"user{n}" for n in range(5)]
    reply = requests.post(server.base_url + "/_sandbox/read", json={"processQueryKey": key, "userIds": readers},
                          timeout=5)
    assert reply.status_code == 200
    where = {"robot_code": api.settings.code, "conversation": api.settings.conversation}
    assert client.query(key, page_size=2, **where) == ReadStatus("SUCCESS", tuple(readers))
    client.recall([key], **where)
    assert client.query(key, **where) == ReadStatus("RECALLED", tuple(readers))


def test_query_of_an_unknown_key_is_classified(server: SandboxServer, api: AppApi, clock: HandClock) -> None:
    error = client_for(server, api, clock).query("nope", robot_code=api.settings.code,
                                                 conversation=api.settings.conversation)
    assert isinstance(error, AppError) and error.code == "processQueryKey.expireTime"
    assert "not ready yet" in error.hint


def test_an_unreachable_api_is_a_retryable_value(api: AppApi, clock: HandClock) -> None:
    with SandboxServer() as gone:
        base = gone.base_url
    client = AppClient(AppCredentials(api.settings.app_key, api.settings.app_secret), base_url=base,
                       clock=clock, timeout=2)
    error = client.send(body(api))
    assert isinstance(error, AppError) and (error.code, error.kind) == ("connection", Kind.RETRYABLE)
    assert api.settings.app_secret not in str(error)


def test_the_base_url_comes_from_the_environment_at_the_edge() -> None:
    assert api_base({}) == "https://api.dingtalk.com"
    assert api_base({"MSGSPEC_DD_API_BASE": "http://127.0.0.1:9/ "}) == "http://127.0.0.1:9"


def test_the_client_never_imports_the_sandbox() -> None:
    import ast
    import inspect

    from msgspec_dd.delivery import app_client

    tree = ast.parse(inspect.getsource(app_client))
    names = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(str(name).startswith("msgspec_dd.sandbox") for name in names)


def test_credentials_come_from_the_variables_the_config_names() -> None:
    from msgspec_dd.config import AppRobot
    from msgspec_dd.errors import ConfigError

    app = AppRobot("KEY_VAR", "SECRET_VAR", "dingabc", "cid==")
    environ = {"KEY_VAR": "dingkey", "SECRET_VAR": "the-secret-value"}
    credentials = AppCredentials.from_env("announce", app, environ)
    assert (credentials.app_key, credentials.app_secret) == ("dingkey", "the-secret-value")
    assert "the-secret-value" not in repr(credentials)
    with pytest.raises(ConfigError, match=r"robot 'announce': environment variable SECRET_VAR is not set"):
        AppCredentials.from_env("announce", app, {"KEY_VAR": "dingkey"})


def test_an_error_text_that_quotes_the_secret_or_the_token_is_redacted(
    server: SandboxServer, api: AppApi, clock: HandClock,
) -> None:
    client = client_for(server, api, clock)
    sent(client, api)  # a token is fetched and held
    assert api._token is not None
    token = api._token[0]
    quoted = f"refused {api.settings.app_secret} with {token}"
    requests.post(server.base_url + "/_sandbox/app-fault",
                  json={"status": 400, "code": "group.disbanded", "message": quoted}, timeout=5)
    error = client.send(body(api))
    assert isinstance(error, AppError)
    assert api.settings.app_secret not in error.message and token not in error.message
    assert error.message.count("***") == 2

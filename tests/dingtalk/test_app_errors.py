"""App API errors classified from HTTP status and ``code``, with one hint each."""

from __future__ import annotations

import pytest

from msgspec_dd.dingtalk.app_errors import REFRESH_TOKEN, app_error, classify, hint, required_scopes
from msgspec_dd.dingtalk.errcodes import Kind


@pytest.mark.parametrize(("status", "code"), [
    (400, "send.too.fast"), (400, "send.byToken.tooFast"), (400, "too.many.group"),
    (400, "too.many.people"), (403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"),
    (403, "Forbidden.AccessDenied.QpsLimitForApi"), (403, "Forbidden.AccessDenied.QpmLimitForAppkeyAndApi"),
    (429, "system.busy"), (429, ""),
])
def test_rate_answers_back_off(status: int, code: str) -> None:
    assert classify(status, code) is Kind.RATE_LIMITED
    assert "back off" in hint(status, code)


@pytest.mark.parametrize(("status", "code"), [(400, "InvalidAuthentication"), (401, ""), (401, "x")])
def test_auth_answers_refresh_the_token(status: int, code: str) -> None:
    assert classify(status, code) is REFRESH_TOKEN


@pytest.mark.parametrize(("status", "code"), [(500, "system.error"), (502, ""), (400, "system.error")])
def test_server_errors_are_transient(status: int, code: str) -> None:
    assert classify(status, code) is Kind.RETRYABLE


@pytest.mark.parametrize(("code", "words"), [
    ("invalidParameter.robotCode.notExsit", "robot_code"),
    ("invalidParameter.robotCode.auth", "robot_code"),
    ("invalid.openConversationId", "openConversationId"),
    ("group.disbanded", "dissolved"),
    ("bot.stopped", "stopped"),
    ("invalidParameter.msgParam.tooLong", "15,000"),
    ("invalidParameter.msgParam.invalid", "lint"),
    ("invalidClientIdOrSecret", "app_secret_env"),
    ("Forbidden.AccessDenied.IpNotInWhiteList", "allow-list"),
    ("something.new", "does not know"),
])
def test_final_answers_have_a_hint_each(code: str, words: str) -> None:
    status = 403 if code.startswith("Forbidden") else 400
    assert classify(status, code) is Kind.PERMANENT
    assert words in hint(status, code)


def test_a_permission_answer_names_the_missing_scope() -> None:
    body = {"code": "Forbidden.AccessDenied.AccessTokenPermissionDenied", "message": "没有调用该接口的权限",
            "requestid": "R1", "accessdenieddetail": {"requiredScopes": ["qyapi_robot_sendmsg"]}}
    error = app_error(403, body)
    assert (error.kind, error.code, error.message, error.request_id) == (
        Kind.PERMANENT, body["code"], "没有调用该接口的权限", "R1")
    assert "lacks a permission (qyapi_robot_sendmsg)" in error.hint
    assert required_scopes(body) == ["qyapi_robot_sendmsg"]


def test_odd_bodies_are_classified_by_status() -> None:
    assert app_error(502, "<html>").kind is Kind.RETRYABLE
    assert app_error(401, None).code == "HTTP 401"
    assert app_error(200, {}).kind is Kind.OK

"""DingTalk errcodes: classification and hints."""

from __future__ import annotations

import pytest

from msgspec_dd.dingtalk import errcodes
from msgspec_dd.dingtalk.errcodes import Kind, classify, hint, is_stale_timestamp

MORE = "more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"


@pytest.mark.parametrize(
    ("errcode", "errmsg", "kind"),
    [
        (0, "ok", Kind.OK),
        (-1, "系统繁忙", Kind.RETRYABLE),
        (130101, "send too fast, exceed 20 times per minute", Kind.RATE_LIMITED),
        (410100, "发送速度太快而限流", Kind.RATE_LIMITED),
        (310000, f"invalid timestamp, {MORE}", Kind.RESIGN),
        (310000, "description:机器人发送签名过期;solution:请检查", Kind.RESIGN),
        (310000, f"sign not match, {MORE}", Kind.PERMANENT),
        (310000, f"keywords not in content, {MORE}", Kind.PERMANENT),
        (310000, "ip 1.2.3.4 not in whitelist", Kind.PERMANENT),
        (300001, "token is not exist", Kind.PERMANENT),
        (460101, "message too long, exceed 20000 bytes", Kind.PERMANENT),
        (999999, "something new", Kind.PERMANENT),
    ],
)
def test_classify(errcode: int, errmsg: str, kind: Kind) -> None:
    assert classify(errcode, errmsg) is kind


@pytest.mark.parametrize(
    ("errcode", "errmsg", "words"),
    [
        (310000, f"keywords not in content, {MORE}", "keywords"),
        (310000, f"sign not match, {MORE}", "wrong secret"),
        (310000, "description:机器人发送签名不匹配;solution:...", "wrong secret"),
        (310000, f"invalid timestamp, {MORE}", "clock skew"),
        (310000, "description:机器人发送签名过期;solution:...", "clock skew"),
        (310000, "ip 10.0.0.1 not in whitelist", "IP allow-list"),
        (310000, "something else", "security setting"),
        (300001, "token is not exist", "access token is not valid"),
        (300005, "token is not exist", "access token is not valid"),
        (400101, "access_token不存在", "access token is not valid"),
        (400013, "群已被解散", "dissolved"),
        (400102, "机器人已停用", "disabled"),
        (400105, "不支持的消息类型", "unsupported msgtype"),
        (400106, "机器人不存在", "does not exist"),
        (430101, "", "unsafe external link"),
        (430102, "", "inappropriate text"),
        (430103, "", "inappropriate image"),
        (430104, "", "inappropriate content"),
        (460101, "message too long", "20,000 bytes"),
        (40035, "缺少参数 access_token", "missing"),
        (130101, "send too fast", "too fast"),
        (410100, "发送速度太快而限流", "rate-limited"),
        (-1, "系统繁忙", "busy"),
        (12345, "new", "does not know"),
    ],
)
def test_every_errcode_has_a_plain_hint(errcode: int, errmsg: str, words: str) -> None:
    assert words in hint(errcode, errmsg)


def test_stale_timestamp_wording() -> None:
    assert is_stale_timestamp("Invalid Timestamp")
    assert is_stale_timestamp("签名过期")
    assert not is_stale_timestamp("sign not match")


@pytest.mark.parametrize(
    ("errcode", "errmsg", "expected"),
    [(310000, "sign not match, more: ...", True), (310000, "invalid timestamp", True),
     (310000, "description:机器人发送签名不匹配;solution:...", True),
     (310000, "keywords not in content", False), (310000, "ip 1.2.3.4 not in whitelist", False),
     (300001, "sign not match", False)],
)
def test_is_signature_refusal(errcode: int, errmsg: str, expected: bool) -> None:
    assert errcodes.is_signature_refusal(errcode, errmsg) is expected


def test_unsigned_hint_names_the_variable_when_known() -> None:
    assert "environment variable DINGTALK_SECRET is not set" in errcodes.unsigned_hint("DINGTALK_SECRET")
    assert "no secret was given" in errcodes.unsigned_hint(None)


def test_one_table_holds_a_hint_for_every_cause_and_security_check() -> None:
    assert set(errcodes.Cause) | set(errcodes.Security) <= errcodes.HINTS.keys()
    assert all(text.strip() for text in errcodes.HINTS.values())

"""Webhook URL parsing (hiding credentials is tests/test_redaction.py)."""

from __future__ import annotations

import pytest

from msgspec_dd.dingtalk.signing import signed_query
from msgspec_dd.dingtalk.webhook_url import (
    DINGTALK_ENDPOINT,
    is_token,
    url_credentials,
    webhook_url,
    with_query,
)
from msgspec_dd.errors import ConfigError

TOKEN = "ab" * 32
SECRET = "SEC" + "cd" * 32


def test_a_bare_token_becomes_dingtalks_webhook() -> None:
    assert webhook_url(f"  {TOKEN}\n") == f"{DINGTALK_ENDPOINT}?access_token={TOKEN}"


def test_a_full_url_is_kept_as_it_is() -> None:
    url = f"http://127.0.0.1:8080/robot/send?access_token={TOKEN}"
    assert webhook_url(url) == url


@pytest.mark.parametrize("value", ["abc", "ftp://x/robot/send", "https://x/ y", TOKEN[:-1]])
def test_anything_else_is_a_config_error_naming_the_source_not_the_value(value: str) -> None:
    with pytest.raises(ConfigError) as info:
        webhook_url(value, source="environment variable DINGTALK_OPS")
    assert "environment variable DINGTALK_OPS" in str(info.value)
    assert value.strip() not in str(info.value)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (f"http://[127.0.0.1:9/robot/send?access_token={TOKEN}", "cannot be parsed"),
        (f"http://127.0.0.1:99999/robot/send?access_token={TOKEN}", "cannot be parsed"),
        (f"http://127.0.0.1:port/robot/send?access_token={TOKEN}", "cannot be parsed"),
        (f"https://oapi.dingtalk.com:0/robot/send?access_token={TOKEN}", "its port is 0"),
        (f"https:///robot/send?access_token={TOKEN}", "it has no host"),
        (f"https://:443/robot/send?access_token={TOKEN}", "it has no host"),
        (f"https://oapi..dingtalk.com/robot/send?access_token={TOKEN}", "empty label"),
        (f"https://.dingtalk.com/robot/send?access_token={TOKEN}", "empty label"),
        ("http://127.0.0.1:8080/robot/send", "no access_token parameter"),
        (f"https://oapi.dingtalk.com/robot/send?token={TOKEN}", "no access_token parameter"),
        ("https://oapi.dingtalk.com/robot/send?access_token=&x=1", "no access_token parameter"),
    ],
)
def test_a_url_that_cannot_be_requested_is_a_config_error_not_a_traceback(
    value: str, why: str
) -> None:
    with pytest.raises(ConfigError) as info:
        webhook_url(value, source="environment variable DINGTALK_WEBHOOK")
    message = str(info.value)
    assert message.startswith("environment variable DINGTALK_WEBHOOK is not a valid webhook URL")
    assert why in message
    assert TOKEN not in message and value not in message


@pytest.mark.parametrize(
    "value",
    [
        f"http://[::1]:8080/robot/send?access_token={TOKEN}",
        f"https://oapi.dingtalk.com./robot/send?access_token={TOKEN}",
        f"https://oapi.dingtalk.com:443/robot/send?access_token={TOKEN}",
    ],
)
def test_unusual_but_valid_urls_pass(value: str) -> None:
    assert webhook_url(value) == value


def test_is_token() -> None:
    assert is_token(TOKEN.upper())
    assert not is_token(TOKEN + "0")


def test_url_credentials_finds_the_access_token() -> None:
    assert url_credentials(f"https://h/robot/send?x=1&access_token={TOKEN}") == (TOKEN,)
    assert url_credentials("https://h/robot/send") == ()
    assert url_credentials(f"https://u:pass-word@h/robot/send?access_token={TOKEN}") == (
        TOKEN, "pass-word")


def test_with_query_appends_once_encoded_signature() -> None:
    query = signed_query(SECRET, 1_700_000_000_000)
    url = with_query(f"https://h/robot/send?access_token={TOKEN}", query)
    assert url == f"https://h/robot/send?access_token={TOKEN}&{query}"
    assert "%25" not in url  # never encoded twice
    assert with_query("https://h/robot/send", "a=1") == "https://h/robot/send?a=1"

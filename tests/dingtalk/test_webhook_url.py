"""Webhook parsing and credential redaction."""

from __future__ import annotations

import pytest

from msgspec_dd.dingtalk.signing import signed_query
from msgspec_dd.dingtalk.webhook_url import (
    DINGTALK_ENDPOINT,
    hide_credentials,
    is_token,
    redact,
    scrub,
    url_credentials,
    webhook_url,
    with_query,
)
from msgspec_dd.errors import ConfigError
from msgspec_dd.redaction import MIN_SECRET, hide_values

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


def test_redact_hides_tokens_signs_and_secrets_in_urls_and_text() -> None:
    query = signed_query(SECRET, 1_700_000_000_000)
    text = (
        f"HTTPConnectionPool(host='127.0.0.1'): Max retries exceeded with url: "
        f"/robot/send?access_token={TOKEN}&{query} (secret {SECRET}, token {TOKEN})"
    )
    out = redact(text)
    assert TOKEN not in out and SECRET[3:] not in out
    assert "sign=" + query.split("sign=")[1] not in out
    assert "access_token=***" in out and "sign=***" in out and "SEC***" in out
    assert "timestamp=1700000000000" in out  # not a credential


def test_redact_hides_known_values_of_any_shape_raw_and_url_encoded() -> None:
    odd = "not-hex token/with=chars"
    out = redact(f"a {odd} b not-hex%20token%2Fwith%3Dchars c", [odd])
    assert out == "a *** b *** c"


def test_redact_leaves_ordinary_words_alone() -> None:
    text = "design=good, signal=ok, SECURITY check, hash abc"
    assert redact(text) == text


def test_scrub_passes_every_string_of_a_json_value_through_hide() -> None:
    value = {"text": {"content": "a SECRET"}, "SECRET": [1, "SECRET b", None, True]}
    assert scrub(value, lambda text: text.replace("SECRET", "***")) == {
        "text": {"content": "a ***"}, "***": [1, "*** b", None, True]}
    assert value["text"] == {"content": "a SECRET"}  # a copy


def test_hide_credentials_hides_exactly_the_held_values_and_signing_secrets() -> None:
    checksum = "0123456789abcdef" * 4
    odd = "odd token/with=chars"
    text = (f"checksum {checksum}, held {TOKEN} and {odd} (encoded: odd%20token%2Fwith%3Dchars), "
            f"a secret {SECRET}, see https://x.example/?sign=abc&access_token=mine")
    assert hide_credentials(text, [TOKEN, odd, ""]) == (
        f"checksum {checksum}, held *** and *** (encoded: ***), a secret SEC***, "
        "see https://x.example/?sign=abc&access_token=mine")
    assert redact(text).count("***") > hide_credentials(text, [TOKEN, odd]).count("***")


def test_redact_and_hide_credentials_hide_held_values_through_one_helper() -> None:
    short, enough, longer = "abcde", "abcdef", "abcdef-ghi jk"
    text = f"{short} | {longer} | abcdef-ghi%20jk | {enough}"
    assert MIN_SECRET == 6
    assert hide_values(text, [short, enough, longer]) == "abcde | *** | *** | ***"
    # The same values hidden the same way by both, the shorter one left alone by both.
    assert redact(text, [short, enough, longer]) == hide_values(text, [short, enough, longer])
    assert hide_credentials(text, [short, enough, longer]) == hide_values(text, [short, enough, longer])

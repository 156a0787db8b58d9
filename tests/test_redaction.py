"""The one rule for hiding credentials: held values, and anything shaped like a credential."""

from __future__ import annotations

from msgspec_dd.dingtalk.signing import signed_query
from msgspec_dd.redaction import MIN_SECRET, redact, redact_json

TOKEN = "ab" * 32
SECRET = "SEC" + "cd" * 32


def test_an_error_text_quoting_a_signed_url_hides_token_secret_and_signature() -> None:
    query = signed_query(SECRET, 1_700_000_000_000)
    sign = query.split("sign=")[1]
    text = (
        f"HTTPConnectionPool(host='127.0.0.1'): Max retries exceeded with url: "
        f"/robot/send?access_token={TOKEN}&{query} (secret {SECRET}, token {TOKEN})"
    )
    out = redact(text)
    assert TOKEN not in out and SECRET[3:] not in out and sign not in out
    assert "access_token=***" in out and "sign=***" in out and "SEC***" in out
    assert "timestamp=1700000000000" in out  # not a credential


def test_an_access_token_is_hidden_by_its_context_also_url_encoded() -> None:
    text = "see https://x.example/?access_token=mine or access_token%3Dmine&a=1"
    assert redact(text) == "see https://x.example/?access_token=*** or access_token%3D***&a=1"


def test_held_values_of_any_shape_are_hidden_raw_and_url_encoded() -> None:
    odd = "not-hex token/with=chars"
    out = redact(f"a {odd} b not-hex%20token%2Fwith%3Dchars c", [odd])
    assert out == "a *** b *** c"


def test_ordinary_words_stay() -> None:
    text = "design=good, signal=ok, SECURITY check, hash abc, a commit 0123456789abcdef0123"
    assert redact(text) == text


def test_anything_shaped_like_a_token_is_hidden_even_in_what_users_wrote() -> None:
    # A pasted token and a SHA-256 cannot be told apart: shown text errs on the side of hiding.
    checksum = "0123456789abcdef" * 4
    assert redact(f"image sha256:{checksum}, see https://x.example/?sign=abc&x=1") == (
        "image sha256:***, see https://x.example/?sign=***&x=1")


def test_short_held_values_are_left_alone_and_longer_ones_go_first() -> None:
    short, enough, longer = "abcde", "abcdef", "abcdef-ghi jk"
    text = f"{short} | {longer} | abcdef-ghi%20jk | {enough}"
    assert MIN_SECRET == 6
    assert redact(text, [short, enough, longer]) == "abcde | *** | *** | ***"


def test_redact_json_passes_every_string_and_key_through_the_rule() -> None:
    value = {"text": {"content": f"a {SECRET}"}, "held-value": [1, "held-value b", None, True]}
    assert redact_json(value, ["held-value"]) == {
        "text": {"content": "a SEC***"}, "***": [1, "*** b", None, True]}
    assert value["text"] == {"content": f"a {SECRET}"}  # a copy


def test_a_urls_user_and_password_are_hidden() -> None:
    text = "fatal: unable to access 'https://x-access-token:ghs_abc123XYZ@github.com/o/r.git/'"
    assert redact(text) == "fatal: unable to access 'https://***@github.com/o/r.git/'"
    assert redact("see https://example.com/a:b@c") == "see https://example.com/a:b@c"  # a path, not a user

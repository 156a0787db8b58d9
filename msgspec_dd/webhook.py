"""Webhooks: turning what users keep in their environment into a URL, and hiding credentials.

Users keep either the whole webhook URL as DingTalk shows it, or only its 64-hex access token.
Both the token and the signing secret (``SEC`` + 64 hex) are credentials: every error message
and log line that could contain one passes through :func:`redact` first. ``requests`` puts the
full URL (token, timestamp and sign included) into its exception texts, so those are redacted
too.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from msgspec_dd.errors import ConfigError
from msgspec_dd.redaction import MASK, redact

__all__ = ["DINGTALK_ENDPOINT", "MASK", "is_token", "redact", "url_credentials", "webhook_url", "with_query"]

_TOKEN = re.compile(r"[0-9a-fA-F]{64}")

#: Where DingTalk's custom group robots receive messages.
DINGTALK_ENDPOINT = "https://oapi.dingtalk.com/robot/send"

def is_token(value: str) -> bool:
    """True when ``value`` has the shape of a DingTalk access token (64 hex characters)."""
    return _TOKEN.fullmatch(value) is not None


def webhook_url(value: str, *, source: str = "the webhook") -> str:
    """The webhook URL for ``value``: a full ``http(s)://`` URL, or a bare access token.

    ``source`` says where the value came from (``environment variable DINGTALK_WEBHOOK``); a
    :class:`ConfigError` names it, never the value (which is a credential).
    """
    value = value.strip()
    if is_token(value):
        return f"{DINGTALK_ENDPOINT}?access_token={value}"
    if value.startswith(("https://", "http://")) and not any(c.isspace() for c in value):
        return value
    raise ConfigError(
        f"{source} is neither a webhook URL (https://...) nor a 64-character access token. "
        "Set it to the robot's webhook as DingTalk shows it."
    )


def url_credentials(url: str) -> tuple[str, ...]:
    """The access token(s) in ``url``: values to :func:`redact` wherever they appear."""
    return tuple(value for key, value in parse_qsl(urlsplit(url).query) if key == "access_token")


def with_query(url: str, query: str) -> str:
    """``url`` with ``query`` (already encoded) appended, after ``?`` or ``&`` as fits.

    The signature is built as a string so that it is URL-encoded exactly once: passing an
    encoded value through an HTTP client's ``params`` encodes it twice (``%253D``).
    """
    if not query:
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{query}"

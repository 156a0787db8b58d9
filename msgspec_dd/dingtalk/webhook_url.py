"""Webhook URLs: turning what users keep in their environment into a URL to post to.

Users keep either the whole webhook URL as DingTalk shows it, or only its 64-hex access token.
Both the token and the signing secret are credentials; hiding them is
:func:`msgspec_dd.redaction.redact`'s job, and :func:`url_credentials` says what to hide.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from msgspec_dd.errors import ConfigError

__all__ = ["DINGTALK_ENDPOINT", "is_token", "url_credentials", "webhook_url", "with_query"]

_TOKEN = re.compile(r"[0-9a-fA-F]{64}")

#: Where DingTalk's custom group robots receive messages.
DINGTALK_ENDPOINT = "https://oapi.dingtalk.com/robot/send"

def is_token(value: str) -> bool:
    """True when ``value`` has the shape of a DingTalk access token (64 hex characters)."""
    return _TOKEN.fullmatch(value) is not None


def webhook_url(value: str, *, source: str = "the webhook") -> str:
    """The webhook URL for ``value``: a full ``http(s)://`` URL, or a bare access token.

    A URL is parsed and checked before anything is sent: its scheme (``https`` or ``http``), its
    host (present, no empty labels such as ``a..b``), its port (1-65535) and a non-empty
    ``access_token`` parameter, without which DingTalk refuses every message. Anything else is a
    :class:`ConfigError` (exit 2) naming ``source`` (``environment variable DINGTALK_WEBHOOK``),
    never the value, which is a credential.
    """
    value = value.strip()
    if is_token(value):
        return f"{DINGTALK_ENDPOINT}?access_token={value}"
    if not value.startswith(("https://", "http://")) or any(c.isspace() for c in value):
        raise ConfigError(
            f"{source} is neither a webhook URL (https://...) nor a 64-character access token. "
            "Set it to the robot's webhook as DingTalk shows it."
        )
    problem = _url_problem(value)
    if problem is not None:
        raise ConfigError(
            f"{source} is not a valid webhook URL: {problem}. Set it to the robot's webhook as "
            "DingTalk shows it (https://oapi.dingtalk.com/robot/send?access_token=...)."
        )
    return value


def _url_problem(url: str) -> str | None:
    """What is wrong with ``url`` in a few words (never quoting it), or None."""
    try:
        parts = urlsplit(url)
        port = parts.port  # parsed lazily: out of range or not a number raises here
    except ValueError:
        return "it cannot be parsed (an unclosed '[' or a port that is not a number from 1 to 65535)"
    host = parts.hostname or ""
    if not host:
        return "it has no host"
    if ":" not in host and "" in host.removesuffix(".").split("."):
        return "its host has an empty label (two dots in a row, or a leading dot)"
    if port == 0:
        # urllib3 would quietly send to port 80 instead.
        return "its port is 0"
    if not any(key == "access_token" and value for key, value in parse_qsl(parts.query)):
        # DingTalk would answer 40035 for every message; say so before sending any.
        return "it has no access_token parameter"
    return None


def url_credentials(url: str) -> tuple[str, ...]:
    """The access token(s) and any password in ``url``: values to hide (:func:`msgspec_dd.redaction.redact`).

    ``url`` is one :func:`webhook_url` accepted (others may raise ``ValueError``).
    """
    parts = urlsplit(url)
    tokens = tuple(value for key, value in parse_qsl(parts.query) if key == "access_token")
    return (*tokens, parts.password) if parts.password else tokens


def with_query(url: str, query: str) -> str:
    """``url`` with ``query`` (already encoded) appended, after ``?`` or ``&`` as fits.

    The signature is built as a string so that it is URL-encoded exactly once: passing an
    encoded value through an HTTP client's ``params`` encodes it twice (``%253D``).
    """
    if not query:
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{query}"

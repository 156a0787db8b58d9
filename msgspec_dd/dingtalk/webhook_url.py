"""Webhooks: turning what users keep in their environment into a URL, and hiding credentials.

Users keep either the whole webhook URL as DingTalk shows it, or only its 64-hex access token.
Both the token and the signing secret (``SEC`` + 64 hex) are credentials: every error message
and log line that could contain one passes through :func:`redact` first. ``requests`` puts the
full URL (token, timestamp and sign included) into its exception texts, so those are redacted
too.

:func:`redact` also hides anything *shaped* like a credential (64 hex characters), which is
right for error texts but wrong for what users wrote: a message may well quote a SHA-256.
Message bodies therefore go through :func:`hide_credentials`, which hides exactly the
credentials the process holds, and signing secrets (``SEC`` + 64 hex, unmistakable by shape).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from msgspec_dd.errors import ConfigError
from msgspec_dd.redaction import MASK, hide_values, redact

__all__ = ["DINGTALK_ENDPOINT", "MASK", "hide_credentials", "is_token", "redact", "scrub",
           "url_credentials", "webhook_url", "with_query"]

_TOKEN = re.compile(r"[0-9a-fA-F]{64}")
_SIGNING_SECRET = re.compile(r"SEC[0-9a-fA-F]{64}")

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
    """The access token(s) and any password in ``url``: values to :func:`redact` wherever they appear.

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


def hide_credentials(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each of ``secrets`` hidden (raw or URL-encoded), and any signing secret.

    For text users wrote, such as message bodies: unlike :func:`redact` nothing is guessed from
    its shape, so a 64-hex checksum or an ``?sign=`` link in a message stays as written, while
    the tokens and secrets this process holds (give them all) never show.
    """
    return _SIGNING_SECRET.sub("SEC" + MASK, hide_values(text, secrets))


def scrub(value: Any, hide: Callable[[str], str]) -> Any:
    """A copy of the JSON value ``value`` with every string (keys too) passed through ``hide``."""
    if isinstance(value, str):
        return hide(value)
    if isinstance(value, dict):
        return {hide(str(key)): scrub(item, hide) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(item, hide) for item in value]
    return value

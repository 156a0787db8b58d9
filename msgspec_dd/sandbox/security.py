"""The access-token and 加签 (signature) checks of ``/robot/send``.

The query string is URL-decoded exactly once, as DingTalk does: a sign encoded twice (``%253D``)
or sent unencoded (its ``+`` decodes to a space) does not match.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from msgspec_dd.dingtalk.signing import TIMESTAMP_WINDOW_MS, verify
from msgspec_dd.sandbox import answers
from msgspec_dd.sandbox.answers import Answer

_TOKEN_SHAPE = re.compile(r"[0-9a-f]{64}")
#: Milliseconds in ASCII digits: ``str.isdigit`` also takes ``²`` and ``٣``, which ``int``
#: refuses, and a few thousand digits would pass ``int``'s own limit.
_TIMESTAMP = re.compile(r"[0-9]{1,19}")

Query = Mapping[str, Sequence[str]]


def _first(query: Query, name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def check_token(query: Query, token: str) -> Answer | None:
    """None when ``access_token`` is this robot's; else DingTalk's answer for it."""
    given = _first(query, "access_token")
    if not given:
        return answers.MISSING_TOKEN
    if given == token:
        return None
    # A well-formed token of another (or a deleted) robot, versus something that is no token.
    return answers.UNKNOWN_TOKEN if _TOKEN_SHAPE.fullmatch(given) else answers.INVALID_TOKEN


def check_signature(query: Query, secret: str, now_ms: int) -> Answer | None:
    """None when ``timestamp`` is within an hour of ``now_ms`` and ``sign`` matches it."""
    timestamp = _first(query, "timestamp")
    if not timestamp:  # not signed at all: the likely cause is a missing or wrong secret
        return answers.SIGN_NOT_MATCH
    if not _TIMESTAMP.fullmatch(timestamp):
        return answers.INVALID_TIMESTAMP
    timestamp_ms = int(timestamp)
    if abs(now_ms - timestamp_ms) > TIMESTAMP_WINDOW_MS:
        return answers.INVALID_TIMESTAMP
    sign = _first(query, "sign")
    # compare_digest takes only ASCII text: a decoded ``%C3%A9`` is simply no signature.
    if not sign or not sign.isascii() or not verify(secret, timestamp_ms, sign):
        return answers.SIGN_NOT_MATCH
    return None

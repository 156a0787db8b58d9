"""Hiding credentials in any text: access tokens, ``sign`` values and signing secrets.

Every message msgspec-dd shows a person passes through :func:`redact`, problems included, so a
token written in a file or carried in a URL is never repeated back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

#: What replaces a hidden credential.
MASK = "***"
#: Shorter values are not hidden on their own: they would mask ordinary words.
MIN_SECRET = 6

_PATTERNS = (
    # access_token=... and sign=... in URLs, whatever the value looks like.
    (re.compile(r"(access_token=)[^&\s'\"<>)]+"), r"\1" + MASK),
    (re.compile(r"(?<![A-Za-z0-9_])(sign=)[^&\s'\"<>)]+"), r"\1" + MASK),
    # A signing secret anywhere.
    (re.compile(r"SEC[0-9a-fA-F]{64}"), "SEC" + MASK),
    # A bare access token anywhere (64 hex characters standing on their own).
    (re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{64}(?![0-9A-Za-z])"), MASK),
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with access tokens, ``sign`` values and signing secrets replaced by ``***``.

    ``secrets`` are further values to hide wherever they appear (raw or URL-encoded), such as the
    exact webhook and secret of a robot, whatever their shape.
    """
    text = hide_values(text, secrets)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def hide_values(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each of ``secrets`` (raw or URL-encoded) replaced by ``***``.

    Values shorter than :data:`MIN_SECRET` are left alone; longer ones go first, so a secret
    that contains another is hidden whole.
    """
    for secret in sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote_plus(secret, safe="")}:
            text = text.replace(form, MASK)
    return text

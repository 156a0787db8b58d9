"""Hiding credentials in any text msgspec-dd shows: one rule, used everywhere.

What is hidden, wherever text goes (errors, problems, result lines, logs, rendered bodies as
people read them, previews, what arrived at a sandbox, the Action's outputs and summary):

1. every value the caller holds as a credential (a robot's token, webhook URL, secret),
   raw or URL-encoded, whatever its shape;
2. anything shaped like a DingTalk credential: a signing secret (``SEC`` + 64 hex), an access
   token (64 hex characters standing on their own), the value of an ``access_token`` or
   ``sign`` parameter (also ``access_token%3D``, URL-encoded), and the user and password of a
   URL (``https://user:token@host``).

Shown text errs on the side of hiding: a SHA-256 checksum quoted in a message is shown as
``***`` in the indented JSON and the text of ``render``, in ``send --dry-run`` and in ``preview``
too, because a token pasted into a message or a config file looks exactly like one. What is
*posted* is never changed, and ``render --compact`` prints exactly that, unmasked: the bytes
posted are its point.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

#: What replaces a hidden credential.
MASK = "***"
#: Shorter held values are not hidden on their own: they would mask ordinary words.
MIN_SECRET = 6

_PATTERNS = (
    # access_token=... and sign=... in URLs, whatever the value looks like.
    (re.compile(r"(access_token(?:=|%3[dD]))[^&\s'\"<>)]+"), r"\1" + MASK),
    (re.compile(r"(?<![A-Za-z0-9_])(sign=)[^&\s'\"<>)]+"), r"\1" + MASK),
    # Credentials in a URL's user part (a git remote: https://x-access-token:TOKEN@github.com).
    (re.compile(r"(?<=://)[^/\s:@]+:[^/\s@]+@"), MASK + "@"),
    # A signing secret anywhere.
    (re.compile(r"SEC[0-9a-fA-F]{64}"), "SEC" + MASK),
    # A bare access token anywhere (64 hex characters standing on their own).
    (re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{64}(?![0-9A-Za-z])"), MASK),
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with credentials replaced by ``***`` (the rule is in this module's docstring).

    ``secrets`` are the values held as credentials, hidden wherever they appear. Values shorter
    than :data:`MIN_SECRET` are left alone; longer ones go first, so a secret that contains
    another is hidden whole.
    """
    for secret in sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote_plus(secret, safe="")}:
            text = text.replace(form, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_json(value: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of the JSON value ``value`` with every string (keys too) passed through :func:`redact`."""
    held = tuple(secrets)
    if isinstance(value, str):
        return redact(value, held)
    if isinstance(value, dict):
        return {redact(str(key), held): redact_json(item, held) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_json(item, held) for item in value]
    return value

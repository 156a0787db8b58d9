"""DingTalk's 加签 (request signing), for the client and for the sandbox robot.

``sign = base64(hmac_sha256(key=secret, msg=f"{timestamp}\\n{secret}"))``, timestamp in
milliseconds. The signature is URL-encoded exactly once, when the query string is built:
passing an already-quoted value through an HTTP client's params encoder yields ``%253D`` and
DingTalk answers 310000.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode

#: DingTalk accepts a timestamp within one hour of its own clock.
TIMESTAMP_WINDOW_MS = 60 * 60 * 1000


def signature(secret: str, timestamp_ms: int) -> str:
    """The base64 signature (not URL-encoded) for ``timestamp_ms``."""
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_query(secret: str, timestamp_ms: int) -> str:
    """``timestamp=...&sign=...``, the sign URL-encoded exactly once."""
    return urlencode({"timestamp": str(timestamp_ms), "sign": signature(secret, timestamp_ms)})


def verify(secret: str, timestamp_ms: int, sign: str) -> bool:
    """True when ``sign`` (already URL-decoded) matches ``timestamp_ms`` under ``secret``."""
    return hmac.compare_digest(signature(secret, timestamp_ms), sign)

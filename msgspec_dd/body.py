"""The exact bytes posted to DingTalk: compact JSON, UTF-8, not ASCII-escaped."""

from __future__ import annotations

import json
from typing import Any

#: DingTalk refuses bodies over 20,000 bytes (errcode 460101).
MAX_BODY_BYTES = 20_000


def encode(payload: Any) -> bytes:
    """The request body for ``payload``."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def pretty(payload: Any) -> str:
    """``payload`` as people read it: indented JSON, UTF-8, not ASCII-escaped."""
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str)

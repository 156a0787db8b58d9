"""The exact bytes posted to DingTalk: compact JSON, UTF-8, not ASCII-escaped."""

from __future__ import annotations

import json
from typing import Any

#: DingTalk refuses bodies over 20,000 bytes (errcode 460101).
MAX_BODY_BYTES = 20_000
#: What every body is sent as.
HEADERS = {"Content-Type": "application/json; charset=utf-8"}


def encode(payload: Any) -> bytes:
    """The request body for ``payload``.

    Text that is not valid Unicode (lone surrogates) is refused before this point; replacing it
    here is the last guard, so encoding never raises.
    """
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.encode("utf-8", errors="replace")


def add_field(body: bytes, key: str, value: Any) -> bytes:
    """``body``, the encoding of a JSON object that has no ``key``, with ``key`` added last.

    The very bytes :func:`encode` gives for ``{**payload, key: value}``, made without encoding
    ``payload`` again: a send adds its ``msgUuid`` to the body lint measured.
    """
    if not (body.startswith(b"{") and body.endswith(b"}")):
        raise ValueError("add_field needs an encoded JSON object")
    separator = b"" if body == b"{}" else b","
    return body[:-1] + separator + encode(key) + b":" + encode(value) + b"}"


def pretty(payload: Any) -> str:
    """``payload`` as people read it: indented JSON, UTF-8, not ASCII-escaped.

    Credentials are masked even here (:func:`msgspec_dd.redaction.redact`): a body never needs
    one, and lint flags one written in a file.
    """
    from msgspec_dd.redaction import redact

    return redact(json.dumps(payload, ensure_ascii=False, indent=2, default=str))

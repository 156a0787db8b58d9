"""The rendered body is larger than DingTalk's 20,000-byte limit.

DingTalk refuses bodies over 20,000 bytes (UTF-8; a Chinese character is 3 bytes) with errcode
460101. Shorten the message, or split it into several.
"""

from __future__ import annotations

from collections.abc import Iterator

from msgspec_dd.dingtalk import wire
from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.problems import Level

ID = "body-too-large"
LEVEL = Level.ERROR
STAGE: Stage = "rendered"
#: DingTalk refuses the body (errcode 460101).
BLOCKING = True
GENERIC = False


def check(context: LintContext) -> Iterator[Finding]:
    if context.rendered is None:
        return
    size = len(context.rendered.body)  # the very bytes send posts, before its msgUuid
    if size > wire.MAX_BODY_BYTES:
        yield Finding(f"rendered body is {size:,} bytes; DingTalk accepts at most "
                      f"{wire.MAX_BODY_BYTES:,} (errcode 460101): shorten or split it", rendered=(), key=True)

"""A DingTalk access token or signing secret is written in the file.

A webhook's ``access_token`` (64 hexadecimal characters) and a signing secret (``SEC`` followed
by 64 hexadecimal characters) are credentials: anyone who has them can post to your group. They
belong in the environment or your CI's secret store (``webhook_env`` / ``secret_env`` in
``msgspec-dd.yaml``), never in a committed file. Remove it and rotate the robot's token or secret:
it is in your git history now.

Failing::

    description: https://oapi.dingtalk.com/robot/send?access_token=0123...cdef
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.problems import Level

ID = "committed-secret"
LEVEL = Level.ERROR
STAGE: Stage = "source"
BLOCKING = False
GENERIC = False

_PATTERNS = (
    (re.compile(r"access_token=([0-9a-fA-F]{64})(?![0-9a-fA-F])"), "a DingTalk access token"),
    (re.compile(r"(?<![0-9A-Za-z])SEC[0-9a-fA-F]{64}(?![0-9a-fA-F])"), "a DingTalk signing secret"),
)


def check(context: LintContext) -> Iterator[Finding]:
    text = context.document.text
    for pattern, what in _PATTERNS:
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            yield Finding(f"{what} is written in this file; move it to an environment variable "
                          "(webhook_env / secret_env) and rotate it", line=line, column=column)

"""A webhook robot's ``rate`` in ``msgspec-dd.yaml`` lets through more than 20 messages a minute.

DingTalk accepts at most 20 messages a minute from one custom (webhook) robot; past that it
locks the robot for 10 minutes (errcode 130101/410100), and every message of the batch after it
waits or fails. ``send`` paces itself to the configured ``rate``, so a rate above the limit is the
lock, scheduled. Reported on ``msgspec-dd.yaml`` (lint reads it with the message files), at the
robot's ``rate``. App robots have other limits and are not checked.

Passing::

    robots:
      default:
        webhook_env: DINGTALK_WEBHOOK
        rate: {count: 20, per_seconds: 60}

Failing::

    robots:
      default:
        webhook_env: DINGTALK_WEBHOOK
        rate: {count: 30, per_seconds: 60}
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

from msgspec_dd.config import Rate, RobotKind
from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.problems import Level

ID = "robot-rate"
LEVEL = Level.WARNING
STAGE: Stage = "source"
#: The config is not a message: a warning about it never stops one.
BLOCKING = False
GENERIC = False

#: DingTalk's limit for one webhook robot: messages in any minute.
PER_MINUTE = 20


def check(context: LintContext) -> Iterator[Finding]:
    data = context.data
    if not isinstance(data, Mapping) or not isinstance(data.get("robots"), Mapping) or "message" in data:
        return  # only msgspec-dd.yaml has robots; a message file has a message
    for name, robot in context.config.robots.items():
        most = in_one_minute(robot.rate)
        if robot.kind is RobotKind.WEBHOOK and most > PER_MINUTE:
            yield Finding(f"robot {name!r} may send {most} messages in one minute: DingTalk locks a webhook "
                          f"robot for 10 minutes past {PER_MINUTE} a minute; lower its rate to "
                          f"{{count: {PER_MINUTE}, per_seconds: 60}} or less", path=("robots", name, "rate"))


def in_one_minute(rate: Rate) -> int:
    """The most POSTs a sliding window of ``rate`` lets into some 60 seconds."""
    return rate.count * math.ceil(60 / rate.per_seconds) if rate.per_seconds > 0 else rate.count

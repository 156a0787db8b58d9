"""The robot has custom keywords and none of them appears in the message.

A robot secured with custom keywords (自定义关键词) only accepts messages containing at least one
of them in their visible text (titles, text, content, button and feed titles); otherwise DingTalk
answers errcode 310000 ``keywords not in content``. Keywords come from the robot's ``keywords`` in
``msgspec-dd.yaml``.

Failing (robot keywords ``[定时推送]``)::

    text: {content: "Standup in 5 minutes"}
"""

from __future__ import annotations

from collections.abc import Iterator

from msgspec_dd.dingtalk.keywords import contains_keyword
from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.problems import Level

ID = "missing-keyword"
LEVEL = Level.ERROR
STAGE: Stage = "rendered"
#: DingTalk refuses the body (errcode 310000).
BLOCKING = True
GENERIC = False


def check(context: LintContext) -> Iterator[Finding]:
    for robot in context.robots:
        if robot.keywords and not contains_keyword(context.payload, robot.keywords):
            wanted = ", ".join(repr(k) for k in robot.keywords)
            yield Finding(f"robot {robot.name!r} only accepts messages containing one of its keywords "
                          f"({wanted}); add one to the text", rendered=(), key=True)

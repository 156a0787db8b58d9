"""``hideAvatar`` in an action card for an enterprise app robot, which always shows its avatar.

An app robot's message templates (``sampleActionCard…``) have no ``hideAvatar``: the group sees
the robot's avatar whatever the file says. The message is still sent; remove ``hideAvatar`` or
accept the avatar. Webhook robots honour it.

Failing (robot ``announce`` is an app robot)::

    robot: announce
    message:
      msgtype: actionCard
      actionCard: {title: 发布, text: 已上线, hideAvatar: "1",
                   singleTitle: 查看, singleURL: "https://example.com/a"}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from msgspec_dd.config import RobotKind
from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.problems import Level

ID = "app-robot-hide-avatar"
LEVEL = Level.WARNING
STAGE: Stage = "rendered"
BLOCKING = False
GENERIC = False


def check(context: LintContext) -> Iterator[Finding]:
    payload = context.payload
    robots = [robot.name for robot in context.robots if robot.kind is RobotKind.APP]
    card = payload.get("actionCard") if isinstance(payload, Mapping) else None
    if robots and isinstance(card, Mapping) and card.get("hideAvatar") == "1":
        named = ", ".join(repr(name) for name in robots)
        yield Finding(f"app robot {named} always shows its avatar: hideAvatar has no effect there",
                      rendered=("actionCard", "hideAvatar"))

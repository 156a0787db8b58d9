"""A feature an enterprise app robot cannot send, in a message for an app robot.

An app robot (``app:`` in ``msgspec-dd.yaml``) posts through DingTalk's ``/v1.0/robot`` API,
which sends message templates (``msgKey``) rather than webhook bodies. The same message file
serves both kinds of robot, but the templates cannot show everything a webhook can:

* a ``feedCard`` has no template;
* ``at`` mentions do not exist in the API ("暂不支持 @ 功能"): nobody would be notified;
* an action card has at most 5 buttons;
* buttons side by side (``btnOrientation: "1"``) exist only as a pair of exactly 2.

Send the message through a webhook robot, or change it. A ``msgParam`` over DingTalk's 15,000
bytes is reported here too. ``send`` refuses the same messages (one mapping decides both).

Passing (robot ``announce`` is an app robot)::

    robot: announce
    message:
      msgtype: actionCard
      actionCard: {title: 发布, text: 已上线, btnOrientation: "1",
                   btns: [{title: 查看, actionURL: "https://example.com/a"},
                          {title: 回滚, actionURL: "https://example.com/b"}]}

Failing::

    robot: announce
    message:
      msgtype: text
      text: {content: 请大家查看}
      at: {isAtAll: true}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from msgspec_dd.config import RobotKind
from msgspec_dd.dingtalk.app_messages import unmappable
from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.problems import Level

ID = "app-robot-unsupported"
LEVEL = Level.ERROR
STAGE: Stage = "rendered"
#: The app API refuses what it cannot map: nothing is posted to any robot of the batch.
BLOCKING = True
GENERIC = False

#: Other msgtypes are payload-schema errors; saying more about them here would only repeat it.
_MSGTYPES = frozenset({"text", "markdown", "link", "actionCard", "feedCard"})


def check(context: LintContext) -> Iterator[Finding]:
    payload = context.payload
    robots = [robot.name for robot in context.robots if robot.kind is RobotKind.APP]
    if not robots or not isinstance(payload, Mapping) or payload.get("msgtype") not in _MSGTYPES:
        return
    named = ", ".join(repr(name) for name in robots)
    for problem in unmappable(payload):
        yield Finding(f"{problem.reason} (robot {named})", rendered=problem.path, key=problem.key)

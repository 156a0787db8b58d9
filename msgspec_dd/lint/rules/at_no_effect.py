"""``at`` on a ``link`` or ``feedCard`` message, where DingTalk ignores it.

@-mentions are documented for ``text`` and ``markdown`` (and reported to work for
``actionCard``); for ``link`` and ``feedCard`` nobody is notified. Mention people in a separate
``text`` or ``markdown`` message.

Failing::

    message:
      msgtype: feedCard
      feedCard: {links: [...]}
      at: {isAtAll: true}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.problems import Level

ID = "at-no-effect"
LEVEL = Level.WARNING
STAGE: Stage = "rendered"
BLOCKING = False
GENERIC = False

_NO_MENTIONS = frozenset({"link", "feedCard"})


def check(context: LintContext) -> Iterator[Finding]:
    payload = context.payload
    if isinstance(payload, Mapping) and payload.get("msgtype") in _NO_MENTIONS and "at" in payload:
        yield Finding(f"'at' has no effect on {payload['msgtype']} messages; mention people in a text "
                      "or markdown message", rendered=("at",), key=True)

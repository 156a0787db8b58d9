"""The rendered body is not what DingTalk accepts for its ``msgtype``.

After rendering, the ``message`` is validated strictly against the payload schema of its msgtype
(``text``, ``link``, ``markdown``, ``actionCard``, ``feedCard``): required fields, types, and no
unknown fields. Mind the casing: ``link`` uses ``messageUrl``/``picUrl``, ``feedCard`` uses
``messageURL``/``picURL``, ``actionCard`` uses ``singleURL``/``actionURL``.

Passing::

    message:
      msgtype: link
      link: {title: Release, text: "v2 is out", messageUrl: "https://example.com"}

Failing::

    message:
      msgtype: link
      link: {title: Release, text: "v2 is out", messageURL: "https://example.com"}
"""

from __future__ import annotations

from collections.abc import Iterator

from msgspec_dd.lint import schema_errors
from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.problems import Level

ID = "payload-schema"
LEVEL = Level.ERROR
STAGE: Stage = "rendered"
#: DingTalk would refuse the body.
BLOCKING = True
#: Where a more specific rule explains the same spot (a URL scheme), its hint wins.
GENERIC = True


def check(context: LintContext) -> Iterator[Finding]:
    emptied = context.rendered.emptied if context.rendered else {}
    for finding in schema_errors.findings("payload", context.payload, rendered=True):
        dropped = emptied.get(finding.rendered or ())
        if dropped is not None and finding.message == "must not be empty":
            source, condition = dropped
            finding = Finding(f"$if: {condition} is false for every item, so the list is empty and "
                              "DingTalk refuses it: check the condition or the data", path=source)
        yield finding

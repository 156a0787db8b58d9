"""A required variable has neither ``default`` nor ``examples``, so lint cannot render the message.

Lint renders each message with every variable's ``default``, else its first ``examples`` value,
to check what DingTalk would receive. Without either, the rendered checks (payload schema, size,
keywords, mentions, markdown, URLs) are skipped for this file. Add ``examples``.

Passing::

    vars: {week: {type: integer, examples: [48]}}

Failing::

    vars: {week: {type: integer}}
"""

from __future__ import annotations

from collections.abc import Iterator

from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.problems import Level

ID = "variable-without-example"
LEVEL = Level.WARNING
STAGE: Stage = "source"
BLOCKING = False
GENERIC = False


def check(context: LintContext) -> Iterator[Finding]:
    for name, variable in context.variables.items():
        if not variable.has_sample:
            yield Finding(f"variable {name!r} has no default and no examples: add 'examples: [...]' "
                          "so lint can render and check the message", path=("vars", name), key=True)

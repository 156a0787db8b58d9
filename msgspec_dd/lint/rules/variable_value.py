"""A variable's value is missing or does not match its schema.

Each variable under ``vars:`` is a JSON Schema. At send time a variable without ``default``
must be given (``--var name=value`` or ``--vars-file``); every value, including ``default`` and
the ``examples`` lint uses, must match the schema.

Failing::

    vars:
      week: {type: integer, minimum: 1, maximum: 53, examples: [60]}
"""

from __future__ import annotations

from collections.abc import Iterator

from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.problems import Level

ID = "variable-value"
LEVEL = Level.ERROR
STAGE: Stage = "engine"


def check(context: LintContext) -> Iterator[Finding]:
    """Nothing to find here: the engine reports these problems where they arise."""
    return iter(())

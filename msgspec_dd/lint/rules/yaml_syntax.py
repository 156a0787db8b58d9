"""The file cannot be read as a message file: YAML or JSON syntax, encoding, size or aliases.

Reported when a file is not valid YAML (or JSON for ``.json`` files), is not UTF-8 (a GBK file
is told so), holds NUL bytes, is larger than 1,000,000 bytes, has a duplicate key, uses tabs for
indentation, is nested deeper than 64 levels, or uses aliases that expand to more than 50,000
values (the "billion laughs" attack). Nothing else is checked in such a file.

Failing::

    message:
      msgtype: text
      text: {content: "unclosed
"""

from __future__ import annotations

from collections.abc import Iterator

from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.message_files.loader import RULE
from msgspec_dd.problems import Level

ID = RULE
LEVEL = Level.ERROR
STAGE: Stage = "engine"


def check(context: LintContext) -> Iterator[Finding]:
    """Nothing to find here: the engine reports these problems where they arise."""
    return iter(())

"""Rendering the message failed.

Templates run in a sandbox: attribute escapes (``__class__``), mutation, reading the
environment, unbounded work (a 10^10-step loop) and huge output (``'a' * 10**9``) are stopped
with this error, as are runtime errors such as dividing by zero or a ``$for`` over something
that is not a list.

Failing::

    text: {content: "{{ ''.__class__ }}"}
"""

from __future__ import annotations

from collections.abc import Iterator

from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.message_files.renderer import RULE
from msgspec_dd.problems import Level

ID = RULE
LEVEL = Level.ERROR
STAGE: Stage = "engine"


def check(context: LintContext) -> Iterator[Finding]:
    """Nothing to find here: the engine reports these problems where they arise."""
    return iter(())

"""A declared variable is not used by any template.

Usually a leftover or a typo on one side. Remove the declaration or use it.

Failing::

    vars: {week: {type: integer, default: 1}}
    message: {msgtype: text, text: {content: "Weekly digest"}}
"""

from __future__ import annotations

from collections.abc import Iterator

from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.lint.sites import expression_of, names_used, sites
from msgspec_dd.message_files.template import TemplateFailure
from msgspec_dd.problems import Level

ID = "unused-variable"
LEVEL = Level.WARNING
STAGE: Stage = "source"
BLOCKING = False
GENERIC = False


def check(context: LintContext) -> Iterator[Finding]:
    used: set[str] = set()
    for site in sites(context.data):
        try:
            used |= names_used(expression_of(site), site.kind)
        except TemplateFailure:
            return  # cannot tell what a broken template uses
    for name in context.variables:
        if name not in used:
            yield Finding(f"variable {name!r} is declared but never used", path=("vars", name), key=True)

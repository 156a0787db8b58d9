"""A template uses a variable the file does not declare under ``vars:``.

Templates may read declared variables, ``$for`` loop names, and the built-ins ``now``,
``today`` and ``github``. Anything else is undefined, and an undefined variable is an error at
send time, never an empty string. Declare it (a JSON Schema, with ``default`` or ``examples``)
or fix the name.

Passing::

    vars: {week: {type: integer, examples: [48]}}
    message: {msgtype: text, text: {content: "Week {{ week }}"}}

Failing::

    message: {msgtype: text, text: {content: "Week {{ wek }}"}}
"""

from __future__ import annotations

from collections.abc import Iterator

from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.lint.sites import expression_of, names_used, sites
from msgspec_dd.message_files.built_ins import BUILTIN_NAMES
from msgspec_dd.message_files.template import TemplateFailure
from msgspec_dd.problems import Level

ID = "undeclared-variable"
LEVEL = Level.ERROR
STAGE: Stage = "source"
#: The template would fail at send time.
BLOCKING = True
GENERIC = False

#: Globals of the template environment.
_GLOBALS = frozenset({"range", "dict", "namespace", "cycler", "joiner"})


def check(context: LintContext) -> Iterator[Finding]:
    known = set(context.variables) | BUILTIN_NAMES | _GLOBALS
    for site in sites(context.data):
        try:
            used = names_used(expression_of(site), site.kind)
        except TemplateFailure:
            continue  # template-syntax reports it
        for name in sorted(used - known - site.bound):
            yield Finding(f"undeclared variable {name!r}: declare it under 'vars:' or fix the name",
                          path=site.path)

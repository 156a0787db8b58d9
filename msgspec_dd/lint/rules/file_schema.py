"""The file does not match the message-file schema (``schemas/message-file.schema.json``).

A message file is a mapping with ``message`` (required), and optionally ``description``,
``robot`` (a name or a list of names) and ``vars`` (each variable a JSON Schema). Unknown keys
are errors, with a suggestion when the key looks like a known one in other casing
(``messageURL`` in a ``link`` message is ``messageUrl``). Add the modeline
``# yaml-language-server: $schema=../schemas/message-file.schema.json`` to get the same checks in
your editor.

Failing::

    mesage:            # typo: 'message' is required
      msgtype: text
"""

from __future__ import annotations

from collections.abc import Iterator

from msgspec_dd.lint import schema_errors
from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.problems import Level

ID = "file-schema"
LEVEL = Level.ERROR
STAGE: Stage = "source"
#: A file that is not a message file cannot be rendered, nor sent.
BLOCKING = True
#: Where a more specific rule explains the same spot (a YAML trap), its hint wins.
GENERIC = True


def check(context: LintContext) -> Iterator[Finding]:
    if not isinstance(context.data, dict):
        yield Finding("a message file must be a mapping with a 'message' key")
        return
    yield from schema_errors.findings("message-file", context.data)

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

A pasted bare DingTalk body (a top-level ``msgtype``, no ``message:``) is one problem that says
to put it under ``message:``.
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
    if "msgtype" in context.data and "message" not in context.data:
        yield Finding(_bare_body(context.document.path), path=("msgtype",), key=True)
        return
    yield from schema_errors.findings("message-file", context.data)


def _bare_body(path: str) -> str:
    # DingTalk's own examples (and the Chinese quick start) show the bare body: one clear
    # instruction instead of a schema error per top-level key.
    if path.lower().endswith(".json"):
        how = 'wrap it as {"message": {...the body...}}'
    else:
        how = "add a line 'message:' at the top and indent the body under it by two spaces"
    return f"this is a bare DingTalk body (top-level 'msgtype'); put it under 'message:': {how}"

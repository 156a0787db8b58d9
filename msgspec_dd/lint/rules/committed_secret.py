"""A DingTalk access token or signing secret is written in the file.

A webhook's ``access_token`` (64 hexadecimal characters) and a signing secret (``SEC`` followed
by 64 hexadecimal characters) are credentials: anyone who has them can post to your group. They
belong in the environment or your CI's secret store (``webhook_env`` / ``secret_env`` in
``msgspec-dd.yaml``), never in a committed file. Remove it and rotate the robot's token or secret:
it is in your git history now.

Found as written and as YAML reads it: URL-encoded (``access_token%3D...``), as a key
(``access_token: ...``), split by a folded ``>-`` string, written with escapes (``"\\x30..."``,
``"\\u0053EC..."``) or as a template string (``access_token={{ '0123...' }}``, or
``{{ 'SEC' ~ '0123...' }}``, found by rendering it with the variables' samples).

Failing::

    description: https://oapi.dingtalk.com/robot/send?access_token=0123...cdef
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping
from typing import Any

from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.message_files import template
from msgspec_dd.message_files.loader import PathT, line_starts
from msgspec_dd.problems import Level

ID = "committed-secret"
LEVEL = Level.ERROR
STAGE: Stage = "source"
BLOCKING = False
GENERIC = False

_PATTERNS = (
    # "=", "%3D" or ":", then maybe a line break (a folded string) or a template's "{{ '".
    (re.compile(r"access_token(?:\s*[=:]|%3[dD])[ \t\r\n]*(?:\{\{-?[ \t]*[\"']?)?([0-9a-fA-F]{64})(?![0-9a-fA-F])"),
     "a DingTalk access token"),
    (re.compile(r"(?<![0-9A-Za-z])SEC([0-9a-fA-F]{64})(?![0-9a-fA-F])"), "a DingTalk signing secret"),
)


def check(context: LintContext) -> Iterator[Finding]:
    text = context.document.text
    found: set[str] = set()
    starts: list[int] = []
    for pattern, what in _PATTERNS:
        for match in pattern.finditer(text):
            found.add(match.group(1).lower())
            starts = starts or line_starts(text)  # once, and only for a file with a secret
            line = bisect.bisect_right(starts, match.start())
            yield _finding(what, line=line, column=match.start() - starts[line - 1] + 1)
    # YAML and JSON escapes ("\x30...") hide a secret from the source text but not from the
    # values, and a template ({{ 'SEC' ~ '...' }}) hides it from both until it is rendered.
    # Without an escape, every value is the text it was read from (line folding adds spaces).
    escaped = "\\" in text
    if not escaped and not template.is_template(text):
        return
    template.reset_budget()
    samples = {name: v.sample for name, v in context.variables.items() if v.has_sample}
    strings = list(_strings(context.data))
    decoded = (strings if escaped else []) + [(path, shown) for path, value in strings
                                              if (shown := _rendered(value, samples))]
    joined = "\n".join(value for _, value in decoded)
    if not any(pattern.search(joined) for pattern, _ in _PATTERNS):
        return  # one scan of everything; only a hit is worth locating
    for path, value in decoded:
        for pattern, what in _PATTERNS:
            for match in pattern.finditer(value):
                if match.group(1).lower() not in found:
                    found.add(match.group(1).lower())
                    yield _finding(what, path=path)


#: What a template needs to assemble text that is not in the file as it is: a literal to join.
#: (Variables' samples are strings of the file, scanned already.)
_ASSEMBLES = re.compile(r"['\"~+%]|join|format|replace")


def _rendered(value: str, samples: Mapping[str, Any]) -> str:
    """``value`` rendered with the variables' samples when it is a template that renders alone
    and could assemble a credential (rendering every template again would double lint's work)."""
    if not template.is_template(value) or not _ASSEMBLES.search(value):
        return ""
    try:
        return template.render(value, samples)
    except template.TemplateFailure:
        return ""  # it needs built-ins or fails: render-failed and the rendered checks say so


def _finding(what: str, *, line: int | None = None, column: int | None = None,
             path: PathT = ()) -> Finding:
    return Finding(f"{what} is written in this file; move it to an environment variable "
                   "(webhook_env / secret_env) and rotate it", path=path, line=line, column=column)


def _strings(data: Any) -> Iterator[tuple[PathT, str]]:
    """Every string (keys too) once, however many aliases repeat it."""
    seen: set[int] = set()
    stack: list[tuple[PathT, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, Mapping):
            stack.extend(((*path, key), key) for key in value if isinstance(key, str))
            stack.extend(((*path, key), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in enumerate(value))

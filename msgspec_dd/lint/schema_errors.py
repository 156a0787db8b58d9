"""Schema issues (from :func:`msgspec_dd.schemas.issues.schema_issues`) as lint findings.

A valid instance is told apart first by the fast validator (:func:`msgspec_dd.schemas.catalog.is_valid`):
only an invalid one pays for jsonschema's located, worded report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from msgspec_dd.lint.rule import Finding
from msgspec_dd.schemas import catalog
from msgspec_dd.schemas.issues import SchemaIssue, schema_issues

_SUGGESTED = re.compile(r"did you mean '([^']+)'")
_REQUIRED = re.compile(r"'([^']+)' is a required property")


def findings(schema: str, instance: Any, *, rendered: bool = False) -> Iterator[Finding]:
    """One finding per issue of ``instance`` with the schema called ``schema``, at the offending
    key for unknown and missing keys."""
    if catalog.is_valid(schema, instance):
        return
    for issue in _without_echoes(schema_issues(catalog.validator(schema), instance)):
        key = issue.keyword in ("additionalProperties", "required", "propertyNames")
        if rendered:
            yield Finding(issue.message, rendered=issue.path, key=key)
        else:
            yield Finding(issue.message, path=issue.path, key=key)


def _without_echoes(issues: Sequence[SchemaIssue]) -> list[SchemaIssue]:
    """Drop "'actionURL' is a required property" when the same object has an unknown key that
    the report already suggests is 'actionURL' (a mis-cased field is one mistake, not two)."""
    suggested = set()
    for issue in issues:
        match = _SUGGESTED.search(issue.message)
        if issue.keyword == "additionalProperties" and match:
            suggested.add((issue.path[:-1], match.group(1)))
    return [issue for issue in issues if not _echo(issue, suggested)]


def _echo(issue: SchemaIssue, suggested: set[tuple[Any, str]]) -> bool:
    match = _REQUIRED.search(issue.message)
    return issue.keyword == "required" and match is not None and (issue.path, match.group(1)) in suggested

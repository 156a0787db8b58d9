"""Schema issues (from :func:`msgspec_dd.schemas.issues`) as lint findings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from msgspec_dd import schemas
from msgspec_dd.lint.rule import Finding


def findings(validator: Any, instance: Any, *, rendered: bool = False) -> Iterator[Finding]:
    """One finding per schema issue, at the offending key for unknown and missing keys."""
    for issue in schemas.issues(validator, instance):
        key = issue.keyword in ("additionalProperties", "required", "propertyNames")
        if rendered:
            yield Finding(issue.message, rendered=issue.path, key=key)
        else:
            yield Finding(issue.message, path=issue.path, key=key)

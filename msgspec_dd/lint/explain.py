"""``lint --explain RULE`` and ``--list-rules``: the rules' own docstrings are their documentation."""

from __future__ import annotations

import inspect

from msgspec_dd.errors import UsageError
from msgspec_dd.lint.registry import RULES


def explain(rule_id: str) -> str:
    """The documentation of one rule; UsageError for an unknown id."""
    rule = RULES.get(rule_id)
    if rule is None:
        raise UsageError(f"unknown rule {rule_id!r}; known rules: {', '.join(RULES)}")
    doc = _plain(inspect.cleandoc(rule.__doc__ or ""))
    return f"{rule.ID} ({rule.LEVEL.value})\n\n{doc}"


def listing() -> str:
    """One line per rule: id, default level, first line of its documentation."""
    width = max(len(rule_id) for rule_id in RULES)
    return "\n".join(
        f"{rule.ID:<{width}}  {rule.LEVEL.value:<7}  {_plain(inspect.cleandoc(rule.__doc__ or '').splitlines()[0])}"
        for rule in RULES.values()
    )


def _plain(text: str) -> str:
    """Docstrings mark code with double backticks; a terminal shows single ones."""
    return text.replace("``", "`")

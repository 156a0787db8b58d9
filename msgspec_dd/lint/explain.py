"""``lint --explain RULE`` and ``--list-rules``: the rules' own docstrings are their documentation,
with the level each has under ``msgspec-dd.yaml`` (``lint.rules``)."""

from __future__ import annotations

import inspect

from msgspec_dd.config import Config, default_config
from msgspec_dd.errors import UsageError
from msgspec_dd.lint import levels
from msgspec_dd.lint.registry import RULES
from msgspec_dd.lint.rule import Rule


def explain(rule_id: str, config: Config | None = None) -> str:
    """The documentation of one rule, at its effective level; UsageError for an unknown id."""
    rule = RULES.get(rule_id)
    if rule is None:
        raise UsageError(f"unknown rule {rule_id!r}; known rules: {', '.join(RULES)}")
    config = config or default_config()
    doc = _plain(inspect.cleandoc(rule.__doc__ or ""))
    return f"{rule.ID} ({_level(rule, config)})\n\n{doc}\n\n{_send(rule)}"


def listing(config: Config | None = None) -> str:
    """One line per rule: id, effective level, first line of its documentation."""
    config = config or default_config()
    width = max(len(rule_id) for rule_id in RULES)
    return "\n".join(_row(rule, config, width) for rule in RULES.values())


def _row(rule: Rule, config: Config, width: int) -> str:
    first = _plain(inspect.cleandoc(rule.__doc__ or "").splitlines()[0])
    set_by = "" if _effective(rule, config) == rule.LEVEL.value else f" (lint.rules; default {rule.LEVEL.value})"
    return f"{rule.ID:<{width}}  {_effective(rule, config):<7}  {first}{set_by}"


def _level(rule: Rule, config: Config) -> str:
    """``warning``, or ``off; default warning, set by lint.rules in PATH`` when the config changes it."""
    shown = _effective(rule, config)
    if shown == rule.LEVEL.value:
        return shown
    return f"{shown}; default {rule.LEVEL.value}, set by lint.rules in {config.path or 'msgspec-dd.yaml'}"


def _effective(rule: Rule, config: Config) -> str:
    level = levels.level(rule.ID, config, rule.LEVEL)
    return level.value if level else "off"


def _send(rule: Rule) -> str:
    """What the rule means for ``send``, which runs only the blocking rules."""
    if rule.ID in levels.ENFORCED:
        return (f"Send always refuses a message with this error ({levels.ENFORCED[rule.ID]}); "
                "lint.rules and disable comments cannot lower it.")
    if rule.BLOCKING:
        return ("An error from this rule stops send; lowered to warning or off in lint.rules (or "
                "silenced by a comment), it lets the message through.")
    return "Send does not run this rule: it reports problems to lint only."


def _plain(text: str) -> str:
    """Docstrings mark code with double backticks; a terminal shows single ones."""
    return text.replace("``", "`")

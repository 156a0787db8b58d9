"""A rule's effective level: its own, or the one ``lint.rules`` in ``msgspec-dd.yaml`` sets.

Lowering a rule changes what ``lint`` reports and, for a rule that blocks, what ``send`` lets
through: lint and send agree, so a pull request that lints clean is one that sends. That is why
the rules in :data:`ENFORCED` cannot be lowered, by ``lint.rules`` or by a disable comment: an
error from them means DingTalk would refuse the message, or that there is no message to send
at all. Turning ``payload-schema`` off must not let an invalid body be posted.
"""

from __future__ import annotations

from msgspec_dd.config import Config
from msgspec_dd.lint.registry import RULES
from msgspec_dd.lint.rules import rule_setting
from msgspec_dd.problems import Level, Problem

#: Rules that stay errors whatever ``lint.rules`` or a comment says, and why. The other blocking
#: rules (``yaml-trap``, ``url-scheme``) guard against the author's mistakes in bodies DingTalk
#: accepts, so a team may lower them (the schemas still stop a trap that makes the body invalid).
ENFORCED: dict[str, str] = {
    "yaml-syntax": "a file that cannot be read has no message to send",
    "file-schema": "a message file of the wrong shape has no message to send",
    "template-syntax": "a template that does not parse cannot be rendered",
    "undeclared-variable": "a template using an undeclared variable cannot be rendered",
    "invalid-when": "send cannot tell when the message is due",
    "variable-value": "a message cannot be rendered without valid values for its variables",
    "render-failed": "a message that fails to render has no body to send",
    "payload-schema": "DingTalk refuses a body that is not a valid message",
    "body-too-large": "DingTalk refuses a body over 20,000 bytes",
    "missing-keyword": "DingTalk refuses a message without one of the robot's keywords (310000)",
    "app-robot-unsupported": "the app robot API refuses what it cannot send",
}


def level(rule: str, config: Config, default: Level) -> Level | None:
    """The level of ``rule`` under ``config`` (None: off); ``default`` when nothing sets it."""
    if rule in ENFORCED:
        return default
    for setting in reversed(config.rule_settings):
        if setting.rule == rule:
            return setting.level
    return default


def ignored(rule: str, *, lowers: bool) -> str | None:
    """Why a setting of ``rule`` that ``lowers`` it (or silences it) has no effect; None if it does."""
    if rule not in RULES:
        return f"unknown rule {rule!r} (msgspec-dd lint --list-rules lists the rules)"
    if lowers and rule in ENFORCED:
        return f"{rule} cannot be lowered: {ENFORCED[rule]}, so send refuses it anyway"
    return None


def setting_problems(config: Config) -> list[Problem]:
    """Warnings, located in ``msgspec-dd.yaml``, for the ``lint.rules`` entries that do nothing."""
    path = str(config.path) if config.path else "msgspec-dd.yaml"
    problems = []
    for setting in config.rule_settings:
        why = ignored(setting.rule, lowers=setting.level is not Level.ERROR)
        if why:
            problems.append(Problem(path, setting.line, setting.column, rule_setting.ID,
                                    rule_setting.LEVEL, f"lint.rules: {why}; this entry is ignored"))
    return problems


"""Every lint rule, by id. An explicit registry: adding a rule means adding it here.

A rule module declares its id, level, stage and whether it blocks a send
(:mod:`msgspec_dd.lint.rule`); this is the only place that lists them.
"""

from __future__ import annotations

from msgspec_dd.lint.rule import Rule
from msgspec_dd.lint.rules import (
    app_robot_hide_avatar,
    app_robot_unsupported,
    at_no_effect,
    at_not_mentioned,
    body_too_large,
    committed_secret,
    file_schema,
    insecure_url,
    invalid_mobile,
    invalid_when,
    missing_keyword,
    payload_schema,
    render_failed,
    robot_rate,
    rule_setting,
    template_syntax,
    undeclared_variable,
    unknown_robot,
    unsupported_markdown,
    unused_variable,
    url_scheme,
    variable_value,
    variable_without_example,
    yaml_syntax,
    yaml_trap,
)

#: In the order they run (and are listed by ``lint --explain``).
RULES: dict[str, Rule] = {
    module.ID: module
    for module in (
        yaml_syntax,
        rule_setting,
        file_schema,
        template_syntax,
        undeclared_variable,
        unknown_robot,
        invalid_when,
        committed_secret,
        yaml_trap,
        unused_variable,
        variable_without_example,
        variable_value,
        render_failed,
        payload_schema,
        body_too_large,
        missing_keyword,
        url_scheme,
        insecure_url,
        at_not_mentioned,
        at_no_effect,
        invalid_mobile,
        unsupported_markdown,
        app_robot_unsupported,
        app_robot_hide_avatar,
        robot_rate,
    )
}

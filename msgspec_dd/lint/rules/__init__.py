"""Every lint rule, by id. An explicit registry: adding a rule means adding it here."""

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
    invalid_when,
    missing_keyword,
    payload_schema,
    render_failed,
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
        unsupported_markdown,
        app_robot_unsupported,
        app_robot_hide_avatar,
    )
}

#: Checks send runs before rendering: a file failing them cannot be rendered meaningfully.
SEND_SOURCE_RULES = ("file-schema", "yaml-trap", "template-syntax", "undeclared-variable", "invalid-when")
#: Checks of the rendered body that DingTalk would refuse: send runs these before any POST.
SEND_RENDERED_RULES = ("payload-schema", "body-too-large", "missing-keyword", "url-scheme")

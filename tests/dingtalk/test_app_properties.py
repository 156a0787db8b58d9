"""Property: every valid payload of the five msgtypes either maps to an app robot's ``msgParam``
with exactly its template's fields, or is refused by the app-robot lint rule: never both, never
neither."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from msgspec_dd.config import load_config
from msgspec_dd.dingtalk.app_messages import TEMPLATES, AppMessage, app_message
from msgspec_dd.lint.engine import lint_file
from msgspec_dd.lint.registry import RULES
from msgspec_dd.lint.rule import Stage
from msgspec_dd.problems import Level
from tests.clirun import CASES
from tests.test_properties import PAYLOAD_TYPES, PROPERTY, payloads

CONFIG = load_config(CASES / "lint" / "msgspec-dd.yaml")  # robot "announce" is an app robot
RULE = "app-robot-unsupported"
SOURCE: Stage = "source"
#: Source errors stop lint before the rendered checks, so the rule never gets to say anything.
SOURCE_RULES = {rule_id for rule_id, rule in RULES.items() if rule.STAGE == SOURCE}


def lint_for_app_robot(payload: dict[str, Any]) -> set[str] | None:
    """The rules lint reports for ``payload`` sent to robot ``announce``; None when a source error
    stopped lint before the rendered checks (not this property's concern)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.json"
        path.write_text(json.dumps({"robot": "announce", "message": payload}, ensure_ascii=False), "utf-8")
        problems = lint_file(path, CONFIG)
    if any(p.rule in SOURCE_RULES and p.level is Level.ERROR for p in problems):
        return None
    return {p.rule for p in problems}


@pytest.mark.parametrize("name", PAYLOAD_TYPES)
@PROPERTY
@given(data=st.data())
def test_a_valid_payload_maps_or_is_refused_by_lint_never_both(name: str, data: st.DataObject) -> None:
    payload = data.draw(payloads(name))
    rules = lint_for_app_robot(payload)
    assume(rules is not None)
    assert rules is not None
    message = app_message(payload)
    refused = RULE in rules
    assert isinstance(message, AppMessage) != refused, (message, rules)
    if isinstance(message, AppMessage):
        required, optional = TEMPLATES[message.msg_key]
        assert required <= set(message.params) <= required | optional
        assert all(isinstance(value, str) and value for value in message.params.values())

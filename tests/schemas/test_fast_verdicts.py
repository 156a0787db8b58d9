"""catalog.is_valid (jsonschema-rs) must say exactly what jsonschema says: it decides alone
when an instance is valid, so a "valid" that jsonschema would reject would hide a problem."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from msgspec_dd.schemas import catalog
from tests.schemas.test_catalog import JSON, PAYLOAD_FILES, PROPERTY_SETTINGS, mutated

LINT_CASES = Path(__file__).parents[1] / "cases" / "lint"
MESSAGES = Path(__file__).parents[2] / "messages"


def agree(name: str, instance: Any) -> None:
    assert catalog.is_valid(name, instance) == catalog.validator(name).is_valid(instance), instance


@pytest.mark.parametrize("name", [*PAYLOAD_FILES, "payload"])
@PROPERTY_SETTINGS
@given(data=st.data())
def test_fast_and_located_validators_agree_on_bodies(name: str, data: st.DataObject) -> None:
    source = st.sampled_from(PAYLOAD_FILES).flatmap(mutated) if name == "payload" else mutated(name)
    instance = data.draw(st.one_of(source, JSON))
    agree(name, instance)
    agree("message-file", {"message": instance})


#: Python's re and Rust's regex disagree on these for \s and \S; the schemas' patterns use both.
SPACES = [chr(c) for c in range(0x3100) if chr(c).isspace()] + ["\ufeff", "\u180e", "\u200b"]


@pytest.mark.parametrize("space", SPACES, ids=lambda c: f"U+{ord(c):04X}")
def test_patterns_mean_what_python_means_by_whitespace(space: str) -> None:
    for clause in (f"x in{space}y", f"x{space}in y", f"x in {space}", f"{space}x in y", f"x,{space}y in z"):
        agree("message-file", {"message": {"msgtype": "text", "text": {"content": "x"},
                                           "at": {"atMobiles": [{"$for": clause, "$value": "1"}]}}})
    agree("message-file", {"vars": {f"a{space}": {}}, "message": {"msgtype": "text", "text": {"content": "x"}}})
    agree("config", {"robots": {"a": {"webhook_env": f"HOOK{space}"}}})


@pytest.mark.parametrize("value", [datetime.date(2024, 6, 1), {1: "x"}, {True: "x"}, 10**40, float("nan")],
                         ids=repr)
def test_values_json_cannot_hold_are_judged_by_jsonschema(value: Any) -> None:
    agree("message-file", {"message": {"msgtype": "text", "text": {"content": value}}})
    agree("payload", {"msgtype": "text", "text": value})


def parsed_case_files() -> dict[str, Any]:
    """The lint cases and example messages that are YAML (some cases are meant not to be)."""
    found: dict[str, Any] = {}
    for path in sorted([*LINT_CASES.rglob("*.yaml"), *MESSAGES.glob("*.yaml")]):
        try:
            found[f"{path.parent.name}/{path.name}"] = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError, ValueError):  # 2024-02-30 parses, cannot build
            continue
    return found


CASE_FILES = parsed_case_files()


@pytest.mark.parametrize("name", sorted(CASE_FILES))
def test_fast_and_located_validators_agree_on_the_case_files(name: str) -> None:
    agree("message-file", CASE_FILES[name])

"""Escaping what goes into GitHub's workflow commands, and keeping other lines from being one."""

from __future__ import annotations

import json

import pytest

from msgspec_dd.workflow_commands import (
    command_data,
    command_property,
    json_log_text,
    log_line,
    visible_controls,
)

HOSTILE = "a\n::error title=Injected::x\n## Fake heading <img src=x>.yaml"


def test_command_data_escapes_line_breaks_and_percent() -> None:
    assert command_data("50%\r\nnext") == "50%25%0D%0Anext"


def test_command_property_also_escapes_colon_and_comma() -> None:
    assert command_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_control_characters_become_visible_escapes() -> None:
    assert visible_controls("a\nb\rc\x1b[31m\x00\x85\u2028\td") == (
        "a\\nb\\rc\\x1b[31m\\x00\\x85\\u2028\td")
    assert visible_controls("日报 ok") == "日报 ok"


def test_a_log_line_holds_no_line_break_and_no_command() -> None:
    line = log_line(f"{HOSTILE} -> default: sent")
    assert "\n" not in line and "\r" not in line
    assert line == ("a\\n::error title=Injected::x\\n## Fake heading <img src=x>.yaml"
                    " -> default: sent")


@pytest.mark.parametrize("text, expected", [
    ("::error::x.yaml:1:1: error", "\\::error::x.yaml:1:1: error"),
    ("  \t::warning::x", "  \t\\::warning::x"),
    ("see ##[error]x", "see ##\\[error]x"),
    ("a::b is fine", "a::b is fine"),
])
def test_a_log_line_never_starts_a_command(text: str, expected: str) -> None:
    assert log_line(text) == expected


def test_json_text_reads_the_same_but_holds_no_legacy_command() -> None:
    text = json.dumps({"m": "see ##[error]x ##"}, indent=2)
    safe = json_log_text(text)
    assert "##[" not in safe and json.loads(safe) == json.loads(text)

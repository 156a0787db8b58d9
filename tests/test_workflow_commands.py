"""Escaping what goes into GitHub's workflow commands."""

from __future__ import annotations

from msgspec_dd.workflow_commands import command_data, command_property


def test_command_data_escapes_line_breaks_and_percent() -> None:
    assert command_data("50%\r\nnext") == "50%25%0D%0Anext"


def test_command_property_also_escapes_colon_and_comma() -> None:
    assert command_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"

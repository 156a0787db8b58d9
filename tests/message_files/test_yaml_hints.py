"""Hints for YAML mistakes of chat text, and positions the loader now gets right."""

from __future__ import annotations

import pytest
import yaml

from msgspec_dd.message_files.loader import LoadError, parse_bytes, parse_yaml
from msgspec_dd.message_files.yaml_hints import Hint, hint, quote


def _problem(text: str) -> tuple[int, int, str]:
    with pytest.raises(LoadError) as caught:
        parse_bytes(text.encode(), "m.yaml")
    found = caught.value.problem
    return found.line, found.column, found.message


@pytest.mark.parametrize(("value", "expected"), [
    ("@张三 请处理", '"@张三 请处理"'),
    ('say "hi"', "'say \"hi\"'"),
    ("it's \"x\"", "'it''s \"x\"'"),
    ("C:\\temp", "'C:\\temp'"),
])
def test_quote_gives_a_scalar_that_reads_back_as_the_text(value: str, expected: str) -> None:
    assert quote(value) == expected
    assert yaml.safe_load(f"k: {quote(value)}") == {"k": value}


def test_a_list_item_starting_with_at_is_hinted_at_the_item() -> None:
    line, column, message = _problem("message:\n  at:\n    atMobiles:\n      - @13800138000\n")
    assert (line, column) == (4, 9)
    assert message.endswith('quote the whole value: - "@13800138000"')


def test_a_comment_after_the_value_is_not_part_of_the_quoted_suggestion() -> None:
    assert hint("  content: @张三 请处理  # ping", 12, "") == Hint(
        12, '`@` is reserved in YAML and cannot start a bare value; quote the whole value: content: "@张三 请处理"')


def test_a_value_that_does_not_start_on_the_error_line_gets_no_hint() -> None:
    assert hint("  - {a: @b}", 9, "found character that cannot start any token") is None


def test_a_value_yaml_cannot_build_is_located_and_named() -> None:
    assert _problem("message:\n  msgtype: text\n  when: 2024-02-30\n") == (
        3, 9, "invalid YAML value '2024-02-30': day is out of range for month; quote it to keep it as text")


@pytest.mark.parametrize(("text", "column"), [
    ("a:\n  b: |2\n      more indented first line\n    x\n", 5),
    ("a:\n  - |1\n     x\n", 4),
    ("a:\n  b: |-2\n      x\n", 5),
    ("a:\n  b: |\n      x\n", 7),
])
def test_a_literal_blocks_column_follows_its_indentation_indicator(text: str, column: int) -> None:
    _, positions = parse_yaml(text, "m.yaml")
    assert list(positions.literal_blocks.values()) == [column]

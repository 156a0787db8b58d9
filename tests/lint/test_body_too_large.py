"""``body-too-large`` measures the bytes ``send`` posts: UTF-8, compact, not ASCII-escaped."""

from __future__ import annotations

import pytest

from msgspec_dd.config import default_config
from msgspec_dd.lint.engine import lint_document
from msgspec_dd.message_files.loader import parse_bytes

#: ``{"msgtype":"text","text":{"content":""}}`` is 40 bytes; each 字 is 3 more.
EMPTY = 40


@pytest.mark.parametrize(("extra", "too_large"), [(0, False), (1, True)])
def test_the_limit_is_on_the_encoded_bytes(extra: int, too_large: bool) -> None:
    characters, ascii_bytes = divmod(20_000 - EMPTY, 3)
    content = "字" * characters + "x" * (ascii_bytes + extra)
    source = f"message:\n  msgtype: text\n  text: {{content: {content}}}\n"
    problems = lint_document(parse_bytes(source.encode("utf-8"), "m.yaml"), default_config())
    found = [p.message for p in problems if p.rule == "body-too-large"]
    assert found == ([f"rendered body is {20_000 + extra:,} bytes; DingTalk accepts at most 20,000 "
                      "(errcode 460101): shorten or split it"] if too_large else [])

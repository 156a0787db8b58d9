"""Documents without a file: stdin and ``--text``."""

from __future__ import annotations

import io

from msgspec_dd.message_files import one_off


def test_a_bare_body_is_put_under_message_with_its_positions() -> None:
    document = one_off.read_stdin(io.BytesIO(b"msgtype: text\ntext:\n  content: hi\n"))
    assert document.path == "<stdin>"
    assert document.data == {"message": {"msgtype": "text", "text": {"content": "hi"}}}
    assert document.positions.locate(("message", "text", "content")) == (3, 12)


def test_a_message_file_on_stdin_is_taken_as_it_is() -> None:
    raw = b'{"message": {"msgtype": "text", "text": {"content": "hi"}}, "robot": "ops"}'
    document = one_off.read_stdin(io.BytesIO(raw))
    assert document.data["robot"] == "ops"
    assert document.positions.locate(("robot",)) == (1, 70)


def test_text_is_a_document_with_one_string_variable() -> None:
    document, name = one_off.text_document()
    assert document.path == "<text>" and name == "text"
    assert document.data["vars"][name]["type"] == "string"

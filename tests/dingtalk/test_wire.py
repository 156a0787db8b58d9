"""``wire``: the exact bytes posted, and one field added to them without encoding them again."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgspec_dd.dingtalk import wire

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


def test_a_body_is_compact_utf_8_and_not_ascii_escaped() -> None:
    assert wire.encode({"text": {"content": "部署 ✅"}, "n": [1, None]}) == \
        '{"text":{"content":"部署 ✅"},"n":[1,null]}'.encode()


@given(payload=st.dictionaries(st.text(), JSON, max_size=5), key=st.text(), value=JSON)
def test_a_field_added_to_a_body_is_the_body_of_the_payload_with_that_field(
    payload: dict[str, Any], key: str, value: Any
) -> None:
    payload.pop(key, None)
    assert wire.add_field(wire.encode(payload), key, value) == wire.encode({**payload, key: value})


def test_a_field_added_to_an_empty_object_is_its_only_field() -> None:
    assert wire.add_field(b"{}", "msgUuid", "u-1") == b'{"msgUuid":"u-1"}'


@pytest.mark.parametrize("body", [b"", b"[]", b'"{}"', b"null"])
def test_only_an_encoded_object_takes_a_field(body: bytes) -> None:
    with pytest.raises(ValueError, match="encoded JSON object"):
        wire.add_field(body, "msgUuid", "u-1")

"""A variable's schema judges each value once; values that only compare equal are judged apart."""

from __future__ import annotations

from msgspec_dd.schemas import user_schemas


def test_values_equal_in_python_but_not_in_json_schema_are_judged_apart() -> None:
    checked = user_schemas.check({"type": "integer"})
    verdicts = [checked.located(value) for value in (1, True, 1.0, 1)]
    assert [bool(found) for found in verdicts] == [False, True, False, False]
    assert "is not of type 'integer'" in verdicts[1][0][1]


def test_schemas_equal_in_python_but_not_in_json_schema_are_judged_apart() -> None:
    one, true = user_schemas.check({"const": 1}), user_schemas.check({"const": True})
    assert one.located(1) == () and true.located(1) != ()


def test_a_large_value_is_judged_without_being_remembered() -> None:
    checked = user_schemas.check({"type": "array", "maxItems": 3})
    assert checked.located(list(range(5_000)))[0][1].endswith("is too long")

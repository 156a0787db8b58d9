"""The renderer: ``$for`` / ``$if`` / ``$value`` list items, the origin map (rendered path -> source
path -> line) and render errors located at the line that caused them."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from msgspec_dd.config import default_config
from msgspec_dd.lint.engine import lint_document
from msgspec_dd.message_files.built_ins import builtins
from msgspec_dd.message_files.loader import Document, parse_bytes
from msgspec_dd.message_files.renderer import Rendered, parse_for, render_message
from msgspec_dd.message_files.template import TemplateFailure

NOW = datetime(2024, 11, 29, 8, 30, tzinfo=timezone.utc)


def doc(source: str) -> Document:
    return parse_bytes(source.encode("utf-8"), "m.yaml")


def rendered(source: str, **variables: Any) -> Rendered:
    result, problems = render_message(doc(source), variables, builtins(tz=timezone.utc, now=NOW, environ={}))
    assert problems == [] and result is not None, problems
    return result


def render(source: str, **variables: Any) -> Any:
    return rendered(source, **variables).payload


def failure(source: str, **variables: Any) -> str:
    result, problems = render_message(doc(source), variables, builtins(tz=timezone.utc, now=NOW, environ={}))
    assert result is None and len(problems) == 1, problems
    return problems[0].format()


def items(*lines: str) -> str:
    """A message whose ``l`` list holds the given item lines (indented under ``  l:``)."""
    return "message:\n  msgtype: text\n  l:\n" + "".join(f"    {line}\n" for line in lines)


# ------------------------------------------------------------------------------------------ $for


def test_for_expands_one_item_per_element_in_order() -> None:
    source = items("- first", "- $for: a in xs", "  t: '{{ a }}'", "- last")
    assert render(source, xs=[3, 1, 2])["l"] == ["first", {"t": "3"}, {"t": "1"}, {"t": "2"}, "last"]


def test_for_over_an_empty_list_yields_no_items() -> None:
    assert render(items("- $for: a in xs", "  t: '{{ a }}'"), xs=[])["l"] == []


def test_for_over_a_mapping_with_items_unpacks_key_and_value() -> None:
    source = items("- $for: k, v in d.items()", "  t: '{{ k }}={{ v }}'")
    assert render(source, d={"b": 2, "a": 1})["l"] == [{"t": "b=2"}, {"t": "a=1"}]


def test_for_over_a_mapping_itself_yields_its_keys_as_jinja_does() -> None:
    source = items("- $for: k in d", "  t: '{{ k }}:{{ d[k] }}'")
    assert render(source, d={"x": 1, "y": 2})["l"] == [{"t": "x:1"}, {"t": "y:2"}]


def test_for_loop_names_are_scoped_to_their_item() -> None:
    source = items("- $for: a in range(2)", "  n: '{{ a }}'", "- n: '{{ a }}'")
    assert render(source, a="outer")["l"] == [{"n": "0"}, {"n": "1"}, {"n": "outer"}]


def test_non_string_values_keep_their_type_inside_for_items() -> None:
    source = items("- $for: a in xs", "  n: 7", "  flag: true", "  t: '{{ a }}'")
    assert render(source, xs=["x"])["l"] == [{"n": 7, "flag": True, "t": "x"}]


def test_nested_for_sees_the_outer_loop_name() -> None:
    source = items(
        "- $for: g in groups",
        "  name: '{{ g.name }}'",
        "  tags:",
        "    - $for: t in g.tags",
        "      $value: '{{ g.name }}/{{ t }}'",
    )
    groups = [{"name": "a", "tags": ["x", "y"]}, {"name": "b", "tags": []}]
    assert render(source, groups=groups)["l"] == [
        {"name": "a", "tags": ["a/x", "a/y"]},
        {"name": "b", "tags": []},
    ]


def test_parse_for_accepts_one_or_several_names() -> None:
    assert parse_for("a in articles") == (("a",), "articles")
    assert parse_for("  k ,v in d.items()  ") == (("k", "v"), "d.items()")
    with pytest.raises(TemplateFailure, match="NAME in EXPRESSION"):
        parse_for("a of articles")


# ------------------------------------------------------------------------------------------- $if


def test_if_keeps_an_item_only_when_true() -> None:
    source = items("- $if: x > 1", "  t: big", "- $if: x < 1", "  t: small", "- $if: false", "  t: never")
    assert render(source, x=2)["l"] == [{"t": "big"}]


def test_if_filters_for_items_with_the_loop_name() -> None:
    source = items("- $for: a in xs", "  $if: a.url.startswith('https://')", "  u: '{{ a.url }}'")
    xs = [{"url": "https://a"}, {"url": "http://b"}, {"url": "https://c"}]
    assert render(source, xs=xs)["l"] == [{"u": "https://a"}, {"u": "https://c"}]


# ----------------------------------------------------------------------------------------- $value


def test_value_items_generate_scalars_for_at_mobiles() -> None:
    source = (
        "message:\n  msgtype: text\n  text: {content: hi}\n  at:\n    atMobiles:\n"
        "      - \"13800000000\"\n"
        "      - $for: p in people\n"
        "        $if: p.on_duty\n"
        "        $value: '{{ p.mobile }}'\n"
    )
    people = [{"mobile": "13900000001", "on_duty": True}, {"mobile": "13900000002", "on_duty": False}]
    assert render(source, people=people)["at"] == {"atMobiles": ["13800000000", "13900000001"]}


def test_value_with_only_if_yields_the_value_or_nothing() -> None:
    source = items("- $if: x", "  $value: '{{ x }}'")
    assert render(source, x="on")["l"] == ["on"]
    assert render(source, x="")["l"] == []


def test_value_renders_non_string_values_as_they_are() -> None:
    assert render(items("- $for: n in xs", "  $value: 5"), xs=[1, 2])["l"] == [5, 5]


# ------------------------------------------------------------------------------------ the origin


def test_origin_maps_each_rendered_path_to_its_source_path_and_line() -> None:
    source = (
        "message:\n"                              # 1
        "  msgtype: actionCard\n"                 # 2
        "  actionCard:\n"                         # 3
        "    title: t\n"                          # 4
        "    text: x\n"                           # 5
        "    btns:\n"                             # 6
        "      - title: first\n"                  # 7
        "        actionURL: https://a\n"          # 8
        "      - $for: a in xs\n"                 # 9
        "        title: '{{ a }}'\n"              # 10
        "        actionURL: https://b\n"          # 11
        "      - title: last\n"                   # 12
        "        actionURL: https://c\n"          # 13
    )
    document = doc(source)
    result, _ = render_message(document, {"xs": ["p", "q"]}, builtins(tz=timezone.utc, now=NOW, environ={}))
    assert result is not None
    btns = ("message", "actionCard", "btns")
    assert result.source(("actionCard", "btns", 0, "title")) == (*btns, 0, "title")
    assert result.source(("actionCard", "btns", 1, "title")) == (*btns, 1, "title")
    assert result.source(("actionCard", "btns", 2, "title")) == (*btns, 1, "title")
    assert result.source(("actionCard", "btns", 3, "title")) == (*btns, 2, "title")
    assert result.source(("actionCard", "btns", 2)) == (*btns, 1)
    assert result.source(()) == ("message",)
    # A path below a rendered leaf (as a schema issue may name) falls back to its nearest ancestor.
    assert result.source(("actionCard", "btns", 2, "title", "deeper")) == (*btns, 1, "title")

    def line(rendered_path: tuple[str | int, ...]) -> int:
        return document.positions.locate(result.source(rendered_path))[0]

    assert [line(("actionCard", "btns", i, "title")) for i in range(4)] == [7, 10, 10, 12]
    assert line(("actionCard", "btns", 3, "actionURL")) == 13


def test_origin_of_a_value_item_is_its_value_line() -> None:
    source = items("- $for: p in ps", "  $value: '{{ p }}'", "- plain")
    document = doc(source)
    result, _ = render_message(document, {"ps": ["a", "b"]}, builtins(tz=timezone.utc, now=NOW, environ={}))
    assert result is not None
    assert result.source(("l", 1)) == ("message", "l", 0, "$value")
    assert document.positions.locate(result.source(("l", 1))) == (5, 15)
    assert document.positions.locate(result.source(("l", 2))) == (6, 7)


def test_a_problem_in_an_expanded_item_is_reported_at_its_source_line() -> None:
    source = (
        "vars:\n"
        "  xs: {type: array, default: [\"https://a\", \"ftp://b\"]}\n"
        "message:\n"
        "  msgtype: feedCard\n"
        "  feedCard:\n"
        "    links:\n"
        "      - $for: u in xs\n"
        "        title: t\n"
        "        messageURL: '{{ u }}'\n"
        "        picURL: https://example.com/p.png\n"
    )
    found = [(p.rule, p.line, p.column) for p in lint_document(doc(source), default_config())]
    assert found == [("url-scheme", 9, 21)]


# --------------------------------------------------------------------------------- render errors


@pytest.mark.parametrize(("lines", "variables", "expected"), [
    (["- t: '{{ 1/0 }}'"], {},
     "m.yaml:4:10: error: template failed: ZeroDivisionError: division by zero [render-failed]"),
    (["- $for: a in xs", "  t: x"], {"xs": 5},
     "m.yaml:4:13: error: $for needs a list, got int [render-failed]"),
    (["- $for: a in xs", "  t: x"], {"xs": "abc"},
     "m.yaml:4:13: error: $for needs a list, got str [render-failed]"),
    (["- $for: a of xs", "  t: x"], {"xs": []},
     "m.yaml:4:13: error: $for must read 'NAME in EXPRESSION', got 'a of xs' [render-failed]"),
    (["- $for: k, v in xs", "  t: x"], {"xs": [1]},
     "m.yaml:4:13: error: cannot unpack int into k, v [render-failed]"),
    (["- $for: a in xs", "  t: '{{ a.missing }}'"], {"xs": [{}]},
     "m.yaml:5:10: error: template error: 'dict object' has no attribute 'missing' [render-failed]"),
    (["- t: ok", "- $if: '{{'", "  t: x"], {},
     "m.yaml:5:12: error: expression syntax error: unexpected 'end of template' [render-failed]"),
    (["- t: '{{ github.sha }}'"], {},
     "m.yaml:4:10: error: 'github' is only available inside GitHub Actions (lint and preview use "
     "samples) [render-failed]"),
])
def test_render_errors_name_the_line_and_column(
    lines: list[str], variables: dict[str, Any], expected: str
) -> None:
    assert failure(items(*lines), **variables) == expected


def test_an_error_inside_a_literal_block_is_reported_on_its_own_line() -> None:
    source = "message:\n  msgtype: text\n  text:\n    content: |\n      one\n      {{ x }\n"
    assert failure(source) == ("m.yaml:6:7: error: template syntax error: unexpected '}' "
                               "(template line 2) [render-failed]")


def test_the_first_failing_template_stops_the_render() -> None:
    source = items("- '{{ 1/0 }}'", "- '{{ undefined_name }}'")
    assert failure(source).startswith("m.yaml:4:7: error: template failed: ZeroDivisionError")


def test_an_undefined_if_is_a_render_error_at_its_line() -> None:
    source = items("- $for: a in xs", "  $if: a.pinned", "  t: x")
    assert failure(source, xs=[{}]) == (
        "m.yaml:5:12: error: template error: 'dict object' has no attribute 'pinned' [render-failed]"
    )


# ------------------------------------------------------------------------------ what templates see


def test_templates_keep_trailing_newlines_and_plain_strings_are_untouched() -> None:
    source = ("message:\n  msgtype: markdown\n  markdown:\n    title: '50% {not a template}'\n"
              "    text: |\n      # {{ t }}\n")
    assert render(source, t="x")["markdown"] == {"title": "50% {not a template}", "text": "# x\n"}


def test_keys_are_never_rendered() -> None:
    assert render("message:\n  '{{ k }}': '{{ k }}'\n", k="v") == {"{{ k }}": "v"}


def test_a_variable_holding_template_syntax_is_printed_not_rendered() -> None:
    body = render("message:\n  t: '{{ v }}'\n", v="{{ 7 * 7 }}{% if true %}x{% endif %}")
    assert body == {"t": "{{ 7 * 7 }}{% if true %}x{% endif %}"}


def test_builtins_are_visible_and_variables_win_over_nothing_else() -> None:
    body = render("message:\n  t: \"{{ now.isoformat() }} {{ today }}\"\n")
    assert body == {"t": "2024-11-29T08:30:00+00:00 2024-11-29"}


def test_one_budget_is_shared_by_all_templates_of_a_message() -> None:
    # Each template alone is within the budget; together they exceed the output limit.
    big = "'{{ \"x\" * 60000 }}'"
    source = f"message:\n  a: {big}\n  b: {big}\n"
    assert "more than 100,000 characters" in failure(source)
    assert "m.yaml:3:6:" in failure(source)


def _emptied(items: list[int]) -> dict[Any, Any]:
    text = ("message:\n  msgtype: text\n  text: {content: hi}\n  at:\n    atMobiles:\n"
            "      - $for: x in xs\n        $if: x > 5\n        $value: '{{ x }}'\n")
    rendered, problems = render_message(parse_bytes(text.encode(), "m.yaml"), {"xs": items}, {})
    assert rendered is not None, problems
    return rendered.emptied


def test_a_list_that_if_emptied_remembers_the_condition() -> None:
    # The rendered list's path in the body, and the $if's in the file.
    assert _emptied([1, 2]) == {("at", "atMobiles"): (("message", "at", "atMobiles", 0, "$if"), "x > 5")}


def test_a_list_whose_for_had_nothing_was_not_emptied_by_if() -> None:
    assert _emptied([]) == {}
    assert _emptied([9]) == {}


def test_the_rendered_body_is_encoded_once_and_kept() -> None:
    result = rendered("message:\n  msgtype: text\n  text: {content: '部署 {{ n }} ✅'}\n", n=3)
    assert result.body == '{"msgtype":"text","text":{"content":"部署 3 ✅"}}'.encode()
    assert result.body is result.body  # computed on first use, then reused

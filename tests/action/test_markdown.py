"""Escaping for the job summary: each place text lands in stays one piece."""

from __future__ import annotations

from markdown_it import MarkdownIt

from msgspec_dd.action.markdown import (
    code,
    code_cell,
    fenced,
    markdown_lines,
    one_line,
    plain,
    plain_lines,
)

MD = MarkdownIt("commonmark").enable("table")


def test_one_line_text_has_no_line_break() -> None:
    assert one_line("a\r\nb\rc\nd\x1b") == "a b c d\\x1b"
    assert plain("t\n# heading") == "t \\# heading"
    assert plain_lines("a\rb") == ["a\\", "b"]


def test_code_spans_hold_any_backticks_and_breaks() -> None:
    assert code("messages/a.yaml") == "`messages/a.yaml`"
    assert code("a`b") == "``a`b``"
    assert code("`x``") == "``` `x`` ```"
    assert code("a\n## b") == "`a\\n## b`"
    for text in ("a`b", "`x``", "<img src=x>", "a\n## b"):
        html = MD.render(f"### {code(text)}\n")
        assert html.count("<h3>") == 1 and "<img" not in html


def test_a_code_cell_keeps_the_row_in_its_columns() -> None:
    row = f"| {code_cell('a | b')} | two |\n"
    html = MD.render("| x | y |\n| --- | --- |\n" + row)
    assert html.count("<td>") == 2 and "<code>a | b</code>" in html


def test_a_fence_outlasts_the_text_and_keeps_its_lines() -> None:
    assert fenced("a\n```\nb\x1b", "text") == "````text\na\n```\nb\\x1b\n````\n"


def test_markdown_keeps_its_markup_but_no_html() -> None:
    assert markdown_lines("**b** <https://x.test/>\r# h\n<!-- <img src=x>") == [
        "**b** <https://x.test/>", "# h", "&lt;!-- &lt;img src=x>"]


def test_dingtalks_font_tag_leaves_its_text() -> None:
    assert markdown_lines('<font color="#FF0000">红</font> <FONT color=#0f0>绿</FONT>') == ["红 绿"]

"""The DingTalk markdown subset: what the parser makes of it and what lint reports.

How the preview shows it as HTML is tested in ``test_preview_markdown_html.py``.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msgspec_dd.dingtalk.markdown import IMAGE_SCHEMES, LINK_SCHEMES, Unsupported, is_font_tag, parser, unsupported

# --------------------------------------------------------------------------- supported


def _types(source: str) -> list[str]:
    """Block token types, with each inline token replaced by its children's types."""
    types: list[str] = []
    for token in parser().parse(source):
        types.extend([child.type for child in token.children or []] if token.type == "inline"
                     else [token.type])
    return types


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("# Title", "heading_open"),
        ("> quoted", "blockquote_open"),
        ("**bold**", "strong_open"),
        ("*italic*", "em_open"),
        ("[DingTalk](https://www.dingtalk.com/)", "link_open"),
        ("[x](javascript:alert(1))", "link_open"),  # kept: the preview decides what to show
        ("![cat](https://example.com/cat.png)", "image"),
        ("- one\n- two", "bullet_list_open"),
        ("1. one\n2. two", "ordered_list_open"),
        ('<font color="#FF0000">red</font>', "html_inline"),
    ],
)
def test_supported_constructs_parse_and_are_not_reported(source: str, expected: str) -> None:
    assert expected in _types(source)
    assert unsupported(source) == []


@pytest.mark.parametrize(
    "source",
    ["| a | b |\n|---|---|\n| 1 | 2 |\n", "```\nx\n```", "para\n\n    indented", "<b>x</b>",
     "~~gone~~", "- [ ] todo"],
)
def test_unsupported_constructs_parse_as_plain_text(source: str) -> None:
    allowed = {"paragraph_open", "paragraph_close", "bullet_list_open", "bullet_list_close",
               "list_item_open", "list_item_close", "text", "softbreak"}
    assert set(_types(source)) <= allowed


def test_a_single_newline_is_a_soft_break() -> None:
    assert _types("first\nsecond") == ["paragraph_open", "text", "softbreak", "text",
                                        "paragraph_close"]


def test_parser_is_cached() -> None:
    assert parser() is parser()


def test_schemes() -> None:
    assert {"https", "http", "dingtalk"} == LINK_SCHEMES
    assert IMAGE_SCHEMES < LINK_SCHEMES


# --------------------------------------------------------------------------- unsupported

TABLE = "intro\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"


@pytest.mark.parametrize(
    ("source", "construct", "line", "column"),
    [
        (TABLE, "table", 3, 1),
        ("> | a |\n> |---|\n> | 1 |", "table", 1, 3),
        ("text\n\n```python\nprint(1)\n```", "fenced code", 3, 1),
        ("- item\n\n  ~~~\n  x\n  ~~~", "fenced code", 3, 3),
        ("para\n\n    indented code", "indented code", 3, 1),
        ("hello <b>bold</b>", "html", 1, 7),
        ("<div>\nblock\n</div>", "html", 1, 1),
        ("a\n\n  <!-- comment -->", "html", 3, 3),
        ("it is ~~gone~~", "strikethrough", 1, 7),
        ("# Title ~~old~~", "strikethrough", 1, 9),
        ("> quote\n> and ~~this~~", "strikethrough", 2, 7),
        ("- [ ] todo", "task list", 1, 3),
        ("1. [x] done", "task list", 1, 4),
    ],
)
def test_unsupported_construct_is_reported_where_it_is(
    source: str, construct: str, line: int, column: int
) -> None:
    found = unsupported(source)
    assert [(u.construct, u.line, u.column) for u in found] == [(construct, line, column)]
    assert found[0].hint


def test_stray_closing_tag_is_reported() -> None:
    assert [(u.column, u.construct) for u in unsupported("a </b> <i>x</i>")] == [
        (3, "html"),
        (8, "html"),
    ]


def test_font_in_an_html_block_is_supported() -> None:
    assert unsupported('<font color="#00FF00">\ngreen\n</font>') == []


def test_several_problems_are_sorted_by_position() -> None:
    found = unsupported("~~a~~ <i>b</i>\n\n| x |\n|---|")
    assert [(u.line, u.column, u.construct) for u in found] == [
        (1, 1, "strikethrough"),
        (1, 7, "html"),
        (3, 1, "table"),
    ]


def test_windows_line_endings_count_lines_the_same() -> None:
    assert unsupported("a\r\n\r\n~~b~~") == [
        Unsupported(3, 1, "strikethrough", unsupported("~~b~~")[0].hint)
    ]


def test_supported_dingtalk_example_has_no_findings() -> None:
    # DingTalk's own markdown example.
    text = (
        "#### 杭州天气 @150XXXXXXXX \n > 9度，西北风1级，空气良89，相对温度73%\n > "
        "![screenshot](https://img.alicdn.com/tfs/TB1NwmBEL9TBuNjy1zbXXXpepXa-2400-1218.png)\n"
        " > ###### 10点20分发布 [天气](https://www.dingtalk.com) \n"
    )
    assert unsupported(text) == []


# --------------------------------------------------------------------------- font


@pytest.mark.parametrize(
    "tag", ["<font color=#FF0000>", "<font color='#0f0'>", '<font COLOR="Blue">', "<font>", "</font>"]
)
def test_font_tags(tag: str) -> None:
    assert is_font_tag(tag)


@pytest.mark.parametrize("tag", ["<fontx>", "<b>", "</font x>", "<font"])
def test_not_font_tags(tag: str) -> None:
    assert not is_font_tag(tag)


# --------------------------------------------------------------------------- robustness


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    found = unsupported(text)
    assert isinstance(found, list)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for item in found:
        assert 1 <= item.line <= len(lines)
        assert item.column >= 1


MARKDOWNISH = st.lists(
    st.sampled_from(
        [
            "~~",
            "|",
            "-",
            "---",
            "```",
            "    ",
            "\t",
            "> ",
            "<b>",
            "</font>",
            "<font color=red>",
            "[ ]",
            "[x](",
            ")",
            "*",
            "#",
            "\n",
            "\n\n",
            "a",
            "中",
            "1. ",
            "<!--",
            "-->",
            "\r",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(MARKDOWNISH)
def test_never_raises_on_markdown_like_text(text: str) -> None:
    for item in unsupported(text):
        assert item.line >= 1 and item.column >= 1


#: Markdown-like pieces, some of which only look like a trigger (one ``~``, three spaces, ``[y]``).
NEAR_MISSES = st.lists(st.sampled_from(["~", "   ", " ", "[y]", "[ x]", "]", "[", "**", "_", "> ", "- ",
                                        "1. ", "#", "\n", "\n\n", "a", "中", "&lt;", "&#124;", "\\|",
                                        "![i](https://x/y)", "[t](https://x)", "\r", "\0"]),
                       max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(MARKDOWNISH, NEAR_MISSES))
def test_text_skipped_without_parsing_has_nothing_to_report(text: str) -> None:
    from msgspec_dd.dingtalk import markdown

    assert unsupported(text) == markdown._parsed_unsupported(text)

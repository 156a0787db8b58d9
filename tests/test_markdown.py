"""The DingTalk markdown subset: what renders, what is reported, and that nothing unsafe escapes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msgspec_dd.markdown import (
    Unsupported,
    font_color,
    highlight_mentions,
    is_font_tag,
    parser,
    render_html,
    safe_url,
    unsupported,
)

# --------------------------------------------------------------------------- supported


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("# Title", "<h1>Title</h1>"),
        ("###### Six", "<h6>Six</h6>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("**bold**", "<p><strong>bold</strong></p>"),
        ("*italic*", "<p><em>italic</em></p>"),
        (
            "[DingTalk](https://www.dingtalk.com/)",
            (
                '<p><a class="dd-link" href="https://www.dingtalk.com/" rel="noopener noreferrer">'
                "DingTalk</a></p>"
            ),
        ),
        (
            "![cat](https://example.com/cat.png)",
            (
                '<p><img class="dd-img" src="https://example.com/cat.png" alt="cat" '
                'referrerpolicy="no-referrer"></p>'
            ),
        ),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"),
        ("first\n\nsecond", "<p>first</p>\n<p>second</p>"),
        ('<font color="#FF0000">red</font>', '<p><font color="#FF0000">red</font></p>'),
        ("<font color=blue>blue</font>", '<p><font color="blue">blue</font></p>'),
    ],
)
def test_supported_constructs_render(source: str, expected: str) -> None:
    assert render_html(source).strip() == expected
    assert unsupported(source) == []


def test_a_single_newline_is_not_a_line_break() -> None:
    assert render_html("one\ntwo").strip() == "<p>one\ntwo</p>"
    # Trailing spaces make a hard break in CommonMark, but not in DingTalk.
    assert "<br" not in render_html("one  \ntwo")


def test_dingtalk_link_scheme_is_kept() -> None:
    url = "dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fexample.com&pc_slide=false"
    assert 'href="dingtalk://dingtalkclient/page/link?url=' in render_html(f"[open]({url})")


def test_parser_is_cached() -> None:
    assert parser() is parser()


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


@pytest.mark.parametrize(
    ("source", "absent"),
    [
        (TABLE, "<table"),
        ("```python\nprint(1)\n```", "<pre"),
        ("para\n\n    indented code", "<code"),
        ("hello <b>bold</b>", "<b>"),
        ("it is ~~gone~~", "<s>"),
        ("- [ ] todo", "<input"),
    ],
)
def test_unsupported_construct_stays_plain_text(source: str, absent: str) -> None:
    assert absent not in render_html(source)


def test_table_text_is_shown_as_written() -> None:
    assert "| a | b |\n|---|---|\n| 1 | 2 |" in render_html(TABLE)


def test_html_other_than_font_is_shown_as_text() -> None:
    assert render_html("<b>x</b>").strip() == "<p>&lt;b&gt;x&lt;/b&gt;</p>"


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


# --------------------------------------------------------------------------- safety


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "vbscript:x", "x"]
)
def test_unsafe_link_loses_its_target(url: str) -> None:
    rendered = render_html(f"[click]({url})")
    assert "href" not in rendered
    assert "dd-link-blocked" in rendered


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:image/png;base64,AAAA", "ftp://x/y"])
def test_unsafe_image_is_not_loaded(url: str) -> None:
    rendered = render_html(f"![pic]({url})")
    assert "<img" not in rendered
    assert "pic" in rendered


def test_script_is_escaped() -> None:
    rendered = render_html("<script>alert(1)</script>\n\nhi <script>x</script>")
    assert "<script" not in rendered
    assert "&lt;script&gt;" in rendered


def test_font_keeps_only_a_valid_color() -> None:
    rendered = render_html('<font color="red" onmouseover="alert(1)" size=7>x</font>')
    assert '<font color="red">x</font>' in rendered
    assert "onmouseover" not in rendered
    assert "<font>y</font>" in render_html('<font color="red;background:url(x)">y</font>')


@pytest.mark.parametrize(
    ("tag", "color"),
    [
        ("<font color=#FF0000>", "#FF0000"),
        ("<font color='#0f0'>", "#0f0"),
        ('<font COLOR="Blue">', "Blue"),
        ("<font>", None),
        ('<font color="#12345G">', None),
        ('<font color="expression(alert(1))">', None),
    ],
)
def test_font_color(tag: str, color: str | None) -> None:
    assert is_font_tag(tag)
    assert font_color(tag) == color


@pytest.mark.parametrize("tag", ["<fontx>", "<b>", "</font x>", "<font"])
def test_not_font_tags(tag: str) -> None:
    assert not is_font_tag(tag)


def test_safe_url() -> None:
    assert safe_url(" https://a.example/x ") == "https://a.example/x"
    assert safe_url("http://[::1") is None
    assert safe_url("dingtalk://dingtalkclient/page/link?url=x") is not None
    assert safe_url("dingtalk://x", {"https"}) is None


def test_mentions_are_highlighted_in_markdown() -> None:
    rendered = render_html(
        "hi @13800000000 and @所有人, not @138000000001", mentions=["13800000000", "所有人"]
    )
    assert rendered.count('data-testid="mention"') == 2
    assert '<span class="dd-mention" data-testid="mention">@13800000000</span>' in rendered


def test_mention_names_are_escaped() -> None:
    escaped = "@a&lt;b"
    assert "dd-mention" in highlight_mentions(escaped, ["a<b"])


# --------------------------------------------------------------------------- robustness


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    assert isinstance(render_html(text, mentions=["x"]), str)
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
    rendered = render_html(text)
    assert "<script" not in rendered and "<b>" not in rendered
    for item in unsupported(text):
        assert item.line >= 1 and item.column >= 1

"""The preview's HTML for DingTalk markdown: what renders, what stays text, nothing unsafe escapes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msgspec_dd.preview.markdown_html import font_color, highlight_mentions, render_html, safe_url
from tests.dingtalk.test_markdown import MARKDOWNISH, TABLE

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


def test_a_single_newline_is_not_a_line_break() -> None:
    assert render_html("one\ntwo").strip() == "<p>one\ntwo</p>"
    # Trailing spaces make a hard break in CommonMark, but not in DingTalk.
    assert "<br" not in render_html("one  \ntwo")


def test_dingtalk_link_scheme_is_kept() -> None:
    url = "dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fexample.com&pc_slide=false"
    assert 'href="dingtalk://dingtalkclient/page/link?url=' in render_html(f"[open]({url})")


# --------------------------------------------------------------------------- unsupported


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
    assert font_color(tag) == color


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


@settings(max_examples=300, deadline=None)
@given(MARKDOWNISH)
def test_nothing_unsafe_on_markdown_like_text(text: str) -> None:
    rendered = render_html(text)
    assert "<script" not in rendered and "<b>" not in rendered

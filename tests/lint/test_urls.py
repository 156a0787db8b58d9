"""URLs of a rendered body: markdown links are read by markdown-it, whole."""

from __future__ import annotations

from msgspec_dd.lint.urls import urls


def _markdown(text: str) -> dict[str, object]:
    return {"msgtype": "markdown", "markdown": {"title": "t", "text": text}}


def test_a_url_holding_parentheses_is_read_whole() -> None:
    found = list(urls(_markdown("a [x](https://en.wikipedia.org/wiki/Foo_(bar)) b\n\n![i](javascript:alert(1))")))
    assert [(u.value, u.image, u.text_line, u.text_column) for u in found] == [
        ("https://en.wikipedia.org/wiki/Foo_(bar)", False, 1, 7),
        ("javascript:alert(1)", True, 3, 6),
    ]


def test_brackets_that_are_no_links_are_not_urls() -> None:
    assert list(urls(_markdown("[" * 1000 + "![" * 1000 + "[x] (y) [z]"))) == []


def test_a_text_over_the_body_limit_is_left_to_body_too_large() -> None:
    assert list(urls(_markdown("[x](javascript:1) " * 2000))) == []

"""The markdown DingTalk renders, on markdown-it-py: one parser shared by lint and preview.

DingTalk's robot markdown is a small subset: headings, ``>`` quotes, ``**bold**``, ``*italic*``,
``[text](url)``, ``![](img)``, ``-`` and ``1.`` lists and paragraphs (a line break needs a blank
line). ``<font color=...>`` works although undocumented. Everything else -- tables, fenced or
indented code, other HTML, strikethrough, task lists -- is shown as plain text.

- :func:`parser` is a markdown-it configured like that, so a table stays text.
- :func:`links` lists the links and images as markdown-it reads them, URLs as written.
- :func:`unsupported` finds what DingTalk will not render, with 1-based line and column, by parsing
  a second time with a full-featured parser (CommonMark + tables + strikethrough) and reading its
  token stream.

How the preview shows this markdown as HTML lives with the preview
(:mod:`msgspec_dd.preview.markdown_html`), on the same :func:`parser`.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

__all__ = ["IMAGE_SCHEMES", "LINK_SCHEMES", "Link", "Unsupported", "is_font_tag", "links", "parser",
           "unsupported"]

#: URL schemes DingTalk opens; anything else is neutralised in the preview (and flagged by lint).
LINK_SCHEMES = frozenset({"https", "http", "dingtalk"})
#: Images must be fetched by the client, so only web URLs.
IMAGE_SCHEMES = frozenset({"https", "http"})

_FONT_OPEN = re.compile(r"<font(?:\s[^<>]*)?>\Z", re.IGNORECASE)
_FONT_CLOSE = re.compile(r"</font\s*>\Z", re.IGNORECASE)
_HTML_TAG = re.compile(r"<!--.*?-->|<[^<>]*>", re.DOTALL)
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")
_TASK_ITEM = re.compile(r"\[[ xX]\](?:[ \t]|\Z)")
#: What every construct :func:`unsupported` finds is written with: a table's ``|``, a code fence's
#: backticks or ``~~~``, indented code's four spaces or tab, HTML's ``<``, ``~~``, ``[ ]``.
_MAY_BE_UNSUPPORTED = re.compile(r"[|<`\t]|~~| {4}|\[[ xX]\]")

# The block rules whose tokens DingTalk shows as text, and the construct each one means.
# Alternative rule chains a block rule may belong to (markdown-it's "alt" option).
_BLOCK_CHAINS = ("paragraph", "reference", "blockquote", "list")

_HINTS = {
    "table": "DingTalk shows tables as plain text; use a list or one line per row instead",
    "fenced code": "DingTalk shows code blocks as plain text with the ``` markers; "
    "use a quote (>) or plain lines instead",
    "indented code": "DingTalk shows indented code as a plain paragraph; "
    "remove the indentation or use a quote (>)",
    "html": "DingTalk renders no HTML except <font color=...>; other tags are shown as text "
    "(and HTML links are not clickable on mobile)",
    "strikethrough": "DingTalk shows ~~ literally; remove it or use <font color=...>",
    "task list": "DingTalk shows [ ] / [x] literally; use emoji such as ✅ / ⬜ instead",
}


@dataclass(frozen=True, order=True)
class Unsupported:
    """A construct DingTalk does not render. ``line`` and ``column`` are 1-based, in characters."""

    line: int
    column: int
    construct: str
    hint: str


# --------------------------------------------------------------------------- parsers


class _DingTalkMarkdown(MarkdownIt):
    """markdown-it that parses every link, as DingTalk does; unsafe URLs are handled on output."""

    def validateLink(self, url: str) -> bool:
        return True


@functools.cache
def parser() -> MarkdownIt:
    """The markdown-it parser configured as DingTalk renders (cached; do not mutate it).

    Enabled: headings, blockquotes, lists, paragraphs, emphasis, links, images, escapes and
    entities; inline HTML only for ``<font ...>`` and ``</font>``. Soft line breaks stay spaces
    (``breaks=False``): DingTalk needs a blank line for a new line.
    """
    return _configured(_DingTalkMarkdown("zero", {"html": True, "breaks": False, "xhtmlOut": False}))


def _configured(md: MarkdownIt) -> MarkdownIt:
    md.enable(["heading", "blockquote", "list", "paragraph"])
    md.enable(["newline", "escape", "emphasis", "link", "image", "entity", "html_inline"])
    md.enable(["balance_pairs", "fragments_join", "text_join"])
    md.inline.ruler.at("html_inline", _font_only(_active_rule(md.inline.ruler, "html_inline")))
    _guard_link_rules(md)
    return md


class _WrittenLinks(_DingTalkMarkdown):
    """:func:`parser`'s markdown, keeping each URL as written instead of percent-encoding it."""

    def normalizeLink(self, url: str) -> str:
        return url


@functools.cache
def _links_parser() -> MarkdownIt:
    return _configured(_WrittenLinks("zero", {"html": True, "breaks": False, "xhtmlOut": False}))


def _guard_link_rules(md: MarkdownIt) -> None:
    """A ``[`` with no ``]`` after it is no link: say so at once.

    markdown-it scans from every ``[`` to the end of the text for its ``]``, so ``'[' * 200000``
    took quadratic time.
    """
    for name in ("link", "image"):
        md.inline.ruler.at(name, _needs_closing_bracket(_active_rule(md.inline.ruler, name)))


_LAST_BRACKET = "msgspec_dd_last_bracket"


def _needs_closing_bracket(inline_rule: _Rule) -> _Rule:
    def rule(state: StateInline, silent: bool) -> bool:
        last = getattr(state, _LAST_BRACKET, None)
        if last is None:
            last = state.src.rfind("]")
            setattr(state, _LAST_BRACKET, last)  # once per inline block keeps the check linear
        if last < state.pos:
            return False
        return inline_rule(state, silent)

    return rule


@functools.cache
def _full_parser() -> MarkdownIt:
    """CommonMark plus tables and strikethrough, with source positions recorded in token meta."""
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    for name in ("table", "fence", "code", "html_block"):
        _wrap_block_rule(md, name)
    md.inline.ruler.at("html_inline", _record_offset(_active_rule(md.inline.ruler, "html_inline")))
    _guard_link_rules(md)
    md.inline.ruler.at(
        "strikethrough", _record_tilde_offsets(_active_rule(md.inline.ruler, "strikethrough"))
    )
    return md


_Rule = Callable[..., bool]


def _active_rule(ruler: Any, name: str) -> _Rule:
    """The function of an enabled rule, found through markdown-it's public Ruler API."""
    rules = dict(zip(ruler.get_active_rules(), ruler.getRules(""), strict=True))
    fn: _Rule = rules[name]
    return fn


def _font_only(html_inline: _Rule) -> _Rule:
    """Accept inline HTML only when it is a ``<font>`` tag; anything else falls through as text."""

    def rule(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        if not html_inline(state, True):
            return False
        end = state.pos
        state.pos = start
        if not is_font_tag(state.src[start:end]):
            return False
        if silent:
            state.pos = end
            return True
        del state.tokens[count:]
        return html_inline(state, False)

    return rule


def _record_offset(inline_rule: _Rule) -> _Rule:
    """Store where an inline token starts (an offset in the inline content) in ``meta``."""

    def rule(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        matched = inline_rule(state, silent)
        if matched and not silent and len(state.tokens) > count:
            state.tokens[-1].meta["offset"] = start
        return matched

    return rule


def _record_tilde_offsets(tokenize: _Rule) -> _Rule:
    """Store the offset of each ``~~`` marker token, which strikethrough later turns into s_open."""

    def rule(state: StateInline, silent: bool) -> bool:
        count = len(state.tokens)
        matched = tokenize(state, silent)
        if matched and not silent:
            end = state.pos
            # The markers are the last tokens pushed, in order, ending at the new position.
            for token in reversed(state.tokens[count:]):
                if token.type != "text" or token.content.strip("~"):
                    break
                end -= len(token.content)
                token.meta["offset"] = end
        return matched

    return rule


def _wrap_block_rule(md: MarkdownIt, name: str) -> None:
    """Make a block rule record the column where its block starts (``meta["column"]``)."""
    ruler = md.block.ruler
    original = _active_rule(ruler, name)
    alt = [chain for chain in _BLOCK_CHAINS if original in ruler.getRules(chain)]
    code = name == "code"

    def rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        count = len(state.tokens)
        matched = original(state, start_line, end_line, silent)
        if matched and not silent and len(state.tokens) > count:
            # Indented code starts at its indentation, every other block at its first character.
            pos = state.bMarks[start_line] + (0 if code else state.tShift[start_line])
            state.tokens[count].meta["column"] = pos - state.src.rfind("\n", 0, pos)
        return matched

    ruler.at(name, rule, {"alt": alt})


# --------------------------------------------------------------------------- links


@dataclass(frozen=True)
class Link:
    """A markdown link or image: its URL as written, and where it starts (1-based, in characters)."""

    url: str
    image: bool
    line: int
    column: int


def links(text: str) -> list[Link]:
    """Every link and image URL in ``text``, in order, read by the parser DingTalk's markdown uses.

    A URL holding parentheses (``Foo_(bar)``) is read whole, as DingTalk and the preview read it.
    """
    normal = _normalize(text)
    lines = normal.split("\n")
    starts = [0]
    for source_line in lines[:-1]:
        starts.append(starts[-1] + len(source_line) + 1)
    found: list[Link] = []
    cursor = 0
    for token in _links_parser().parse(text):
        if token.type != "inline" or not token.children:
            continue
        cursor = max(cursor, starts[token.map[0]] if token.map else 0)
        for child in token.children:
            url = child.attrGet("src" if child.type == "image" else "href")
            if child.type not in ("image", "link_open") or not isinstance(url, str):
                continue
            at = normal.find(url, cursor) if url else -1
            offset = at if at >= 0 else cursor
            cursor = offset + len(url) if at >= 0 else cursor
            line = bisect.bisect_right(starts, offset)
            found.append(Link(url, child.type == "image", line, offset - starts[line - 1] + 1))
    return found


# --------------------------------------------------------------------------- unsupported


def unsupported(text: str) -> list[Unsupported]:
    """List the constructs in ``text`` that DingTalk does not render, sorted by position.

    Tables, fenced and indented code, HTML other than ``<font>``, strikethrough and task lists.
    Lines and columns are 1-based and relative to ``text``. Never raises.
    """
    if not _MAY_BE_UNSUPPORTED.search(text):
        return []  # most messages: nothing to parse for
    return _parsed_unsupported(text)


def _parsed_unsupported(text: str) -> list[Unsupported]:
    tokens = _full_parser().parse(text)
    return sorted(set(_scan(tokens, _normalize(text).split("\n"))))


def _normalize(text: str) -> str:
    # The same normalisation markdown-it applies before parsing, so token maps index these lines.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")


def _make(construct: str, line: int, column: int) -> Unsupported:
    return Unsupported(line, max(column, 1), construct, _HINTS[construct])


def _scan(tokens: Sequence[Token], lines: Sequence[str]) -> Iterator[Unsupported]:
    for index, token in enumerate(tokens):
        line = token.map[0] + 1 if token.map else 1
        column = int(token.meta.get("column", 1))
        if token.type == "table_open":
            yield _make("table", line, column)
        elif token.type == "fence":
            yield _make("fenced code", line, column)
        elif token.type == "code_block":
            yield _make("indented code", line, column)
        elif token.type == "html_block" and not _only_font_tags(token.content):
            yield _make("html", line, column)
        elif token.type == "inline":
            yield from _scan_inline(token, lines)
            if _is_task_item(tokens, index):
                yield _inline_position("task list", token, 0, lines)


def _is_task_item(tokens: Sequence[Token], index: int) -> bool:
    """An inline token that opens a list item's first paragraph with ``[ ]`` or ``[x]``."""
    return (
        index >= 2
        and tokens[index - 1].type == "paragraph_open"
        and tokens[index - 2].type == "list_item_open"
        and _TASK_ITEM.match(tokens[index].content) is not None
    )


def _scan_inline(token: Token, lines: Sequence[str]) -> Iterator[Unsupported]:
    opened: set[str] = set()
    for child in token.children or ():
        offset = child.meta.get("offset")
        if offset is None:
            continue
        if child.type == "s_open":
            yield _inline_position("strikethrough", token, int(offset), lines)
        elif child.type == "html_inline" and not is_font_tag(child.content):
            # One finding per element: a closing tag only when its opening tag was not seen.
            name = _tag_name(child.content)
            if child.content.startswith("</") and name in opened:
                continue
            opened.add(name)
            yield _inline_position("html", token, int(offset), lines)


def _tag_name(tag: str) -> str:
    match = _TAG_NAME.match(tag)
    return match.group(1).lower() if match else tag


def _inline_position(
    construct: str, token: Token, offset: int, lines: Sequence[str]
) -> Unsupported:
    """Map an offset in an inline token's content back to a line and column of the source."""
    content = token.content
    first_line = token.map[0] if token.map else 0
    line_index = first_line + content.count("\n", 0, offset)
    line_start = content.rfind("\n", 0, offset) + 1
    line_end = content.find("\n", line_start)
    content_line = content[line_start : None if line_end < 0 else line_end]
    source_line = lines[line_index] if line_index < len(lines) else ""
    base = _locate(content_line, source_line)
    return _make(construct, line_index + 1, base + offset - line_start + 1)


def _locate(content_line: str, source_line: str) -> int:
    """Where ``content_line`` (a line of inline content) starts in its source line."""
    # Container prefixes (">", "- ", indentation) are cut from the front and the block's
    # trailing whitespace from the end, so the content is usually a suffix of the line.
    for source, content in (
        (source_line, content_line),
        (source_line.rstrip(), content_line.rstrip()),
    ):
        start = len(source) - len(content)
        if start >= 0 and source[start:] == content:
            return start
    found = source_line.find(content_line.strip())
    if found < 0:
        return 0
    return max(found - (len(content_line) - len(content_line.lstrip())), 0)


def _only_font_tags(block: str) -> bool:
    """An HTML block DingTalk still renders: text with nothing but ``<font>`` tags in it."""
    return all(is_font_tag(tag) for tag in _HTML_TAG.findall(block))


def is_font_tag(tag: str) -> bool:
    """Whether ``tag`` is an opening ``<font ...>`` or a closing ``</font>`` tag."""
    return bool(_FONT_OPEN.match(tag) or _FONT_CLOSE.match(tag))

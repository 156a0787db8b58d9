"""Escaping for the job summary: text from message files shown in GitHub-flavoured markdown.

File names, robot names, problem texts and message texts come from pull requests. Each goes
into the summary through one of these functions, chosen by where it lands (a line of text, a
table cell, a code span, a heading, a fenced block, a markdown body), so that none of them can
end the line it is on, open a heading, a table row or an HTML element, or close a block early.
GitHub sanitises the HTML it renders, but an unclosed comment or tag would still swallow the
rest of the summary.
"""

from __future__ import annotations

import html
import re

from msgspec_dd.workflow_commands import visible_controls

#: Characters with a meaning in GitHub markdown anywhere in a line (``.``, ``:`` and ``/`` are
#: left alone so that URLs in plain text still become links).
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>&@~^])")
#: Line starts that would make a list, a heading underline or a thematic break.
_LINE_START = re.compile(r"^(\d+)([.)])|^([-=])")
#: What ends a line in markdown (CommonMark reads a lone ``\r`` as a line ending too).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: DingTalk's one HTML tag; GitHub drops it too, so the summary shows its text uncoloured.
_FONT_TAG = re.compile(r"</?font\b[^<>]*>", re.IGNORECASE)
#: ``<`` that opens a tag or comment; an autolink such as ``<https://x.test/>`` may stay.
_TAG_OPEN = re.compile(r"<(?!https?://[^\s<>]*>)")


def one_line(text: str) -> str:
    """``text`` with line breaks as spaces and other control characters shown as escapes."""
    return visible_controls(_LINE_BREAK.sub(" ", text))


def plain(text: str) -> str:
    """``text`` escaped so markdown shows it literally, on one line (see :func:`plain_lines`)."""
    escaped = _SPECIAL.sub(r"\\\1", one_line(text))
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", escaped)


def plain_lines(text: str) -> list[str]:
    """Plain text as markdown lines: escaped, leading spaces and line breaks kept."""
    lines = _LINE_BREAK.split(text.rstrip("\r\n"))
    out: list[str] = []
    for number, line in enumerate(lines):
        stripped = line.lstrip(" ")
        escaped = "&nbsp;" * (len(line) - len(stripped)) + plain(stripped)
        # A backslash before the newline is a hard line break, except before a blank line.
        breaks = number + 1 < len(lines) and escaped and lines[number + 1].strip()
        out.append(escaped + ("\\" if breaks else ""))
    return out


def markdown_lines(text: str) -> list[str]:
    """A DingTalk markdown text as summary lines: its markdown kept, any HTML shown as text.

    DingTalk renders no HTML but ``<font color=...>`` (DINGTALK.md), so a ``<font>`` tag is
    dropped and any other ``<`` escaped, never lost; this keeps an unclosed ``<!--`` or
    ``<details>`` in a message from hiding the rest of the summary.
    """
    return [_TAG_OPEN.sub("&lt;", _FONT_TAG.sub("", visible_controls(line)))
            for line in _LINE_BREAK.split(text.rstrip("\r\n"))]


def cell(text: str) -> str:
    """``text`` for a table cell: escaped, on one line."""
    return plain(" ".join(text.split()))


def code(text: str) -> str:
    """``text`` as an inline code span, on one line (line breaks shown as ``\\n``), whatever
    backticks it holds."""
    content = visible_controls(text)
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * (longest + 1)
    # A space on each side keeps a backtick at either end from joining the fence.
    padded = f" {content} " if content.startswith("`") or content.endswith("`") else content
    return f"{fence}{padded}{fence}"


def code_cell(text: str) -> str:
    """``text`` as a code span inside a table cell: GitHub splits cells on ``|`` even there."""
    return code(text).replace("|", "\\|")


def fenced(text: str, info: str = "") -> str:
    """``text`` in a fenced code block whose fence outlasts every backtick run inside it."""
    body = "\n".join(visible_controls(line) for line in _LINE_BREAK.split(text))
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall(r"`+", body))])
    return f"{fence}{info}\n{body}\n{fence}\n"


def link(title: str, url: str) -> str:
    """A markdown link whose target survives spaces, parentheses and angle brackets."""
    target = one_line("".join(url.split())).replace("<", "%3C").replace(">", "%3E")
    return f"[{plain(title) or plain(url)}](<{target}>)"


def image(url: str, *, height: int) -> str:
    """An ``<img>`` whose source attribute cannot be closed by the URL."""
    return f'<img src="{html.escape(one_line("".join(url.split())))}" alt="" height="{height}">'

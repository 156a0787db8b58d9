"""DingTalk markdown as safe HTML, for the preview: only as far as DingTalk renders it.

Parsing is :func:`msgspec_dd.dingtalk.markdown.parser`'s (the subset lint checks against); this module
only decides how each token looks. Text is escaped; links keep their ``href`` only for the
schemes DingTalk opens, images only for web URLs; ``<font>`` is re-emitted with nothing but a
validated ``color``; ``@name`` for each mentioned person is highlighted.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Collection, Sequence
from urllib.parse import urlsplit

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from msgspec_dd.dingtalk.markdown import IMAGE_SCHEMES, LINK_SCHEMES, parser

__all__ = ["font_color", "highlight_mentions", "render_html", "safe_url"]

_FONT_COLOR_ATTR = re.compile(
    r"""\scolor\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE
)
_COLOR_VALUE = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})|[a-zA-Z]{3,20}")


def render_html(text: str, *, mentions: Collection[str] = ()) -> str:
    """Render DingTalk markdown as safe HTML, only as far as DingTalk renders it.

    ``@name`` for each of ``mentions`` (mobiles, user ids, ``所有人``) is highlighted.
    """
    md = parser()
    env: EnvType = {"mentions": tuple(mentions)}
    return _renderer().render(md.parse(text, env), md.options, env)


def safe_url(url: str, schemes: Collection[str] = LINK_SCHEMES) -> str | None:
    """``url`` if its scheme is one of ``schemes`` (default https, http, dingtalk), else None."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in schemes else None


def highlight_mentions(escaped: str, mentions: Collection[str]) -> str:
    """Wrap each ``@name`` of ``mentions`` in already HTML-escaped text in a mention span."""
    names = sorted({html.escape(name) for name in mentions if name}, key=len, reverse=True)
    if not names:
        return escaped
    pattern = re.compile("@(?:" + "|".join(re.escape(name) for name in names) + ")(?![0-9A-Za-z_])")
    return pattern.sub(
        lambda m: f'<span class="dd-mention" data-testid="mention">{m.group(0)}</span>', escaped
    )


def font_color(tag: str) -> str | None:
    """The validated ``color`` of a ``<font>`` tag (``#RGB``, ``#RRGGBB`` or a name), else None."""
    match = _FONT_COLOR_ATTR.search(tag)
    if match is None:
        return None
    value = next(group for group in match.groups() if group is not None).strip()
    return value if _COLOR_VALUE.fullmatch(value) else None


@functools.cache
def _renderer() -> _DingTalkHTML:
    return _DingTalkHTML()


class _DingTalkHTML(RendererHTML):
    """markdown-it's HTML renderer with DingTalk's look and the preview's safety rules.

    markdown-it dispatches on method names, so each method is named after the token it renders.
    """

    def text(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return highlight_mentions(
            html.escape(tokens[idx].content, quote=False), env.get("mentions", ())
        )

    def hardbreak(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        # DingTalk needs a blank line for a line break; trailing spaces or "\" do not make one.
        return "\n"

    def html_inline(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        # The parser lets no inline HTML through but <font> and </font>.
        tag = tokens[idx].content
        if tag.startswith("</"):
            return "</font>"
        color = font_color(tag)
        return f'<font color="{color}">' if color else "<font>"

    def link_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        href = str(tokens[idx].attrGet("href") or "")
        url = safe_url(href)
        if url is None:
            # DingTalk would show a link that goes nowhere safe; keep the text, drop the target.
            return f'<a class="dd-link dd-link-blocked" title="{html.escape(href)}">'
        return f'<a class="dd-link" href="{html.escape(url)}" rel="noopener noreferrer">'

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        alt = self.renderInlineAsText(token.children or [], options, env)
        src = safe_url(str(token.attrGet("src") or ""), IMAGE_SCHEMES)
        if src is None:
            return f'<span class="dd-img-blocked" title="image not shown">{html.escape(alt)}</span>'
        return (
            f'<img class="dd-img" src="{html.escape(src)}" alt="{html.escape(alt)}" '
            'referrerpolicy="no-referrer">'
        )

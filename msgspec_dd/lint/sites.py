"""Where a message file holds Jinja: template strings, ``$for`` and ``$if`` expressions.

Each site knows the loop names bound around it, so rules can tell a loop variable from an
undeclared one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from msgspec_dd.message_files import template
from msgspec_dd.message_files.loader import PathT
from msgspec_dd.message_files.renderer import CONTROL_KEYS, FOR, IF, parse_for
from msgspec_dd.message_files.template import TemplateFailure

Kind = Literal["template", "for", "if"]


@dataclass(frozen=True)
class Site:
    """One piece of Jinja in the file."""

    path: PathT
    kind: Kind
    source: str
    bound: frozenset[str]


def sites(data: Any) -> tuple[Site, ...]:
    """Every Jinja site under ``message``. Three rules ask in turn for the same file's sites, so
    the last file's are kept."""
    global _last
    last = _last  # one read: preview --watch lints in threads
    if last[0] is data:
        return last[1]
    found: list[Site] = []
    _walk(data.get("message") if isinstance(data, Mapping) else None, ("message",), frozenset(), found)
    _last = (data, tuple(found))
    return _last[1]


_last: tuple[Any, tuple[Site, ...]] = (None, ())


def _walk(value: Any, path: PathT, bound: frozenset[str], found: list[Site]) -> None:
    if isinstance(value, str):
        if template.is_template(value):
            found.append(Site(path, "template", value, bound))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _walk(item, (*path, key), bound, found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _item(item, (*path, index), bound, found)


def _item(item: Any, path: PathT, bound: frozenset[str], found: list[Site]) -> None:
    if not (isinstance(item, Mapping) and CONTROL_KEYS & item.keys()):
        _walk(item, path, bound, found)
        return
    inner = bound
    if FOR in item:
        clause = str(item[FOR])
        found.append(Site((*path, FOR), "for", clause, bound))
        with contextlib.suppress(TemplateFailure):
            inner = bound | set(parse_for(clause)[0])
    if IF in item:
        found.append(Site((*path, IF), "if", str(item[IF]), inner))
    _walk({k: v for k, v in item.items() if k not in (FOR, IF)}, path, inner, found)


def expression_of(site: Site) -> str:
    """The Jinja expression of a ``$for``/``$if`` site (raises TemplateFailure if malformed)."""
    return parse_for(site.source)[1] if site.kind == "for" else site.source


@lru_cache(maxsize=4096)
def names_used(source: str, kind: Kind) -> frozenset[str]:
    """Free names a site reads; raises TemplateFailure on a syntax error."""
    from jinja2.exceptions import TemplateSyntaxError

    text = source if kind == "template" else "{{ " + source + " }}"
    try:
        return template.compiled(text).names
    except TemplateSyntaxError as err:
        raise TemplateFailure(f"syntax error: {err.message}", err.lineno) from err

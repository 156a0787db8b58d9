"""How big a template value is, and how big an operation's result would be, *before* it runs.

The sandbox refuses work whose result would be too large instead of measuring the result after
Python has already allocated it. Sizes are in "units" that approximate printed characters: a
string counts its length, an integer its digits, a container one plus its items -- counting an
item shared by reference each time it appears, because printing, comparing, hashing or
serialising visits it each time.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from typing import Any

#: Units one structure may hold (shared references counted each time).
MAX_STRUCTURE = 1_000_000

_PERCENT_SPEC = re.compile(
    r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?[diouxXeEfFgGcrsab%]")
_DIGITS = re.compile(r"\d+")


class TooLarge(Exception):
    """An operation would produce (or a value already is) more than allowed; ``str`` says what."""


def structure_size(value: Any, memo: dict[int, int], keep: list[Any], limit: int = MAX_STRUCTURE) -> int:
    """The size of ``value``; :class:`TooLarge` as soon as it passes ``limit``.

    ``memo`` caches container sizes by ``id`` (``keep`` holds those containers alive so an id is
    never reused), which makes sizing a new container cost its length, not its whole depth.
    """
    if isinstance(value, str):
        return len(value) + 1
    if isinstance(value, int):
        return value.bit_length() // 3 + 1
    children = _children(value)
    if children is None:
        return 1
    known = memo.get(id(value))
    if known is not None:
        return known
    memo[id(value)] = limit + 1  # a cycle is refused rather than walked forever
    total = 1
    for child in children:
        total += structure_size(child, memo, keep, limit)
        if total > limit:
            raise TooLarge(f"template builds a structure of more than {limit:,} items and characters")
    memo[id(value)] = total
    keep.append(value)
    return total


def _children(value: Any) -> list[Any] | tuple[Any, ...] | None:
    if isinstance(value, (list, tuple)):
        return value
    if isinstance(value, Mapping):
        return [*value.keys(), *value.values()]
    if isinstance(value, (set, frozenset)):
        return list(value)
    attrs = getattr(value, "_Namespace__attrs", None)  # jinja2.utils.Namespace keeps them here
    if isinstance(attrs, dict):
        return [*attrs.keys(), *attrs.values()]
    return None


def check_percent_format(text: str, limit: int) -> None:
    """Refuse ``%`` formats whose width comes from the arguments (``%*d``) or exceeds ``limit``."""
    for match in _PERCENT_SPEC.finditer(text):
        for number in match.groups():
            if number == "*":
                raise TooLarge("'*' widths are not allowed in templates; write the width out")
            if number and int(number) > limit:
                raise TooLarge(f"format width {number} is too large (limit {limit:,})")


def check_brace_format(text: str, limit: int) -> None:
    """Refuse ``str.format`` specs with nested fields (``{0:{1}}``) or widths over ``limit``."""
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return  # str.format raises the same error itself, before allocating anything
    for _, _, spec, _ in fields:
        if not spec:
            continue
        if "{" in spec:
            raise TooLarge("nested fields in a format spec ('{0:{1}}') are not allowed in templates; "
                           "write the width out")
        for number in _DIGITS.findall(spec):
            if int(number) > limit:
                raise TooLarge(f"format width {number} is too large (limit {limit:,})")


def predicted_length(name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any],
                     size: Callable[[Any], int]) -> int:
    """The approximate length of what filter or ``str`` method ``name`` would return, or 0."""
    predict = _PREDICTIONS.get(name)
    return predict(args, kwargs, size) if predict else 0


def _arg(args: tuple[Any, ...], kwargs: Mapping[str, Any], index: int, name: str, default: Any) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[index] if len(args) > index else default


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _join(args: tuple[Any, ...], kwargs: Mapping[str, Any], size: Callable[[Any], int]) -> int:
    items, separator = args[0], _text(_arg(args, kwargs, 1, "d", ""))
    count = len(items) if hasattr(items, "__len__") else 0
    return size(items) + count * len(separator)


def _replace(args: tuple[Any, ...], kwargs: Mapping[str, Any], size: Callable[[Any], int]) -> int:
    text, old, new = _text(args[0]), _text(_arg(args, kwargs, 1, "old", "")), _text(_arg(args, kwargs, 2, "new", ""))
    times = text.count(old) if old else len(text) + 1
    count = _arg(args, kwargs, 3, "count", None)
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    return len(text) + times * max(0, len(new) - len(old))


def _indent(args: tuple[Any, ...], kwargs: Mapping[str, Any], size: Callable[[Any], int]) -> int:
    text, width = _text(args[0]), _arg(args, kwargs, 1, "width", 4)
    prefix = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    return len(text) + (text.count("\n") + 1) * prefix


def _pad(args: tuple[Any, ...], kwargs: Mapping[str, Any], size: Callable[[Any], int]) -> int:
    width = _arg(args, kwargs, 1, "width", 0)
    return max(len(_text(args[0])), width if isinstance(width, int) else 0)


def _expandtabs(args: tuple[Any, ...], kwargs: Mapping[str, Any], size: Callable[[Any], int]) -> int:
    text, width = _text(args[0]), _arg(args, kwargs, 1, "tabsize", 8)
    return len(text) + text.count("\t") * (width if isinstance(width, int) else 0)


def _wordwrap(args: tuple[Any, ...], kwargs: Mapping[str, Any], size: Callable[[Any], int]) -> int:
    text, width = _text(args[0]), _arg(args, kwargs, 1, "width", 79)
    wrap = _arg(args, kwargs, 3, "wrapstring", None)
    breaks = len(text) // max(1, width if isinstance(width, int) else 1) + text.count("\n") + 1
    return len(text) + breaks * len(_text(wrap or "\n"))


_PREDICTIONS: dict[str, Callable[[tuple[Any, ...], Mapping[str, Any], Callable[[Any], int]], int]] = {
    "join": _join, "replace": _replace, "indent": _indent, "center": _pad, "ljust": _pad,
    "rjust": _pad, "zfill": _pad, "expandtabs": _expandtabs, "wordwrap": _wordwrap,
}

"""Rendering a message file's ``message`` into the body DingTalk receives.

Every string value is a Jinja template, rendered one string at a time after the YAML is parsed,
so a variable's value can never change the document's structure nor be rendered a second time.
List items with ``$for: NAME in EXPR`` expand into one item per element (a mapping's keys, as
in a Jinja ``{% for %}``; ``k, v in d.items()`` unpacks pairs) and ``$if: EXPR`` keeps an
item only when true; an item whose only other key is ``$value`` yields that value itself (so
scalar lists such as ``atMobiles`` can be generated too). Each rendered value remembers the source
path it came from, so problems in the rendered body are reported at the right line.
"""

from __future__ import annotations

import re
from collections import ChainMap
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, cast

from msgspec_dd.dingtalk import wire
from msgspec_dd.lint.rules import render_failed
from msgspec_dd.message_files import template
from msgspec_dd.message_files.loader import Document, PathT, first_surrogate
from msgspec_dd.message_files.template import TemplateFailure
from msgspec_dd.problems import Problem

FOR, IF, VALUE = "$for", "$if", "$value"
#: Boolean payload fields a template may fill: a rendered "true"/"false" becomes a boolean.
BOOLEAN_FIELDS = frozenset({("at", "isAtAll")})
CONTROL_KEYS = frozenset({FOR, IF, VALUE})
_FOR = re.compile(r"^\s*([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s+in\s+(.+?)\s*$", re.DOTALL)


@dataclass(frozen=True)
class Rendered:
    """The rendered body, its exact bytes, and for each of its paths the source path it came from."""

    payload: Any
    origin: dict[PathT, PathT] = field(default_factory=dict)
    #: Rendered lists that came out empty because ``$if`` dropped every item: that ``$if``'s
    #: source path and text.
    emptied: dict[PathT, tuple[PathT, str]] = field(default_factory=dict)

    @cached_property
    def body(self) -> bytes:
        """``payload`` as the bytes posted (:func:`~msgspec_dd.dingtalk.wire.encode`), encoded
        once: ``body-too-large`` measures them and ``send`` posts them, its msgUuid added."""
        return wire.encode(self.payload)

    def source(self, path: PathT) -> PathT:
        """The source path of rendered ``path`` (or of its nearest ancestor)."""
        for end in range(len(path), -1, -1):
            found = self.origin.get(path[:end])
            if found is not None:
                return found
        return ("message",)


class _Failure(Exception):
    def __init__(self, path: PathT, message: str, line: int | None = None) -> None:
        self.path = path
        self.message = message
        self.line = line
        super().__init__(message)


def parse_for(clause: str) -> tuple[tuple[str, ...], str]:
    """``"a in articles"`` -> ``(("a",), "articles")``; :class:`TemplateFailure` if malformed."""
    match = _FOR.match(clause)
    if not match:
        raise TemplateFailure(f"$for must read 'NAME in EXPRESSION', got {clause!r}")
    names = tuple(name.strip() for name in match.group(1).split(","))
    return names, match.group(2)


def render_message(
    document: Document, variables: Mapping[str, Any], builtins: Mapping[str, Any]
) -> tuple[Rendered | None, list[Problem]]:
    """Render ``document.data["message"]``; on failure, None and the problem."""
    template.reset_budget()
    context = {**builtins, **variables}
    renderer = _Renderer()
    try:
        payload = renderer.node(document.data["message"], ("message",), (), context)
    except _Failure as failure:
        line, column = document.positions.locate_line(failure.path, failure.line)
        rule = render_failed
        return None, [Problem(document.path, line, column, rule.ID, rule.LEVEL, failure.message)]
    return Rendered(payload, renderer.origin, renderer.emptied), []


class _Renderer:
    def __init__(self) -> None:
        self.origin: dict[PathT, PathT] = {}
        self.emptied: dict[PathT, tuple[PathT, str]] = {}

    def node(self, value: Any, src: PathT, out: PathT, context: Mapping[str, Any]) -> Any:
        self.origin[out] = src
        try:  # every value produced costs a step, so $for cannot build an unbounded body
            template.spend()
        except TemplateFailure as err:
            raise _Failure(src, str(err)) from err
        if isinstance(value, str):
            text = self.string(value, src, context)
            if out in BOOLEAN_FIELDS and text is not value and text.strip().lower() in ("true", "false"):
                return text.strip().lower() == "true"
            return text
        if isinstance(value, Mapping):
            return {k: self.node(v, (*src, k), (*out, k), context) for k, v in value.items()}
        if isinstance(value, list):
            return self.items(value, src, out, context)
        return value

    def string(self, value: str, src: PathT, context: Mapping[str, Any]) -> str:
        if not template.is_template(value):
            return value
        try:
            text = template.render(value, context)
        except TemplateFailure as err:
            where = f" (template line {err.line})" if err.line and err.line > 1 else ""
            raise _Failure(src, f"{err}{where}", err.line) from err
        if first_surrogate(text) is not None:
            raise _Failure(src, "the template produces an unpaired surrogate, which is not valid Unicode")
        return text

    def items(self, values: list[Any], src: PathT, out: PathT, context: Mapping[str, Any]) -> list[Any]:
        result: list[Any] = []
        dropped: list[tuple[PathT, str]] = []
        for index, item in enumerate(values):
            if isinstance(item, Mapping) and CONTROL_KEYS & item.keys():
                scopes, kept = self.expansions(item, (*src, index), context)
                dropped.extend([((*src, index, IF), str(item[IF]))] if scopes and not kept else [])
                for scope in kept:
                    result.append(self.controlled(item, (*src, index), (*out, len(result)), scope))
            else:
                result.append(self.node(item, (*src, index), (*out, len(result)), context))
        if not result and dropped:  # so "must not be empty" can say why it is
            self.emptied[out] = dropped[0]
        return result

    def expansions(self, item: Mapping[str, Any], src: PathT,
                   context: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
        """The scopes ``$for`` makes, and those ``$if`` keeps of them."""
        scopes = [context]
        if FOR in item:
            scopes = self.loop(item[FOR], (*src, FOR), context)
        if IF in item:
            return scopes, [scope for scope in scopes if self.evaluate(item[IF], (*src, IF), scope, truth=True)]
        return scopes, scopes

    def loop(self, clause: Any, src: PathT, context: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        try:
            names, expression = parse_for(str(clause))
            iterable = self.evaluate(expression, src, context)
            # Each scope is the loop's names over the shared context (never written), not a copy.
            shared = cast("MutableMapping[str, Any]", context)
            return [ChainMap(_bind(names, element), shared) for element in _elements(iterable)]
        except TemplateFailure as err:
            raise _Failure(src, str(err)) from err

    def evaluate(self, expression: Any, src: PathT, context: Mapping[str, Any], *, truth: bool = False) -> Any:
        try:
            template.spend()  # a $if per element is work too
            compiled = template.compile_expression(str(expression))
            if truth:  # an undefined value fails when tested, so test it inside the sandbox too
                return template.run_bounded(lambda: bool(compiled(context)))
            return template.evaluate(compiled, context)
        except TemplateFailure as err:
            raise _Failure(src, str(err)) from err

    def controlled(self, item: Mapping[str, Any], src: PathT, out: PathT, scope: Mapping[str, Any]) -> Any:
        if VALUE in item:
            result = self.node(item[VALUE], (*src, VALUE), out, scope)
            self.origin[out] = (*src, VALUE)
            return result
        rest = {k: v for k, v in item.items() if k not in CONTROL_KEYS}
        return self.node(rest, src, out, scope)


def _elements(iterable: Any) -> list[Any]:
    if isinstance(iterable, (str, bytes)) or not hasattr(iterable, "__iter__"):
        raise TemplateFailure(f"$for needs a list, got {type(iterable).__name__}")
    elements = list(template.run_bounded(lambda: list(iterable)))
    template.spend(len(elements))  # each element is an item to build (or a $if to test)
    return elements


def _bind(names: tuple[str, ...], element: Any) -> dict[str, Any]:
    if len(names) == 1:
        return {names[0]: element}
    try:
        values = list(element)
    except TypeError as err:
        raise TemplateFailure(f"cannot unpack {type(element).__name__} into {', '.join(names)}") from err
    if len(values) != len(names):
        raise TemplateFailure(f"cannot unpack {len(values)} values into {', '.join(names)}")
    return dict(zip(names, values, strict=False))

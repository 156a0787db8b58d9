"""The Jinja sandbox every template runs in.

``ImmutableSandboxedEnvironment`` blocks attribute escapes and mutation; on top of it this module
bounds the *work* and *output* of a render, which Jinja's sandbox does not: every loop iteration
and function call spends from a budget, operators and filters that could allocate huge strings
are checked before they run, and output is streamed and cut off at a limit. An undefined
variable is an error (``StrictUndefined``), never an empty string.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache, lru_cache
from typing import Any

from jinja2 import StrictUndefined, nodes
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from msgspec_dd.errors import MsgspecError

#: Characters one render may produce (a DingTalk body is at most 20,000 bytes).
MAX_OUTPUT = 100_000
#: Loop iterations plus calls one render may spend.
MAX_STEPS = 100_000
#: Integers beyond this many bits only come from arithmetic meant to exhaust the CPU.
MAX_INT_BITS = 4096
_BUDGET_NAME = "msgspec_dd_budget__"
_BIG_FORMAT_WIDTH = re.compile(r"(?:%[-#0 +]*|\{[^{}]*:[^{}]*?)(\d{6,})")

TEMPLATE_MARKERS = ("{{", "{%", "{#")


class TemplateProblem(MsgspecError):
    """A template cannot be compiled or rendered. ``line`` is the line within the template."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(message)


def is_template(value: str) -> bool:
    """True when ``value`` contains Jinja syntax; other strings pass through byte for byte."""
    return any(marker in value for marker in TEMPLATE_MARKERS)


class _Budget(threading.local):
    steps = 0
    output = 0


_budget = _Budget()


def spend(steps: int = 1) -> None:
    """Spend from the current render's budget (the renderer also pays for ``$for``/``$if`` work)."""
    _spend(steps)


def _spend(steps: int = 1) -> None:
    _budget.steps += steps
    if _budget.steps > MAX_STEPS:
        raise TemplateProblem(f"template does too much work (over {MAX_STEPS:,} loop steps and "
                              "calls); simplify it or pass precomputed data in a variable")


def _counted(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _spend()
        yield item


def _check_size(value: Any) -> Any:
    if isinstance(value, (str, bytes, list, tuple)) and len(value) > MAX_OUTPUT:
        raise TemplateProblem(f"template produces a value longer than {MAX_OUTPUT:,} items")
    return value


def _check_arguments(args: Iterable[Any], *, numbers: bool = True) -> None:
    for arg in args:
        if numbers and isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_OUTPUT:
            raise TemplateProblem(f"number {arg} is too large for this operation (limit {MAX_OUTPUT:,})")
        if isinstance(arg, str) and _BIG_FORMAT_WIDTH.search(arg):
            raise TemplateProblem("format width too large")


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """An immutable sandbox whose renders are bounded in work and output."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            autoescape=False,
            cache_size=2000,
        )
        self.globals.pop("lipsum", None)  # lipsum(n=10**6) is an easy way to flood output
        self.globals["range"] = _bounded_range
        self.globals[_BUDGET_NAME] = _counted
        self.filters = {name: _bounded_filter(f) for name, f in self.filters.items()}

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _spend()
        if operator == "**" and _too_big_power(left, right):
            raise TemplateProblem("number too large")
        if operator == "*":
            _check_repeat(left, right)
        if operator == "%":
            _check_arguments([left])
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, int) and result.bit_length() > MAX_INT_BITS:
            raise TemplateProblem("number too large")
        return _check_size(result)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _spend()
        _check_arguments([*args, *kwargs.values()])
        if getattr(__obj, "__name__", "") in {"format", "format_map"}:
            # The sandbox wraps str.format; the format string is the wrapped method's __self__.
            method = getattr(__obj, "__wrapped__", __obj)
            _check_arguments([getattr(method, "__self__", "")], numbers=False)
        return _check_size(super().call(__context, __obj, *args, **kwargs))

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for node in tree.find_all((nodes.Assign, nodes.AssignBlock, nodes.Macro)):
            target = getattr(node, "target", None) or node
            if _BUDGET_NAME in {n.name for n in target.find_all(nodes.Name)} or \
                    getattr(node, "name", None) == _BUDGET_NAME:
                raise TemplateSyntaxError(f"{_BUDGET_NAME} is reserved", node.lineno, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.Name(_BUDGET_NAME, "load"), [loop.iter], [], None, None)
        return tree


def _too_big_power(left: Any, right: Any) -> bool:
    if not isinstance(right, (int, float)) or not isinstance(left, (int, float)):
        return False
    if abs(right) > 64:
        return True
    return isinstance(left, int) and left.bit_length() * abs(right) > MAX_INT_BITS


def _check_repeat(left: Any, right: Any) -> None:
    for seq, times in ((left, right), (right, left)):
        repeatable = isinstance(seq, (str, list, tuple)) and isinstance(times, int)
        if repeatable and len(seq) * times > MAX_OUTPUT:
            raise TemplateProblem(f"template produces a value longer than {MAX_OUTPUT:,} items")


def _bounded_range(*args: int) -> range:
    _check_arguments(args)
    return range(*args)


def _bounded_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    # pass_context & co. put the context first; the filtered value comes next.
    skip = 2 if hasattr(function, "jinja_pass_arg") else 1

    def bounded(*args: Any, **kwargs: Any) -> Any:
        _spend()
        _check_arguments(args[:skip], numbers=False)
        _check_arguments([*args[skip:], *kwargs.values()])
        return _check_size(function(*args, **kwargs))

    if hasattr(function, "jinja_pass_arg"):
        bounded.jinja_pass_arg = function.jinja_pass_arg  # type: ignore[attr-defined]
    bounded.__name__ = getattr(function, "__name__", "filter")
    return bounded


@cache
def environment() -> BoundedEnvironment:
    """The one shared environment (compiled templates are cached in it)."""
    return BoundedEnvironment()


@lru_cache(maxsize=4096)
def parse(source: str) -> nodes.Template:
    """The syntax tree of ``source`` (TemplateSyntaxError if it does not parse); cached, so lint's
    template rules and the renderer parse each template once."""
    return environment().parse(source)


@lru_cache(maxsize=4096)
def compile_template(source: str) -> Any:
    """Compile ``source``; :class:`TemplateProblem` (with the template line) on a syntax error.

    Cached: ``from_string`` never uses Jinja's own cache, and many files share templates. A
    compiled template holds no state between renders; the budget is per render.
    """
    try:
        return environment().from_string(parse(source))
    except TemplateSyntaxError as err:
        raise TemplateProblem(f"template syntax error: {err.message}", err.lineno) from err
    except TemplateError as err:
        raise TemplateProblem(f"template error: {err}") from err


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> Callable[..., Any]:
    """Compile a ``$for``/``$if`` expression; :class:`TemplateProblem` on a syntax error."""
    try:
        return environment().compile_expression(source, undefined_to_none=False)
    except TemplateSyntaxError as err:
        raise TemplateProblem(f"expression syntax error: {err.message}") from err


def render(source: str, context: Mapping[str, Any]) -> str:
    """Render one template string within the budget."""
    template = compile_template(source)
    return str(run_bounded(lambda: _stream(template, context)))


def evaluate(expression: Callable[..., Any], context: Mapping[str, Any]) -> Any:
    """Evaluate a compiled expression within the budget."""
    return run_bounded(lambda: expression(**context))


def reset_budget() -> None:
    """Start a new budget: call once per message so all of its templates share one."""
    _budget.steps = 0
    _budget.output = 0


def run_bounded(work: Callable[[], Any]) -> Any:
    """Run template code, turning every way it can fail into :class:`TemplateProblem`."""
    try:
        return work()
    except TemplateProblem:
        raise
    except SecurityError as err:
        raise TemplateProblem(f"not allowed in templates: {err}") from err
    except TemplateError as err:
        raise TemplateProblem(_undefined_message(err)) from err
    except RecursionError as err:
        raise TemplateProblem("template recursion too deep") from err
    except MemoryError as err:
        raise TemplateProblem("template needs too much memory") from err
    except Exception as err:
        raise TemplateProblem(f"template failed: {type(err).__name__}: {err}") from err


def _stream(template: Any, context: Mapping[str, Any]) -> str:
    parts: list[str] = []
    for chunk in template.generate(context):
        _budget.output += len(chunk)
        if _budget.output > MAX_OUTPUT:
            raise TemplateProblem(f"templates produce more than {MAX_OUTPUT:,} characters")
        parts.append(chunk)
    return "".join(parts)


def _undefined_message(err: TemplateError) -> str:
    text = str(err)
    match = re.match(r"'(.+)' is undefined", text)
    if match:
        return f"undefined variable {match.group(1)!r}: declare it under 'vars:' or fix the name"
    return f"template error: {text}"

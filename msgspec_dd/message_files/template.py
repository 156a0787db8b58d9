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
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, meta, nodes, pass_context
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from msgspec_dd.errors import MsgspecError
from msgspec_dd.message_files import template_sizes
from msgspec_dd.message_files.template_sizes import MAX_STRUCTURE, TooLarge

#: Characters one render may produce (a DingTalk body is at most 20,000 bytes).
MAX_OUTPUT = 100_000
#: Loop iterations plus calls one render may spend.
MAX_STEPS = 100_000
#: Integers beyond this many bits only come from arithmetic meant to exhaust the CPU.
MAX_INT_BITS = 4096
#: Structure units (see ``template_sizes``) one render may compare, print, hash or serialise.
MAX_WORK = 20_000_000
_RESERVED_PREFIX = "msgspec_dd_"
_BUDGET_NAME = "msgspec_dd_budget__"
_SIZED_NAME = "msgspec_dd_sized__"
_CHARGED_NAME = "msgspec_dd_charged__"
_TEXT_NAME = "msgspec_dd_text__"

TEMPLATE_MARKERS = ("{{", "{%", "{#")


class TemplateFailure(MsgspecError):
    """A template cannot be compiled or rendered. ``line`` is the line within the template."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(message)


def is_template(value: str) -> bool:
    """True when ``value`` contains Jinja syntax; other strings pass through byte for byte."""
    return "{" in value and ("{{" in value or "{%" in value or "{#" in value)  # TEMPLATE_MARKERS


class _Budget(threading.local):
    steps = 0
    output = 0
    work = 0

    def __init__(self) -> None:
        self.sizes: dict[int, int] = {}
        #: Keeps every sized container alive, so an ``id`` in ``sizes`` is never reused.
        self.kept: list[Any] = []


_budget = _Budget()


def spend(steps: int = 1) -> None:
    """Spend from the current render's budget (the renderer also pays for ``$for``/``$if`` work)."""
    _spend(steps)


def _spend(steps: int = 1) -> None:
    _budget.steps += steps
    if _budget.steps > MAX_STEPS:
        raise TemplateFailure(f"template does too much work (over {MAX_STEPS:,} loop steps and "
                              "calls); simplify it or pass precomputed data in a variable")


def _size(value: Any) -> int:
    """The structure size of ``value``; :class:`TemplateFailure` once it is over the limit."""
    try:
        return template_sizes.structure_size(value, _budget.sizes, _budget.kept)
    except TooLarge as err:
        raise TemplateFailure(str(err)) from None


def _sized(value: Any) -> Any:
    """Every list, tuple and dict a template builds passes here, so no structure outgrows the limit."""
    _size(value)
    return value


def _charged(value: Any) -> Any:
    """Comparing, printing or hashing ``value`` visits all of it: pay its size from the budget."""
    _budget.work += _size(value)
    if _budget.work > MAX_WORK:
        raise TemplateFailure(f"template compares or prints more than {MAX_WORK:,} items and "
                              "characters; simplify it or pass precomputed data in a variable")
    return value


@pass_context
def _charged_at_run_time(_: Any, value: Any) -> Any:
    # pass_context keeps Jinja from folding the call on constant text at compile time.
    return _charged(value)


def _refuse_large(name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    if template_sizes.predicted_length(name, args, kwargs, _size) > MAX_OUTPUT:
        raise TemplateFailure(f"{name} would produce a value longer than {MAX_OUTPUT:,} characters")


def _counted(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _spend()
        yield item


def _check_size(value: Any) -> Any:
    if isinstance(value, (str, bytes, list, tuple)) and len(value) > MAX_OUTPUT:
        raise TemplateFailure(f"template produces a value longer than {MAX_OUTPUT:,} items")
    return _sized(value)


def _check_arguments(args: Iterable[Any], *, numbers: bool = True) -> None:
    for arg in args:
        if numbers and isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_OUTPUT:
            raise TemplateFailure(f"number {arg} is too large for this operation (limit {MAX_OUTPUT:,})")


def _check_format(text: Any, *, percent: bool) -> None:
    if not isinstance(text, str):
        return
    try:
        if percent:
            template_sizes.check_percent_format(text, MAX_OUTPUT)
        else:
            template_sizes.check_brace_format(text, MAX_OUTPUT)
    except TooLarge as err:
        raise TemplateFailure(str(err)) from None


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """An immutable sandbox whose renders are bounded in work and output."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            autoescape=False,
            cache_size=2000,
            finalize=_charged,  # printing a value visits all of it
        )
        self.globals.pop("lipsum", None)  # lipsum(n=10**6) is an easy way to flood output
        self.globals["range"] = _bounded_range
        self.globals[_BUDGET_NAME] = _counted
        self.globals[_TEXT_NAME] = ()  # each render is handed its template's text (Compiled)
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}
        # Filters, not globals: a filter is called directly, not through the sandbox's call().
        self.filters[_SIZED_NAME] = _check_size
        self.filters[_CHARGED_NAME] = _charged_at_run_time

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _spend()
        if operator == "**" and _too_big_power(left, right):
            raise TemplateFailure("number too large")
        if operator == "*":
            _check_repeat(left, right)
        if operator == "%":
            _check_format(left, percent=True)
            _charged(right)
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, int) and result.bit_length() > MAX_INT_BITS:
            raise TemplateFailure("number too large")
        return _check_size(result)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _spend()
        _check_arguments([*args, *kwargs.values()])
        name = getattr(__obj, "__name__", "")
        # The sandbox wraps str.format; the string is the (wrapped) bound method's __self__.
        owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)
        if name in {"format", "format_map"}:
            _check_format(owner, percent=False)
        if isinstance(owner, str) and name == "join" and args:
            args = (_materialized(args[0]),)
            _refuse_large(name, (args[0], owner), {})
        elif isinstance(owner, str):
            _refuse_large(name, (owner, *args), kwargs)
        return _check_size(super().call(__context, __obj, *args, **kwargs))

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, tuple):
            _charged(argument)  # hashing a tuple key visits all of it
        return super().getitem(obj, argument)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = self.parse_unguarded(source)
        _refuse_reserved_names(tree)
        return self.guard(tree)

    def parse_unguarded(self, source: str) -> nodes.Template:
        """The syntax tree of ``source`` as Jinja parses it (TemplateSyntaxError if it does not)."""
        return super()._parse(source, None, None)

    def guard(self, tree: nodes.Template) -> nodes.Template:
        """``tree`` with every loop, structure and comparison bounded."""
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.Name(_BUDGET_NAME, "load"), [loop.iter], [], None, None)
        guarded = _Guard().visit(tree)
        assert isinstance(guarded, nodes.Template)
        return guarded


def _refuse_reserved_names(tree: nodes.Template) -> None:
    """No template may read, bind or import a name this module adds (the budget, the text):
    TemplateSyntaxError. Checked before the names are added."""
    for node in tree.find_all((nodes.Name, nodes.Macro, nodes.Import, nodes.FromImport)):
        if isinstance(node, nodes.FromImport):
            names = [str(alias) for item in node.names for alias in (item if isinstance(item, tuple) else (item,))]
        else:
            names = [str(getattr(node, "target", None) or getattr(node, "name", ""))]
        if any(name.startswith(_RESERVED_PREFIX) for name in names):
            raise TemplateSyntaxError(f"names starting {_RESERVED_PREFIX} are reserved", node.lineno)


class _Guard(NodeTransformer):
    """Routes every structure a template builds, and every comparison, through the size checks."""

    def visit_List(self, node: nodes.List) -> nodes.Node:
        return _through(_SIZED_NAME, self.generic_visit(node))

    def visit_Tuple(self, node: nodes.Tuple) -> nodes.Node:
        self.generic_visit(node)
        return _through(_SIZED_NAME, node) if node.ctx == "load" else node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        return _through(_SIZED_NAME, self.generic_visit(node))

    def visit_Dict(self, node: nodes.Dict) -> nodes.Node:
        self.generic_visit(node)
        for pair in node.items:
            pair.key = _through(_CHARGED_NAME, pair.key)  # hashing a key visits all of it
        return _through(_SIZED_NAME, node)

    def visit_TemplateData(self, node: nodes.TemplateData) -> nodes.Node:
        # As _LiftText does, for a template compiled from its source alone.
        return _through(_CHARGED_NAME, nodes.Const(node.data, lineno=node.lineno))

    def visit_Compare(self, node: nodes.Compare) -> nodes.Node:
        self.generic_visit(node)
        node.expr = _through(_CHARGED_NAME, node.expr)
        for operand in node.ops:
            operand.expr = _through(_CHARGED_NAME, operand.expr)
        return node


def _through(filter_name: str, node: nodes.Node) -> nodes.Expr:
    wrapped = nodes.Filter(node, filter_name, [], [], None, None)
    wrapped.set_lineno(node.lineno)
    return wrapped


def _filtered(name: str, value: Any) -> Any:
    """The value filter ``name`` is given, checked (and made a list, for ``join``) before it runs."""
    if name == "join":
        value = _materialized(value)
    if name == "format":
        _check_format(value, percent=True)
    if name not in _CHEAP_FILTERS:
        _charged(value)
    return value


def _materialized(items: Any) -> Any:
    """A list of ``items`` when it is a one-shot iterable (``map``), so its size can be known."""
    if isinstance(items, (str, list, tuple, Mapping)):
        return items
    return list(_counted(items))


def _too_big_power(left: Any, right: Any) -> bool:
    if not isinstance(right, (int, float)) or not isinstance(left, (int, float)):
        return False
    if abs(right) > 64:
        return True
    return isinstance(left, int) and left.bit_length() * abs(right) > MAX_INT_BITS


def _check_repeat(left: Any, right: Any) -> None:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and times > 0:
            limit = MAX_OUTPUT if isinstance(seq, str) else MAX_STRUCTURE
            if (len(seq) if isinstance(seq, str) else _size(seq)) * times > limit:
                raise TemplateFailure(f"template would produce a value larger than {limit:,} "
                                      "items and characters")


def _bounded_range(*args: int) -> range:
    _check_arguments(args)
    return range(*args)


#: Filters that look at a value without visiting all of it.
_CHEAP_FILTERS = frozenset({"length", "count", "first", "last", "default", "d", "attr", "random",
                            "int", "float", "abs", "round", "safe", "e", "escape", "trim", "upper",
                            "lower", "capitalize", "title", "center", "truncate", "wordcount"})


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    # pass_context & co. put the context first; the filtered value comes next.
    at = 1 if hasattr(function, "jinja_pass_arg") else 0

    def bounded(*args: Any, **kwargs: Any) -> Any:
        _spend()
        _check_arguments([*args[at + 1:], *kwargs.values()])
        if len(args) > at:
            args = (*args[:at], _filtered(name, args[at]), *args[at + 1:])
            _refuse_large(name, args[at:], kwargs)
        return _check_size(function(*args, **kwargs))

    if hasattr(function, "jinja_pass_arg"):
        bounded.jinja_pass_arg = function.jinja_pass_arg  # type: ignore[attr-defined]
    bounded.__name__ = getattr(function, "__name__", "filter")
    return bounded


@cache
def environment() -> BoundedEnvironment:
    """The one shared environment (compiled templates are cached in it)."""
    return BoundedEnvironment()


@dataclass(frozen=True)
class Compiled:
    """A compiled template, the literal text it prints and the free names it reads.

    Templates that differ only in their literal text (``第 {{ week }} 周周报`` and
    ``Release · week {{ week }}``) have one *shape* and share one compiled template, which is
    handed the text at render time: a repository of messages compiles each shape once, and
    Jinja's compiler is most of the cost of checking a template.
    """

    template: Template
    texts: tuple[str, ...]
    names: frozenset[str]

    def generate(self, context: Mapping[str, Any]) -> Iterator[str]:
        return self.template.generate(_reads(self.names, context), **{_TEXT_NAME: self.texts})


def _reads(names: frozenset[str], context: Mapping[str, Any]) -> dict[str, Any]:
    """The part of ``context`` a template or expression reads: Jinja copies what it is given on
    every call, and a ``$for`` item is rendered once per element with every variable in scope."""
    return {name: context[name] for name in names if name in context}


@lru_cache(maxsize=4096)
def compiled(source: str) -> Compiled:
    """Compile ``source`` (TemplateSyntaxError if it does not compile); cached, so lint's template
    rules and the renderer compile each template once."""
    try:
        return _compiled(source)
    except (RecursionError, SyntaxError, MemoryError) as err:  # {{ ------...1 }}, .a.a.a...
        raise TemplateSyntaxError("the template is nested too deeply", 1) from err


def _compiled(source: str) -> Compiled:
    tree = environment().parse_unguarded(source)
    texts: list[str] = []
    key = _shape(tree, texts)
    found = _by_shape.get(key)
    if found is None:  # a shape holds every name, so one check serves all its templates
        _refuse_reserved_names(tree)
        lifted: list[str] = []
        tree = _LiftText(lifted).visit(tree)
        assert lifted == texts  # both walks visit the fields in order
        names = frozenset(meta.find_undeclared_variables(tree))
        found = (environment().from_string(environment().guard(tree)), names)
        if len(_by_shape) >= _MAX_SHAPES:
            _by_shape.clear()
        _by_shape[key] = found
    return Compiled(found[0], tuple(texts), found[1])


_MAX_SHAPES = 4096
_by_shape: dict[tuple[Any, ...], tuple[Template, frozenset[str]]] = {}


class _LiftText(NodeTransformer):
    """Replaces each piece of literal text with a lookup in the text handed in at render time."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts

    def visit_TemplateData(self, node: nodes.TemplateData) -> nodes.Node:
        # The text pays from the budget as it is produced: text repeated by a loop inside
        # {% set %}...{% endset %} or a macro is joined in memory before any output limit sees it.
        self.texts.append(node.data)
        lookup = nodes.Getitem(nodes.Name(_TEXT_NAME, "load"), nodes.Const(len(self.texts) - 1), "load")
        lookup.set_lineno(node.lineno)
        return _through(_CHARGED_NAME, lookup)


def _shape(node: nodes.Node, texts: list[str]) -> tuple[Any, ...]:
    """What the compiled code of ``node`` depends on: every node's type, line and fields, but not
    its literal text, which is appended to ``texts``."""
    if isinstance(node, nodes.TemplateData):
        texts.append(node.data)
        return "TemplateData", node.lineno
    return (type(node).__name__, node.lineno,
            *(_field_shape(getattr(node, name, None), texts) for name in node.fields))


def _field_shape(value: Any, texts: list[str]) -> Any:
    if isinstance(value, nodes.Node):
        return _shape(value, texts)
    if isinstance(value, list):
        return tuple(_field_shape(item, texts) for item in value)
    return type(value).__name__, repr(value)  # 1, 1.0 and True are equal keys but not equal code


def compile_template(source: str) -> Compiled:
    """Compile ``source``; :class:`TemplateFailure` (with the template line) on a syntax error."""
    try:
        return compiled(source)
    except TemplateSyntaxError as err:
        raise TemplateFailure(f"template syntax error: {err.message}", err.lineno) from err
    except TemplateError as err:
        raise TemplateFailure(f"template error: {err}") from err


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> Callable[[Mapping[str, Any]], Any]:
    """Compile a ``$for``/``$if`` expression into a function of a context; :class:`TemplateFailure`
    on a syntax error."""
    try:
        function = environment().compile_expression(source, undefined_to_none=False)
        names = compiled("{{ " + source + " }}").names
        return lambda context: function(**_reads(names, context))
    except TemplateSyntaxError as err:
        raise TemplateFailure(f"expression syntax error: {err.message}") from err
    except (RecursionError, SyntaxError, MemoryError) as err:
        raise TemplateFailure("expression syntax error: the expression is nested too deeply") from err


def render(source: str, context: Mapping[str, Any]) -> str:
    """Render one template string within the budget."""
    template = compile_template(source)
    return str(run_bounded(lambda: _stream(template, context)))


def evaluate(expression: Callable[[Mapping[str, Any]], Any], context: Mapping[str, Any]) -> Any:
    """Evaluate a compiled expression within the budget."""
    return run_bounded(lambda: expression(context))


def reset_budget() -> None:
    """Start a new budget: call once per message so all of its templates share one."""
    _budget.steps = 0
    _budget.output = 0
    _budget.work = 0
    _budget.sizes.clear()
    _budget.kept.clear()


def run_bounded(work: Callable[[], Any]) -> Any:
    """Run template code, turning every way it can fail into :class:`TemplateFailure`."""
    try:
        return work()
    except TemplateFailure as err:
        err.line = err.line or _template_line(err)
        raise
    except SecurityError as err:
        raise TemplateFailure(f"not allowed in templates: {err}", _template_line(err)) from err
    except TemplateError as err:
        raise TemplateFailure(_undefined_message(err), _template_line(err)) from err
    except RecursionError as err:
        raise TemplateFailure("template recursion too deep") from err
    except MemoryError as err:
        raise TemplateFailure("template needs too much memory") from err
    except Exception as err:
        raise TemplateFailure(f"template failed: {type(err).__name__}: {err}", _template_line(err)) from err


def _template_line(err: BaseException) -> int | None:
    """The template line a runtime error happened on: Jinja rewrites the traceback so that the
    template's own frames carry the template's file name and line numbers."""
    line = None
    trace = err.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


def _stream(template: Compiled, context: Mapping[str, Any]) -> str:
    parts: list[str] = []
    for chunk in template.generate(context):
        _budget.output += len(chunk)
        if _budget.output > MAX_OUTPUT:
            raise TemplateFailure(f"templates produce more than {MAX_OUTPUT:,} characters")
        parts.append(chunk)
    return "".join(parts)


def _undefined_message(err: TemplateError) -> str:
    text = str(err)
    match = re.match(r"'(.+)' is undefined", text)
    if match:
        return f"undefined variable {match.group(1)!r}: declare it under 'vars:' or fix the name"
    return f"template error: {text}"

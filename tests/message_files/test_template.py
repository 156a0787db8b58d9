"""The template sandbox: known escapes never reach the environment; work and output are bounded."""

from __future__ import annotations

import contextlib
import itertools
import os
import resource
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msgspec_dd.message_files import template
from msgspec_dd.message_files.template import TemplateFailure

SECRET = "msgspec-dd-canary-4f1c"

#: Known Jinja sandbox escapes and probes, each of which must fail or reveal nothing.
ESCAPES = [
    "{{ cycler.__init__.__globals__.os.environ }}",
    "{{ joiner.__init__.__globals__['os'].environ }}",
    "{{ namespace.__init__.__globals__.os.environ }}",
    "{{ lipsum.__globals__['os'].environ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
    "{{ (''|attr('\\x5f\\x5fclass\\x5f\\x5f')|attr('\\x5f\\x5fmro\\x5f\\x5f'))[1] }}",
    "{{ '{0.__class__.__init__.__globals__}'.format(cycler) }}",
    "{{ ''|attr('format')('{0.__init__.__globals__}', cycler) }}",
    "{{ '{0.environ}'.format(cycler.__init__.__globals__.os) }}",
    "{{ self.__init__.__globals__.__builtins__ }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os }}",
    "{{ request.application.__globals__ }}",
    "{{ config.__class__.__init__.__globals__['os'].environ }}",
    "{{ range.__self__ }}",
    "{{ dict.__base__.__subclasses__() }}",
    "{% set x = namespace() %}{{ x.__class__.__init__.__globals__ }}",
    "{{ env }}{{ environ }}{{ os }}",
    "{% for k, v in namespace.__init__.__globals__.items() %}{{ k }}{% endfor %}",
]


@pytest.fixture(autouse=True)
def canary() -> Iterator[None]:
    os.environ["MSGSPEC_DD_CANARY"] = SECRET
    template.reset_budget()
    yield
    del os.environ["MSGSPEC_DD_CANARY"]


@pytest.mark.parametrize("source", ESCAPES)
def test_known_escapes_never_reveal_the_environment(source: str) -> None:
    try:
        output = template.render(source, {})
    except TemplateFailure as err:
        assert SECRET not in str(err)
    else:
        assert SECRET not in output
        assert "environ" not in output.lower()


@pytest.mark.parametrize("source", [
    "{{ 'a' * 10**9 }}",
    "{{ 'a' | center(1000000000) }}",
    "{{ '%1000000000d' % 1 }}",
    "{{ '{:>999999999}'.format(1) }}",
    "{{ 'ab'.ljust(10**8) }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "{% for i in range(99999) %}{{ 'x' * 99 }}{% endfor %}",
    "{{ range(10**10) | list }}",
    "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "{{ ((2 ** 64) ** 64) ** 64 }}",
    "{% set ns = namespace(x=3) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}{% endfor %}",
])
def test_denial_of_service_stops_quickly(source: str) -> None:
    started = time.monotonic()
    with pytest.raises(TemplateFailure):
        template.render(source, {})
    assert time.monotonic() - started < 5  # a hang would time out the suite, not pass


def test_undefined_variable_is_an_error_naming_it() -> None:
    with pytest.raises(TemplateFailure, match="undefined variable 'wek'"):
        template.render("{{ wek }}", {"week": 1})


def test_trailing_newline_is_kept() -> None:
    assert template.render("# {{ t }}\n", {"t": "x"}) == "# x\n"


def test_data_is_immutable() -> None:
    with pytest.raises(TemplateFailure):
        template.render("{{ items.append(1) }}", {"items": []})


def test_reserved_budget_name_cannot_be_rebound() -> None:
    with pytest.raises(TemplateFailure):
        template.render("{% set msgspec_dd_budget__ = 1 %}{% for i in [1] %}{% endfor %}", {})


def test_strings_without_markers_are_not_templates() -> None:
    assert not template.is_template("50% off {not a template}")
    assert template.is_template("{# comment #}")


#: Issue 9, point 1: each allocated gigabytes or ran for ever before it was refused.
ALLOCATING = [
    "{% set ns = namespace(a=[1], b=[1]) %}{% for i in range(60) %}{% set ns.a = [ns.a, ns.a] %}"
    "{% set ns.b = [ns.b, ns.b] %}{% endfor %}{{ ns.a == ns.b }}",
    "{% set ns = namespace(a=[1]) %}{% for i in range(60) %}{% set ns.a = [ns.a, ns.a] %}{% endfor %}"
    "{{ ns.a|tojson }}",
    "{% set ns = namespace(a=(1,)) %}{% for i in range(60) %}{% set ns.a = (ns.a, ns.a) %}{% endfor %}"
    "{{ {ns.a: 1} }}",
    "{% set s = 'x' * 99999 %}{{ ([s] * 30000)|join }}",
    "{{ range(30000)|join('y' * 99999) }}",
    "{{ ('a' * 99999)|replace('a', 'b' * 30000) }}",
    "{{ ('a\n' * 49999)|indent('x' * 60000) }}",
    "{% set s = 'x' * 99999 %}{{ [s] * 30000 }}",
    "{{ '%*d' % (999999999, 1) }}",
    "{{ '%.999999999f' % 1.5 }}",
    "{{ '{0:{1}}'.format('x', '999999999') }}",
    "{{ '{:>{w}}'.format('x', w='2000000000') }}",
    "{{ ('a\t' * 50000).expandtabs(99999) }}",
    "{{ ('x' * 99999).join(range(30000)|map('string')) }}",
    "{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "{% set t = [1] * 90000 %}{% for i in range(100000) %}{{ t == t }}{% endfor %}",
    "{% set x %}{% for i in range(50000) %}" + "L" * 50_000 + "{% endfor %}{% endset %}{{ x|length }}",
    "{% macro m() %}{% for i in range(50000) %}" + "L" * 50_000 + "{% endfor %}{% endmacro %}{{ m()|length }}",
]


@pytest.mark.parametrize("source", ALLOCATING)
def test_allocating_work_is_refused_before_it_allocates(source: str, limited_memory: None) -> None:
    with pytest.raises(TemplateFailure) as caught:
        template.render(source, {})
    assert "memory" not in str(caught.value)  # refused by a check, not by running out


def test_ordinary_structures_still_work() -> None:
    source = ("{% set x = [1, 2] %}{{ x }} {{ x == [1, 2] }} {{ {'a': (1, 2)} }} {{ 'a%5sb' % 'x' }} "
              "{{ '{:>4}'.format('x') }} {{ x|join(',') }} {{ 300000 > 5 }} {{ 'ab'|center(6) }}")
    assert template.render(source, {}) == "[1, 2] True {'a': (1, 2)} a    xb    x 1,2 True   ab  "


_BIG = st.sampled_from([30_000, 33_333, 99_999, 999_999_999])
_SIZES = st.one_of(_BIG, _BIG, st.integers(min_value=0, max_value=2_000_000_000))
_ATOMS = st.one_of(
    _SIZES.map(lambda n: f"('x\\n\\t' * {n})"),
    _SIZES.map(lambda n: f"range({n})"),
    _SIZES.map(str),
)


def _combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    both = st.tuples(inner, inner)
    return st.one_of(
        both.map(lambda p: f"({p[0]} * {p[1]})"),
        both.map(lambda p: f"[{p[0]}, {p[1]}]"),
        both.map(lambda p: f"({p[0]}, {p[1]})"),
        both.map(lambda p: f"({p[0]} == {p[1]})"),
        both.map(lambda p: f"({p[0]} ~ {p[1]})"),
        both.map(lambda p: f"({p[0]}|join({p[1]}))"),
        both.map(lambda p: f"({p[0]}|replace('x', {p[1]}))"),
        both.map(lambda p: f"({p[0]}|indent({p[1]}))"),
        both.map(lambda p: f"({p[0]}|center({p[1]}))"),
        both.map(lambda p: f"('%*s' % ({p[0]}, {p[1]}))"),
        both.map(lambda p: f"('{{:>{{w}}}}'.format({p[0]}, w={p[1]}))"),
        both.map(lambda p: f"('%{p[1]}s' % ({p[0]},))"),
        inner.map(lambda e: f"({e}|tojson)"),
        inner.map(lambda e: f"({e}|list)"),
    )


_EXPRESSIONS = st.recursive(_ATOMS, _combine, max_leaves=4)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expression=_EXPRESSIONS, rounds=st.integers(min_value=0, max_value=40))
def test_dangerous_expressions_end_with_a_result_or_a_clean_error(expression: str, rounds: int) -> None:
    source = (f"{{% set ns = namespace(v={expression}) %}}{{% for i in range({rounds}) %}}"
              "{% set ns.v = [ns.v, ns.v] %}{% endfor %}{{ ns.v }}")
    template.reset_budget()
    with _memory_limit():
        try:
            output = template.render(source, {})
        except TemplateFailure as err:
            assert "memory" not in str(err)
        else:
            assert len(output) <= template.MAX_OUTPUT


@contextlib.contextmanager
def _memory_limit(extra: int = 1 << 30) -> Iterator[None]:
    """At most ``extra`` more address space, so a regression fails instead of swapping."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm", encoding="ascii") as statm:
        used = int(statm.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (used + extra, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture
def limited_memory() -> Iterator[None]:
    with _memory_limit():
        yield


# ------------------------------------------------------------------ one compile per template shape

def test_templates_that_differ_only_in_text_share_one_compiled_template() -> None:
    first, second = template.compiled("第 {{ week }} 周周报"), template.compiled("Release · week {{ week }}!")
    assert first.template is second.template
    assert template.render("第 {{ week }} 周周报", {"week": 48}) == "第 48 周周报"
    assert template.render("Release · week {{ week }}!", {"week": 48}) == "Release · week 48!"


def test_a_runtime_error_names_its_own_template_line_when_text_moves_it() -> None:
    lines = []
    for source in ("a\n{{ x.y.z }}", "a\n\nb\n{{ x.y.z }}"):
        with pytest.raises(TemplateFailure) as caught:
            template.render(source, {"x": {}})
        lines.append(caught.value.line)
    assert lines == [2, 4]


def test_constants_that_compare_equal_are_not_one_shape() -> None:
    rendered = [template.render(f"{{{{ {literal} }}}}", {}) for literal in ("1", "True", "1.0")]
    assert rendered == ["1", "True", "1.0"]


def test_no_template_may_read_bind_or_import_a_reserved_name() -> None:
    for source in ("{% for msgspec_dd_text__ in [1] %}{% endfor %}",
                   "{% macro f(msgspec_dd_budget__) %}{% endmacro %}",
                   "hi {{ msgspec_dd_text__[0] }}",
                   "{% import 'x' as msgspec_dd_text__ %}",
                   "{% from 'x' import y as msgspec_dd_budget__ %}"):
        with pytest.raises(TemplateFailure, match="reserved"):
            template.render(source, {})


#: Text with the characters Jinja reads specially, but never a marker (``{{``, ``{%``, ``{#``).
_TEXT = st.text(st.sampled_from("ab 周\n\t{}%#-'\"\\"), max_size=12).filter(lambda t: not template.is_template(t + "{"))
_PIECES = st.sampled_from(["{{ x }}", "{{ items|join(', ') }}", "{% for i in items %}[{{ i }}]{% endfor %}",
                           "{%- if x %} yes {% else %} no {%- endif %}", "{% raw %}{{ kept }}{% endraw %}",
                           "{# note #}", "{% set y %}<{{ x }}>{% endset %}{{ y }}"])


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(_TEXT, min_size=1, max_size=5), pieces=st.lists(_PIECES, min_size=1, max_size=4))
def test_a_shared_shape_renders_as_jinja_renders_each_template_alone(texts: list[str], pieces: list[str]) -> None:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    source = "".join(text + piece for text, piece in itertools.zip_longest(texts, pieces, fillvalue=""))
    context = {"x": "X", "items": [1, 2]}
    alone = ImmutableSandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True)
    template.reset_budget()
    assert template.render(source, context) == alone.from_string(source).render(context)

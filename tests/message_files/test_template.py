"""The template sandbox: known escapes never reach the environment; work and output are bounded."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from msgspec_dd.message_files import template
from msgspec_dd.message_files.template import TemplateProblem

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
    except TemplateProblem as err:
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
    with pytest.raises(TemplateProblem):
        template.render(source, {})
    assert time.monotonic() - started < 5  # a hang would time out the suite, not pass


def test_undefined_variable_is_an_error_naming_it() -> None:
    with pytest.raises(TemplateProblem, match="undefined variable 'wek'"):
        template.render("{{ wek }}", {"week": 1})


def test_trailing_newline_is_kept() -> None:
    assert template.render("# {{ t }}\n", {"t": "x"}) == "# x\n"


def test_data_is_immutable() -> None:
    with pytest.raises(TemplateProblem):
        template.render("{{ items.append(1) }}", {"items": []})


def test_reserved_budget_name_cannot_be_rebound() -> None:
    with pytest.raises(TemplateProblem):
        template.render("{% set msgspec_dd_budget__ = 1 %}{% for i in [1] %}{% endfor %}", {})


def test_strings_without_markers_are_not_templates() -> None:
    assert not template.is_template("50% off {not a template}")
    assert template.is_template("{# comment #}")

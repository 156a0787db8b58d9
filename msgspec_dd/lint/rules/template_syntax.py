"""A Jinja template, ``$for`` or ``$if`` expression does not parse.

Every string inside ``message`` is a Jinja template; ``$for`` must read ``NAME in EXPRESSION``
and ``$if`` must be an expression. A template with a syntax error would fail at send time.

Passing::

    text: {content: "第 {{ week }} 周周报"}

Failing::

    text: {content: "第 {{ week } 周周报"}

Helm or Prometheus text (``{{ .Values.image.tag }}``, ``{{ $labels.instance }}``) is not Jinja:
the problem says to keep it as text with ``{% raw %}…{% endraw %}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.lint.sites import expression_of, names_used, sites
from msgspec_dd.message_files.template import TemplateFailure
from msgspec_dd.problems import Level

ID = "template-syntax"
LEVEL = Level.ERROR
STAGE: Stage = "source"
#: A template that does not parse cannot be rendered.
BLOCKING = True
GENERIC = False

#: ``{{ .Values.x }}`` (Helm, Go templates) and ``{{ $labels.x }}`` (Prometheus alert templates).
_GO_TEMPLATE = re.compile(r"\{\{-?\s*[.$]")


def check(context: LintContext) -> Iterator[Finding]:
    for site in sites(context.data):
        try:
            names_used(expression_of(site), site.kind)
        except TemplateFailure as err:
            where = f" (template line {err.line})" if err.line and err.line > 1 else ""
            label = "" if site.kind == "template" else f"${site.kind}: "
            line, column = context.document.positions.locate_line(site.path, err.line)
            yield Finding(f"{label}{err}{where}{_go_hint(site.source)}", path=site.path, line=line, column=column)


def _go_hint(source: str) -> str:
    if not _GO_TEMPLATE.search(source):
        return ""
    return ("; this looks like Helm or Prometheus template text, which Jinja cannot read: to send it "
            "as it is, wrap it in {% raw %}…{% endraw %}")

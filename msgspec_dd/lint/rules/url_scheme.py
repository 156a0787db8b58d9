"""A URL whose scheme DingTalk cannot open, or a value that is not a URL at all.

Links, buttons and images accept ``https://``, ``http://`` and ``dingtalk://`` URLs (images only
``https``/``http``). ``javascript:``, ``file:`` or a bare ``example.com`` does nothing or worse in
the client. Checked in URL fields (``messageUrl``, ``picUrl``, ``singleURL``, ``actionURL``,
``messageURL``, ``picURL``) and in markdown links and images.

Passing::

    singleURL: "dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fexample.com&pc_slide=false"

Failing::

    singleURL: "example.com/report"
"""

from __future__ import annotations

from collections.abc import Iterator

from msgspec_dd.dingtalk.markdown import IMAGE_SCHEMES, LINK_SCHEMES
from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.lint.urls import scheme, urls
from msgspec_dd.problems import Level
from msgspec_dd.redaction import redact

ID = "url-scheme"
LEVEL = Level.ERROR
STAGE: Stage = "rendered"
#: The group would get a link that does nothing or worse.
BLOCKING = True
GENERIC = False


def check(context: LintContext) -> Iterator[Finding]:
    for url in urls(context.payload):
        allowed = IMAGE_SCHEMES if url.image else LINK_SCHEMES
        found = scheme(url.value)
        if found not in allowed:
            what = f"scheme {found!r}" if found else "no scheme"
            yield Finding(f"URL {redact(url.value)[:80]!r} has {what}; use one of "
                          f"{', '.join(s + '://' for s in sorted(allowed))}", rendered=url.path,
                          text_line=url.text_line, text_column=url.text_column)

"""An ``http://`` URL: images and links need ``https`` on some DingTalk clients.

Mobile clients may refuse to load ``http`` images, and links open with a security warning. Use
``https://`` where the site supports it.

Failing::

    picURL: "http://example.com/cover.png"
"""

from __future__ import annotations

from collections.abc import Iterator

from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.lint.urls import scheme, urls
from msgspec_dd.problems import Level
from msgspec_dd.redaction import redact

ID = "insecure-url"
LEVEL = Level.WARNING
STAGE: Stage = "rendered"
BLOCKING = False
GENERIC = False


def check(context: LintContext) -> Iterator[Finding]:
    for url in urls(context.payload):
        if scheme(url.value) == "http":
            yield Finding(f"{redact(url.value)[:80]!r} uses http; use https (some clients block http images "
                          "and links)", rendered=url.path,
                          text_line=url.text_line, text_column=url.text_column)

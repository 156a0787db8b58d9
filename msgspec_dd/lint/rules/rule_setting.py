"""A rule setting that does nothing: an unknown rule id, an enforced rule lowered, a bad comment.

Rules are set in ``msgspec-dd.yaml`` (``lint.rules: {insecure-url: "off"}``) and silenced in a
message file by comments, as yamllint's are: ``# msgspec-dd: disable=RULE[,RULE]`` at the end of
a line (or alone on the line above it) silences those rules on that line, and
``# msgspec-dd: disable-file=RULE[,RULE]`` on a comment line silences them in the whole file.
This warning says where such a setting is ignored and why:

- the id is not a rule (``msgspec-dd lint --list-rules`` lists them);
- the rule is one ``send`` always enforces: it stays an error, since DingTalk would refuse the
  message or there is nothing to send (``payload-schema``, ``missing-keyword``, ``body-too-large``
  and the rules that stop a file from being read or rendered);
- the comment starts ``# msgspec-dd:`` but is neither ``disable=`` nor ``disable-file=``.

Passing::

    messageUrl: http://intranet.example/report  # msgspec-dd: disable=insecure-url

Failing::

    messageUrl: http://intranet.example/report  # msgspec-dd: disable=insecure-urls
"""

from __future__ import annotations

from typing import Literal

from msgspec_dd.problems import Level

# Reported while settings and comments are read, before any check runs.
ID = "rule-setting"
LEVEL = Level.WARNING
STAGE: Literal["load"] = "load"
#: The setting is ignored; the message itself is unaffected.
BLOCKING = False
GENERIC = False

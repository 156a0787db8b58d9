"""The file's ``when`` is not one ``send`` can use.

``when`` says when a message goes out: ``change`` (the default: when a push adds or modifies the
file, or when it is named), ``manual`` (only when the file is named on the command line), or a
schedule for ``send --due``: ``{cron: EXPR, grace: DURATION}``. ``cron`` is a standard 5-field
expression (minute hour day month weekday, in the configured ``timezone``) or a list of them;
``grace`` (default ``1h``) is how long after an occurrence the message may still go out, written
like ``30m``, ``1h``, ``2h30m`` or ``1d``. An expression that can never fire (``0 8 30 2 *``:
there is no 30 February) is an error too, since the message would silently never be sent.
The preview page shows each schedule in words, in English and Chinese.

Passing::

    when:
      cron: "0 8 * * 5"     # Fridays at 08:00
      grace: 2h

Failing::

    when:
      cron: "0 8 30 2 *"    # never fires
      grace: soon           # not a duration
"""

from __future__ import annotations

from collections.abc import Iterator

from msgspec_dd.lint.rule import Finding, LintContext, Stage
from msgspec_dd.message_files.schedule import check_when
from msgspec_dd.problems import Level

ID = "invalid-when"
LEVEL = Level.ERROR
STAGE: Stage = "source"
#: A file whose schedule cannot be read must not go out on a guess.
BLOCKING = True
GENERIC = False


def check(context: LintContext) -> Iterator[Finding]:
    for issue in check_when(context.data):
        yield Finding(issue.message, path=issue.path, key=issue.key)

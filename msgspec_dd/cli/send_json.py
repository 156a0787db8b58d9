"""``send --format json``: exactly one JSON document on stdout, whatever the outcome.

A batch that ran prints its :meth:`~msgspec_dd.delivery.batch.BatchReport.to_json`. Every other
way ``send`` can end gets a document of the same shape (``results``, ``counts``) from here, so a
script can always parse stdout: ``error`` says why nothing (or not everything) was sent,
``problems`` lists a refused batch's problems (path, line, column, rule, level, message), and
``interrupted`` marks a Ctrl-C.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from msgspec_dd.delivery.results import Status
from msgspec_dd.errors import MessageError, MsgspecError


def empty_document() -> dict[str, Any]:
    """No results, every count 0."""
    return {"results": [], "counts": {status.value: 0 for status in Status}}


def error_document(err: MsgspecError) -> dict[str, Any]:
    """What stopped ``send`` before any POST: a configuration or usage error, or problems."""
    from msgspec_dd.redaction import redact_json

    document = empty_document()
    if isinstance(err, MessageError):
        document["error"] = err.report_lines()[-1].removeprefix("msgspec-dd: ")
        document["problems"] = [problem.to_json() for problem in err.problems]
    else:
        document["error"] = str(err)
    document["exitCode"] = err.exit_code
    return dict(redact_json(document))


def usage_document(message: str, exit_code: int) -> dict[str, Any]:
    """What stopped ``send`` while its options were read (an unknown flag, a bad value)."""
    from msgspec_dd.redaction import redact_json

    return dict(redact_json({**empty_document(), "error": message, "exitCode": exit_code}))


def wants_json(args: Sequence[str]) -> bool:
    """Whether ``args`` are a ``send`` asking for ``--format json`` (read before click parses them)."""
    words = list(args)
    if "send" not in words:
        return False
    rest = words[words.index("send") + 1:]
    return "--format=json" in rest or ("--format", "json") in itertools.pairwise(rest)


#: Ctrl-C before the batch began (or a second Ctrl-C while it waited for the POSTs in flight).
INTERRUPTED = "interrupted before the batch could report; nothing was sent unless the ledger says so"


def interrupted_document() -> dict[str, Any]:
    """Ctrl-C with no batch report: before sending began, or a second Ctrl-C."""
    return {**empty_document(), "error": INTERRUPTED, "interrupted": True}

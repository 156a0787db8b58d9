"""GitHub's size limits on what a step hands back, and fitting under them with a note.

A step's job summary and each of its outputs may hold 1 MiB; GitHub refuses or drops what is
larger, so a large run would lose its whole summary or ``results``. The tool stays a little
under the limit and says what it left out, rather than letting GitHub cut blindly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

#: GitHub's limit for one step's job summary and for one output, in bytes.
GITHUB_LIMIT = 1024 * 1024
#: What the tool allows itself: room for the notes it adds and for redaction's ``***``.
BUDGET = 1_000_000


def size(text: str) -> int:
    """How many bytes GitHub counts for ``text`` (UTF-8)."""
    return len(text.encode("utf-8", errors="replace"))


def fitting(items: Iterable[str], budget: int, *, separator: int = 0) -> list[str]:
    """The first of ``items`` that fit ``budget`` bytes together, each counted with ``separator``
    bytes more (the line break that joins it); ``items`` is read no further than needed."""
    kept: list[str] = []
    used = 0
    for item in items:
        used += size(item) + separator
        if used > budget:
            break
        kept.append(item)
    return kept


def compact(value: Any) -> str:
    """``value`` as the one-line JSON an output holds."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def fit_document(document: Any, budget: int = BUDGET) -> Any:
    """``document``, or a copy whose longest lists keep only their first items, so that its JSON
    fits ``budget`` bytes; ``truncated`` then says how many items of which list were left out."""
    if size(compact(document)) <= budget:
        return document
    if isinstance(document, Mapping):
        fitted = _shorten_lists(dict(document), budget)
        if fitted is not None:
            return fitted
    return {"truncated": True, "note": f"{size(compact(document))} bytes of JSON: over GitHub's "
            "1 MiB limit for an output, so nothing of it is given here; see the job log"}


def _shorten_lists(document: dict[str, Any], budget: int) -> dict[str, Any] | None:
    omitted: dict[str, int] = {}
    lists = sorted((key for key, value in document.items() if isinstance(value, list)),
                   key=lambda key: -size(compact(document[key])))
    for key in lists:
        items = document[key]
        document["truncated"] = {**omitted, key: len(items)}
        keep = _most_items_that_fit(document, key, items, budget)
        document[key] = items[:keep]
        omitted[key] = len(items) - keep
        document["truncated"] = dict(omitted)
        if size(compact(document)) <= budget:
            return document
    return None


def _most_items_that_fit(document: dict[str, Any], key: str, items: list[Any], budget: int) -> int:
    """Binary search: the longest prefix of ``items`` under ``key`` that keeps ``document`` in."""
    low, high = 0, len(items)
    while low < high:
        middle = (low + high + 1) // 2
        document[key] = items[:middle]
        document["truncated"] = {**document["truncated"], key: len(items) - middle}
        if size(compact(document)) <= budget:
            low = middle
        else:
            high = middle - 1
    return low


def fit_text(text: str, budget: int = BUDGET) -> str:
    """``text`` cut at a line end to fit ``budget`` bytes, with a line saying so."""
    if size(text) <= budget:
        return text
    note = (f"\n\n*Cut here: {size(text)} bytes is over GitHub's 1 MiB limit for a job summary; "
            "the rest is in the job log and the `results` output.*\n")
    if budget <= size(note):
        return ""
    cut = text.encode("utf-8", errors="replace")[: budget - size(note)].decode(
        "utf-8", errors="ignore")
    return cut[: cut.rfind("\n") + 1] + note

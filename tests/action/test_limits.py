"""Fitting the summary and outputs under GitHub's 1 MiB, saying what was cut."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from msgspec_dd.action.limits import (
    BUDGET,
    GITHUB_LIMIT,
    compact,
    fit_document,
    fit_text,
    fitting,
    size,
)
from msgspec_dd.action.runner import Runner
from tests.action.test_sim import parse_file_commands


def test_small_documents_pass_unchanged() -> None:
    document = {"files": ["a"], "problems": []}
    assert fit_document(document) is document


def test_fitting_keeps_the_first_items_up_to_the_byte_and_reads_no_further() -> None:
    items = ["ab", "é", "c"]  # 2, 2 and 1 bytes of UTF-8
    assert fitting(items, 5) == items
    assert fitting(items, 4) == ["ab", "é"]
    assert fitting(items, 4, separator=1) == ["ab"]  # 3 + 3: each counted with its line break
    assert fitting(items, 1) == []
    read: list[str] = []

    def reading() -> Iterator[str]:
        for item in items:
            read.append(item)
            yield item

    assert fitting(reading(), 2) == ["ab"]
    assert read == ["ab", "é"]  # the first item over the budget is the last one read

def test_the_longest_list_is_cut_and_the_cut_is_said() -> None:
    document = {"files": ["a.yaml"], "problems": [{"message": "x" * 100}] * 1000, "errors": 1000}
    fitted = fit_document(document, 10_000)
    assert size(compact(fitted)) <= 10_000
    kept = len(fitted["problems"])
    assert 50 < kept < 1000 and fitted["truncated"] == {"problems": 1000 - kept}
    assert fitted["errors"] == 1000 and fitted["files"] == ["a.yaml"]


def test_a_document_that_cannot_be_cut_says_so() -> None:
    fitted = fit_document({"detail": "x" * 20_000}, 10_000)
    assert fitted["truncated"] is True and "over GitHub's 1 MiB limit" in fitted["note"]


def test_text_is_cut_at_a_line_end_with_a_note() -> None:
    text = "line 一\n" * 10_000
    cut = fit_text(text, 5_000)
    assert size(cut) <= 5_000
    assert cut.startswith("line 一\n") and "*Cut here: " in cut
    assert cut.split("\n\n*Cut here")[0].endswith("line 一\n")


def test_the_runner_keeps_summary_and_outputs_under_the_limit(tmp_path: Path) -> None:
    runner = Runner(tmp_path / "out", tmp_path / "summary", tmp_path)
    runner.add_summary("| a |\n" * 150_000)
    runner.add_summary("more\n" * 150_000)
    assert (tmp_path / "summary").stat().st_size <= BUDGET < GITHUB_LIMIT
    runner.set_outputs({"results": {"problems": ["p" * 50] * 40_000}, "preview": "x" * 2_000_000})
    outputs = parse_file_commands((tmp_path / "out").read_text(encoding="utf-8"))
    assert all(size(value) < GITHUB_LIMIT for value in outputs.values())
    assert json.loads(outputs["results"])["truncated"]["problems"] > 0

"""Data-driven lint cases: each bad file yields exactly its expected problems; good files none."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from msgspec_dd.config import load_config
from msgspec_dd.lint.engine import lint_file
from tests.clirun import CASES

LINT = CASES / "lint"
#: The cases' robots: ``default`` (a webhook) and ``announce`` (an app robot).
CONFIG = load_config(LINT / "msgspec-dd.yaml")


def _expected() -> dict[str, set[tuple[str, int, int]]]:
    table: dict[str, set[tuple[str, int, int]]] = defaultdict(set)
    for row in (LINT / "expected.txt").read_text(encoding="utf-8").splitlines():
        name, rule, position = row.split()
        line, column = position.split(":")
        table[name].add((rule, int(line), int(column)))
    return table


EXPECTED = _expected()
BAD = sorted((LINT / "bad").iterdir())
GOOD = sorted((LINT / "good").iterdir())


def test_every_bad_case_has_expectations() -> None:
    assert {p.name for p in BAD} == set(EXPECTED)


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_case_reports_exactly_the_expected_problems(path: Path) -> None:
    found = {(p.rule, p.line, p.column) for p in lint_file(path, CONFIG)}
    assert found == EXPECTED[path.name]


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_case_is_clean(path: Path) -> None:
    assert lint_file(path, CONFIG) == []


def test_every_rule_is_exercised_by_a_case() -> None:
    from msgspec_dd.lint.registry import RULES

    exercised = {rule for rows in EXPECTED.values() for rule, _, _ in rows}
    # missing-keyword needs a config (test_lint_engine); robot-rate is about the config itself
    # (test_hints).
    untested = set(RULES) - exercised - {"missing-keyword", "robot-rate"}
    assert not untested, f"rules without a data-driven case: {sorted(untested)}"

"""The README stays true: its rule table matches the rules, and .ci/run runs its test line."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from msgspec_dd.config import default_config
from msgspec_dd.lint.engine import lint_paths
from msgspec_dd.lint.registry import RULES
from tests.clirun import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _first_doc_line(doc: str | None) -> str:
    return inspect.cleandoc(doc or "").splitlines()[0].replace("``", "`")


def test_rule_table_lists_every_rule_with_its_level_and_summary() -> None:
    table = README.split("<!-- rules:start -->")[1].split("<!-- rules:end -->")[0]
    rows = re.findall(r"^\| `([a-z-]+)` \| (\w+) \| (.+) \|$", table, re.MULTILINE)
    expected = [(r.ID, r.LEVEL.value, _first_doc_line(r.__doc__)) for r in RULES.values()]
    assert rows == expected


def test_ci_runs_the_readme_test_line_exactly() -> None:
    quick_start = README.split("## Quick start")[1].split("```sh")[1].split("```")[0]
    test_line = quick_start.strip().splitlines()[1]
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci_lines[-1] == test_line


def test_chinese_quick_start_has_the_same_two_commands() -> None:
    english = README.split("## Quick start")[1].split("```sh")[1].split("```")[0].strip().splitlines()
    chinese = README.split("## 快速开始")[1].split("```sh")[1].split("```")[0].strip().splitlines()
    assert [line.split("  #")[0].strip() for line in chinese] == english


def test_the_message_file_example_is_lint_clean(tmp_path: Path) -> None:
    example = README.split("## A message file")[1].split("```yaml")[1].split("```")[0]
    (tmp_path / "example.yaml").write_text(example, encoding="utf-8")
    assert lint_paths([tmp_path], default_config()).problems == ()


def test_the_message_file_example_is_messages_weekly_yaml() -> None:
    example = README.split("## A message file")[1].split("```yaml\n")[1].split("```")[0]
    assert example == (ROOT / "messages" / "weekly.yaml").read_text(encoding="utf-8")

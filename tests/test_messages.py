"""The repository's own example messages: lint-clean, and the weekly digest renders any valid input."""

from __future__ import annotations

from pathlib import Path

import pytest

from msgspec_dd.config import default_config
from msgspec_dd.lint.engine import lint_paths
from msgspec_dd.message_files.pipeline import prepare_file
from tests.clirun import ROOT

MESSAGES = ROOT / "messages"
WEEKLY = MESSAGES / "weekly.yaml"


def test_every_example_is_lint_clean() -> None:
    report = lint_paths([MESSAGES], default_config())
    assert len(report.files) == len(list(MESSAGES.glob("*.yaml")))
    assert report.problems == ()


@pytest.mark.parametrize("path", sorted(MESSAGES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_renders(path: Path) -> None:
    variables = ["week=48"] if path == WEEKLY else []
    assert prepare_file(path, config=default_config(), var_args=variables).payload["msgtype"]


def test_weekly_takes_articles_without_the_optional_minutes() -> None:
    message = prepare_file(WEEKLY, config=default_config(),
                           var_args=["week=08", "articles=[{title: A, url: 'https://a.example'}]"])
    card = message.payload["actionCard"]
    assert card["title"] == "第 8 周学习周报"
    assert "预计" not in card["text"]
    assert card["btns"] == [{"title": "A", "actionURL": "https://a.example"}]


def test_weekly_shows_only_https_articles_and_totals_their_minutes() -> None:
    articles = ("articles=[{title: A, url: 'https://a.example', minutes: 3},"
                " {title: B, url: 'http://b.example', minutes: 4}]")
    card = prepare_file(WEEKLY, config=default_config(), var_args=["week=1", articles]).payload["actionCard"]
    assert "预计 7 分钟" in card["text"]
    assert [b["title"] for b in card["btns"]] == ["A（3 分钟）"]

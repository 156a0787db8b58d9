"""``send --due``: scheduled files go out once per occurrence, rendered as of the occurrence.

Real processes in real temporary git repositories, posting over real HTTP to a sandbox robot;
``--at`` is the injected clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from msgspec_dd.sandbox import SandboxServer, SandboxSettings
from tests.action.test_sim import Repo, clean_environ
from tests.clirun import Run, run_cli

FRIDAY = "2026-12-04"  # a Friday
WEEKLY = """\
when: {cron: "0 8 * * 5", grace: 2h}
message: {msgtype: text, text: {content: "weekly as of {{ now }} ({{ today }})"}}
"""


@pytest.fixture
def robot() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxSettings()) as server:
        yield server


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.write("msgspec-dd.yaml", "timezone: Asia/Shanghai\n")
    repo.write("messages/weekly.yaml", WEEKLY)
    repo.write("messages/news.yaml", "message: {msgtype: text, text: {content: news}}\n")
    repo.commit("messages")
    return repo


def due(repo: Repo, robot: SandboxServer, at: str, *args: str) -> Run:
    ledger = str(repo.path.parent / "sent.jsonl")
    return run_cli(["send", "--due", "--at", at, "--ledger", ledger, *args], cwd=repo.path,
                   env={**clean_environ(), "DINGTALK_WEBHOOK": robot.url})


def contents(robot: SandboxServer) -> list[str]:
    return [m["text"]["content"] for m in robot.messages]


AS_OF_8 = f"weekly as of {FRIDAY} 08:00:00+08:00 ({FRIDAY})"


def test_a_due_file_is_sent_as_of_its_occurrence(repo: Repo, robot: SandboxServer) -> None:
    result = due(repo, robot, f"{FRIDAY}T08:05")
    assert result.code == 0, result.err
    assert result.out == "messages/weekly.yaml -> default: sent\n"
    assert contents(robot) == [AS_OF_8]  # not news.yaml: a when: change file is never due


def test_late_within_grace_renders_the_same_body(repo: Repo, robot: SandboxServer) -> None:
    result = due(repo, robot, f"{FRIDAY}T09:59:59+08:00")
    assert result.code == 0, result.err
    assert contents(robot) == [AS_OF_8]


def test_past_grace_nothing_is_due(repo: Repo, robot: SandboxServer) -> None:
    result = due(repo, robot, f"{FRIDAY}T02:00Z")  # 10:00 in Shanghai: the 2h grace is over
    assert (result.code, result.out) == (0, "")
    assert "msgspec-dd: nothing is due at 2026-12-04T10:00+08:00 under messages" in result.err
    assert robot.messages == []


def test_a_rerun_sends_nothing_and_reports_nothing_as_skipped(repo: Repo, robot: SandboxServer) -> None:
    assert due(repo, robot, f"{FRIDAY}T08:01").code == 0
    again = due(repo, robot, f"{FRIDAY}T09:30")
    assert (again.code, again.out) == (0, "")
    assert "skipped" not in again.err
    assert contents(robot) == [AS_OF_8]


def test_the_next_occurrence_is_a_new_message(repo: Repo, robot: SandboxServer) -> None:
    assert due(repo, robot, f"{FRIDAY}T08:01").code == 0
    assert due(repo, robot, "2026-12-11T08:01").code == 0
    assert contents(robot) == [AS_OF_8, "weekly as of 2026-12-11 08:00:00+08:00 (2026-12-11)"]


def test_due_without_a_ledger_is_a_usage_error(repo: Repo, robot: SandboxServer) -> None:
    result = run_cli(["send", "--due"], cwd=repo.path,
                     env={**clean_environ(), "DINGTALK_WEBHOOK": robot.url})
    assert result.code == 2
    assert "--due needs a ledger" in result.err and "Traceback" not in result.err


def test_at_without_due_and_a_malformed_at_are_usage_errors(repo: Repo, robot: SandboxServer) -> None:
    alone = run_cli(["send", "messages", "--at", "2026-12-04T08:00"], cwd=repo.path, env=clean_environ())
    assert alone.code == 2 and "--at goes with --due" in alone.err
    malformed = due(repo, robot, "friday")
    assert malformed.code == 2 and "--at 'friday' is not an ISO-8601 time" in malformed.err


def test_a_dry_run_of_due_leaves_out_an_occurrence_already_sent(repo: Repo, robot: SandboxServer) -> None:
    dry = due(repo, robot, f"{FRIDAY}T08:01", "--dry-run")
    assert dry.code == 0 and AS_OF_8 in dry.out
    assert due(repo, robot, f"{FRIDAY}T08:01").code == 0
    again = due(repo, robot, f"{FRIDAY}T08:30", "--dry-run")
    assert (again.code, again.out) == (0, "")


def test_a_var_for_a_file_not_due_now_is_no_error(repo: Repo, robot: SandboxServer) -> None:
    repo.write("messages/weekly.yaml", "vars: {week: {type: integer}}\n"
               + WEEKLY.replace("{{ now }}", "{{ now }} week {{ week }}"))
    quiet = due(repo, robot, f"{FRIDAY}T12:00", "--var", "week=49")
    assert quiet.code == 0, quiet.err
    typo = due(repo, robot, f"{FRIDAY}T12:00", "--var", "wek=49")
    assert (typo.code, typo.err) == (2, "msgspec-dd: variable wek not declared by any scheduled "
                                        "message file (a typo?); check the names under 'vars:'\n")

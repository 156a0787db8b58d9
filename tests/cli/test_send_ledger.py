"""``send --ledger``: one message however its path and variables are spelled; 0.1 ledgers refused.

Real processes in real temporary git repositories, posting over real HTTP to a sandbox robot.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from msgspec_dd.sandbox import SandboxServer, SandboxSettings
from tests.action.test_sim import Repo, clean_environ
from tests.clirun import Run, run_cli

WEEKLY = """\
vars:
  week: {type: integer}
  team: {type: string, default: SRE}
message: {msgtype: text, text: {content: "week {{ week }} by {{ team }}"}}
"""


@pytest.fixture
def robot() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxSettings()) as server:
        yield server


def send(cwd: Path, robot: SandboxServer, *args: str) -> Run:
    return run_cli(["send", *args], cwd=cwd, env={**clean_environ(), "DINGTALK_WEBHOOK": robot.url})


def test_three_spellings_of_one_path_are_one_message(tmp_path: Path, robot: SandboxServer) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("messages/m.yaml", "message: {msgtype: text, text: {content: hello}}\n")
    ledger = str(tmp_path / "sent.jsonl")
    first = send(repo.path, robot, "./messages/m.yaml", "--ledger", ledger)
    assert first.code == 0, first.err
    absolute = send(tmp_path, robot, str(repo.path / "messages" / "m.yaml"), "--ledger", ledger)
    inside = send(repo.path / "messages", robot, "m.yaml", "--ledger", ledger)
    assert [absolute.code, inside.code] == [0, 0], absolute.err + inside.err
    assert "skipped" in absolute.out and "skipped" in inside.out
    assert len(robot.messages) == 1
    paths = {json.loads(line).get("path") for line in Path(ledger).read_text("utf-8").splitlines()}
    assert paths == {"messages/m.yaml", None}  # attempts name the file from the repository root


def test_a_symlink_to_the_file_is_the_same_message(tmp_path: Path, robot: SandboxServer) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("messages/m.yaml", "message: {msgtype: text, text: {content: hello}}\n")
    (repo.path / "link.yaml").symlink_to(repo.path / "messages" / "m.yaml")
    ledger = str(tmp_path / "sent.jsonl")
    assert send(repo.path, robot, "messages/m.yaml", "--ledger", ledger).code == 0
    again = send(repo.path, robot, "link.yaml", "--ledger", ledger)
    assert again.code == 0 and "skipped" in again.out
    assert len(robot.messages) == 1


def test_defaults_and_spellings_of_values_are_one_message(tmp_path: Path, robot: SandboxServer) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("messages/weekly.yaml", WEEKLY)
    ledger = str(tmp_path / "sent.jsonl")
    assert send(repo.path, robot, "messages/weekly.yaml", "--var", "week=8", "--ledger", ledger).code == 0
    again = send(repo.path, robot, "messages/weekly.yaml", "--var", "week=08", "--var", "team=SRE",
                 "--ledger", ledger)
    assert again.code == 0 and "skipped" in again.out, again.err
    other = send(repo.path, robot, "messages/weekly.yaml", "--var", "week=8", "--var", "team=Ops",
                 "--ledger", ledger)
    assert other.code == 0 and "sent" in other.out
    assert [m["text"]["content"] for m in robot.messages] == ["week 8 by SRE", "week 8 by Ops"]


def test_a_ledger_written_by_0_1_is_refused_with_what_to_do(tmp_path: Path, robot: SandboxServer) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("messages/m.yaml", "message: {msgtype: text, text: {content: hello}}\n")
    ledger = tmp_path / "old.jsonl"
    ledger.write_text(json.dumps({"event": "sent", "id": "a" * 64, "robot": "default", "at": 1.0})
                      + "\n", "utf-8")
    result = send(repo.path, robot, "messages/m.yaml", "--ledger", str(ledger))
    assert result.code == 2
    assert f"{ledger}:1: this ledger was written by msgspec-dd 0.1" in result.err
    assert "give --ledger a new file" in result.err and "Traceback" not in result.err
    assert robot.messages == []


def test_a_file_named_from_another_directory_uses_its_repositorys_config(
    tmp_path: Path, robot: SandboxServer,
) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("msgspec-dd.yaml", "robots: {default: {webhook_env: REPO_HOOK}}\n")
    repo.write("messages/x.yaml", "message: {msgtype: text, text: {content: from cron}}\n")
    home = tmp_path / "home"
    home.mkdir()
    result = run_cli(["send", str(repo.path / "messages" / "x.yaml")], cwd=home,
                     env={**clean_environ(), "REPO_HOOK": robot.url})
    assert result.code == 0, result.err
    assert [m["text"]["content"] for m in robot.messages] == ["from cron"]


def test_a_dry_run_with_a_ledger_says_what_a_real_run_would_skip(
    tmp_path: Path, robot: SandboxServer,
) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("messages/a.yaml", "message: {msgtype: text, text: {content: a}}\n")
    repo.write("messages/b.yaml", "message: {msgtype: text, text: {content: b}}\n")
    ledger = str(tmp_path / "sent.jsonl")
    assert send(repo.path, robot, "messages/a.yaml", "--ledger", ledger).code == 0
    before = Path(ledger).read_bytes()
    text = send(repo.path, robot, "messages", "--dry-run", "--ledger", ledger)
    assert text.code == 0, text.err
    assert "msgspec-dd: messages/a.yaml -> default: skipped (already sent)" in text.err
    assert "msgspec-dd: messages/b.yaml -> default (dry run, not sent)" in text.err
    document = json.loads(send(repo.path, robot, "messages", "--dry-run", "--format", "json",
                               "--ledger", ledger).out)
    assert [(m["path"], m["skipped"]) for m in document["messages"]] == [
        ("messages/a.yaml", ["default"]), ("messages/b.yaml", [])]
    assert Path(ledger).read_bytes() == before and len(robot.messages) == 1


@pytest.mark.parametrize("command", [["lint"], ["render"], ["preview", "-o", "page.html"]])
def test_lint_render_and_preview_find_the_config_the_same_way(tmp_path: Path, command: list[str]) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("msgspec-dd.yaml", "robots: {ops: {webhook_env: OPS_HOOK}}\n")
    repo.write("messages/x.yaml", "robot: ops\nmessage: {msgtype: text, text: {content: hi}}\n")
    home = tmp_path / "home"
    home.mkdir()
    result = run_cli([*command, str(repo.path / "messages" / "x.yaml")], cwd=home, env=clean_environ())
    assert result.code == 0, result.out + result.err  # robot ops is known: the repo's config was read

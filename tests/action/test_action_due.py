"""The Action's ``due`` and ``ledger: git:BRANCH``: a scheduled job sends what is due once, and a
re-run job in a fresh checkout posts nothing (the ledger branch on ``origin`` remembers)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from msgspec_dd.sandbox import SandboxServer
from tests.action.test_sim import SECRET, Repo, StepRun, clean_environ, message, run_step

#: Due all day (the latest midnight is always less than a day ago), so the test needs no clock.
DAILY = "when: {cron: '0 0 * * *', grace: 1d}\n"
LEDGER = "git:msgspec-dd-ledger"


def checkout(tmp_path: Path) -> tuple[Path, Repo]:
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True,
                   env=clean_environ())
    repo = Repo(tmp_path / "job1")
    repo.write("msgspec-dd.yaml", "timezone: UTC\nrobots:\n  default:\n"
               "    webhook_env: DINGTALK_WEBHOOK\n    secret_env: DINGTALK_SECRET\n")
    repo.write("messages/daily.yaml", DAILY + message("daily"))
    repo.write("messages/news.yaml", message("news"))
    repo.commit("messages")
    repo.git("remote", "add", "origin", str(origin))
    repo.git("push", "-q", "origin", "main")
    return origin, repo


def due_step(workspace: Path, scratch: Path, sandbox: SandboxServer, **inputs: str) -> StepRun:
    return run_step(workspace, scratch, event_name="schedule", event={},
                    inputs={"command": "send", "due": "true", "ledger": LEDGER,
                            "webhook": sandbox.url, "secret": SECRET, **inputs})


def test_a_scheduled_job_sends_what_is_due_once_even_when_re_run(
        tmp_path: Path, sandbox: SandboxServer) -> None:
    origin, repo = checkout(tmp_path)
    first = due_step(repo.path, tmp_path / "runner1", sandbox)
    assert first.code == 0, first.err
    assert [m["markdown"]["title"] for m in sandbox.messages] == ["daily"]  # not news: when: change
    assert first.outputs["sent"] == "1"
    fresh = Repo(tmp_path / "job2")  # a re-run job: a new runner, a new checkout
    fresh.git("fetch", "-q", str(origin), "main")
    fresh.git("remote", "add", "origin", str(origin))
    fresh.git("checkout", "-q", "FETCH_HEAD")
    again = due_step(fresh.path, tmp_path / "runner2", sandbox)
    assert again.code == 0, again.err
    assert (again.outputs["sent"], again.outputs["skipped"]) == ("0", "0")
    assert "daily" in first.summary and "daily" not in again.summary  # nothing shown as posted
    assert len(sandbox.messages) == 1


def test_due_without_a_ledger_is_a_usage_error(tmp_path: Path, sandbox: SandboxServer) -> None:
    _, repo = checkout(tmp_path)
    run = run_step(repo.path, tmp_path / "runner", event_name="schedule", event={},
                   inputs={"command": "send", "due": "true", "webhook": sandbox.url})
    assert run.code == 2
    assert "input due: true needs the ledger input" in run.out + run.err
    assert sandbox.messages == []

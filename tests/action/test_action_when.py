"""The Action and ``when:``: a push with a scheduled file and an announcement sends only the
announcement; the summary says which changed files wait for their schedule, in English and Chinese."""

from __future__ import annotations

from pathlib import Path

from msgspec_dd.sandbox import SandboxServer
from tests.action.test_sim import (
    SECRET,
    Repo,
    message,
    pull_request_event,
    push_event,
    run_step,
)

WEEKLY = "when: {cron: '0 8 * * 5', grace: 2h}\n"
WAITS = ("`messages/weekly.yaml` waits: At 08:00, only on Friday (Asia/Shanghai), grace 2h / "
         "在 08:00, 仅在 星期五（Asia/Shanghai），宽限 2h")


def pushed(repo: Repo) -> tuple[str, str]:
    repo.write("msgspec-dd.yaml", "timezone: Asia/Shanghai\nrobots:\n  default:\n"
               "    webhook_env: DINGTALK_WEBHOOK\n    secret_env: DINGTALK_SECRET\n")
    repo.write("messages/old.yaml", message("old"))
    before = repo.commit("first")
    repo.write("messages/news.yaml", message("news"))
    repo.write("messages/weekly.yaml", WEEKLY + message("weekly"))
    repo.write("messages/hand.yaml", "when: manual\n" + message("hand"))
    return before, repo.commit("an announcement, a weekly report and a manual one")


def test_changed_only_sends_the_change_file_and_says_the_cron_file_waits(
        tmp_path: Path, sandbox: SandboxServer) -> None:
    repo = Repo(tmp_path / "repo")
    before, after = pushed(repo)
    run = run_step(repo.path, tmp_path / "runner", event=push_event(repo, before, after),
                   inputs={"command": "send", "changed-only": "true", "webhook": sandbox.url,
                           "secret": SECRET})
    assert run.code == 0, run.err
    assert [m["markdown"]["title"] for m in sandbox.messages] == ["news"]
    assert run.outputs["sent"] == "1"
    assert WAITS in run.summary
    assert "`messages/hand.yaml` is when: manual, sent only when named" in run.summary


def test_without_changed_only_a_folder_sends_its_change_files(tmp_path: Path, sandbox: SandboxServer) -> None:
    repo = Repo(tmp_path / "repo")
    pushed(repo)
    run = run_step(repo.path, tmp_path / "runner", event_name="workflow_dispatch", event={},
                   inputs={"command": "send", "webhook": sandbox.url, "secret": SECRET})
    assert run.code == 0, run.err
    assert sorted(m["markdown"]["title"] for m in sandbox.messages) == ["news", "old"]
    assert WAITS in run.summary


def test_a_pull_request_review_lints_every_changed_file_and_says_which_wait(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    before, after = pushed(repo)
    run = run_step(repo.path, tmp_path / "runner", event_name="pull_request",
                   event=pull_request_event(before, after), inputs={"changed-only": "true"})
    assert run.code == 0, run.err
    assert run.results["files"] == ["messages/hand.yaml", "messages/news.yaml", "messages/weekly.yaml"]
    assert WAITS in run.summary

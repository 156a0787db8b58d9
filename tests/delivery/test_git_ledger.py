"""``--ledger git:BRANCH`` in real temporary repositories with a bare ``origin`` (a local path).

The CLI runs as users run it (a process, real HTTP to a sandbox robot); the merge of concurrent
pushes is driven through the library, from two clones at once.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from msgspec_dd.delivery.batch import deliver
from msgspec_dd.delivery.git_ledger import GitBranch, GitLedger, parse_ledger, union
from msgspec_dd.delivery.robot import Robot
from msgspec_dd.errors import UsageError
from msgspec_dd.message_files.pipeline import PreparedMessage
from msgspec_dd.sandbox import SandboxServer, SandboxSettings
from tests.action.test_sim import Repo, clean_environ
from tests.clirun import Run, run_cli

BRANCH = "msgspec-dd-ledger"
MESSAGE = "message: {msgtype: text, text: {content: hello}}\n"


@pytest.fixture
def robot() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxSettings()) as server:
        yield server


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, env=env or clean_environ(), capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout.strip()


def origin_with_messages(tmp_path: Path, files: dict[str, str]) -> Path:
    """A bare origin whose main holds ``files``."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    seed = Repo(tmp_path / "seed")
    for name, text in files.items():
        seed.write(name, text)
    seed.commit("messages")
    seed.git("remote", "add", "origin", str(origin))
    seed.git("push", "-q", "origin", "main")
    return origin


def clone(origin: Path, path: Path) -> Path:
    git(origin.parent, "clone", "-q", str(origin), str(path))
    return path


def ledger_records(origin: Path) -> list[dict[str, Any]]:
    text = git(origin, "show", f"refs/heads/{BRANCH}:ledger.jsonl")
    return [json.loads(line) for line in text.splitlines()]


def send(cwd: Path, robot: SandboxServer, *args: str, env: dict[str, str] | None = None) -> Run:
    return run_cli(["send", *args, "--ledger", f"git:{BRANCH}"], cwd=cwd,
                   env={**(env or clean_environ()), "DINGTALK_WEBHOOK": robot.url})


def test_first_use_creates_the_branch_and_leaves_the_checkout_alone(
    tmp_path: Path, robot: SandboxServer,
) -> None:
    origin = origin_with_messages(tmp_path, {"messages/m.yaml": MESSAGE})
    work = clone(origin, tmp_path / "work")
    (work / "draft.txt").write_text("uncommitted\n", "utf-8")
    git(work, "add", "draft.txt")
    before = (git(work, "status", "--porcelain"), git(work, "rev-parse", "HEAD"),
              git(work, "symbolic-ref", "HEAD"))
    # No identity anywhere, as on a CI runner: the tool's own signs the commit.
    bare_env = {k: v for k, v in clean_environ().items() if not k.startswith(("GIT_AUTHOR", "GIT_COMMITTER"))}
    result = send(work, robot, "messages/m.yaml", env=bare_env)
    assert result.code == 0, result.err
    assert [r["event"] for r in ledger_records(origin)] == ["attempt", "attempt", "sent"]
    assert {r.get("path") for r in ledger_records(origin)} == {"messages/m.yaml", None}
    assert git(origin, "log", "--format=%an <%ae>", BRANCH).splitlines()[0] == (
        "msgspec-dd <msgspec-dd@users.noreply.github.com>")
    assert git(origin, "rev-list", "--max-parents=0", "--count", BRANCH) == "1"  # an orphan
    assert git(origin, "ls-tree", "--name-only", BRANCH) == "ledger.jsonl"
    after = (git(work, "status", "--porcelain"), git(work, "rev-parse", "HEAD"),
             git(work, "symbolic-ref", "HEAD"))
    assert after == before
    assert robot.url.split("access_token=")[1] not in git(origin, "show", f"{BRANCH}:ledger.jsonl")


def test_the_configured_identity_signs_the_commits(tmp_path: Path, robot: SandboxServer) -> None:
    origin = origin_with_messages(tmp_path, {"messages/m.yaml": MESSAGE})
    work = clone(origin, tmp_path / "work")
    assert send(work, robot, "messages/m.yaml").code == 0  # clean_environ names Octo Cat
    assert git(origin, "log", "-1", "--format=%an <%ae>", BRANCH) == "Octo Cat <octocat@example.com>"


def test_a_fresh_clone_rerunning_posts_nothing(tmp_path: Path, robot: SandboxServer) -> None:
    origin = origin_with_messages(tmp_path, {"messages/a.yaml": MESSAGE,
                                             "messages/b.yaml": MESSAGE.replace("hello", "bye")})
    first = send(clone(origin, tmp_path / "job1"), robot, "messages")
    assert first.code == 0, first.err
    rerun = send(clone(origin, tmp_path / "job2"), robot, "messages")
    assert rerun.code == 0, rerun.err
    assert rerun.out.splitlines() == ["messages/a.yaml -> default: skipped (already sent)",
                                      "messages/b.yaml -> default: skipped (already sent)"]
    assert len(robot.messages) == 2


def test_two_clones_pushing_at_once_both_end_up_recorded(tmp_path: Path) -> None:
    origin = origin_with_messages(tmp_path, {"messages/m.yaml": MESSAGE})
    clones = [clone(origin, tmp_path / f"job{n}") for n in range(2)]
    ledgers = [GitLedger.open(GitBranch(BRANCH), repository=path) for path in clones]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(number: int, ledger: GitLedger) -> None:
        try:
            start.wait()
            for round_ in range(4):
                ledger.ledger.attempt(f"id-{number}-{round_}", "default", f"u{number}{round_}", path="m")
                ledger.publish()
        except BaseException as err:  # noqa: BLE001 - reported by the main thread
            errors.append(err)

    threads = [threading.Thread(target=run, args=(n, ledger)) for n, ledger in enumerate(ledgers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for ledger in ledgers:
        ledger.close()
    assert errors == []
    ids = sorted(record["id"] for record in ledger_records(origin))
    assert ids == sorted(f"id-{n}-{r}" for n in range(2) for r in range(4))


def test_attempts_are_pushed_before_the_first_post(tmp_path: Path, robot: SandboxServer) -> None:
    origin = origin_with_messages(tmp_path, {"messages/m.yaml": MESSAGE})
    work = clone(origin, tmp_path / "work")
    git_ledger = GitLedger.open(GitBranch(BRANCH), repository=work)
    seen: list[tuple[int, list[str]]] = []

    def checkpoint() -> None:
        git_ledger.publish()
        seen.append((robot.requests, [r["event"] for r in ledger_records(origin)]))

    messages = [PreparedMessage(str(work / "messages" / "m.yaml"), "sha", ("default",),
                                {"msgtype": "text", "text": {"content": f"n{n}"}}, {"n": n})
                for n in range(3)]
    sender = Robot.webhook("default", robot.url)
    try:
        report = deliver(messages, {"default": sender}, ledger=git_ledger.ledger, checkpoint=checkpoint)
    finally:
        sender.close()
        git_ledger.close()
    assert report.ok
    assert seen[0] == (0, ["attempt"] * 3)  # every attempt on origin, nothing posted yet
    assert seen[1][0] == 3 and seen[1][1].count("sent") == 3
    uuids = {r["msgUuid"] for r in ledger_records(origin) if r["event"] == "attempt"}
    assert uuids == {m["msgUuid"] for m in robot.messages}  # the announced msgUuids were posted


def test_sigterm_mid_batch_pushes_the_outcomes_so_far(tmp_path: Path) -> None:
    files = {f"messages/m{n}.yaml": MESSAGE.replace("hello", f"m{n}") for n in range(8)}
    origin = origin_with_messages(tmp_path, files)
    work = clone(origin, tmp_path / "work")
    with SandboxServer(SandboxSettings(latency_ms=300)) as slow:
        env = {**clean_environ(), "DINGTALK_WEBHOOK": slow.url}
        process = subprocess.Popen(
            [sys.executable, "-m", "msgspec_dd", "send", "messages", "--ledger", f"git:{BRANCH}"],
            cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while len(slow.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
        arrived = len(slow.messages)
    assert process.returncode == 130, err
    assert 2 <= arrived < 8
    events = [r["event"] for r in ledger_records(origin)]
    assert events.count("sent") >= arrived - 1  # the one in flight may end after the push
    with SandboxServer(SandboxSettings()) as fresh:
        rerun = send(clone(origin, tmp_path / "rerun"), fresh, "messages")
        assert rerun.code == 0, rerun.err
        # What arrived before the kill is skipped; the one in flight is resent under its msgUuid.
        assert rerun.out.count("skipped (already sent)") >= arrived - 1
        assert len(fresh.messages) <= 8 - arrived + 1


def test_union_keeps_the_remote_order_and_adds_what_it_lacks() -> None:
    assert union(b"a\nb\n", b"a\nc\n") == b"a\nb\nc\n"
    assert union(b"", b"x\n") == b"x\n"
    assert union(b"a", b"b\n") == b"a\nb\n"


def test_a_bad_branch_name_or_no_origin_is_a_usage_error(tmp_path: Path) -> None:
    assert parse_ledger("git:ledger") == GitBranch("ledger")
    assert parse_ledger("./git:x") == Path("git:x")
    with pytest.raises(UsageError, match="is not a valid branch name"):
        parse_ledger("git:a..b")
    repo = Repo(tmp_path / "lonely")
    repo.commit("first")
    with pytest.raises(UsageError, match="has none; add one, or give --ledger a file"):
        GitLedger.open(GitBranch(BRANCH), repository=repo.path)


def test_recall_reads_and_records_in_a_git_ledger_from_a_fresh_clone(tmp_path: Path) -> None:
    from msgspec_dd.sandbox.app_api import AppApi, AppSettings

    api = AppApi(AppSettings())
    config = ("robots:\n  announce:\n    app:\n      app_key_env: T_APP_KEY\n"
              "      app_secret_env: T_APP_SECRET\n"
              f"      robot_code: {api.settings.code}\n"
              f"      conversation: \"{api.settings.conversation}\"\n")
    message = "robot: announce\n" + MESSAGE
    origin = origin_with_messages(tmp_path, {"msgspec-dd.yaml": config, "messages/a.yaml": message})
    with SandboxServer(SandboxSettings(), app=api) as server:
        env = {**clean_environ(), "T_APP_KEY": api.settings.app_key,
               "T_APP_SECRET": api.settings.app_secret, "MSGSPEC_DD_API_BASE": server.base_url}
        sent = run_cli(["send", "messages/a.yaml", "--ledger", f"git:{BRANCH}"],
                       cwd=clone(origin, tmp_path / "send-job"), env=env)
        assert sent.code == 0, sent.err
        recall_job = clone(origin, tmp_path / "recall-job")
        recalled = run_cli(["recall", "messages/a.yaml", "--ledger", f"git:{BRANCH}"],
                           cwd=recall_job, env=env)
        assert recalled.code == 0, recalled.err
        assert "recalled" in recalled.out
        again = run_cli(["recall", "messages/a.yaml", "--ledger", f"git:{BRANCH}"],
                        cwd=clone(origin, tmp_path / "second-recall"), env=env)
        assert again.code == 1, again.out + again.err
    events = [record["event"] for record in ledger_records(origin)]
    assert events.count("recall") == 2  # both recall jobs pushed what they did
    for run in (sent, recalled, again):
        assert api.settings.app_secret not in run.out + run.err

"""The action's step (``python -m msgspec_dd.action``) under a simulated runner, in real git
repositories: which files ``changed-only`` picks, annotations, outputs, the job summary, sending
to a sandbox robot over real HTTP, and that no credential ever shows."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from msgspec_dd.action.summary import plain
from msgspec_dd.sandbox import SandboxServer, SandboxSettings
from tests.action.test_sim import (
    SECRET,
    TOKEN,
    ZERO,
    Repo,
    StepRun,
    message,
    pull_request_event,
    push_event,
    run_step,
)

BAD = """\
message:
  msgtype: text
  text:
    content: 请 @13800138000 查看本周报告
  at:
    atMobiles: [13800138000]
"""


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def linted(run: StepRun) -> list[str]:
    """The files a lint or preview run checked (from the ``results`` output)."""
    files = run.results["files"]
    assert isinstance(files, list)
    return files


def summary_bodies(summary: str) -> list[Any]:
    """The JSON bodies in the summary's ``<details>`` blocks."""
    blocks = re.findall(r"<summary>JSON body</summary>\n\n(`{3,})json\n(.*?)\n\1\n", summary, re.S)
    return [json.loads(body) for _, body in blocks]


def render(repo: Repo, path: str) -> Any:
    proc = subprocess.run([sys.executable, "-m", "msgspec_dd", "render", path], cwd=repo.path,
                          capture_output=True, text=True, encoding="utf-8", check=True)
    return json.loads(proc.stdout)


def assert_no_credentials(run: StepRun) -> None:
    for credential in (TOKEN, SECRET):
        assert credential not in run.everything
        assert credential.lower() not in run.everything.lower()


# -- changed-only on push --------------------------------------------------------------------------

def base_repo(repo: Repo) -> str:
    # Long distinct texts, so git's rename detection pairs only the files really moved.
    for name in ("kept", "edited", "deleted", "moved", "moved-edited", "ready"):
        folder = "drafts" if name == "ready" else "messages"
        repo.write(f"{folder}/{name}.yaml", message(name, f"{name} 的内容。" * 40))
    repo.write("README.md", "# announcements\n")
    return repo.commit("first messages")


def test_push_picks_exactly_the_added_and_modified_message_files(repo: Repo, scratch: Path
                                                                 ) -> None:
    before = base_repo(repo)
    repo.write("messages/edited.yaml", message("edited", "改到周五下午三点。"))
    repo.write("messages/added.yaml", message("added"))
    repo.write("messages/team/nested.yml", message("nested"))
    (repo.path / "messages/deleted.yaml").unlink()
    repo.git("mv", "messages/moved.yaml", "messages/archive-moved.yaml")
    repo.git("mv", "messages/moved-edited.yaml", "messages/renamed.yaml")
    repo.write("messages/renamed.yaml", message("moved-edited", "moved-edited 的内容。" * 39))
    repo.git("mv", "drafts/ready.yaml", "messages/ready.yaml")
    repo.write("messages/weekly.vars.yaml", "week: 3\n")
    repo.write("README.md", "# announcements, edited\n")
    after = repo.commit("second batch")

    run = run_step(repo.path, scratch, event=push_event(repo, before, after),
                   inputs={"changed-only": "true"})

    assert run.code == 0, run.err
    assert linted(run) == ["messages/added.yaml", "messages/edited.yaml", "messages/ready.yaml",
                           "messages/renamed.yaml", "messages/team/nested.yml"]
    assert "deleted: `messages/deleted.yaml` (nothing to check or send)" in run.summary
    assert ("moved without changes: `messages/moved.yaml` → `messages/archive-moved.yaml`"
            in run.summary)
    assert f"`{before[:7]}..{after[:7]}`" in run.summary
    assert run.outputs["sent"] == run.outputs["skipped"] == run.outputs["failed"] == "0"


def test_push_of_several_commits_counts_them_all_but_not_older_ones(repo: Repo, scratch: Path
                                                                     ) -> None:
    repo.write("messages/old.yaml", message("old"))
    repo.commit("old")
    repo.write("messages/old.yaml", message("old", "上一次推送的修改。"))
    before = repo.commit("pushed earlier")
    repo.write("messages/one.yaml", message("one"))
    repo.commit("one")
    repo.write("messages/two.yaml", message("two"))
    after = repo.commit("two")

    run = run_step(repo.path, scratch, event=push_event(repo, before, after),
                   inputs={"changed-only": "true"})

    assert linted(run) == ["messages/one.yaml", "messages/two.yaml"]


def test_first_push_of_a_repository_takes_every_message_file(repo: Repo, scratch: Path) -> None:
    repo.write("messages/a.yaml", message("a"))
    repo.write("messages/b.yaml", message("b"))
    repo.write("notes.txt", "not a message\n")
    after = repo.commit("initial commit")

    run = run_step(repo.path, scratch, event=push_event(repo, ZERO, after),
                   inputs={"changed-only": "true"})

    assert run.code == 0, run.err
    assert linted(run) == ["messages/a.yaml", "messages/b.yaml"]


def test_new_branch_takes_the_pushed_head_commit(repo: Repo, scratch: Path) -> None:
    repo.write("messages/a.yaml", message("a"))
    repo.commit("on main")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("messages/b.yaml", message("b"))
    after = repo.commit("on the new branch")

    run = run_step(repo.path, scratch, event=push_event(repo, ZERO, after,
                                                        ref="refs/heads/feature"),
                   inputs={"changed-only": "true"})

    assert linted(run) == ["messages/b.yaml"]


def test_deleting_a_branch_selects_nothing(repo: Repo, scratch: Path) -> None:
    repo.write("messages/a.yaml", message("a"))
    before = repo.commit("a")

    run = run_step(repo.path, scratch, event=push_event(repo, before, ZERO, deleted=True),
                   inputs={"changed-only": "true", "command": "send", "webhook": TOKEN})

    assert run.code == 0, run.err
    assert run.outputs["sent"] == "0"
    assert run.results == {"results": [], "counts": {"sent": 0, "skipped": 0, "failed": 0}}
    assert "Nothing to send." in run.summary


def test_a_push_that_removes_the_whole_directory_selects_nothing(repo: Repo, scratch: Path
                                                                 ) -> None:
    repo.write("messages/a.yaml", message("a"))
    repo.write("announcements/b.yaml", message("b"))
    before = repo.commit("two folders")
    repo.git("rm", "-q", "-r", "messages")
    after = repo.commit("retire messages/")
    event = push_event(repo, before, after)

    run = run_step(repo.path, scratch, event=event,
                   inputs={"changed-only": "true", "paths": "messages\nannouncements"})
    assert run.code == 0, run.out
    assert linted(run) == []
    assert "deleted: `messages/a.yaml` (nothing to check or send)" in run.summary

    typo = run_step(repo.path, scratch, event=event,
                    inputs={"changed-only": "true", "paths": "mesages"})
    assert typo.code == 2
    assert typo.out == "::error title=msgspec-dd::mesages: no such file or directory\n"


def test_a_shallow_clone_fetches_the_commit_before_the_push(tmp_path: Path) -> None:
    origin = Repo(tmp_path / "origin")
    origin.write("messages/a.yaml", message("a"))
    before = origin.commit("a")
    origin.write("messages/b.yaml", message("b"))
    origin.commit("b")
    origin.write("messages/c.yaml", message("c"))
    after = origin.commit("c")
    clone = tmp_path / "clone"
    origin.git("clone", "-q", "--depth=1", f"file://{origin.path}", str(clone))
    event = push_event(origin, before, after)

    run = run_step(clone, tmp_path / "runner", event=event, inputs={"changed-only": "true"})

    assert run.code == 0, run.err
    assert linted(run) == ["messages/b.yaml", "messages/c.yaml"]


def test_a_commit_that_cannot_be_found_is_a_clear_error(repo: Repo, scratch: Path) -> None:
    repo.write("messages/a.yaml", message("a"))
    after = repo.commit("a")
    event = push_event(repo, after, after) | {"before": "1" * 40}

    run = run_step(repo.path, scratch, event=event, inputs={"changed-only": "true"})

    assert run.code == 2
    assert run.out.startswith("::error title=msgspec-dd::the commit before the push (before) "
                              "111111111111 is not in this clone and could not be fetched")
    assert "fetch-depth: 0" in run.out
    assert "Traceback" not in run.err


# -- changed-only on pull requests -----------------------------------------------------------------

def branched(repo: Repo) -> tuple[str, str, str]:
    """main and feature diverged: (main tip, feature tip, the point where they split)."""
    repo.write("messages/a.yaml", message("a"))
    repo.write("messages/b.yaml", message("b"))
    fork = repo.commit("start")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("messages/a.yaml", message("a", "评审中修改。"))
    repo.write("messages/new.yaml", message("new"))
    feature = repo.commit("feature work")
    repo.git("checkout", "-q", "main")
    repo.write("messages/b.yaml", message("b", "main 上另有修改，不属于这个 PR。"))
    main = repo.commit("meanwhile on main")
    return main, feature, fork


def test_pull_request_merge_commit_picks_the_pull_requests_files(repo: Repo, scratch: Path
                                                                 ) -> None:
    main, feature, _ = branched(repo)
    # What actions/checkout checks out for pull_request: the merge of the head into the base.
    repo.git("checkout", "-q", "--detach", main)
    repo.git("merge", "-q", "--no-ff", "-m", "Merge feature into main", feature)

    run = run_step(repo.path, scratch, event_name="pull_request",
                   event=pull_request_event(main, feature),
                   inputs={"changed-only": "true", "command": "preview"})

    assert run.code == 0, run.err
    assert linted(run) == ["messages/a.yaml", "messages/new.yaml"]
    assert f"changed by this pull request under `messages` (`{main[:7]}.." in run.summary


def test_pull_request_head_checkout_diffs_from_the_merge_base(repo: Repo, scratch: Path) -> None:
    main, feature, fork = branched(repo)
    repo.git("checkout", "-q", feature)

    run = run_step(repo.path, scratch, event_name="pull_request",
                   event=pull_request_event(main, feature), inputs={"changed-only": "true"})

    assert linted(run) == ["messages/a.yaml", "messages/new.yaml"]
    assert f"`{fork[:7]}..{feature[:7]}`" in run.summary


def test_changed_only_on_a_schedule_is_refused(repo: Repo, scratch: Path) -> None:
    repo.write("messages/a.yaml", message("a"))
    repo.commit("a")

    run = run_step(repo.path, scratch, event_name="schedule", event={"schedule": "0 8 * * 5"},
                   inputs={"changed-only": "true", "command": "send"})

    assert run.code == 2
    assert run.out == ("::error title=msgspec-dd::changed-only works on push and pull_request "
                       "events, not schedule; set changed-only: false (or leave it out) for this "
                       "trigger\n")
    assert run.outputs["sent"] == "0"


# -- review: annotations and the summary -----------------------------------------------------------

def test_lint_problems_become_annotations_on_their_lines(repo: Repo, scratch: Path) -> None:
    repo.write("messages/ok.yaml", message("ok"))
    repo.write("messages/bad.yaml", BAD)
    repo.commit("two messages")

    run = run_step(repo.path, scratch, event_name="pull_request", inputs={"command": "lint"})

    assert run.code == 1
    assert run.out == ("::error file=messages/bad.yaml,line=6,col=17,title=yaml-trap::atMobiles "
                       "entry 13800138000 is a number (an unquoted phone number or id); quote it: "
                       '"13800138000"\n')
    assert run.results["errors"] == 1
    assert run.results["problems"][0]["line"] == 6
    assert "| `messages/bad.yaml:6:17` | **error** | yaml-trap |" in run.summary
    assert "### `messages/bad.yaml`\n\n*Not rendered: 1 error; see above*" in run.summary
    assert "### `messages/ok.yaml`" in run.summary


def test_summary_shows_each_message_as_rendered_with_its_examples(repo: Repo, scratch: Path
                                                                   ) -> None:
    for name in ("action-card-multi", "feed-card", "link", "markdown", "text", "weekly"):
        source = Path(__file__).resolve().parents[2] / "messages" / f"{name}.yaml"
        repo.write(f"messages/{name}.yaml", source.read_text(encoding="utf-8"))
    repo.commit("DingTalk's examples")

    run = run_step(repo.path, scratch, event_name="pull_request", inputs={"command": "preview"})

    assert run.code == 0, run.err
    files = linted(run)
    assert len(files) == 6
    bodies = summary_bodies(run.summary)
    assert [b["msgtype"] for b in bodies] == ["actionCard", "feedCard", "link", "markdown",
                                               "text", "actionCard"]
    for path, body in zip(files, bodies, strict=True):
        if path != "messages/weekly.yaml":  # weekly prints today's date
            assert body == render(repo, path)
    summary = run.summary
    assert "> **[时代的火车向前开](<https://www.dingtalk.com/>)**" in summary  # link
    assert "**[内容不错](<https://www.dingtalk.com/>)**<br>**[不感兴趣](" in summary  # buttons
    assert "> #### 杭州天气 @13900139000" in summary  # markdown passes through
    assert "> 我就是我, \\@13800138000 是不一样的烟火" in summary  # text is escaped
    assert "> *mentions: \\@13800138000*" in summary
    assert "第 48 周学习周报" in summary  # weekly rendered with its example week
    page = Path(run.outputs["preview"])
    assert page.parent == scratch and "第 48 周学习周报" in page.read_text(encoding="utf-8")


# -- send ----------------------------------------------------------------------------------------

def test_send_delivers_changed_messages_and_never_shows_a_credential(
        repo: Repo, scratch: Path, sandbox: SandboxServer) -> None:
    before = base_repo(repo)
    repo.write("messages/edited.yaml", message("edited", "改到周五下午三点。"))
    repo.write("messages/added.yaml", message("added"))
    after = repo.commit("two changes")

    run = run_step(repo.path, scratch, event=push_event(repo, before, after),
                   inputs={"command": "send", "changed-only": "true", "webhook": sandbox.url,
                           "secret": SECRET})

    assert run.code == 0, run.err
    assert [m["markdown"]["title"] for m in sandbox.messages] == ["added", "edited"]
    assert all(m["msgUuid"] for m in sandbox.messages)
    assert (run.outputs["sent"], run.outputs["skipped"], run.outputs["failed"]) == ("2", "0", "0")
    results = run.results
    assert results["counts"] == {"sent": 2, "skipped": 0, "failed": 0}
    assert [(r["path"], r["robot"], r["status"]) for r in results["results"]] == [
        ("messages/added.yaml", "default", "sent"), ("messages/edited.yaml", "default", "sent")]
    assert "msgspec-dd: messages/added.yaml -> default: sent" in run.err
    assert "**2 sent, 0 skipped, 0 failed**" in run.summary
    assert "| `messages/added.yaml` | default | sent |" in run.summary
    arrived = [{k: v for k, v in m.items() if k != "msgUuid"} for m in sandbox.messages]
    assert summary_bodies(run.summary) == arrived
    assert run.out == ""  # no annotations: both messages are clean
    assert_no_credentials(run)


NOW = """\
message:
  msgtype: text
  text:
    content: "sent at {{ now.isoformat() }}"
"""


def test_summary_shows_exactly_the_body_that_was_posted(repo: Repo, scratch: Path,
                                                         sandbox: SandboxServer) -> None:
    # The body changes from one rendering to the next (microseconds of now): a summary rendered
    # apart from the send would show another body than the group got.
    repo.write("messages/now.yaml", NOW)
    repo.commit("now")

    run = run_step(repo.path, scratch, inputs={"command": "send", "webhook": sandbox.url,
                                               "secret": SECRET})

    assert run.code == 0, run.err
    [arrived] = sandbox.messages
    assert summary_bodies(run.summary) == [{k: v for k, v in arrived.items() if k != "msgUuid"}]
    assert f"> {plain(arrived['text']['content'])}\n" in run.summary
    assert "**text** to `default` · as posted by this run" in run.summary


def test_a_missing_variable_stops_send_before_any_post(repo: Repo, scratch: Path,
                                                       sandbox: SandboxServer) -> None:
    repo.write("messages/weekly.yaml", "vars:\n  week: {type: integer}\nmessage:\n  msgtype: text\n"
                                       "  text: {content: 'week {{ week }}'}\n")
    repo.commit("weekly")

    run = run_step(repo.path, scratch, inputs={"command": "send", "webhook": sandbox.url})

    assert run.code == 1
    assert sandbox.requests == 0
    assert run.outputs["sent"] == "0"
    assert "messages/weekly.yaml:" in run.err and "week" in run.err
    assert "send stopped before posting anything:" in run.summary
    assert "1 problem in messages, so nothing was done" in run.summary
    assert summary_bodies(run.summary) == []


def test_a_failed_delivery_is_counted_explained_and_still_hides_credentials(
        repo: Repo, scratch: Path) -> None:
    repo.write("messages/a.yaml", message("a"))
    after = repo.commit("a")
    settings = SandboxSettings(token=TOKEN, secret=SECRET, keywords=("定时推送",))
    with SandboxServer(settings) as server:
        run = run_step(repo.path, scratch, event=push_event(repo, ZERO, after),
                       inputs={"command": "send", "changed-only": "true",
                               "webhook": server.url, "secret": SECRET})
        assert server.messages == []

    assert run.code == 1
    assert (run.outputs["sent"], run.outputs["failed"]) == ("0", "1")
    [result] = run.results["results"]
    assert result["status"] == "failed" and result["errcode"] == 310000
    assert "| `messages/a.yaml` | default | **failed** | errcode 310000" in run.summary
    assert_no_credentials(run)


def test_a_wrong_secret_fails_without_showing_either_secret(repo: Repo, scratch: Path,
                                                          sandbox: SandboxServer) -> None:
    repo.write("messages/a.yaml", message("a"))
    repo.commit("a")
    wrong = "SEC" + "e5" * 32

    run = run_step(repo.path, scratch, inputs={"command": "send", "webhook": sandbox.url,
                                               "secret": wrong})

    assert run.code == 1
    assert run.outputs["failed"] == "1"
    assert sandbox.messages == []
    assert wrong not in run.everything
    assert_no_credentials(run)


def test_dry_run_posts_nothing(repo: Repo, scratch: Path, sandbox: SandboxServer) -> None:
    repo.write("messages/a.yaml", message("a"))
    repo.commit("a")

    run = run_step(repo.path, scratch, inputs={"command": "send", "dry-run": "true",
                                               "webhook": sandbox.url, "secret": SECRET})

    assert run.code == 0, run.err
    assert sandbox.requests == 0
    assert run.outputs["sent"] == "0"
    assert [m["path"] for m in run.results["messages"]] == ["messages/a.yaml"]
    assert ("**Dry run**: every message was rendered and validated; nothing was posted."
            in run.summary)
    assert "dry run, not posted" in run.summary
    assert_no_credentials(run)


def test_vars_and_a_robot_from_the_config(repo: Repo, scratch: Path,
                                          sandbox: SandboxServer) -> None:
    source = Path(__file__).resolve().parents[2] / "messages" / "weekly.yaml"
    repo.write("messages/weekly.yaml", source.read_text(encoding="utf-8"))
    repo.write("msgspec-dd.yaml", "robots:\n  study:\n    webhook_env: STUDY_WEBHOOK\n"
                                  "    secret_env: STUDY_SECRET\n")
    repo.commit("weekly")

    run = run_step(repo.path, scratch, inputs={
        "command": "send", "paths": "messages/weekly.yaml", "vars": "week=7\nhost=李雷\n",
        "robot": "study", "webhook": sandbox.url, "secret": SECRET})

    assert run.code == 0, run.err
    [body] = sandbox.messages
    assert body["actionCard"]["title"] == "第 7 周学习周报"
    assert "本周分享：**李雷**" in body["actionCard"]["text"]
    assert run.results["results"][0]["robot"] == "study"
    assert "**actionCard** to `study` · as posted by this run" in run.summary
    assert_no_credentials(run)


def test_a_missing_webhook_is_a_configuration_error_before_any_post(repo: Repo, scratch: Path
                                                                    ) -> None:
    repo.write("messages/a.yaml", message("a"))
    repo.commit("a")

    run = run_step(repo.path, scratch, inputs={"command": "send"})

    assert run.code == 2
    assert run.outputs["sent"] == "0"
    assert "DINGTALK_WEBHOOK" in run.err
    assert "send stopped before posting anything:" in run.summary
    assert "DINGTALK_WEBHOOK" in run.summary


# -- masking and bad input -----------------------------------------------------------------------

def test_mask_hides_the_webhook_its_token_and_the_secret(repo: Repo, scratch: Path) -> None:
    url = f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"

    run = run_step(repo.path, scratch, args=("mask",),
                   inputs={"webhook": url + "\n", "secret": SECRET})

    assert run.code == 0
    assert run.out == f"::add-mask::{url}\n::add-mask::{TOKEN}\n::add-mask::{SECRET}\n"
    assert run.err == ""


def test_bad_input_is_an_error_annotation_not_a_traceback(repo: Repo, scratch: Path) -> None:
    run = run_step(repo.path, scratch, inputs={"command": "publish", "webhook": TOKEN})

    assert run.code == 2
    assert run.out == ("::error title=msgspec-dd::input command: 'publish' is not one of lint, "
                       "send, preview, recall\n")
    assert run.err == ""
    assert_no_credentials(run)

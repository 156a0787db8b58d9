"""``send`` and ``when:``: a folder sends its change files, a named file is sent, ``--changed-since``.

Real processes in real temporary git repositories; ``--dry-run`` shows what would be posted.
"""

from __future__ import annotations

from pathlib import Path

from tests.action.test_sim import Repo, clean_environ
from tests.clirun import Run, run_cli

WEEKLY = "when: {cron: '0 8 * * 5', grace: 2h}\n"


def message(title: str, when: str = "") -> str:
    return when + f"message: {{msgtype: text, text: {{content: '{title}'}}}}\n"


def send(cwd: Path, *args: str) -> Run:
    return run_cli(["send", "--dry-run", *args], cwd=cwd, env=clean_environ())


def contents(run: Run) -> list[str]:
    return [line.strip().removeprefix('"content": ').strip('"') for line in run.out.splitlines()
            if '"content"' in line]


def test_a_folder_sends_its_change_files_and_names_the_others(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("messages/news.yaml", message("news"))
    repo.write("messages/weekly.yaml", message("weekly", WEEKLY))
    repo.write("messages/hand.yaml", message("hand", "when: manual\n"))
    result = send(repo.path, "messages")
    assert result.code == 0, result.err
    assert contents(result) == ["news"]
    assert "msgspec-dd: not sent: messages/hand.yaml is when: manual (name the file to send it)" in result.err
    assert ("msgspec-dd: not sent: messages/weekly.yaml is when: cron (At 08:00, only on Friday "
            in result.err)


def test_a_file_named_explicitly_is_sent_whatever_its_when(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("messages/weekly.yaml", message("weekly", WEEKLY))
    repo.write("messages/hand.yaml", message("hand", "when: manual\n"))
    result = send(repo.path, "messages/weekly.yaml", "messages/hand.yaml")
    assert result.code == 0, result.err
    assert contents(result) == ["weekly", "hand"]
    assert "not sent:" not in result.err


def test_a_folder_of_scheduled_files_sends_nothing_and_says_why(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("messages/weekly.yaml", message("weekly", WEEKLY))
    result = send(repo.path, "messages")
    assert (result.code, result.out) == (0, "")
    assert result.err.endswith("msgspec-dd: no message file in messages is sent on change; nothing to send\n")


def test_an_invalid_when_in_a_folder_is_reported_not_skipped(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.write("messages/odd.yaml", message("odd", "when: {cron: '0 8 30 2 *'}\n"))
    result = send(repo.path, "messages")
    assert result.code == 1
    assert "messages/odd.yaml:1:14: error: cron '0 8 30 2 *' never fires" in result.err
    assert result.out == ""


def changed_repo(path: Path) -> Repo:
    repo = Repo(path)
    repo.write("messages/kept.yaml", message("kept"))
    repo.write("messages/edited.yaml", message("edited v1"))
    repo.write("messages/moved.yaml", message("moved"))
    repo.write("messages/renamed.yaml", message("renamed v1 with enough text to be found as a rename"))
    repo.write("messages/gone.yaml", message("gone"))
    repo.write("drafts/draft.yaml", message("draft"))
    repo.commit("first")
    repo.write("messages/edited.yaml", message("edited v2"))
    repo.write("messages/added.yaml", message("added"))
    repo.write("messages/weekly.yaml", message("weekly", WEEKLY))
    repo.write("messages/hand.yaml", message("hand", "when: manual\n"))
    repo.git("mv", "messages/moved.yaml", "messages/sub-moved.yaml")
    repo.git("mv", "messages/renamed.yaml", "messages/renamed-2.yaml")
    repo.write("messages/renamed-2.yaml", message("renamed v2 with enough text to be found as a rename"))
    repo.git("mv", "drafts/draft.yaml", "messages/published.yaml")
    repo.git("rm", "-q", "messages/gone.yaml")
    repo.commit("second")
    return repo


def test_changed_since_sends_added_and_modified_change_files(tmp_path: Path) -> None:
    repo = changed_repo(tmp_path / "repo")
    result = send(repo.path, "--changed-since", "HEAD~1")
    assert result.code == 0, result.err
    # Sorted paths: added, edited, published (moved in from drafts/ unchanged: its text is "draft"),
    # renamed-2 (renamed and edited). A pure move inside messages/ is not sent again.
    assert contents(result) == ["added", "edited v2", "draft",
                                "renamed v2 with enough text to be found as a rename"]
    assert "not sent: messages/hand.yaml is when: manual" in result.err
    assert "not sent: messages/weekly.yaml is when: cron" in result.err
    for untouched in ("kept", "moved"):
        assert untouched not in contents(result)


def test_changed_since_with_nothing_changed_says_so(tmp_path: Path) -> None:
    repo = changed_repo(tmp_path / "repo")
    result = send(repo.path, "messages", "--changed-since", "HEAD")
    assert (result.code, result.out) == (0, "")
    assert result.err == ("msgspec-dd: no when: change message file in messages changed since HEAD; "
                          "nothing to send\n")


def test_changed_since_works_from_another_directory(tmp_path: Path) -> None:
    repo = changed_repo(tmp_path / "repo")
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    result = send(elsewhere, str(repo.path / "messages"), "--changed-since", "HEAD~1")
    assert result.code == 0, result.err
    assert len(contents(result)) == 4


def test_changed_since_an_unknown_ref_is_a_usage_error(tmp_path: Path) -> None:
    repo = changed_repo(tmp_path / "repo")
    result = send(repo.path, "--changed-since", "no-such-branch")
    assert result.code == 2
    assert "--changed-since 'no-such-branch': no such commit" in result.err
    assert "Traceback" not in result.err


def test_changed_since_outside_git_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "messages").mkdir()
    result = send(tmp_path, "--changed-since", "HEAD~1")
    assert result.code == 2
    assert "--changed-since needs a git checkout" in result.err


def test_send_without_paths_says_what_to_give(tmp_path: Path) -> None:
    result = send(tmp_path)
    assert result.code == 2
    assert "send needs a PATH" in result.err

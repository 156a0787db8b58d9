"""Nothing from a message file can inject into GitHub: the log, the job summary, the outputs.

A file name from a pull request may hold line breaks, ``::error`` and markdown or HTML. It goes
through the action's step under the simulated runner (real git repositories, a real process)
and through the CLI with ``GITHUB_ACTIONS=true``; then every line of the log is checked to be
either one of the tool's own, well-formed annotations or not a workflow command at all, and the
summary is rendered with a real markdown parser to check its headings, tables and HTML.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from msgspec_dd.action.limits import GITHUB_LIMIT
from msgspec_dd.sandbox import SandboxServer
from tests.action.test_sim import SECRET, Repo, StepRun, clean_environ, message, run_step

HOSTILE = "messages/a\n::error title=Injected::pwned\n## Fake heading ##[warning]w <img src=x> `x` | y.yaml"
#: The only workflow commands the tool itself writes: annotations with escaped properties.
ANNOTATION = re.compile(r"::(error|warning) file=[^:,\n]*,line=\d+,col=\d+,title=[^:,\n]*::.*")
BAD_TEXT = "请 @13800138000 查看"
BAD = f"message:\n  msgtype: text\n  text:\n    content: {BAD_TEXT}\n  at:\n    atMobiles: [13800138000]\n"
HOSTILE_TEXT = "本周例会 </details><!-- <img src=x>\n## Fake heading\r# also fake"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.write("messages/ok.yaml", message("ok"))
    return repo


def assert_log_is_safe(text: str) -> None:
    """Every line is an annotation of the tool's own or starts no workflow command."""
    for line in text.splitlines():
        if line.lstrip().startswith("::"):  # read as that command, so its ``##[`` is only text
            assert ANNOTATION.fullmatch(line), line
        else:
            assert "##[" not in line, line  # the older command form, anywhere in a line
        assert "Injected" not in line or "\\n::error title=Injected" in line or "%0A" in line


def headings(summary: str) -> list[str]:
    tokens = MarkdownIt("commonmark").enable("table").parse(summary)
    return [tokens[i + 1].content for i, t in enumerate(tokens)
            if t.type == "heading_open" and t.level == 0]  # not those of a message's own markdown


def assert_summary_is_safe(summary: str, files: int) -> None:
    html = MarkdownIt("commonmark").enable("table").render(summary)
    assert "<img src=x" not in html and "<img src=\"x\"" not in html
    assert "<!--" not in html and html.count("<details>") == html.count("</details>")
    found = headings(summary)
    assert found[0].startswith("msgspec-dd ")
    assert len(found) == 1 + files, found  # one heading per message, none from a file name
    for row in re.findall(r"^\|.*\|$", summary, re.M):
        if not row.startswith("| ---"):
            cells = re.split(r"(?<!\\)\|", row)[1:-1]
            assert len(cells) == 4, row


def test_lint_in_the_action(repo: Repo, scratch: Path) -> None:
    repo.write(HOSTILE, BAD)
    repo.commit("a hostile name")

    run = run_step(repo.path, scratch, event_name="pull_request", inputs={"command": "lint"})

    assert run.code == 1
    assert run.out.count("\n") == 1 and run.out.startswith("::error file=messages/a%0A%3A%3Aerror")
    assert_log_is_safe(run.out + run.err)
    assert_summary_is_safe(run.summary, files=2)
    assert run.results["files"] == [HOSTILE, "messages/ok.yaml"]
    assert set(run.outputs) == {"sent", "skipped", "failed", "results"}


def test_send_stopped_by_problems_in_the_action(repo: Repo, scratch: Path) -> None:
    repo.write(HOSTILE, BAD)
    repo.commit("a hostile name")

    run = run_step(repo.path, scratch, inputs={"command": "send", "dry-run": "true"})

    assert run.code == 1
    assert "a\\n::error title=Injected::pwned\\n## Fake heading" in run.err  # the stopped lines
    assert_log_is_safe(run.out + run.err)
    assert_summary_is_safe(run.summary, files=0)
    assert "send stopped before posting anything" in run.summary


def test_send_in_the_action(repo: Repo, scratch: Path, sandbox: SandboxServer) -> None:
    repo.write(HOSTILE, message("hostile", HOSTILE_TEXT))
    repo.commit("a hostile name and text")

    run = run_step(repo.path, scratch, inputs={"command": "send", "webhook": sandbox.url,
                                               "secret": SECRET})

    assert run.code == 0, run.err
    assert len(sandbox.messages) == 2
    assert "msgspec-dd: messages/a\\n::error title=Injected::pwned\\n## Fake heading" in run.err
    assert_log_is_safe(run.out + run.err)
    assert_summary_is_safe(run.summary, files=2)
    assert [r["path"] for r in run.results["results"]] == [HOSTILE, "messages/ok.yaml"]


@pytest.fixture
def huge(repo: Repo) -> Repo:
    """A 520 KB file with 40,000 unquoted atMobiles: 40,000 problems."""
    mobiles = ", ".join(str(13800000000 + n) for n in range(40_000))
    repo.write("messages/huge.yaml", f"message:\n  msgtype: text\n  text:\n    content: 大\n"
               f"  at:\n    atMobiles: [{mobiles}]\n")
    repo.commit("a huge file")
    return repo


def assert_under_limits(run: StepRun) -> None:
    assert run.code == 1
    assert len(run.summary.encode()) < GITHUB_LIMIT
    assert "*Cut here" not in run.summary  # each part kept to its budget, no blind cut
    for value in run.outputs.values():
        assert len(value.encode()) < GITHUB_LIMIT


def test_a_lint_summary_and_each_output_stay_under_githubs_limit(huge: Repo, scratch: Path
                                                                 ) -> None:
    run = run_step(huge.path, scratch, event_name="pull_request", inputs={"command": "lint"})
    assert_under_limits(run)
    assert "more problems not shown: the job summary is limited to 1 MiB" in run.summary
    results = run.results
    assert results["errors"] == 40_000
    assert 0 < len(results["problems"]) < 40_000
    assert results["truncated"] == {"problems": 40_000 - len(results["problems"])}


def test_a_stopped_send_summary_stays_under_githubs_limit(huge: Repo, scratch: Path) -> None:
    run = run_step(huge.path, scratch, inputs={"command": "send", "dry-run": "true"})
    assert_under_limits(run)
    assert "more lines not shown: the job log has every one" in run.summary
    assert "more problems not shown" in run.summary


# -- the CLI inside Actions -----------------------------------------------------------------------

def cli(repo: Repo, *args: str) -> StepRun:
    env = {**clean_environ(), "GITHUB_ACTIONS": "true"}
    proc = subprocess.run([sys.executable, "-m", "msgspec_dd", *args], cwd=repo.path, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    return StepRun(proc.returncode, proc.stdout, proc.stderr)


@pytest.mark.parametrize("format_", ["auto", "text", "json"])
def test_lint_in_actions(repo: Repo, format_: str) -> None:
    repo.write(HOSTILE, BAD)
    run = cli(repo, "lint", "--format", format_)
    assert run.code == 1
    assert_log_is_safe(run.out + run.err)
    if format_ == "json":
        assert json.loads(run.out)["files"][0] == HOSTILE


def test_send_dry_run_in_actions(repo: Repo) -> None:
    repo.write(HOSTILE, message("hostile", HOSTILE_TEXT))
    run = cli(repo, "send", "--dry-run", "messages")
    assert run.code == 0, run.err
    assert "msgspec-dd: messages/a\\n::error title=Injected::pwned\\n## Fake heading" in run.err
    assert_log_is_safe(run.out + run.err)


def test_send_stopped_by_problems_in_actions(repo: Repo) -> None:
    repo.write(HOSTILE, BAD)
    run = cli(repo, "send", "--dry-run", "messages")
    assert run.code == 1
    assert_log_is_safe(run.out + run.err)

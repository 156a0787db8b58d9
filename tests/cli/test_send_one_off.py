"""One-off sends: ``send -`` (a message file on stdin) and ``send --text``, through the same
pipeline as files: validation, keywords, the ledger. Real processes, real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from msgspec_dd.sandbox import SandboxServer, SandboxSettings

CONFIG = """\
robots:
  default:
    webhook_env: T_HOOK
    keywords: [日报]
"""


@pytest.fixture
def robot(tmp_path: Path) -> Iterator[SandboxServer]:
    (tmp_path / "msgspec-dd.yaml").write_text(CONFIG, "utf-8")
    with SandboxServer(SandboxSettings(keywords=("日报",))) as server:
        yield server


def send(cwd: Path, robot: SandboxServer, *args: str, stdin: str = ""
         ) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "msgspec_dd", "send", *args], cwd=cwd,
                          env={**os.environ, "T_HOOK": robot.url}, input=stdin,
                          capture_output=True, text=True, timeout=60, check=False)
    assert "Traceback" not in done.stderr and robot.token not in done.stdout + done.stderr
    return done


def contents(robot: SandboxServer) -> list[str]:
    return [body["text"]["content"] for body in robot.messages]


@pytest.mark.parametrize("source", [
    "robot: default\nmessage:\n  msgtype: text\n  text:\n    content: 日报 {{ 1 + 1 }}\n",
    '{"message": {"msgtype": "text", "text": {"content": "日报 {{ 1 + 1 }}"}}}',
    '{"msgtype": "text", "text": {"content": "日报 {{ 1 + 1 }}"}}',
    "msgtype: text\ntext:\n  content: 日报 {{ 1 + 1 }}\n",
], ids=["yaml", "json", "bare-json-body", "bare-yaml-body"])
def test_stdin_takes_a_message_file_or_a_bare_body(
    tmp_path: Path, robot: SandboxServer, source: str
) -> None:
    done = send(tmp_path, robot, "-", stdin=source)
    assert (done.returncode, done.stdout) == (0, "<stdin> -> default: sent\n"), done.stderr
    assert contents(robot) == ["日报 2"]  # a template, as in any message file


def test_stdin_problems_are_located_in_stdin(tmp_path: Path, robot: SandboxServer) -> None:
    done = send(tmp_path, robot, "-", "--format", "json",
                stdin='{"msgtype": "text", "text": {"content": "no keyword"}}')
    assert done.returncode == 1 and robot.requests == 0
    document = json.loads(done.stdout)
    assert [(p["path"], p["rule"], p["level"]) for p in document["problems"]] == [
        ("<stdin>", "missing-keyword", "error")]
    assert document["results"] == [] and document["exitCode"] == 1


def test_text_is_sent_as_typed_and_the_ledger_knows_it(tmp_path: Path, robot: SandboxServer) -> None:
    done = send(tmp_path, robot, "--text", "日报 {{ not a template }}", "--ledger", "l.jsonl")
    assert (done.returncode, done.stdout) == (0, "<text> -> default: sent\n"), done.stderr
    again = send(tmp_path, robot, "--text", "日报 {{ not a template }}", "--ledger", "l.jsonl")
    assert again.stdout == "<text> -> default: skipped (already sent)\n"
    other = send(tmp_path, robot, "--text", "日报 two", "--ledger", "l.jsonl")
    assert other.stdout == "<text> -> default: sent\n"
    assert contents(robot) == ["日报 {{ not a template }}", "日报 two"]


def test_text_without_a_keyword_is_refused_before_any_post(tmp_path: Path, robot: SandboxServer) -> None:
    done = send(tmp_path, robot, "--text", "hello")
    assert (done.returncode, done.stdout) == (1, "")
    assert "<text>:" in done.stderr and "[missing-keyword]" in done.stderr
    assert robot.requests == 0


@pytest.mark.parametrize(("args", "message"), [
    (["-", "x.yaml"], "send -: reads one message from stdin; give no other PATH with it"),
    (["--text", "日报", "x.yaml"], "send --text: sends one text message; give no PATH with it"),
    (["--text", "日报", "--var", "a=1"],
     "--text is sent as it is; --var and --vars-file do not apply to it"),
    (["-", "--changed-since", "HEAD"],
     "--changed-since selects message files; it cannot go with - or --text"),
])
def test_a_one_off_mixed_with_what_it_cannot_go_with_is_a_usage_error(
    tmp_path: Path, robot: SandboxServer, args: list[str], message: str
) -> None:
    done = send(tmp_path, robot, *args)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"msgspec-dd: {message}\n")

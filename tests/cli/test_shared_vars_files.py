"""A shared ``--vars-file`` (issue 11, point 7): a key no file of the batch declares is a note on
stderr, not an error; a ``--var`` no file declares stays an error (a typo on the command line).

Checked in the commands that do not lint: ``render``, ``send --dry-run`` and ``preview``, each
through the real CLI.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from msgspec_dd.cli import main
from tests.clirun import run_cli

WEEKLY = """\
vars:
  week: {type: integer, examples: [1]}
message:
  msgtype: text
  text:
    content: "第 {{ week }} 周"
"""
#: One file for many messages: ``team`` is some other message's variable.
COMMON = "week: 7\nteam: 运维\n"
NOTE = "note: --vars-file common.vars.yaml: team not declared by any message file of this batch; ignored"
TYPO = ("variable wek not declared by any message file (a typo?); check the names under 'vars:'")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "weekly.yaml").write_text(WEEKLY, encoding="utf-8")
    (tmp_path / "common.vars.yaml").write_text(COMMON, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DINGTALK_WEBHOOK", "https://127.0.0.1:9/robot/send?access_token=x")
    monkeypatch.delenv("DINGTALK_SECRET", raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    code = exited.value.code
    return (code if isinstance(code, int) else 1), out, err


def test_render_notes_a_shared_key_and_renders(project: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "DINGTALK_"))}
    result = run_cli(["render", "weekly.yaml", "--vars-file", "common.vars.yaml"], cwd=project, env=env)
    assert (result.code, result.err) == (0, NOTE + "\n")
    assert json.loads(result.out)["text"]["content"] == "第 7 周"


def test_send_dry_run_notes_a_shared_key_and_goes_on(project: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "send", "weekly.yaml", "--vars-file", "common.vars.yaml", "--dry-run")
    assert code == 0
    assert NOTE in err.splitlines()
    assert "第 7 周" in out


def test_preview_notes_a_shared_key_and_writes_the_page(project: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "preview", "weekly.yaml", "--vars-file", "common.vars.yaml", "-o", "-")
    assert code == 0
    assert NOTE in err.splitlines()
    assert "第 7 周" in out


def test_a_key_some_file_of_the_batch_declares_is_not_noted(project: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    (project / "team.yaml").write_text(WEEKLY.replace("week", "team").replace("integer", "string")
                                       .replace("[1]", "[a]"), encoding="utf-8")
    code, _, err = run(capsys, "send", "weekly.yaml", "team.yaml", "--vars-file", "common.vars.yaml",
                       "--dry-run")
    assert code == 0
    assert "note: --vars-file" not in err


@pytest.mark.parametrize("command", [["render"], ["send", "--dry-run"], ["preview", "-o", "-"]])
def test_a_var_no_file_declares_stays_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str],
                                                    command: list[str]) -> None:
    code, out, err = run(capsys, command[0], "weekly.yaml", *command[1:], "--vars-file", "common.vars.yaml",
                         "--var", "wek=3")
    assert (code, out) == (2, "")
    assert err == f"msgspec-dd: {TYPO}\n"

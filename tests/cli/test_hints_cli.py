"""``lint``, ``render`` and ``send`` show the same hint for a YAML mistake, and the small
messages users met say the right thing (exact lines, real processes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clirun import CASES, ROOT, run_cli

LINT = CASES / "lint"
CONFIG = str(LINT / "msgspec-dd.yaml")
#: One case per stage a hint comes from: the loader, a source rule, the renderer, a rendered rule.
CASES_SHOWN = ["yaml-at-start.yaml", "heading-as-comment.yaml", "bare-body.yaml", "helm-template.yaml",
               "template-runtime-line.yaml", "if-filters-every-item.yaml"]


def _env() -> dict[str, str]:
    return {**os.environ, "DINGTALK_WEBHOOK": "https://oapi.dingtalk.com/robot/send?access_token=abc"}


@pytest.mark.parametrize("name", CASES_SHOWN)
def test_render_and_send_show_the_hint_lint_shows(name: str) -> None:
    path = str(LINT / "bad" / name)
    lint = run_cli(["lint", "--format", "text", "--config", CONFIG, path], env=_env())
    hint = [line for line in lint.out.splitlines() if ": error: " in line]
    assert lint.code == 1 and len(hint) == 1
    for command in (["render"], ["send", "--dry-run"]):
        result = run_cli([*command, "--config", CONFIG, path], env=_env())
        assert result.code == 1, result.err
        assert result.err.splitlines()[0] == hint[0]


def test_render_of_a_pipe_says_it_is_not_a_regular_file() -> None:
    proc = subprocess.run([sys.executable, "-m", "msgspec_dd", "render", "/dev/stdin"], input="a: b\n",
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert (proc.returncode, proc.stderr) == (2, "msgspec-dd: /dev/stdin: not a regular file or directory "
                                                 "(a pipe or a device); give a message file or a folder\n")


def test_a_config_that_is_not_a_regular_file_is_not_called_missing() -> None:
    result = run_cli(["render", "--config", "/dev/null", str(LINT / "good" / "everything.yaml")])
    assert (result.code, result.err) == (
        2, "msgspec-dd: /dev/null: config file is not a regular file. Check the --config path.\n")


def test_lint_and_send_locate_an_unknown_robot_at_its_name(tmp_path: Path) -> None:
    path = str(LINT / "bad" / "unknown-robot.yaml")
    lint = run_cli(["lint", "--format", "text", "--config", CONFIG, path], env=_env())
    send = run_cli(["send", "--dry-run", "--config", CONFIG, path], env=_env())
    assert lint.code == 1 and f"{path}:2:18: error: unknown robot 'ops'" in lint.out
    assert send.code == 2 and send.err.startswith(f"msgspec-dd: {path}:2:18: unknown robot 'ops'")


def test_a_missing_variable_suggests_var_not_lint(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text('vars:\n  week: {type: integer}\nmessage:\n  msgtype: text\n  text: {content: "{{ week }}"}\n',
                    encoding="utf-8")
    result = run_cli(["render", "--config", CONFIG, str(path)])
    assert result.code == 1
    assert result.err.splitlines()[-1] == ("msgspec-dd: 1 problem in messages, so nothing was done. Give the "
                                           "missing values with --var NAME=… (or --vars-file) and run again.")

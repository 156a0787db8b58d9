"""The action's inputs as ``action.yml`` hands them over, and the runner's file commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from msgspec_dd.action.inputs import ActionInputs, read_inputs
from msgspec_dd.action.runner import Runner, mask_commands
from msgspec_dd.errors import UsageError
from tests.action.test_sim import parse_file_commands

TOKEN = "5a" * 32
SECRET = "SEC" + "0f" * 32


def test_defaults_are_the_actions() -> None:
    assert read_inputs({}) == ActionInputs()
    assert read_inputs({"INPUT_COMMAND": "", "INPUT_PATHS": "\n"}).paths == ("messages",)


def test_every_input() -> None:
    inputs = read_inputs({
        "INPUT_COMMAND": "send",
        "INPUT_PATHS": "messages/a.yaml\n  messages/team  \n\n# a comment\n",
        "INPUT_CHANGED_ONLY": "True",
        "INPUT_VARS": "week=7\nnote=a=b\n",
        "INPUT_VARS_FILE": " vars.yaml ",
        "INPUT_ROBOT": "ops, study\nteam",
        "INPUT_WEBHOOK": f" {TOKEN}\n",
        "INPUT_SECRET": SECRET,
        "INPUT_DRY_RUN": "false",
    })
    assert inputs == ActionInputs("send", ("messages/a.yaml", "messages/team"), True,
                                  ("week=7", "note=a=b"), "vars.yaml", ("ops", "study", "team"),
                                  TOKEN, SECRET, False)
    assert inputs.credentials == (TOKEN, SECRET)


@pytest.mark.parametrize(("env", "message"), [
    ({"INPUT_COMMAND": "render"}, "input command: 'render' is not one of lint, send, preview, recall"),
    ({"INPUT_CHANGED_ONLY": "maybe"}, "input changed-only: expected true or false, not 'maybe'"),
    ({"INPUT_DRY_RUN": "2"}, "input dry-run: expected true or false, not '2'"),
])
def test_bad_inputs_are_usage_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        read_inputs(env)
    assert str(caught.value) == message


def test_masks_cover_the_url_its_token_and_each_line() -> None:
    url = f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"
    assert mask_commands([url, SECRET]) == [f"::add-mask::{url}", f"::add-mask::{TOKEN}",
                                            f"::add-mask::{SECRET}"]
    assert mask_commands([TOKEN]) == [f"::add-mask::{TOKEN}"]
    assert mask_commands(["one\ntwo", "", "  "]) == ["::add-mask::one", "::add-mask::two"]


def test_outputs_and_summary_are_redacted(tmp_path: Path) -> None:
    runner = Runner(tmp_path / "out", tmp_path / "summary", tmp_path, credentials=("hunter22",))
    runner.set_outputs({"sent": "1", "results": {"note": "hunter22 and " + TOKEN}})
    runner.add_summary("secret hunter22\n")
    written = (tmp_path / "out").read_text()
    assert parse_file_commands(written) == {"sent": "1", "results": '{"note":"*** and ***"}'}
    assert "hunter22" not in written and TOKEN not in written
    assert (tmp_path / "summary").read_text() == "secret ***\n"


def test_an_output_value_cannot_end_its_block_or_set_another(tmp_path: Path) -> None:
    runner = Runner(tmp_path / "out", None, tmp_path)
    hostile = "two\nlines\nsent=99\nghadelimiter_x\n"
    runner.set_outputs({"preview": hostile, "sent": "1"})
    assert parse_file_commands((tmp_path / "out").read_text()) == {
        "preview": hostile, "sent": "1"}


def test_outside_actions_nothing_is_written(tmp_path: Path) -> None:
    runner = Runner.from_env({"RUNNER_TEMP": str(tmp_path)})
    runner.set_outputs({"sent": "0"})
    runner.add_summary("x")
    assert runner.output_file is None and list(tmp_path.iterdir()) == []

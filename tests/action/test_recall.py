"""The action's ``command: recall`` in-process, against the sandbox's app API over real HTTP:
what the send job sent is taken back, counted in the outputs, listed in the summary, and no
key, secret or token shows anywhere."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from msgspec_dd.action.recall import summary
from msgspec_dd.action.run import run
from msgspec_dd.cli import main
from msgspec_dd.delivery.receipts import RecallOutcome
from msgspec_dd.sandbox import SandboxServer
from msgspec_dd.sandbox.app_api import AppApi, AppSettings
from tests.action.test_sim import Repo, parse_file_commands


@pytest.fixture
def api() -> AppApi:
    return AppApi(AppSettings())


@pytest.fixture
def server(api: AppApi) -> Iterator[SandboxServer]:
    with SandboxServer(app=api) as running:
        yield running


@pytest.fixture
def environ(server: SandboxServer, api: AppApi, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    (tmp_path / "msgspec-dd.yaml").write_text(
        "robots:\n  announce:\n    app:\n      app_key_env: T_APP_KEY\n"
        "      app_secret_env: T_APP_SECRET\n"
        f"      robot_code: {api.settings.code}\n      conversation: \"{api.settings.conversation}\"\n",
        "utf-8")
    (tmp_path / "messages").mkdir()
    (tmp_path / "messages" / "a.yaml").write_text(
        "robot: announce\nmessage:\n  msgtype: text\n  text: {content: '停机 *今晚*'}\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    env = {"T_APP_KEY": api.settings.app_key, "T_APP_SECRET": api.settings.app_secret,
           "MSGSPEC_DD_API_BASE": server.base_url}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env | {"GITHUB_OUTPUT": str(tmp_path / "out.txt"),
                  "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
                  "RUNNER_TEMP": str(tmp_path), "INPUT_COMMAND": "recall",
                  "INPUT_PATHS": "messages/a.yaml", "INPUT_LEDGER": "sent.jsonl"}


def send_first() -> None:
    with pytest.raises(SystemExit) as info:
        main(["send", "messages/a.yaml", "--ledger", "sent.jsonl"])
    assert info.value.code == 0


def step(environ: dict[str, str], tmp_path: Path) -> tuple[int, str, str, dict[str, str], str]:
    out, err = io.StringIO(), io.StringIO()
    code = run([], environ, out, err)
    outputs = parse_file_commands((tmp_path / "out.txt").read_text())
    text = (tmp_path / "summary.md").read_text()
    (tmp_path / "out.txt").unlink()
    (tmp_path / "summary.md").unlink()
    return code, out.getvalue(), err.getvalue(), outputs, text


def assert_hidden(api: AppApi, *texts: str) -> None:
    token = api._token[0] if api._token else None
    for secret in (api.settings.app_key, api.settings.app_secret, token):
        assert secret is not None
        assert not [text for text in texts if secret in text]


def test_recall_from_the_actions_tab_takes_the_message_back(
        environ: dict[str, str], api: AppApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    send_first()
    capsys.readouterr()
    key = api.records()[0]["processQueryKey"]
    code, out, err, outputs, text = step(environ, tmp_path)
    assert (code, out) == (0, "")
    assert api.records()[0]["recalled"] is True
    assert err == f"msgspec-dd: messages/a.yaml -> announce: recalled (processQueryKey {key})\n"
    assert outputs["failed"] == "0"
    assert json.loads(outputs["results"])["results"][0]["successResult"] == [key]
    assert text.startswith("## msgspec-dd recall\n\n**1 recalled, 0 not recalled**\n\n- messages/a.yaml")
    again = step(environ, tmp_path)
    assert again[0] == 1 and again[3]["failed"] == "1"
    assert json.loads(again[3]["results"])["results"][0]["failedResult"] == {
        key: "message already recalled"}
    assert_hidden(api, out, err, text, *outputs.values(), *again[1:3], again[4],
                  (tmp_path / "sent.jsonl").read_text())


def test_recall_needs_the_ledger_input_and_named_files(
        environ: dict[str, str], api: AppApi, tmp_path: Path) -> None:
    code, out, _, outputs, _ = step(environ | {"INPUT_LEDGER": ""}, tmp_path)
    assert code == 2 and out.startswith("::error title=msgspec-dd::command recall needs the ledger input")
    assert json.loads(outputs["results"])["error"].startswith("command recall needs the ledger input")
    code, out, _, _, _ = step(environ | {"INPUT_PATHS": "messages"}, tmp_path)
    assert code == 2 and "messages is a directory; recall takes the message files" in out
    assert api.records() == [] and api.token_requests == 0


def test_one_run_opens_a_git_ledger_once_however_many_files(
        environ: dict[str, str], api: AppApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    origin = tmp_path / "origin.git"
    repo = Repo(tmp_path)
    repo.git("init", "-q", "--bare", str(origin))
    repo.git("remote", "add", "origin", str(origin))
    (tmp_path / "messages" / "b.yaml").write_text(
        (tmp_path / "messages" / "a.yaml").read_text("utf-8"), "utf-8")
    with pytest.raises(SystemExit) as info:
        main(["send", "messages", "--ledger", "git:ledger"])
    assert info.value.code == 0
    capsys.readouterr()

    def pushes() -> int:
        return int(repo.git("--git-dir", str(origin), "rev-list", "--count", "refs/heads/ledger"))

    before = pushes()
    code, _, err, outputs, _ = step(environ | {"INPUT_LEDGER": "git:ledger",
                                               "INPUT_PATHS": "messages/a.yaml\nmessages/b.yaml"}, tmp_path)
    assert (code, outputs["failed"]) == (0, "0"), err
    assert [record["recalled"] for record in api.records()] == [True, True]
    assert pushes() == before + 1  # one push for the run, not one per file


def test_the_summary_shows_reasons_as_text_not_markup() -> None:
    outcome = RecallOutcome("m/<b>x</b>.yaml", "announce", "k", False, "reason\n::error::no *bold*")
    assert summary([outcome]).splitlines()[-1] == (
        r"- m/\<b\>x\</b\>.yaml -\> announce: not recalled: reason ::error::no \*bold\*")

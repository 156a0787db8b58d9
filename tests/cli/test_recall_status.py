"""``msgspec-dd recall`` and ``msgspec-dd status``: after a real send to the sandbox's app API,
over real HTTP, with exact lines, exit codes, the ledger's recall record, and no key, secret or
token anywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from msgspec_dd.cli import main
from msgspec_dd.sandbox import SandboxServer, SandboxSettings, new_secret
from msgspec_dd.sandbox.app_api import AppApi, AppSettings

CONFIG = """\
robots:
  default:
    webhook_env: T_HOOK
    secret_env: T_SECRET
  announce:
    app:
      app_key_env: T_APP_KEY
      app_secret_env: T_APP_SECRET
      robot_code: {code}
      conversation: "{conversation}"
"""

MESSAGE = """\
robot: {robots}
vars:
  day: {{type: string, default: mon}}
message:
  msgtype: markdown
  markdown:
    title: 停机公告
    text: "# 停机 {{{{ day }}}}"
"""


@pytest.fixture
def api() -> AppApi:
    return AppApi(AppSettings())


@pytest.fixture
def server(api: AppApi, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    with SandboxServer(SandboxSettings(secret=new_secret()), app=api) as running:
        monkeypatch.setenv("T_HOOK", running.url)
        monkeypatch.setenv("T_SECRET", str(running.secret))
        monkeypatch.setenv("T_APP_KEY", api.settings.app_key)
        monkeypatch.setenv("T_APP_SECRET", api.settings.app_secret)
        monkeypatch.setenv("MSGSPEC_DD_API_BASE", running.base_url)
        yield running


@pytest.fixture
def project(tmp_path: Path, api: AppApi, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = CONFIG.format(code=api.settings.code, conversation=api.settings.conversation)
    (tmp_path / "msgspec-dd.yaml").write_text(config, "utf-8")
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "a.yaml").write_text(MESSAGE.format(robots="announce"), "utf-8")
    (tmp_path / "m" / "both.yaml").write_text(MESSAGE.format(robots="[default, announce]"), "utf-8")
    (tmp_path / "m" / "hook.yaml").write_text(MESSAGE.format(robots="default"), "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], api: AppApi, *args: str) -> tuple[int, list[str], str]:
    """Run the CLI in-process: exit code, stdout lines, stderr; no credential may show."""
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    assert_hidden(api, out + err)
    assert "Traceback" not in err
    code = info.value.code
    return (code if isinstance(code, int) else 1), out.splitlines(), err


def assert_hidden(api: AppApi, text: str) -> None:
    token = api._token[0] if api._token else None  # the sandbox's current token
    for secret in (api.settings.app_key, api.settings.app_secret, token):
        if secret:
            assert secret not in text


def sent_key(api: AppApi, capsys: pytest.CaptureFixture[str], path: str = "m/a.yaml",
             *more: str) -> str:
    code, _, err = run(capsys, api, "send", path, "--ledger", "sent.jsonl", *more)
    assert code == 0, err
    return str(api.records()[-1]["processQueryKey"])


def test_recall_takes_the_sent_message_back_and_records_it(
        project: Path, server: SandboxServer, api: AppApi, capsys: pytest.CaptureFixture[str]) -> None:
    key = sent_key(api, capsys)
    code, out, _ = run(capsys, api, "recall", "m/a.yaml", "--ledger", "sent.jsonl")
    assert (code, out) == (0, [f"m/a.yaml -> announce: recalled (processQueryKey {key})"])
    assert api.records()[0]["recalled"] is True
    (record,) = [json.loads(line) for line in (project / "sent.jsonl").read_text().splitlines()
                 if json.loads(line)["event"] == "recall"]
    assert (record["robot"], record["messageId"], record["recalled"]) == ("announce", key, True)
    assert_hidden(api, (project / "sent.jsonl").read_text())


def test_a_second_recall_reports_dingtalks_failure(
        project: Path, server: SandboxServer, api: AppApi, capsys: pytest.CaptureFixture[str]) -> None:
    key = sent_key(api, capsys)
    run(capsys, api, "recall", "m/a.yaml", "--ledger", "sent.jsonl")
    code, out, _ = run(capsys, api, "recall", "m/a.yaml", "--ledger", "sent.jsonl", "--format", "json")
    assert code == 1
    assert json.loads("\n".join(out)) == {"results": [{
        "path": "m/a.yaml", "robot": "announce", "processQueryKey": key, "successResult": [],
        "failedResult": {key: "message already recalled"}}]}
    # The ledger stays readable by send with its recall records in it: a re-run skips.
    code, out, _ = run(capsys, api, "send", "m/a.yaml", "--ledger", "sent.jsonl")
    assert (code, out) == (0, ["m/a.yaml -> announce: skipped (already sent)"])


def test_recall_takes_back_the_latest_of_several_sends(
        project: Path, server: SandboxServer, api: AppApi, capsys: pytest.CaptureFixture[str]) -> None:
    first = sent_key(api, capsys)
    latest = sent_key(api, capsys, "m/a.yaml", "--force")
    run(capsys, api, "recall", "m/a.yaml", "--ledger", "sent.jsonl")
    recalled = {record["processQueryKey"]: record["recalled"] for record in api.records()}
    assert recalled == {first: False, latest: True}


def test_other_variables_are_another_message_not_in_the_ledger(
        project: Path, server: SandboxServer, api: AppApi, capsys: pytest.CaptureFixture[str]) -> None:
    sent_key(api, capsys)
    code, out, _ = run(capsys, api, "recall", "m/a.yaml", "--var", "day=tue", "--ledger", "sent.jsonl")
    assert code == 1
    assert out[0].startswith("m/a.yaml -> announce: not recalled: not sent; hint: the ledger has no "
                             "record of this message sent to this robot")
    assert api.records()[0]["recalled"] is False


def test_status_counts_the_readers_and_json_lists_them(
        project: Path, server: SandboxServer, api: AppApi, capsys: pytest.CaptureFixture[str]) -> None:
    key = sent_key(api, capsys)
    code, out, _ = run(capsys, api, "status", "m/a.yaml", "--ledger", "sent.jsonl")
    assert (code, out) == (0, ["m/a.yaml -> announce: SUCCESS, read by 0"])
    readers = [f"user{n:03d}" for n in range(250)]  # more than one page of 200
    answer = requests.post(server.base_url + "/_sandbox/read",
                           json={"processQueryKey": key, "userIds": readers}, timeout=5)
    assert answer.status_code == 200
    code, out, _ = run(capsys, api, "status", "m/a.yaml", "--ledger", "sent.jsonl")
    assert (code, out) == (0, ["m/a.yaml -> announce: SUCCESS, read by 250"])
    code, out, _ = run(capsys, api, "status", "m/a.yaml", "--ledger", "sent.jsonl", "--format", "json")
    assert json.loads("\n".join(out)) == {"results": [{
        "path": "m/a.yaml", "robot": "announce", "processQueryKey": key, "sendStatus": "SUCCESS",
        "readCount": 250, "readUserIds": readers}]}


def test_status_after_a_recall_says_recalled(
        project: Path, server: SandboxServer, api: AppApi, capsys: pytest.CaptureFixture[str]) -> None:
    sent_key(api, capsys)
    run(capsys, api, "recall", "m/a.yaml", "--ledger", "sent.jsonl")
    code, out, _ = run(capsys, api, "status", "m/a.yaml", "--ledger", "sent.jsonl")
    assert (code, out) == (0, ["m/a.yaml -> announce: RECALLED, read by 0"])


@pytest.mark.parametrize("command", ["recall", "status"])
def test_a_webhook_robot_has_neither_and_says_why(
        project: Path, server: SandboxServer, api: AppApi, capsys: pytest.CaptureFixture[str],
        command: str) -> None:
    run(capsys, api, "send", "m/hook.yaml", "--ledger", "sent.jsonl")
    code, out, err = run(capsys, api, command, "m/hook.yaml", "--ledger", "sent.jsonl")
    assert (code, out) == (2, [])
    assert err == ("msgspec-dd: m/hook.yaml: robot default is a webhook robot: DingTalk offers no "
                   "recall and no read status for webhook robots (a webhook returns no message id); "
                   "only app robots (app: in msgspec-dd.yaml) do. Name an app robot with --robot.\n")
    code, _, err = run(capsys, api, command, "m/both.yaml", "--ledger", "sent.jsonl",
                       "--robot", "default")
    assert code == 2 and "robot default is a webhook robot" in err


def test_a_file_sent_to_both_kinds_is_recalled_from_its_app_robot(
        project: Path, server: SandboxServer, api: AppApi, capsys: pytest.CaptureFixture[str]) -> None:
    key = sent_key(api, capsys, "m/both.yaml")
    assert len(server.messages) == 1
    code, out, err = run(capsys, api, "recall", "m/both.yaml", "--ledger", "sent.jsonl")
    assert (code, out) == (0, [f"m/both.yaml -> announce: recalled (processQueryKey {key})"])
    assert "note: left out webhook robot default" in err


def test_without_a_ledger_or_its_file_it_is_a_usage_error(
        project: Path, server: SandboxServer, api: AppApi, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, api, "recall", "m/a.yaml")
    assert code == 2 and "Missing option '--ledger'" in err
    code, _, err = run(capsys, api, "status", "m/a.yaml", "--ledger", "nothing.jsonl")
    assert code == 2 and err.startswith("msgspec-dd: nothing.jsonl: no ledger there.")
    assert not (project / "nothing.jsonl").exists()


def test_an_unset_app_secret_is_a_configuration_error_before_any_call(
        project: Path, server: SandboxServer, api: AppApi, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    sent_key(api, capsys)
    monkeypatch.delenv("T_APP_SECRET")
    requests_before = api.token_requests
    code, _, err = run(capsys, api, "recall", "m/a.yaml", "--ledger", "sent.jsonl")
    assert code == 2 and "environment variable T_APP_SECRET is not set" in err
    assert api.token_requests == requests_before and api.records()[0]["recalled"] is False


def test_an_api_error_is_reported_with_its_hint(
        project: Path, server: SandboxServer, api: AppApi, capsys: pytest.CaptureFixture[str]) -> None:
    sent_key(api, capsys)
    requests.post(server.base_url + "/_sandbox/app-fault", timeout=5,
                  json={"status": 400, "code": "bot.stopped", "message": "机器人已停用"})
    code, out, _ = run(capsys, api, "status", "m/a.yaml", "--ledger", "sent.jsonl")
    assert (code, out) == (1, ["m/a.yaml -> announce: no status: HTTP 400 bot.stopped (机器人已停用); "
                               "hint: the robot is stopped: enable it again in the developer console "
                               "or the group settings"])

"""``msgspec-dd send``: exact output lines and exit codes, over real HTTP to sandbox robots."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from msgspec_dd.cli import main
from msgspec_dd.sandbox import SandboxServer, SandboxSettings, new_secret
from tests.clirun import run_cli

CONFIG = """\
robots:
  default:
    webhook_env: T_DEFAULT_HOOK
    secret_env: T_DEFAULT_SECRET
    keywords: [日报]
    rate: {count: 5, per_seconds: 2}
  ops:
    webhook_env: T_OPS_HOOK
"""


def text_message(content: str, robots: str = "default") -> str:
    return f'robot: {robots}\nmessage:\n  msgtype: text\n  text:\n    content: "{content}"\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "msgspec-dd.yaml").write_text(CONFIG, "utf-8")
    messages = tmp_path / "m"
    messages.mkdir()
    (messages / "a.yaml").write_text(text_message("日报 {{ day }}", "[default, ops]")
                                     + "vars:\n  day: {type: string, default: mon}\n", "utf-8")
    (messages / "b.yaml").write_text(text_message("日报 b"), "utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("T_DEFAULT_HOOK", "T_DEFAULT_SECRET", "T_OPS_HOOK", "DINGTALK_WEBHOOK"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def robots(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, SandboxServer]]:
    default = SandboxServer(SandboxSettings(secret=new_secret(), rate_count=5, rate_seconds=2))
    ops = SandboxServer(SandboxSettings())
    servers = {"default": default.start(), "ops": ops.start()}
    assert default.secret is not None
    monkeypatch.setenv("T_DEFAULT_HOOK", default.url)
    monkeypatch.setenv("T_DEFAULT_SECRET", default.secret)
    monkeypatch.setenv("T_OPS_HOOK", ops.token)  # a bare token ...
    yield servers
    for server in servers.values():
        server.stop()


def run(capsys: pytest.CaptureFixture[str], servers: dict[str, SandboxServer], *args: str
        ) -> tuple[int, list[str], str]:
    """Run the CLI in-process: exit code, stdout lines, stderr; checks no credential leaked."""
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    for server in servers.values():
        for secret in (server.token, server.secret):
            if secret:
                assert secret not in out and secret not in err
    assert "Traceback" not in err
    code = info.value.code
    return (code if isinstance(code, int) else 1), out.splitlines(), err


def as_completed(lines: list[str]) -> list[str]:
    """Result lines come as each delivery ends, robots side by side: each robot's lines keep
    message order (checked here), robots interleave (so the lines are compared sorted)."""
    robots = {line.split(" -> ")[1].split(":")[0] for line in lines if " -> " in line}
    for robot in robots:
        mine = [line for line in lines if f" -> {robot}:" in line]
        assert mine == sorted(mine)
    return sorted(lines)


@pytest.fixture
def ops_at_sandbox(robots: dict[str, SandboxServer], monkeypatch: pytest.MonkeyPatch) -> None:
    # ... which would go to DingTalk; tests only ever talk to 127.0.0.1, so point ops there too.
    monkeypatch.setenv("T_OPS_HOOK", robots["ops"].url)


def test_one_result_line_per_message_and_robot(
    project: Path, robots: dict[str, SandboxServer], ops_at_sandbox: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, robots, "send", "m")
    assert (code, as_completed(out)) == (0, ["m/a.yaml -> default: sent", "m/a.yaml -> ops: sent",
                                             "m/b.yaml -> default: sent"])
    assert "msgspec-dd: sending 2 messages to 2 robots: default, ops (3 deliveries)" in err
    assert [b["text"]["content"] for b in robots["default"].messages] == ["日报 mon", "日报 b"]
    assert [b["text"]["content"] for b in robots["ops"].messages] == ["日报 mon"]


def test_one_message_to_two_robots_is_counted_as_one_message(
    project: Path, robots: dict[str, SandboxServer], ops_at_sandbox: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, robots, "send", "m/a.yaml")
    assert (code, as_completed(out)) == (0, ["m/a.yaml -> default: sent", "m/a.yaml -> ops: sent"])
    assert "msgspec-dd: sending 1 message to 2 robots: default, ops\n" in err


@pytest.mark.parametrize("extra", [[], ["--dry-run"], ["--sandbox"]])
def test_a_folder_without_message_files_is_a_note_and_exit_0(
    project: Path, capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    (project / "empty").mkdir()
    (project / "empty" / "notes.txt").write_text("not a message", "utf-8")
    code, out, err = run(capsys, {}, "send", "empty", *extra)
    assert (code, out) == (0, [])
    assert err == "msgspec-dd: no message files found in empty; nothing to send\n"


def test_a_folder_without_message_files_still_gives_a_json_document(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "empty").mkdir()
    code, out, err = run(capsys, {}, "send", "empty", "--format", "json")
    assert code == 0 and "no message files found in empty" in err
    assert json.loads("\n".join(out)) == {
        "results": [], "counts": {"sent": 0, "skipped": 0, "failed": 0}}


def test_a_bare_token_goes_to_dingtalk_so_only_its_shape_is_checked(
    project: Path, robots: dict[str, SandboxServer], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("T_OPS_HOOK", "not-a-token")
    code, out, err = run(capsys, robots, "send", "m")
    assert (code, out) == (2, [])
    assert "environment variable T_OPS_HOOK is neither a webhook URL" in err
    assert "not-a-token" not in err
    assert robots["default"].requests == 0


def test_a_webhook_url_that_cannot_be_parsed_is_a_config_error_naming_the_variable(
    project: Path, robots: dict[str, SandboxServer], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = f"http://[127.0.0.1:9/robot/send?access_token={robots['ops'].token}"
    monkeypatch.setenv("T_OPS_HOOK", broken)
    code, out, err = run(capsys, robots, "send", "m")
    assert (code, out) == (2, [])
    assert err.splitlines()[-1].startswith(
        "msgspec-dd: environment variable T_OPS_HOOK is not a valid webhook URL: it cannot be parsed")
    assert "[127.0.0.1" not in err
    assert robots["default"].requests == 0


def test_a_webhook_url_without_an_access_token_is_a_config_error_before_any_post(
    project: Path, robots: dict[str, SandboxServer], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("T_OPS_HOOK", f"{robots['ops'].base_url}/robot/send")
    code, out, err = run(capsys, robots, "send", "m")
    assert (code, out) == (2, [])
    assert err.splitlines()[-1].startswith("msgspec-dd: environment variable T_OPS_HOOK is not a "
                                           "valid webhook URL: it has no access_token parameter")
    assert robots["ops"].base_url not in err
    assert robots["default"].requests == 0 and robots["ops"].requests == 0


def test_a_missing_webhook_variable_of_any_robot_stops_before_any_post(
    project: Path, robots: dict[str, SandboxServer], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("T_OPS_HOOK")
    code, out, err = run(capsys, robots, "send", "m")
    assert (code, out) == (2, [])
    assert err.splitlines()[-1] == (
        "msgspec-dd: robot 'ops': environment variable T_OPS_HOOK is not set. Set it to the "
        "robot's webhook URL (or its access token), e.g. from your CI's secrets.")
    assert robots["default"].requests == 0


def test_a_failure_is_explained_and_exits_1(
    project: Path, robots: dict[str, SandboxServer], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with SandboxServer(SandboxSettings(keywords=("机密",))) as strict:
        monkeypatch.setenv("T_OPS_HOOK", strict.url)
        code, out, _ = run(capsys, {**robots, "strict": strict}, "send", "m")
    assert code == 1
    assert as_completed(out) == [
        "m/a.yaml -> default: sent",
        ("m/a.yaml -> ops: failed: errcode 310000 (keywords not in content, more: "
         "[https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]); hint: the message contains "
         "none of the robot's custom keywords: add one to its text (list them under keywords: "
         "in msgspec-dd.yaml so lint checks them)"),
        "m/b.yaml -> default: sent",
    ]


def test_an_unset_secret_variable_written_in_the_config_stops_before_any_post(
    project: Path, robots: dict[str, SandboxServer], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Changed with issue 10: it used to send unsigned and fail with DingTalk's 310000.
    monkeypatch.delenv("T_DEFAULT_SECRET")
    code, out, err = run(capsys, robots, "send", "m/b.yaml")
    assert (code, out) == (2, [])
    assert err.splitlines()[-1] == (
        "msgspec-dd: robot 'default': environment variable T_DEFAULT_SECRET is not set. Set it to "
        "the robot's signing secret (SEC..., 加签; secret_env is written in msgspec-dd.yaml, so "
        "its requests must be signed), e.g. from your CI's secrets.")
    assert robots["default"].requests == 0


def test_every_missing_variable_of_the_batch_is_named_at_once(
    project: Path, robots: dict[str, SandboxServer], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("T_DEFAULT_SECRET", "T_OPS_HOOK"):
        monkeypatch.delenv(name)
    code, out, err = run(capsys, robots, "send", "m")
    assert (code, out) == (2, [])
    last = err.splitlines()[-1]
    assert last.startswith("msgspec-dd: 2 environment variables are not set: T_DEFAULT_SECRET "
                           "(robot 'default': the robot's signing secret")
    assert "; T_OPS_HOOK (robot 'ops': the robot's webhook URL (or its access token))." in last
    assert robots["default"].requests == robots["ops"].requests == 0


def test_json_format_lists_results_and_counts(
    project: Path, robots: dict[str, SandboxServer], ops_at_sandbox: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, robots, "send", "m/b.yaml", "--format", "json")
    document = json.loads("\n".join(out))
    assert code == 0
    assert document["counts"] == {"sent": 1, "skipped": 0, "failed": 0}
    (result,) = document["results"]
    assert result["path"] == "m/b.yaml" and result["robot"] == "default"
    assert result["status"] == "sent"
    assert (result["errcode"], result["errmsg"]) == (0, "ok")  # the robot's answer, as for failures
    assert result["msgUuid"] == robots["default"].records[0]["msgUuid"]


def test_dry_run_prints_what_render_prints_and_posts_nothing(
    project: Path, robots: dict[str, SandboxServer], ops_at_sandbox: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, robots, "send", "m", "--dry-run")
    assert code == 0
    rendered = []
    for name in ("m/a.yaml", "m/b.yaml"):
        render_code, render_out, _ = run(capsys, robots, "render", name)
        assert render_code == 0
        rendered.extend(render_out)
    assert out == rendered
    assert '    "content": "日报 mon"' in out and not any("msgUuid" in line for line in out)
    assert "m/a.yaml -> default, ops (dry run, not sent)" in err
    assert robots["default"].requests == robots["ops"].requests == 0


def test_dry_run_needs_no_credentials_but_says_what_is_missing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, {}, "send", "m/b.yaml", "--dry-run")
    assert code == 0 and out[0] == "{"
    assert "note: environment variable T_DEFAULT_HOOK (robot default) is not set" in err


def test_a_ledger_makes_the_rerun_skip_what_was_sent(
    project: Path, robots: dict[str, SandboxServer], ops_at_sandbox: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(capsys, robots, "send", "m", "--ledger", "sent.jsonl")[0] == 0
    code, out, _ = run(capsys, robots, "send", "m", "--ledger", "sent.jsonl")
    assert (code, as_completed(out)) == (0, ["m/a.yaml -> default: skipped (already sent)",
                                             "m/a.yaml -> ops: skipped (already sent)",
                                             "m/b.yaml -> default: skipped (already sent)"])
    code, out, _ = run(capsys, robots, "send", "m", "--ledger", "sent.jsonl", "--var", "day=tue")
    assert (code, as_completed(out)) == (0, ["m/a.yaml -> default: sent", "m/a.yaml -> ops: sent",
                                             "m/b.yaml -> default: skipped (already sent)"])
    code, out, _ = run(capsys, robots, "send", "m/b.yaml", "--ledger", "sent.jsonl", "--force")
    assert (code, out) == (0, ["m/b.yaml -> default: sent"])
    assert len(robots["default"].messages) == 4 and len(robots["ops"].messages) == 2
    ledger = (project / "sent.jsonl").read_text("utf-8")
    for server in robots.values():
        assert server.token not in ledger and str(server.secret) not in ledger


def test_a_rate_limit_lock_with_max_wait_zero_reports_the_rest_as_not_sent(
    project: Path, robots: dict[str, SandboxServer], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for n in range(3):
        (project / "m" / f"c{n}.yaml").write_text(text_message(f"日报 c{n}", "ops"), "utf-8")
    with SandboxServer(SandboxSettings(rate_count=2, rate_seconds=60)) as strict:
        monkeypatch.setenv("T_OPS_HOOK", strict.url)
        files = [f"m/c{n}.yaml" for n in range(3)]
        code, out, _ = run(capsys, {**robots, "strict": strict}, "send", *files, "--max-wait", "0")
        assert strict.requests == 3
    assert code == 1
    assert out[:2] == ["m/c0.yaml -> ops: sent", "m/c1.yaml -> ops: sent"]
    assert out[2] == (
        "m/c2.yaml -> ops: failed: not sent: the robot is locked after a rate-limit answer for "
        "another 10m00s, longer than the maximum wait (0s); hint: sent too fast: DingTalk locks "
        "the robot for about 10 minutes; send again after that (with --ledger only what was not "
        "sent goes out)")


@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_a_max_wait_that_is_not_finite_is_a_usage_error(
    project: Path, robots: dict[str, SandboxServer], ops_at_sandbox: None,
    capsys: pytest.CaptureFixture[str], value: str,
) -> None:
    code, out, err = run(capsys, robots, "send", "m", "--max-wait", value)
    assert (code, out) == (2, [])
    assert "Invalid value for '--max-wait': the maximum wait must be a finite number of seconds" in err
    assert robots["default"].requests == robots["ops"].requests == 0


def test_sandbox_delivers_over_http_and_shows_what_arrived(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, {}, "send", "m", "--sandbox")
    assert code == 0
    assert as_completed(out[:3]) == [
        "m/a.yaml -> default: sent", "m/a.yaml -> ops: sent", "m/b.yaml -> default: sent"]
    assert out[3:] == [
        "",
        "== sandbox robot default: 2 messages arrived ==",
        "-- 1 (text) --", "日报 mon",
        "-- 2 (text) --", "日报 b",
        "",
        "== sandbox robot ops: 1 message arrived ==",
        "-- 1 (text) --", "日报 mon",
    ]
    assert "SEC" not in out and "access_token" not in err


def test_sandbox_hides_what_looks_like_a_credential_exactly_as_render_does(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checksum = "9e" * 32  # a SHA-256 or a pasted token: no one can tell, so it is hidden
    secret = "SEC" + "7a" * 32
    (project / "m" / "c.yaml").write_text(text_message(f"日报 checksum {checksum} {secret}"), "utf-8")
    code, out, _ = run(capsys, {}, "send", "m/c.yaml", "--sandbox")
    assert code == 0
    assert out[-1] == "日报 checksum *** SEC***"
    _, rendered, _ = run(capsys, {}, "render", "m/c.yaml")
    assert '    "content": "日报 checksum *** SEC***"' in rendered
    code, out, _ = run(capsys, {}, "send", "m/c.yaml", "--sandbox", "--format", "json")
    body = json.loads("\n".join(out))["sandbox"]["default"][0]
    assert body["text"]["content"] == "日报 checksum *** SEC***"


def test_sandbox_and_ledger_do_not_mix(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, {}, "send", "m", "--sandbox", "--ledger", "x.jsonl")
    assert (code, out) == (2, [])
    assert "cannot be combined with --sandbox" in err


def test_an_invalid_message_stops_the_batch_before_any_post(
    project: Path, robots: dict[str, SandboxServer], ops_at_sandbox: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (project / "m" / "c.yaml").write_text("message:\n  msgtype: text\n  text: {}\n", "utf-8")
    code, out, err = run(capsys, robots, "send", "m")
    assert code == 1 and out == [] and "m/c.yaml" in err
    assert robots["default"].requests == robots["ops"].requests == 0


def test_an_unknown_robot_is_a_usage_error(
    project: Path, robots: dict[str, SandboxServer], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, robots, "send", "m", "--robot", "nope")
    assert (code, out) == (2, [])
    assert "unknown robot 'nope'" in err


def _start_sandbox_process(latency_ms: int) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "msgspec_dd", "sandbox", "--latency", str(latency_ms)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def _arrived(base: str) -> list[str]:
    answer = requests.get(f"{base}/api/messages", timeout=5).json()
    return [m["body"]["text"]["content"] for m in answer["messages"]]


def test_kill_9_mid_batch_then_rerun_delivers_each_message_exactly_once(project: Path) -> None:
    for n in range(12):
        (project / "m" / f"k{n:02d}.yaml").write_text(text_message(f"日报 k{n:02d}"), "utf-8")
    for name in ("a.yaml", "b.yaml"):
        (project / "m" / name).unlink()
    sandbox, url = _start_sandbox_process(latency_ms=150)
    base = url.split("/robot/")[0]
    env = {**os.environ, "T_DEFAULT_HOOK": url}
    env.pop("T_DEFAULT_SECRET", None)  # an unsigned robot: its config names no secret_env
    (project / "msgspec-dd.yaml").write_text(CONFIG.replace("    secret_env: T_DEFAULT_SECRET\n", ""),
                                             "utf-8")
    command = [sys.executable, "-m", "msgspec_dd", "send", "m", "--ledger", "l.jsonl"]
    try:
        first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while len(_arrived(base)) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        out, err = first.communicate(timeout=10)
        assert first.returncode == -signal.SIGKILL
        assert 4 <= len(_arrived(base)) < 12  # killed in the middle
        second = subprocess.run(command, env=env, capture_output=True, text=True,
                                timeout=60, check=False)
        assert second.returncode == 0, second.stderr
        arrived = _arrived(base)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
        assert sandbox.stdout is not None
        sandbox.stdout.close()
    assert sorted(arrived) == [f"日报 k{n:02d}" for n in range(12)]  # each exactly once
    lines = second.stdout.splitlines()
    assert len(lines) == 12 and all(line.endswith((": sent", ": skipped (already sent)"))
                                    for line in lines)
    token = url.split("access_token=")[1]
    for text in (out, err, second.stdout, second.stderr):
        assert token not in text


def test_long_waits_show_progress_on_stderr(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "msgspec-dd.yaml").write_text(
        CONFIG.replace("{count: 5, per_seconds: 2}", "{count: 1, per_seconds: 4}"), "utf-8")
    code, out, err = run(capsys, {}, "send", "m/b.yaml", "m/a.yaml", "--robot", "default",
                         "--sandbox")
    assert code == 0 and out[:2] == ["m/b.yaml -> default: sent", "m/a.yaml -> default: sent"]
    waits = [line for line in err.splitlines() if line.startswith("msgspec-dd: robot default: ")]
    assert len(waits) == 1
    assert re.fullmatch(r"msgspec-dd: robot default: waiting [34]s for its rate \(1 per 4s\)",
                        waits[0])


def test_a_fifo_as_ledger_is_a_usage_error_before_any_post(
    project: Path, robots: dict[str, SandboxServer], ops_at_sandbox: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    os.mkfifo(project / "ledger.fifo")
    code, out, err = run(capsys, robots, "send", "m", "--ledger", "ledger.fifo")
    assert (code, out) == (2, [])
    assert err.splitlines()[-1] == (
        "msgspec-dd: ledger.fifo: the ledger must be a regular file (or a path to create), not a "
        "FIFO. Give --ledger a file path such as sent.jsonl.")
    assert robots["default"].requests == robots["ops"].requests == 0


def _send_process(project: Path, env: dict[str, str], *args: str,
                  file_size_limit: int | None = None) -> subprocess.CompletedProcess[str]:
    """``msgspec-dd send`` in a child process, which a regression cannot hang (timeout)."""
    def limit_file_size() -> None:
        if file_size_limit is not None:  # a disk that is full after this many bytes
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    return subprocess.run([sys.executable, "-m", "msgspec_dd", "send", *args], cwd=project,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
                          check=False, preexec_fn=limit_file_size)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full is Linux's")
def test_a_device_as_ledger_is_a_usage_error_not_read_forever(
    project: Path, robots: dict[str, SandboxServer], ops_at_sandbox: None,
) -> None:
    env = {name: os.environ[name] for name in ("T_DEFAULT_HOOK", "T_DEFAULT_SECRET", "T_OPS_HOOK")}
    done = _send_process(project, env, "m", "--ledger", "/dev/full")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines()[-1] == (
        "msgspec-dd: /dev/full: the ledger must be a regular file (or a path to create), not a "
        "device. Give --ledger a file path such as sent.jsonl.")
    assert robots["default"].requests == robots["ops"].requests == 0


def test_a_full_disk_reports_every_message_sent_then_the_ledger_error(
    project: Path, robots: dict[str, SandboxServer],
) -> None:
    (project / "full").mkdir()
    for n in range(6):
        (project / "full" / f"f{n}.yaml").write_text(text_message(f"日报 f{n}"), "utf-8")
    env = {"T_DEFAULT_HOOK": robots["default"].url, "T_DEFAULT_SECRET": str(robots["default"].secret)}
    # Room for a few records (about 250 bytes each, two per message), not for all twelve.
    done = _send_process(project, env, "full", "--ledger", "l.jsonl", file_size_limit=1200)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    arrived = [body["text"]["content"] for body in robots["default"].messages]
    assert 1 <= len(arrived) < 6
    assert done.stdout.splitlines() == [f"full/{text[3:]}.yaml -> default: sent" for text in arrived]
    assert done.stderr.splitlines()[-1] == (
        "msgspec-dd: l.jsonl: cannot write the ledger (File too large); stopped sending")
    for secret in (robots["default"].token, str(robots["default"].secret)):
        assert secret not in done.stdout + done.stderr


def test_a_full_disk_with_json_format_still_gives_one_document_with_the_error(
    project: Path, robots: dict[str, SandboxServer],
) -> None:
    (project / "full").mkdir()
    for n in range(6):
        (project / "full" / f"f{n}.yaml").write_text(text_message(f"日报 f{n}"), "utf-8")
    env = {"T_DEFAULT_HOOK": robots["default"].url, "T_DEFAULT_SECRET": str(robots["default"].secret)}
    done = _send_process(project, env, "full", "--ledger", "l.jsonl", "--format", "json",
                         file_size_limit=1200)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    document = json.loads(done.stdout)
    assert document["error"] == "l.jsonl: cannot write the ledger (File too large); stopped sending"
    assert document["counts"]["sent"] == len(robots["default"].messages) >= 1
    assert [r["status"] for r in document["results"]] == ["sent"] * document["counts"]["sent"]


def test_dry_run_with_a_ledger_says_what_a_real_run_would_skip(
    project: Path, robots: dict[str, SandboxServer], ops_at_sandbox: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, robots, "send", "m", "--dry-run", "--ledger", "sent.jsonl")
    assert code == 0 and not (project / "sent.jsonl").exists()  # a dry run creates no ledger
    assert "m/b.yaml -> default (dry run, not sent)" in err
    assert run(capsys, robots, "send", "m/b.yaml", "--ledger", "sent.jsonl")[0] == 0
    code, _, err = run(capsys, robots, "send", "m", "--dry-run", "--ledger", "sent.jsonl")
    assert code == 0
    assert "m/a.yaml -> default, ops (dry run, not sent)" in err
    assert "m/b.yaml -> default: skipped (already sent)" in err
    code, out, _ = run(capsys, robots, "send", "m", "--dry-run", "--ledger", "sent.jsonl",
                       "--format", "json")
    assert [(m["path"], m["skipped"]) for m in json.loads("\n".join(out))["messages"]] == [
        ("m/a.yaml", []), ("m/b.yaml", ["default"])]
    code, _, err = run(capsys, robots, "send", "m", "--dry-run", "--ledger", "sent.jsonl", "--force")
    assert "m/b.yaml -> default (dry run, not sent)" in err
    assert robots["default"].requests == 1 and robots["ops"].requests == 0


@pytest.mark.parametrize("args", [["--bogus"], ["--max-wait", "soon"], ["--format=json", "--bogus"]])
def test_json_is_one_document_even_when_the_options_are_refused(args: list[str]) -> None:
    format_args = [] if "--format=json" in args else ["--format", "json"]
    result = run_cli(["send", "messages/text.yaml", *format_args, *args])
    assert result.code == 2
    document = json.loads(result.out)  # exactly one document: json.loads refuses anything more
    assert document["exitCode"] == 2 and document["results"] == []
    assert "Error:" in result.err and "Traceback" not in result.err


def test_text_format_prints_nothing_on_stdout_when_the_options_are_refused() -> None:
    result = run_cli(["send", "messages/text.yaml", "--bogus"])
    assert (result.code, result.out) == (2, "")

"""``msgspec-dd sandbox`` as a separate process, the way benchmarks and CI use it."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from msgspec_dd.dingtalk.signing import signature, signed_query

TOKEN = "0f" * 32
SECRET = "SEC" + "9a" * 32
TEXT: dict[str, Any] = {"msgtype": "text", "text": {"content": "日报: all green"}}


class Sandbox:
    """A running ``msgspec-dd sandbox`` process, its URL and where its stderr goes."""

    def __init__(self, process: subprocess.Popen[str], url: str, stderr: Path) -> None:
        self.process = process
        self.url = url
        self.base_url = url.split("/robot/send", 1)[0]
        self.stderr = stderr

    def stop(self, how: signal.Signals = signal.SIGTERM) -> tuple[int, str, str]:
        """Send ``how``; the exit code, the rest of stdout and all of stderr."""
        self.process.send_signal(how)
        rest, _ = self.process.communicate(timeout=10)
        return self.process.returncode, rest, self.stderr.read_text(encoding="utf-8")


@contextmanager
def sandbox(tmp_path: Path, *args: str) -> Iterator[Sandbox]:
    stderr = tmp_path / f"stderr-{time.monotonic_ns()}.txt"
    with stderr.open("w", encoding="utf-8") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "msgspec_dd", "sandbox", "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=err, text=True, encoding="utf-8",
        )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url, stderr.read_text(encoding="utf-8")
        yield Sandbox(process, url, stderr)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


def post(url: str, body: Any = TEXT) -> dict[str, Any]:
    reply = requests.post(url, data=json.dumps(body, ensure_ascii=False).encode(), timeout=5,
                          headers={"Content-Type": "application/json; charset=utf-8"})
    assert reply.status_code == 200
    result: dict[str, Any] = reply.json()
    return result


def test_sandbox_process_end_to_end(tmp_path: Path) -> None:
    with sandbox(tmp_path, "--token", TOKEN, "--secret", SECRET, "--keyword", "日报") as running:
        assert re.fullmatch(rf"http://127\.0\.0\.1:\d+/robot/send\?access_token={TOKEN}", running.url)
        now_ms = int(time.time() * 1000)
        assert post(f"{running.url}&{signed_query(SECRET, now_ms)}") == {"errcode": 0, "errmsg": "ok"}
        assert post(running.url)["errcode"] == 310000
        requests.post(f"{running.base_url}/_sandbox/faults", json={"kind": "errcode"}, timeout=5)
        assert post(f"{running.url}&{signed_query(SECRET, now_ms)}") == {"errcode": -1, "errmsg": "系统繁忙"}
        messages = requests.get(f"{running.base_url}/api/messages", timeout=5).json()["messages"]
        assert [m["body"] for m in messages] == [TEXT]
        code, stdout, stderr = running.stop()
    assert code == 0
    assert stdout == ""  # the URL was the only line on stdout
    assert "sandbox: signing: on" in stderr
    assert "sandbox: keywords: 日报" in stderr
    assert "#1 errcode=0 msgtype=text stored id=1" in stderr
    assert "#2 errcode=310000 msgtype=text sign not match" in stderr
    assert "#3 fault=errcode" in stderr
    assert "sandbox: stopped" in stderr
    sign = signature(SECRET, now_ms)
    for secret in (TOKEN, SECRET, sign, sign.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")):
        assert secret not in stderr
    assert "Traceback" not in stderr


def test_random_token_ctrl_c_and_store_across_restarts(tmp_path: Path) -> None:
    store = tmp_path / "inbox.jsonl"
    with sandbox(tmp_path, "--store", str(store)) as running:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/robot/send\?access_token=[0-9a-f]{64}", running.url)
        assert post(running.url)["errcode"] == 0
        code, _, stderr = running.stop(signal.SIGINT)
    assert code == 0, stderr
    assert "signing: off" in stderr
    with sandbox(tmp_path, "--store", str(store)) as again:
        assert again.url != running.url
        messages = requests.get(f"{again.base_url}/api/messages", timeout=5).json()["messages"]
        assert [m["body"] for m in messages] == [TEXT]
        assert again.stop()[0] == 0


def test_rate_and_lock_options(tmp_path: Path) -> None:
    with sandbox(tmp_path, "--rate", "2/60", "--lock", "0.5") as running:
        codes = [post(running.url)["errcode"] for _ in range(4)]
        assert codes == [0, 0, 130101, 410100]
        time.sleep(0.6)
        assert post(running.url)["errcode"] == 0
        assert running.stop()[0] == 0


def test_latency_option(tmp_path: Path) -> None:
    with sandbox(tmp_path, "--latency", "50") as running, requests.Session() as session:
        started = time.monotonic()
        session.post(running.url, json=TEXT, timeout=5)
        assert time.monotonic() - started >= 0.15
        assert running.stop()[0] == 0


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "msgspec_dd", "sandbox", *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=30, check=False)


def test_bad_rate_exits_2_with_a_clear_message() -> None:
    result = run("--rate", "20per60")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Invalid value for '--rate': invalid rate '20per60': expected COUNT/SECONDS" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreadable_store_exits_2(tmp_path: Path) -> None:
    store = tmp_path / "inbox.jsonl"
    store.write_text("garbage\n", encoding="utf-8")
    result = run("--store", str(store))
    assert result.returncode == 2
    assert f"{store}:1: not a JSON line of the sandbox store" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_port_in_use_exits_2(tmp_path: Path) -> None:
    with sandbox(tmp_path) as running:
        port = running.base_url.rsplit(":", 1)[1]
        result = run("--port", port)
        assert result.returncode == 2
        assert "cannot listen on 127.0.0.1:" in result.stderr
        assert "Traceback" not in result.stderr
        assert running.stop()[0] == 0


def test_a_store_in_a_missing_folder_exits_2_at_start(tmp_path: Path) -> None:
    store = tmp_path / "missing" / "x.jsonl"
    result = run("--store", str(store))
    assert result.returncode == 2
    assert result.stdout == ""  # no webhook URL: the sandbox never started
    assert f"{store}: cannot open the sandbox store for writing (No such file or directory)" in (
        result.stderr)
    assert "Traceback" not in result.stderr


def test_a_store_under_a_file_exits_2_at_start(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    result = run("--store", str(tmp_path / "file" / "x.jsonl"))
    assert result.returncode == 2 and result.stdout == ""
    assert "cannot open the sandbox store for writing (Not a directory)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_new_store_file_is_created_at_start(tmp_path: Path) -> None:
    store = tmp_path / "inbox.jsonl"
    with sandbox(tmp_path, "--store", str(store)) as running:
        assert store.is_file() and store.read_text(encoding="utf-8") == ""
        assert post(running.url)["errcode"] == 0
        assert running.stop()[0] == 0
    assert [json.loads(line)["body"] for line in store.read_text(encoding="utf-8").splitlines()] == [TEXT]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--token", "a/b?c"], "the sandbox token must be 1 to 128 letters, digits, '_' or '-'"),
        (["--keyword", ""], "a sandbox keyword must not be empty or blank"),
        (["--keyword", "日报", "--keyword", "  "], "a sandbox keyword must not be empty or blank"),
        ([arg for n in range(11) for arg in ("--keyword", f"k{n}")],
         "a robot has at most 10 custom keywords, as on DingTalk; 11 were given"),
        (["--lock", "nan"], "durations must be finite and not negative"),
    ],
    ids=["token-with-url-characters", "empty-keyword", "blank-keyword", "eleven-keywords",
         "lock-nan"],
)
def test_settings_that_would_misbehave_exit_2(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""  # no URL: nothing started
    assert message in result.stderr
    assert "a/b?c" not in result.stderr and "Traceback" not in result.stderr


def test_log_lines_quote_requests_on_one_line(tmp_path: Path) -> None:
    with sandbox(tmp_path) as running:
        assert post(running.url, {"msgtype": "x\n::error title=Injected::pwned"})["errcode"] == 400105
        code, _, stderr = running.stop()
    assert code == 0
    assert "msgtype=x\\n::error title=Injected::pwned" in stderr
    assert not any(line.lstrip().startswith("::") for line in stderr.splitlines())

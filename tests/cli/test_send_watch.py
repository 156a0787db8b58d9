"""``send`` while it runs: result lines as each delivery ends, Ctrl-C, ``--quiet``, the live line,
and ``--format json`` on every way a run can end. Real processes, real signals, real HTTP."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from msgspec_dd.sandbox import SandboxServer, SandboxSettings
from tests.cli.test_send_command import CONFIG, run, text_message

COUNT = 10


@pytest.fixture
def batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project of ``COUNT`` messages to the default robot (no secret, no keyword needed)."""
    config = CONFIG.replace("    keywords: [日报]\n", "").replace("    secret_env: T_DEFAULT_SECRET\n", "")
    (tmp_path / "msgspec-dd.yaml").write_text(config, "utf-8")
    (tmp_path / "m").mkdir()
    for n in range(COUNT):
        (tmp_path / "m" / f"k{n:02d}.yaml").write_text(text_message(f"日报 k{n:02d}"), "utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("T_DEFAULT_HOOK", "T_DEFAULT_SECRET", "T_OPS_HOOK"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def slow_robot() -> Iterator[tuple[str, str]]:
    """A sandbox robot in a process of its own, answering slowly: (webhook URL, base URL)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "msgspec_dd", "sandbox", "--latency", "200"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    yield url, url.split("/robot/")[0]
    process.terminate()
    process.wait(timeout=10)
    process.stdout.close()


def wait_until(condition: Callable[[], bool]) -> None:
    """Poll ``condition``; a regression fails the test instead of hanging it."""
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.01)


def arrived(base: str) -> list[str]:
    answer = requests.get(f"{base}/api/messages", timeout=5).json()
    return [m["body"]["text"]["content"] for m in answer["messages"]]


def start_send(url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "T_DEFAULT_HOOK": url}
    return subprocess.Popen([sys.executable, "-m", "msgspec_dd", "send", "m", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_result_lines_appear_while_the_batch_still_runs(
    batch: Path, slow_robot: tuple[str, str]
) -> None:
    process = start_send(slow_robot[0])
    assert process.stdout is not None
    first = process.stdout.readline()
    still_running = process.poll() is None
    out, err = process.communicate(timeout=60)
    assert first == "m/k00.yaml -> default: sent\n"
    assert still_running  # the first line came out long before the last message went
    assert process.returncode == 0, err
    assert (first + out).splitlines() == [f"m/k{n:02d}.yaml -> default: sent" for n in range(COUNT)]


@pytest.mark.parametrize("format_", ["text", "json"])
def test_ctrl_c_stops_after_the_post_in_flight_and_a_rerun_sends_only_the_rest(
    batch: Path, slow_robot: tuple[str, str], format_: str
) -> None:
    url, base = slow_robot
    command = ("--ledger", "l.jsonl", "--format", format_)
    process = start_send(url, *command)
    assert process.stdout is not None and process.stderr is not None
    # The sending has begun once the summary line is out; one more round trip, then Ctrl-C.
    assert process.stderr.readline().startswith("msgspec-dd: sending")
    wait_until(lambda: bool(arrived(base)))
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "Aborted" not in err
    posted = arrived(base)
    assert 1 <= len(posted) < COUNT
    sent = [f"m/{text[3:]}.yaml" for text in posted]
    if format_ == "json":
        document = json.loads(out)
        assert document["interrupted"] is True
        assert [r["path"] for r in document["results"]] == sent
        assert [n["path"] for n in document["notSent"]] == [
            f"m/k{n:02d}.yaml" for n in range(len(sent), COUNT)]
    else:
        assert out.splitlines() == [f"{path} -> default: sent" for path in sent] + [
            f"m/k{n:02d}.yaml -> default: not sent (interrupted)" for n in range(len(sent), COUNT)]
        assert err.splitlines()[-1] == (
            f"msgspec-dd: interrupted: {len(sent)} sent, {COUNT - len(sent)} not sent; "
            "with --ledger, the same command sends only the rest")
    rerun = start_send(url, "--ledger", "l.jsonl")
    out, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, err
    assert sorted(arrived(base)) == [f"日报 k{n:02d}" for n in range(COUNT)]  # each exactly once
    assert out.splitlines() == [
        f"m/k{n:02d}.yaml -> default: {'skipped (already sent)' if n < len(sent) else 'sent'}"
        for n in range(COUNT)]


def test_ctrl_c_before_sending_still_gives_one_json_document(batch: Path) -> None:
    # stdin never ends, so the run is certainly still reading when Ctrl-C comes.
    env = {**os.environ, "T_DEFAULT_HOOK": "http://127.0.0.1:9/robot/send?access_token=x"}
    process = subprocess.Popen([sys.executable, "-m", "msgspec_dd", "send", "-", "--format", "json"],
                               env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("message:\n")
    process.stdin.flush()
    wait_until(lambda: _reading_stdin(process.pid))
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130 and "Traceback" not in err
    assert err.splitlines()[-1] == ("msgspec-dd: interrupted before the batch could report; "
                                    "nothing was sent unless the ledger says so")
    assert json.loads(out) == {"results": [], "counts": {"sent": 0, "skipped": 0, "failed": 0},
                               "error": "interrupted before the batch could report; nothing "
                                        "was sent unless the ledger says so",
                               "interrupted": True}


def _reading_stdin(pid: int) -> bool:
    """True once the process sleeps in a read of its stdin (not still importing)."""
    try:
        syscall = Path(f"/proc/{pid}/syscall").read_text().split()
    except OSError:
        return False
    return syscall[:2] == ["0", "0x0"]  # read(0, ...) on x86-64 and the like


def test_quiet_prints_only_failures(
    batch: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with SandboxServer(SandboxSettings(keywords=("k03",))) as picky:
        monkeypatch.setenv("T_DEFAULT_HOOK", picky.url)
        code, out, err = run(capsys, {"picky": picky}, "send", "m", "--quiet")
    assert code == 1 and err == ""
    assert len(out) == COUNT - 1
    assert all(line.startswith("m/k") and ": failed: errcode 310000" in line for line in out)


def test_quiet_silences_the_sandbox_printout(
    batch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, {}, "send", "m", "--sandbox", "-q")[:2] == (0, [])
    code, out, _ = run(capsys, {}, "send", "m/k00.yaml", "--sandbox")
    assert code == 0 and "== sandbox robot default: 1 message arrived ==" in out


def test_a_terminal_gets_a_live_line_that_a_pipe_does_not(
    batch: Path, slow_robot: tuple[str, str]
) -> None:
    leader, follower = pty.openpty()
    env = {**os.environ, "T_DEFAULT_HOOK": slow_robot[0]}
    process = subprocess.Popen([sys.executable, "-m", "msgspec_dd", "send", "m/k00.yaml",
                                "m/k01.yaml"], env=env, stdout=subprocess.PIPE,
                               stderr=follower, text=True)
    os.close(follower)
    out, _ = process.communicate(timeout=60)
    seen = _read_all(leader)
    assert process.returncode == 0
    assert out.splitlines() == ["m/k00.yaml -> default: sent", "m/k01.yaml -> default: sent"]
    assert "\r\x1b[2Ksent 0/2" in seen and "\r\x1b[2Ksent 1/2" in seen
    assert seen.endswith("\r\x1b[2K")  # the line is gone at the end
    assert "sent 0/2" not in process_stderr_of_a_pipe(batch, slow_robot[0])


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode("utf-8")


def process_stderr_of_a_pipe(batch: Path, url: str) -> str:
    done = subprocess.run([sys.executable, "-m", "msgspec_dd", "send", "m/k02.yaml"],
                          env={**os.environ, "T_DEFAULT_HOOK": url}, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0
    return done.stderr

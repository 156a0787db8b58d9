"""Benchmark ``msgspec-dd send`` against sandbox robots. Prints numbers; asserts nothing.

(a) Throughput: 500 markdown messages over 10 robots to a sandbox started with ``--latency 10``
    and its rate limit lifted. The whole ``msgspec-dd send`` process is timed (start-up, render
    and validation of 500 files included), against a loop over DingtalkChatbot's
    ``send_markdown`` to the same sandbox (its built-in 20-per-minute queue cleared before each
    message, so only raw throughput is compared; its loop is timed in-process, which favours
    it). Target: ratio >= 10x.
(b) Pacing: 60 messages through one robot limited to 10 per 2 s (sandbox ``--rate 10/2``, the
    robot's ``rate`` the same). Prints the rate-limit answers (target 0) and the span from the
    first to the last request the sandbox received, against the ideal 10 s (target <= 10% over).

Run: ``python benchmarks/bench_send.py`` (needs ``dingtalkchatbot`` for the baseline in (a)).
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

ROBOTS = 10
MESSAGES = 500
PACED_MESSAGES = 60
PACED_RATE = (10, 2.0)


@contextmanager
def sandbox(*flags: str) -> Iterator[str]:
    """A sandbox robot in its own process; yields its webhook URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "msgspec_dd", "sandbox", *flags],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert process.stdout is not None
    try:
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def base_of(url: str) -> str:
    return url.split("/robot/")[0]


def write_project(folder: Path, robots: int, messages: int, rate: tuple[int, float]) -> None:
    """A msgspec-dd.yaml with ``robots`` robots and ``messages`` markdown files, spread evenly."""
    lines = ["robots:"]
    for r in range(robots):
        lines += [f"  r{r}:", f"    webhook_env: BENCH_HOOK_{r}",
                  f"    rate: {{count: {rate[0]}, per_seconds: {rate[1]}}}"]
    (folder / "msgspec-dd.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    messages_dir = folder / "messages"
    messages_dir.mkdir()
    for n in range(messages):
        (messages_dir / f"m{n:04d}.yaml").write_text(
            f"robot: r{n % robots}\nmessage:\n  msgtype: markdown\n  markdown:\n"
            f"    title: Build {n}\n    text: \"### Build {n}\\n\\n- status: **green**\\n\"\n",
            "utf-8",
        )


def run_send(folder: Path, url: str, robots: int) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Time one whole ``msgspec-dd send messages`` process."""
    env = {**os.environ, **{f"BENCH_HOOK_{r}": url for r in range(robots)}}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "msgspec_dd", "send", "messages"], cwd=folder,
                          env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, done


def stats(url: str) -> dict[str, Any]:
    answer: dict[str, Any] = requests.get(base_of(url) + "/_sandbox/stats", timeout=10).json()
    return answer


def records(url: str) -> list[dict[str, Any]]:
    answer = requests.get(base_of(url) + "/api/messages", timeout=30).json()
    return list(answer["messages"])


def baseline(url: str) -> float:
    """DingtalkChatbot's send_markdown in a loop, one bot per robot, its queue cleared."""
    from dingtalkchatbot.chatbot import DingtalkChatbot  # type: ignore[import-untyped]

    bots = [DingtalkChatbot(url) for _ in range(ROBOTS)]
    started = time.perf_counter()
    for n in range(MESSAGES):
        bot = bots[n % ROBOTS]
        bot.queue = queue.Queue(20)  # no 20-per-minute sleeps: raw throughput only
        text = f"### Build {n}\n\n- status: **green**\n"
        result = bot.send_markdown(title=f"Build {n}", text=text)
        if result.get("errcode") != 0:
            print(f"  baseline: message {n} failed: {result}")
    return time.perf_counter() - started


def throughput() -> None:
    print(f"(a) {MESSAGES} messages over {ROBOTS} robots, sandbox --latency 10, no rate limit")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_project(folder, ROBOTS, MESSAGES, (1_000_000, 1.0))
        with sandbox("--latency", "10", "--rate", "1000000/1") as url:
            ours, done = run_send(folder, url, ROBOTS)
            sent = sum(line.endswith(": sent") for line in done.stdout.splitlines())
            print(f"  msgspec-dd send (whole process): {ours:.2f} s, {sent} sent, "
                  f"exit {done.returncode}")
            if done.returncode:
                print("  " + done.stderr.strip().replace("\n", "\n  "))
        with sandbox("--latency", "10", "--rate", "1000000/1") as url:
            theirs = baseline(url)
            arrived = len(records(url))
            print(f"  DingtalkChatbot send_markdown loop: {theirs:.2f} s, {arrived} arrived")
    print(f"  ratio: {theirs / ours:.1f}x faster (target >= 10x)")


def pacing() -> None:
    count, seconds = PACED_RATE
    ideal = (PACED_MESSAGES / count - 1) * seconds
    print(f"(b) {PACED_MESSAGES} messages through one robot limited to {count} per {seconds:g} s")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_project(folder, 1, PACED_MESSAGES, PACED_RATE)
        with sandbox("--latency", "10", "--rate", f"{count}/{seconds:g}") as url:
            elapsed, done = run_send(folder, url, 1)
            answers = stats(url)["answers"]
            received = [float(r["received_at"]) for r in records(url)]
    limited = sum(code in (130101, 410100) for code in answers)
    span = received[-1] - received[0] if received else float("nan")
    print(f"  exit {done.returncode}, {len(received)} arrived, whole process {elapsed:.2f} s")
    print(f"  rate-limit answers: {limited} (target 0)")
    print(f"  span first to last request: {span:.2f} s vs ideal {ideal:.0f} s: "
          f"{(span / ideal - 1) * 100:+.1f}% (target <= +10%)")


def main() -> None:
    throughput()
    pacing()


if __name__ == "__main__":
    main()

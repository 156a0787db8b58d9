"""Stopping a batch between POSTs: the gate, and a batch interrupted by Ctrl-C over real HTTP."""

from __future__ import annotations

import _thread
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from msgspec_dd.delivery.batch import deliver
from msgspec_dd.delivery.ledger import Ledger
from msgspec_dd.delivery.pacing import Wait
from msgspec_dd.delivery.results import Reply, SendResult, Status
from msgspec_dd.delivery.robot import Robot
from msgspec_dd.delivery.stopping import Gate, Stopped
from msgspec_dd.dingtalk.errcodes import Kind
from msgspec_dd.sandbox import SandboxServer, SandboxSettings
from tests.delivery.test_batch import contents, message

RETRY = Reply(at=0.0, kind=Kind.RETRYABLE)


def test_a_stopped_gate_lets_no_post_start() -> None:
    gate = Gate()
    gate.ticket().attempt("u1")
    gate.stop()
    with pytest.raises(Stopped):
        gate.ticket().attempt("u2")


def test_settle_waits_for_the_post_in_flight_but_not_for_a_retry_waiting() -> None:
    gate = Gate()
    flying, waiting = gate.ticket(), gate.ticket()
    flying.attempt("u1")
    waiting.attempt("u2")
    waiting.outcome("retry", "u2", RETRY)  # backing off: no POST in the air
    gate.stop()
    settled = threading.Event()

    def settle() -> None:
        gate.settle()
        settled.set()

    thread = threading.Thread(target=settle)
    thread.start()
    assert not settled.wait(0.05)
    flying.release()
    thread.join(5)
    assert settled.is_set()
    with pytest.raises(Stopped):
        waiting.attempt("u2")  # its next try is refused


class Recorder:
    """A watcher that keeps what it heard, and presses Ctrl-C after ``interrupt_after`` results."""

    def __init__(self, interrupt_after: int | None = None) -> None:
        self.total = 0
        self.results: list[SendResult] = []
        self.waits: list[tuple[str, Wait]] = []
        self.interrupt_after = interrupt_after

    def started(self, total: int) -> None:
        self.total = total

    def finished(self, result: SendResult) -> None:
        self.results.append(result)
        if len(self.results) == self.interrupt_after:
            _thread.interrupt_main()  # SIGINT's KeyboardInterrupt, in the main thread

    def waiting(self, robot: str, wait: Wait) -> None:
        self.waits.append((robot, wait))


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxSettings(latency_ms=30)) as made:
        yield made


def test_the_watcher_hears_each_result_as_it_ends(server: SandboxServer) -> None:
    robots = {"default": Robot.webhook("default", server.url)}
    heard = Recorder()
    report = deliver([message(n) for n in range(3)], robots, watcher=heard)
    robots["default"].close()
    assert heard.total == 3
    assert heard.results == list(report.results)
    assert [r.path for r in heard.results] == ["m/0.yaml", "m/1.yaml", "m/2.yaml"]


def test_ctrl_c_reports_what_was_and_was_not_sent_and_the_ledger_sends_only_the_rest(
    server: SandboxServer, tmp_path: Path
) -> None:
    batch = [message(n) for n in range(8)]
    robots = {"default": Robot.webhook("default", server.url)}
    ledger = Ledger.open(tmp_path / "l.jsonl")
    report = deliver(batch, robots, ledger=ledger, watcher=Recorder(interrupt_after=2))
    ledger.close()
    assert report.interrupted and not report.ok
    sent = [r.path for r in report.results]
    assert all(r.status is Status.SENT for r in report.results) and 2 <= len(sent) < 8
    assert contents(server) == [f"日报 {str(path)[2:-5]}" for path in sent]  # every POST reported
    assert [path for path, _ in report.not_sent] == [m.path for m in batch[len(sent):]]
    assert report.to_json()["notSent"][0] == {"path": batch[len(sent)].path, "robot": "default"}
    ledger = Ledger.open(tmp_path / "l.jsonl")
    rerun = deliver(batch, robots, ledger=ledger)
    ledger.close()
    robots["default"].close()
    assert [r.status for r in rerun.results] == (
        [Status.SKIPPED] * len(sent) + [Status.SENT] * (8 - len(sent)))
    assert sorted(contents(server)) == sorted(f"日报 {n}" for n in range(8))  # each once

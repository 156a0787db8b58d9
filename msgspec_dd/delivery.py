"""Delivering a batch: every prepared message to each of its robots, safely and quickly.

Robots are served concurrently (a thread each, over its own kept-alive connections); one robot's
messages go strictly in order, paced by that robot's :class:`~msgspec_dd.pacing.Pacer`. With a
:class:`~msgspec_dd.ledger.Ledger`, what is recorded as sent is skipped, a message whose outcome
was unknown is sent again under its old msgUuid, and the pacers start from the ledger's recent
replies and rate-limit answers, so back-to-back runs keep to the rate too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from msgspec_dd.ledger import Ledger, message_identity
from msgspec_dd.results import Reply, SendResult, Status
from msgspec_dd.robot import Robot


class Prepared(Protocol):
    """A rendered, validated message file (``msgspec_dd.prepare.PreparedMessage``)."""

    @property
    def path(self) -> str: ...

    @property
    def content_sha256(self) -> str: ...

    @property
    def robots(self) -> tuple[str, ...]: ...

    @property
    def payload(self) -> Mapping[str, Any]: ...

    @property
    def variables(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Job:
    """One message to one robot; ``index`` is its place in the report."""

    index: int
    path: str
    robot: str
    payload: Mapping[str, Any]
    identity: str


@dataclass(frozen=True)
class BatchReport:
    """The results of a batch, in message order and, within a message, robot order."""

    results: tuple[SendResult, ...]

    @property
    def counts(self) -> dict[str, int]:
        """How many messages were sent, skipped and failed."""
        counts = {status.value: 0 for status in Status}
        for result in self.results:
            counts[result.status.value] += 1
        return counts

    @property
    def ok(self) -> bool:
        """True when every message is in its group (sent now or before)."""
        return all(result.ok for result in self.results)

    def to_json(self) -> dict[str, Any]:
        """``{"results": [...], "counts": {...}}``."""
        return {"results": [r.to_json() for r in self.results], "counts": self.counts}


def robot_names(messages: Iterable[Prepared]) -> list[str]:
    """Every robot of the batch, once each, in order of first mention."""
    return list(dict.fromkeys(name for message in messages for name in message.robots))


def summary(messages: Sequence[Prepared]) -> str:
    """``sending 1 message to 2 robots: default, ops``: messages counted once however many robots.

    When the messages do not all go to the same robots, the number of deliveries (one message
    to one robot) follows in parentheses, since it differs from both counts.
    """
    names = robot_names(messages)
    count, robots = len(messages), len(names)
    line = (f"sending {count} message{'s' * (count != 1)} to {robots} "
            f"robot{'s' * (robots != 1)}: {', '.join(names)}")
    deliveries = sum(len(message.robots) for message in messages)
    if deliveries not in (count, count * robots):
        line += f" ({deliveries} deliveries)"
    return line


def plan(messages: Iterable[Prepared]) -> list[Job]:
    """One job per message and robot, in report order."""
    jobs: list[Job] = []
    for message in messages:
        for robot in message.robots:
            identity = message_identity(
                message.path, message.content_sha256, robot, message.variables
            )
            jobs.append(Job(len(jobs), message.path, robot, message.payload, identity))
    return jobs


def deliver(
    messages: Sequence[Prepared],
    robots: Mapping[str, Robot],
    *,
    ledger: Ledger | None = None,
    force: bool = False,
    max_wait: float | None = None,
) -> BatchReport:
    """Send every message to each of its robots; ``robots`` must hold each robot named.

    ``force`` sends even what ``ledger`` records as sent (under a new msgUuid). ``max_wait``
    (default: each robot's own) bounds how long one message may wait for pacing and a
    rate-limit lock before it is reported as not sent.
    """
    jobs = plan(messages)
    if ledger is not None:
        _seed_pacers(ledger, robots)

    def work(job: Job) -> SendResult:
        return _send_one(job, robots[job.robot], ledger=ledger, force=force, max_wait=max_wait)

    queues: dict[str, list[Job]] = {}
    for job in jobs:
        queues.setdefault(job.robot, []).append(job)
    results = _run_queues(list(queues.values()), work)
    return BatchReport(tuple(results[job.index] for job in jobs))


def _seed_pacers(ledger: Ledger, robots: Mapping[str, Robot]) -> None:
    for name, robot in robots.items():
        robot.pacer.seed(ledger.replies(name), ledger.locks(name))


def _send_one(
    job: Job, robot: Robot, *, ledger: Ledger | None, force: bool, max_wait: float | None
) -> SendResult:
    payload = job.payload
    log = None
    if ledger is not None:
        entry = ledger.entry(job.identity)
        if entry.sent and not force:
            return SendResult(job.robot, Status.SKIPPED, entry.msg_uuid or "", path=job.path)
        reuse = entry.reusable_uuid
        if reuse is not None and "msgUuid" not in payload:
            # The earlier POST may have arrived: the same msgUuid lets DingTalk drop a repeat.
            payload = {**payload, "msgUuid": reuse}
        log = _LedgerLog(ledger, job)
    result = robot.send(payload, max_wait=max_wait, log=log)
    return replace(result, path=job.path)


@dataclass(frozen=True)
class _LedgerLog:
    """Writes the POSTs of one job to the ledger (a :class:`msgspec_dd.robot.AttemptLog`)."""

    ledger: Ledger
    job: Job

    def attempt(self, msg_uuid: str) -> None:
        self.ledger.attempt(self.job.identity, self.job.robot, msg_uuid, path=self.job.path)

    def outcome(self, event: str, msg_uuid: str, reply: Reply) -> None:
        self.ledger.outcome(event, self.job.identity, self.job.robot, msg_uuid, reply)


def _run_queues(
    queues: Sequence[Sequence[Job]], work: Callable[[Job], SendResult]
) -> dict[int, SendResult]:
    """Work through each queue in order, the queues side by side (a daemon thread each).

    Daemon threads, so that Ctrl-C ends the run at once: whatever was in flight is in the
    ledger as an attempt, and the next run resends it under the same msgUuid.
    """
    results: dict[int, SendResult] = {}
    failures: list[BaseException] = []
    stop = threading.Event()

    def run(queue: Sequence[Job]) -> None:
        try:
            for job in queue:
                if stop.is_set():
                    return
                results[job.index] = work(job)
        except BaseException as err:  # noqa: BLE001 - a bug: re-raised in the main thread below
            failures.append(err)
            stop.set()

    threads = [threading.Thread(target=run, args=(queue,), daemon=True) for queue in queues]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
    finally:
        stop.set()
    if failures:
        raise failures[0]
    return results

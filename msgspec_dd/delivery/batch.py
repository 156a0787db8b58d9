"""Delivering a batch: every prepared message to each of its robots, safely and quickly.

Robots are served concurrently (a thread each, over its own kept-alive connections); one robot's
messages go strictly in order, paced by that robot's :class:`~msgspec_dd.delivery.pacing.Pacer`. With a
:class:`~msgspec_dd.delivery.ledger.Ledger`, what is recorded as sent is skipped, a message whose outcome
was unknown is sent again under its old msgUuid, and the pacers start from the ledger's recent
replies and rate-limit answers, so back-to-back runs keep to the rate too.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec_dd.config import check_environment
from msgspec_dd.delivery.events import BatchWatcher, Serialized, Unwatched
from msgspec_dd.delivery.git_ledger import GitBranch, GitLedger
from msgspec_dd.delivery.identity import ledger_name, message_identity
from msgspec_dd.delivery.ledger import Ledger
from msgspec_dd.delivery.results import Reply, SendResult, Status
from msgspec_dd.delivery.robot import Robot
from msgspec_dd.delivery.stopping import Gate, Stopped, Ticket
from msgspec_dd.errors import DeliveryError

if TYPE_CHECKING:
    from msgspec_dd.config import Config
    from msgspec_dd.message_files.pipeline import PreparedMessage


@dataclass(frozen=True)
class Job:
    """One message to one robot; ``index`` is its place in the report, ``path`` the file as
    given (for people), ``body`` the payload's bytes, ``name`` the file as the ledger names it
    (repository-relative), ``msg_uuid`` the one announced in the ledger before the first POST."""

    index: int
    path: str
    robot: str
    payload: Mapping[str, Any]
    body: bytes
    identity: str
    name: str
    msg_uuid: str | None = None


@dataclass(frozen=True)
class BatchReport:
    """The results of a batch, in message order and, within a message, robot order.

    ``stopped`` says why the batch stopped early (the ledger could not be written): ``results``
    then holds every message that had a result by then, and no other was posted. ``arrived``
    is filled by a rehearsal (``send --sandbox``): for each sandbox robot, the bodies it accepted.
    ``interrupted`` is True when Ctrl-C stopped the batch (after the POSTs in flight);
    ``not_sent`` names each delivery (path, robot) that was never posted, however it stopped.
    """

    results: tuple[SendResult, ...]
    arrived: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)
    stopped: str | None = None
    interrupted: bool = False
    not_sent: tuple[tuple[str, str], ...] = ()

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
        return (self.stopped is None and not self.interrupted
                and all(result.ok for result in self.results))

    def to_json(self) -> dict[str, Any]:
        """``{"results": [...], "counts": {...}}``, then ``"error"`` when the batch stopped early
        and ``"sandbox": {robot: [body, ...]}`` after a rehearsal; every string redacted.
        An interrupted batch adds ``"interrupted": true`` and ``"notSent": [{path, robot}]``."""
        from msgspec_dd.redaction import redact_json

        document: dict[str, Any] = {"results": [r.to_json() for r in self.results],
                                    "counts": self.counts}
        if self.stopped is not None:
            document["error"] = self.stopped
        if self.interrupted:
            document["interrupted"] = True
            document["notSent"] = [{"path": path, "robot": robot} for path, robot in self.not_sent]
        if self.arrived:
            document["sandbox"] = {name: list(items) for name, items in self.arrived.items()}
        return dict(redact_json(document))


def dry_run_notes(messages: Sequence[PreparedMessage], config: Config,
                  environ: Mapping[str, str] | None = None) -> list[str]:
    """What a dry run says about variables of the robots that are not set (it needs none)."""
    from msgspec_dd.config import missing_variables

    return [f"note: environment variable {item.variable} (robot {item.robot}) is not set; "
            "a real send would stop there"
            for item in missing_variables(config, robot_names(messages), environ)]


def dry_run_document(messages: Sequence[PreparedMessage],
                     skipped: Collection[tuple[str, str]] | None = None) -> dict[str, Any]:
    """``send --dry-run --format json``: each message's path, robots and body; with a ledger
    (``skipped``: the (path, robot) deliveries it records as sent), also the robots a real run
    would skip."""
    document: dict[str, Any] = {"messages": [
        {"path": m.path, "robots": list(m.robots), "payload": m.payload} for m in messages]}
    if skipped is not None:
        for item, message in zip(document["messages"], messages, strict=True):
            item["skipped"] = [robot for robot in message.robots if (message.path, robot) in skipped]
    return document


def dry_run_skips(
    messages: Sequence[PreparedMessage], config: Config, ledger: Path | GitBranch, *,
    due: bool = False, force: bool = False,
) -> tuple[list[PreparedMessage], list[Job]]:
    """What a real run with ``ledger`` would leave out: with ``due``, the messages already sent
    (not due), and the jobs it would report as skipped. Writes nothing to the ledger."""
    if isinstance(ledger, Path) and not ledger.exists():
        return list(messages), []
    anchor = config_folder(config)
    with ExitStack() as stack:
        opened, _ = open_ledger(ledger, stack, messages, config)
        if opened is None or force:
            return list(messages), []
        if due:
            messages = not_yet_sent(messages, opened, anchor=anchor)
        jobs = [job for job in plan(messages, anchor=anchor) if opened.entry(job.identity).sent]
    return list(messages), jobs


def robot_names(messages: Iterable[PreparedMessage]) -> list[str]:
    """Every robot of the batch, once each, in order of first mention."""
    return list(dict.fromkeys(name for message in messages for name in message.robots))


def summary(messages: Sequence[PreparedMessage]) -> str:
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


def send(
    messages: Sequence[PreparedMessage],
    config: Config,
    *,
    ledger: Path | GitBranch | None = None,
    force: bool = False,
    max_wait: float | None = None,
    progress: Callable[[str], None] | None = None,
    environ: Mapping[str, str] | None = None,
    robots: Mapping[str, Robot] | None = None,
    due: bool = False,
    watcher: BatchWatcher | None = None,
) -> BatchReport:
    """``msgspec-dd send`` from Python: post prepared messages to the robots of ``config``.

    Every variable the robots of the batch need is checked first, so one that is not set stops
    everything before the first POST (:class:`ConfigError`). ``ledger`` is a JSON Lines file
    that makes re-runs send only what is missing, ``force`` sends what it records as sent,
    ``max_wait`` bounds each message's wait for its robot (see :func:`deliver`). ``progress``
    hears the summary line and long waits. ``environ`` (default: the process environment)
    holds the webhooks and secrets. ``robots`` replaces the robots of ``config`` with robots
    the caller made (and closes), such as ``send --sandbox``'s throwaway ones. ``ledger`` may be
    a :class:`GitBranch` (``--ledger git:BRANCH``) of the messages' repository: its attempts
    are pushed before the first POST and its outcomes after the last. ``due`` (``send
    --due``) leaves out, unreported, the messages the ledger records as sent to all their robots:
    an occurrence already sent is not due.
    ``watcher`` hears each result as it ends (see :func:`deliver`).
    """
    options: dict[str, Any] = {} if progress is None else {"progress": progress}
    anchor = config_folder(config)
    with ExitStack() as stack:
        if robots is None:
            names = robot_names(messages)
            check_environment(config, names, environ)
            robots = robots_from_config(config, names, environ=environ, **options)
            for robot in robots.values():
                stack.callback(robot.close)
        opened, checkpoint = open_ledger(ledger, stack, messages, config, warn=progress)
        if opened is not None and due and not force:
            messages = not_yet_sent(messages, opened, anchor=anchor)
        if progress is not None and messages:
            progress(summary(messages))
        return deliver(messages, robots, ledger=opened, force=force, max_wait=max_wait,
                       anchor=anchor, checkpoint=checkpoint, watcher=watcher)


def open_ledger(
    spec: Path | GitBranch | None, stack: ExitStack, messages: Sequence[PreparedMessage],
    config: Config, *, warn: Callable[[str], None] | None = None,
) -> tuple[Ledger | None, Callable[[], None] | None]:
    """The ledger ``spec`` names, closed by ``stack``, and for a git ledger the checkpoint that
    pushes it (None for a file, which is durable as written)."""
    if spec is None:
        return None, None
    if isinstance(spec, GitBranch):
        git = GitLedger.open(spec, repository=repository_of(messages, config))
        stack.callback(git.close, warn)
        return git.ledger, git.publish
    opened = Ledger.open(spec)
    stack.callback(opened.close)
    return opened, None


def repository_of(messages: Sequence[PreparedMessage], config: Config) -> Path:
    """Where the messages' repository is: the first message file's folder, else the config's,
    else the current directory."""
    for message in messages:
        file = Path(message.path)
        if file.is_file():
            return file.resolve().parent
    return config_folder(config) or Path.cwd()


def not_yet_sent(messages: Sequence[PreparedMessage], ledger: Ledger, *,
                 anchor: Path | None = None) -> list[PreparedMessage]:
    """The messages that ``ledger`` does not record as sent to every one of their robots."""
    sent = {job.index for job in plan(messages, anchor=anchor) if ledger.entry(job.identity).sent}
    kept: list[PreparedMessage] = []
    index = 0
    for message in messages:
        if not all(number in sent for number in range(index, index + len(message.robots))):
            kept.append(message)
        index += len(message.robots)
    return kept


def config_folder(config: Config) -> Path | None:
    """The folder of the config file, which roots ledger names outside a repository."""
    return config.path.resolve().parent if config.path is not None else None


def robots_from_config(config: Config, names: Iterable[str], **options: Any) -> dict[str, Robot]:
    """A :class:`Robot` for each name, from ``config`` and the environment; close them when done.

    :class:`ConfigError` for an unknown robot or a webhook variable not set (those made before
    it are closed). ``options`` go to :meth:`Robot.from_config`. The app robots of one app
    share the run's access token: one cache for the whole batch.
    """
    from msgspec_dd.delivery.app_client import TokenCache

    options.setdefault("tokens", TokenCache())
    robots: dict[str, Robot] = {}
    try:
        for name in names:
            robots[name] = Robot.from_config(config, name, **options)
    except BaseException:
        for robot in robots.values():
            robot.close()
        raise
    return robots


def plan(messages: Iterable[PreparedMessage], *, anchor: Path | None = None) -> list[Job]:
    """One job per message and robot, in report order; ``anchor`` is the config file's folder,
    naming files outside any repository (see :func:`~msgspec_dd.delivery.identity.ledger_name`)."""
    jobs: list[Job] = []
    for message in messages:
        name = ledger_name(message.path, anchor=anchor)
        for robot in message.robots:
            identity = message_identity(name, message.content_sha256, robot, message.variables,
                                        message.occurrence)
            jobs.append(Job(len(jobs), message.path, robot, message.payload, message.body, identity, name))
    return jobs


def deliver(
    messages: Sequence[PreparedMessage],
    robots: Mapping[str, Robot],
    *,
    ledger: Ledger | None = None,
    force: bool = False,
    max_wait: float | None = None,
    anchor: Path | None = None,
    checkpoint: Callable[[], None] | None = None,
    watcher: BatchWatcher | None = None,
) -> BatchReport:
    """Send every message to each of its robots; ``robots`` must hold each robot named.

    ``force`` sends even what ``ledger`` records as sent (under a new msgUuid). ``max_wait``
    (default: each robot's own) bounds how long one message may wait for pacing and a
    rate-limit lock before it is reported as not sent. When the ledger cannot be written,
    sending stops (nothing goes out unrecorded) and the report keeps every result so far.
    ``anchor`` names files outside a repository in the ledger (see :func:`plan`).
    ``checkpoint`` (a git ledger's push) runs after every attempt of the batch is recorded,
    before the first POST, and again after the last: a job killed in between is resent under
    the same msgUuids, which DingTalk de-duplicates.
    ``watcher`` hears each result the moment it ends, and each wait for a robot's rate. Ctrl-C
    (KeyboardInterrupt) stops the batch after the POSTs in flight: the report then says
    ``interrupted`` and lists what was not sent, and the ledger holds every POST made.
    """
    jobs = plan(messages, anchor=anchor)
    if ledger is not None:
        _seed_pacers(ledger, robots)
        if checkpoint is not None:
            try:
                jobs = _announce(jobs, ledger, force=force)
                checkpoint()
            except DeliveryError as err:  # nothing was posted
                return BatchReport((), stopped=str(err))
    watch = Serialized(watcher or Unwatched())
    watch.started(len(jobs))

    def work(job: Job, ticket: Ticket) -> Done:
        robot = robots[job.robot]
        wait = robot.next_wait()
        if wait.seconds > 0:
            watch.waiting(job.robot, wait)
        return _send_one(job, robot, ledger=ledger, force=force, max_wait=max_wait, ticket=ticket)

    queues: dict[str, list[Job]] = {}
    for job in jobs:
        queues.setdefault(job.robot, []).append(job)
    done, interrupted = _run_queues(list(queues.values()), work, watch.finished)
    ended = [done[job.index].result for job in jobs if job.index in done]
    results = tuple(result for result in ended if result is not None)
    errors = [str(d.error) for d in done.values() if d.error is not None]
    if checkpoint is not None:
        try:
            checkpoint()
        except DeliveryError as err:
            errors.append(f"{err}; the messages above were posted, but a re-run cannot know it")
    not_sent = tuple((job.path, job.robot) for job in jobs
                     if job.index not in done or done[job.index].result is None)
    return BatchReport(results, stopped=errors[0] if errors else None,
                       interrupted=interrupted, not_sent=not_sent)


def _announce(jobs: Sequence[Job], ledger: Ledger, *, force: bool) -> list[Job]:
    """Each job that will be posted, with its msgUuid chosen now and recorded as attempted, so
    the whole batch's attempts can be published before its first POST."""
    announced: list[Job] = []
    for job in jobs:
        entry = ledger.entry(job.identity)
        if entry.sent and not force:
            announced.append(job)  # skipped
            continue
        msg_uuid = str(job.payload.get("msgUuid") or entry.reusable_uuid or uuid.uuid4())
        ledger.attempt(job.identity, job.robot, msg_uuid, path=job.name)
        announced.append(replace(job, msg_uuid=msg_uuid))
    return announced


@dataclass(frozen=True)
class Done:
    """How one job ended: its result (None if it was never posted) and a ledger failure."""

    result: SendResult | None
    error: DeliveryError | None = None


def _seed_pacers(ledger: Ledger, robots: Mapping[str, Robot]) -> None:
    for name, robot in robots.items():
        robot.pacer.seed(ledger.replies(name), ledger.locks(name))


def _send_one(
    job: Job, robot: Robot, *, ledger: Ledger | None, force: bool, max_wait: float | None,
    ticket: Ticket,
) -> Done:
    if ledger is None:
        result = robot.send_prepared(job.payload, job.body, max_wait=max_wait, log=ticket)
        return Done(_located(result, job))
    entry = ledger.entry(job.identity)
    if entry.sent and not force:
        return Done(SendResult(job.robot, Status.SKIPPED, entry.msg_uuid or "", path=job.path))
    # The earlier POST may have arrived: the same msgUuid lets DingTalk drop a repeat.
    msg_uuid = job.msg_uuid or entry.reusable_uuid
    log = _LedgerLog(ledger, job, ticket)
    try:
        result = robot.send_prepared(job.payload, job.body, msg_uuid=msg_uuid, max_wait=max_wait, log=log)
    except DeliveryError as err:  # its attempt could not be recorded, so it was not posted
        return Done(None, err)
    return Done(_located(result, job), log.error)


def _located(result: SendResult, job: Job) -> SendResult:
    return replace(result, path=job.path)


class _LedgerLog:
    """Writes the POSTs of one job to the ledger (a :class:`msgspec_dd.delivery.robot.AttemptLog`).

    A failed ``attempt`` write raises before its POST; a failed ``outcome`` write is kept in
    ``error``, so the result of a POST that was made is still reported. The ``ticket`` passes
    first: a stopped batch records no attempt it will not make.
    """

    def __init__(self, ledger: Ledger, job: Job, ticket: Ticket) -> None:
        self.ledger, self.job, self.ticket = ledger, job, ticket
        self.error: DeliveryError | None = None

    def attempt(self, msg_uuid: str) -> None:
        self.ticket.attempt(msg_uuid)
        self.ledger.attempt(self.job.identity, self.job.robot, msg_uuid,
                            path=self.job.name)

    def outcome(self, event: str, msg_uuid: str, reply: Reply) -> None:
        try:
            self.ledger.outcome(event, self.job.identity, self.job.robot, msg_uuid, reply)
        except DeliveryError as err:
            self.error = self.error or err
        self.ticket.outcome(event, msg_uuid, reply)


def _run_queues(
    queues: Sequence[Sequence[Job]], work: Callable[[Job, Ticket], Done],
    finished: Callable[[SendResult], None],
) -> tuple[dict[int, Done], bool]:
    """Work through each queue in order, the queues side by side (a daemon thread each); True
    when Ctrl-C stopped them.

    A ledger failure in one queue stops them all before their next POST. Ctrl-C in the main
    thread does too, then waits for the POSTs in flight, so each has its result and its ledger
    record. Daemon threads: one still waiting for its robot's rate is left behind, and would
    meet the closed gate before posting.
    """
    done: dict[int, Done] = {}
    failures: list[BaseException] = []
    gate = Gate()

    def run(queue: Sequence[Job]) -> None:
        try:
            for job in queue:
                if gate.stopped or not _run_job(job, gate, work, done, finished):
                    return
        except BaseException as err:  # noqa: BLE001 - a bug: re-raised in the main thread below
            failures.append(err)
            gate.stop()

    threads = [threading.Thread(target=run, args=(queue,), daemon=True) for queue in queues]
    for thread in threads:
        thread.start()
    interrupted = _join(threads, gate)
    if failures:
        raise failures[0]
    return done, interrupted


def _run_job(job: Job, gate: Gate, work: Callable[[Job, Ticket], Done], done: dict[int, Done],
             finished: Callable[[SendResult], None]) -> bool:
    """Deliver one job and report it; False when the batch must stop (stopped, or the ledger failed)."""
    ticket = gate.ticket()
    try:
        ended = work(job, ticket)
        if gate.stopped and not ticket.inside:
            return False  # ended without a POST after the stop (skipped, refused): left out
        done[job.index] = ended
        if ended.result is not None:
            finished(ended.result)
    except Stopped:
        return False
    finally:
        ticket.release()  # only now: a Ctrl-C waits until this result is reported
    if ended.error is not None:
        gate.stop()
        return False
    return True


def _join(threads: Sequence[threading.Thread], gate: Gate) -> bool:
    """Wait for ``threads``; on Ctrl-C, stop the gate and wait for the POSTs in flight only."""
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
    except KeyboardInterrupt:
        gate.stop()
        gate.settle()
        return True
    finally:
        gate.stop()
    return False

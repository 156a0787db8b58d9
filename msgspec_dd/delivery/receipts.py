"""What an app robot can do after a send and a webhook cannot: take the message back, and say
who has read it (``msgspec-dd recall`` and ``msgspec-dd status``).

Both start from the ledger: the message's identity per robot is the one ``send`` recorded it
under (:func:`msgspec_dd.delivery.batch.plan`, so a change to the identity changes both), and the
ledger's latest ``sent`` record of it holds the processQueryKey. A recall is recorded in the
ledger too. Results are values (:class:`RecallOutcome`, :class:`ReadOutcome`); a robot that is
not an app robot is a :class:`~msgspec_dd.errors.UsageError` (exit 2), since DingTalk gives a
webhook's messages no id to recall or query.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec_dd.config import Config, RobotKind
from msgspec_dd.delivery.app import AppTransport
from msgspec_dd.delivery.app_client import ReadStatus, RecallResult, TokenCache
from msgspec_dd.delivery.batch import config_folder, plan
from msgspec_dd.delivery.batch import open_ledger as open_batch_ledger
from msgspec_dd.delivery.git_ledger import GitBranch
from msgspec_dd.delivery.ledger import Ledger
from msgspec_dd.dingtalk.app_errors import AppError
from msgspec_dd.errors import UsageError

if TYPE_CHECKING:
    from msgspec_dd.message_files.pipeline import PreparedMessage

#: Why webhooks have neither command (DingTalk returns no id for a webhook's message).
NO_WEBHOOK_RECEIPTS = ("DingTalk offers no recall and no read status for webhook robots (a webhook "
                       "returns no message id); only app robots (app: in msgspec-dd.yaml) do")
_NOT_IN_LEDGER = ("the ledger has no record of this message sent to this robot: check --ledger, "
                  "the --var values (they are part of the message's identity) and --robot")


@dataclass(frozen=True)
class Target:
    """One app robot a message went to, its ledger identity and the processQueryKey recorded."""

    robot: str
    identity: str
    message_id: str | None


@dataclass(frozen=True)
class RecallOutcome:
    """What ``groupMessages/recall`` said about one robot's copy of the message."""

    path: str
    robot: str
    message_id: str | None
    recalled: bool
    reason: str = ""
    hint: str = ""

    def format(self) -> str:
        """``path -> robot: recalled`` or ``... : not recalled: reason; hint: ...``."""
        if self.recalled:
            return f"{self.path} -> {self.robot}: recalled (processQueryKey {self.message_id})"
        return f"{self.path} -> {self.robot}: not recalled: {self.reason}" + (
            f"; hint: {self.hint}" if self.hint else "")

    def to_json(self) -> dict[str, Any]:
        """DingTalk's own shape: ``successResult`` and ``failedResult``, per robot."""
        key = self.message_id or ""
        return {"path": self.path, "robot": self.robot, "processQueryKey": self.message_id,
                "successResult": [key] if self.recalled else [],
                "failedResult": {} if self.recalled else {key: self.reason},
                **({"hint": self.hint} if self.hint else {})}


@dataclass(frozen=True)
class ReadOutcome:
    """One robot's copy of the message: its send status and who has read it (or the error)."""

    path: str
    robot: str
    message_id: str | None
    send_status: str = ""
    read_user_ids: tuple[str, ...] = field(default=())
    error: str = ""
    hint: str = ""

    @property
    def ok(self) -> bool:
        """True when DingTalk answered with the status."""
        return not self.error

    def format(self) -> str:
        """``path -> robot: SUCCESS, read by 3`` or the error with its hint."""
        if not self.ok:
            return f"{self.path} -> {self.robot}: no status: {self.error}" + (
                f"; hint: {self.hint}" if self.hint else "")
        count = len(self.read_user_ids)
        return f"{self.path} -> {self.robot}: {self.send_status}, read by {count}"

    def to_json(self) -> dict[str, Any]:
        """``sendStatus`` and ``readUserIds`` as DingTalk names them, or the error."""
        if not self.ok:
            return {"path": self.path, "robot": self.robot, "processQueryKey": self.message_id,
                    "error": self.error, "hint": self.hint}
        return {"path": self.path, "robot": self.robot, "processQueryKey": self.message_id,
                "sendStatus": self.send_status, "readCount": len(self.read_user_ids),
                "readUserIds": list(self.read_user_ids)}


@dataclass(frozen=True)
class Receipts:
    """How to reach the app API for ``recall`` and ``status``: the environment (key, secret,
    ``MSGSPEC_DD_API_BASE``), one token cache for the run, and the clock."""

    config: Config
    environ: Mapping[str, str] | None = None
    tokens: TokenCache = field(default_factory=TokenCache)
    clock: Callable[[], float] = time.time

    def webhook_robots(self, message: PreparedMessage) -> list[str]:
        """The robots of ``message`` that are webhook robots (left out: nothing to ask them)."""
        return [name for name in message.robots if self.config.robot(name).kind is not RobotKind.APP]

    def check(self, message: PreparedMessage) -> None:
        """:class:`UsageError` (exit 2) when ``message`` has no app robot: webhook robots only."""
        webhooks = self.webhook_robots(message)
        if len(webhooks) == len(message.robots):
            robots = ", ".join(webhooks)
            raise UsageError(f"{message.path}: robot {robots} is a webhook robot: {NO_WEBHOOK_RECEIPTS}. "
                             "Name an app robot with --robot.")

    def targets(self, message: PreparedMessage, ledger: Ledger) -> list[Target]:
        """The message's app robots, each with its identity and recorded processQueryKey."""
        self.check(message)
        webhooks = self.webhook_robots(message)
        jobs = [job for job in plan([message], anchor=config_folder(self.config))
                if job.robot not in webhooks]
        return [Target(job.robot, job.identity, ledger.message_id(job.identity)) for job in jobs]

    def transports(self, targets: list[Target]) -> dict[str, AppTransport]:
        """Each target's app transport; :class:`ConfigError` for an unset key or secret variable
        (before anything is asked of DingTalk)."""
        return {target.robot: AppTransport.from_config(self.config.robot(target.robot), self.environ,
                                                       tokens=self.tokens, clock=self.clock)
                for target in targets}


def recall(message: PreparedMessage, ledger: Ledger, receipts: Receipts) -> list[RecallOutcome]:
    """Recall the latest sent copy of ``message`` from each of its app robots; record each recall."""
    targets = receipts.targets(message, ledger)
    transports = receipts.transports(targets)
    try:
        return [_recall_one(message.path, target, transports[target.robot], ledger)
                for target in targets]
    finally:
        for transport in transports.values():
            transport.close()


def status(message: PreparedMessage, ledger: Ledger, receipts: Receipts) -> list[ReadOutcome]:
    """The send status and readers of the latest sent copy of ``message``, per app robot."""
    targets = receipts.targets(message, ledger)
    transports = receipts.transports(targets)
    try:
        return [_status_one(message.path, target, transports[target.robot]) for target in targets]
    finally:
        for transport in transports.values():
            transport.close()


def _recall_one(path: str, target: Target, transport: AppTransport, ledger: Ledger) -> RecallOutcome:
    if target.message_id is None:
        return RecallOutcome(path, target.robot, None, False, "not sent", _NOT_IN_LEDGER)
    answer = transport.client.recall([target.message_id], robot_code=transport.robot_code,
                                       conversation=transport.conversation)
    outcome = _recall_outcome(path, target, answer)
    ledger.recall(target.identity, target.robot, target.message_id, recalled=outcome.recalled,
                  reason=outcome.reason)
    return outcome


def _recall_outcome(path: str, target: Target, answer: RecallResult | AppError) -> RecallOutcome:
    key = target.message_id
    if isinstance(answer, AppError):
        return RecallOutcome(path, target.robot, key, False, _describe(answer), answer.hint)
    if key in answer.recalled:
        return RecallOutcome(path, target.robot, key, True)
    reason = answer.failed.get(key or "", "DingTalk did not recall it and gave no reason")
    return RecallOutcome(path, target.robot, key, False, reason)


def _status_one(path: str, target: Target, transport: AppTransport) -> ReadOutcome:
    if target.message_id is None:
        return ReadOutcome(path, target.robot, None, error="not sent", hint=_NOT_IN_LEDGER)
    answer: ReadStatus | AppError = transport.client.query(
        target.message_id, robot_code=transport.robot_code, conversation=transport.conversation)
    if isinstance(answer, AppError):
        return ReadOutcome(path, target.robot, target.message_id, error=_describe(answer),
                           hint=answer.hint)
    return ReadOutcome(path, target.robot, target.message_id, answer.send_status,
                       answer.read_user_ids)


def _describe(error: AppError) -> str:
    text = f"{error.code} ({error.message})" if error.message else error.code
    return f"HTTP {error.status} {text}" if error.status else text


def open_ledger(spec: Path | GitBranch, stack: ExitStack, message: PreparedMessage,
                config: Config) -> Ledger:
    """The ledger ``send`` wrote (a file, or ``git:BRANCH``), closed by ``stack``; a git ledger
    publishes the recall records when it closes. :class:`UsageError` (exit 2) when a file is not
    there, rather than an empty new one that could only say "not sent"."""
    if isinstance(spec, GitBranch):
        ledger, _ = open_batch_ledger(spec, stack, [message], config)
        assert ledger is not None
        return ledger
    if not spec.exists():
        raise UsageError(f"{spec}: no ledger there. recall and status read the ledger that "
                         "send --ledger wrote; give its path with --ledger.")
    opened = Ledger.open(spec)
    stack.callback(opened.close)
    return opened

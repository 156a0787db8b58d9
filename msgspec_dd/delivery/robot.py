"""A DingTalk group robot you can send to: ``Robot.from_env().send(payload)``.

A robot is a name, a :class:`~msgspec_dd.delivery.transport.Transport` (how to reach it), a
:class:`~msgspec_dd.delivery.pacing.Pacer` (its rate) and retry handlers
(:mod:`msgspec_dd.delivery.retry`). ``send`` validates and encodes a message once, gives it a
``msgUuid`` (DingTalk's idempotency key) and keeps it through every retry, waits its turn,
posts, and asks the handlers whether to try again. Every answer is a
:class:`~msgspec_dd.delivery.results.SendResult`; HTTP 200 with an errcode other than 0 is a
failure.

Time, sleep, randomness, msgUuids and the HTTP session are injected, so tests run instantly
against a real local server.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from msgspec_dd.config import Config, Rate, RobotKind, load_config
from msgspec_dd.delivery import failures
from msgspec_dd.delivery.app import APP_LOCK_SECONDS, AppTransport
from msgspec_dd.delivery.pacing import (
    DEFAULT_MAX_WAIT,
    LOCK_SECONDS,
    Pacer,
    Wait,
    check_max_wait,
    duration,
    wait_for_turn,
)
from msgspec_dd.delivery.results import Reply, SendResult, Status
from msgspec_dd.delivery.retry import (
    ExponentialBackoff,
    RateLimitRetry,
    ResignRetry,
    RetryHandler,
    RetryState,
    RetryStrategy,
    TransientRetry,
)
from msgspec_dd.delivery.transport import Refusal, Transport
from msgspec_dd.delivery.webhook import WebhookTransport
from msgspec_dd.dingtalk import wire
from msgspec_dd.dingtalk.errcodes import Kind
from msgspec_dd.redaction import redact

#: Options of :meth:`Robot.from_config` that belong to the transport (``tokens``: an app's).
_TRANSPORT_OPTIONS = ("timeout", "session", "timestamp_ms", "tokens")

logger = logging.getLogger("msgspec_dd")


class AttemptLog(Protocol):
    """Hears about every POST: before it is made, and how it ended (sent, retry or failed)."""

    def attempt(self, msg_uuid: str) -> None:
        """A POST of ``msg_uuid`` is about to be made."""

    def outcome(self, event: str, msg_uuid: str, reply: Reply) -> None:
        """The POST of ``msg_uuid`` ended with ``reply``."""


class _Unlogged:
    def attempt(self, msg_uuid: str) -> None:
        pass

    def outcome(self, event: str, msg_uuid: str, reply: Reply) -> None:
        pass


def _new_uuid() -> str:
    return str(uuid.uuid4())


class Robot:
    """One DingTalk group robot: its name, how to reach it, its rate and its retry policy.

    Made with :meth:`from_env` or :meth:`from_config` (or :meth:`webhook` for a URL at hand).
    ``clock``/``sleep`` drive pacing and backoff, ``new_uuid`` the msgUuids, ``progress`` hears
    about long waits (default: the ``msgspec_dd`` logger). ``backoff`` paces transient retries;
    ``handlers`` replaces the retry handlers altogether.
    """

    def __init__(
        self,
        name: str,
        transport: Transport,
        *,
        rate: Rate | None = None,
        lock_seconds: float = LOCK_SECONDS,
        max_wait: float = DEFAULT_MAX_WAIT,
        backoff: RetryStrategy | None = None,
        handlers: Sequence[RetryHandler] | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        new_uuid: Callable[[], str] = _new_uuid,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.name = name
        self.transport = transport
        self.max_wait = check_max_wait(max_wait)
        self.pacer = Pacer(rate or Rate(), lock_seconds=lock_seconds)
        self.handlers = tuple(handlers) if handlers is not None else (
            TransientRetry(sleep, backoff or ExponentialBackoff()),
            ResignRetry(),
            RateLimitRetry(self.pacer),
        )
        self._clock, self._sleep, self._new_uuid = clock, sleep, new_uuid
        self._progress = progress or logger.info

    @classmethod
    def webhook(cls, name: str, url: str, *, secret: str | None = None,
                secret_env: str | None = None, **options: Any) -> Robot:
        """A robot posting to the webhook ``url`` (or a bare 64-hex access token).

        With no ``secret`` requests go unsigned; ``secret_env`` names the variable that was to
        hold it. ``timeout``, ``session`` and ``timestamp_ms`` go to the
        :class:`~msgspec_dd.delivery.webhook.WebhookTransport`, the rest to :class:`Robot`.
        """
        transport_options = _transport_options(options)
        transport_options.pop("tokens", None)
        transport = WebhookTransport(url, secret=secret, secret_env=secret_env,
                                     **transport_options)
        return cls(name, transport, **options)

    @classmethod
    def from_config(
        cls, config: Config, name: str, *, environ: Mapping[str, str] | None = None, **options: Any
    ) -> Robot:
        """The robot ``name`` of ``config``, its webhook and secret read from the environment.

        :class:`ConfigError` when the robot is unknown or its webhook variable is not set; the
        error names the variable, never its value. ``options`` go to :meth:`webhook`. An app
        robot (``app:``) gets an :class:`~msgspec_dd.delivery.app.AppTransport` instead (its
        key and secret variables must be set; ``tokens`` shares a run's access tokens).

        A ``secret_env`` that is not set (or empty) is not an error: the robot sends unsigned.
        If the robot does require a signature, DingTalk refuses the message (310000, permanent,
        nothing is sent) and its result's hint says that this variable is not set.
        """
        robot = config.robot(name)
        transport_options = _transport_options(options)
        if robot.kind is RobotKind.APP:
            app = AppTransport.from_config(robot, environ, **transport_options)
            return cls(name, app, rate=robot.rate, lock_seconds=APP_LOCK_SECONDS, **options)
        transport_options.pop("tokens", None)
        transport = WebhookTransport.from_config(robot, environ, **transport_options)
        return cls(name, transport, rate=robot.rate, **options)

    @classmethod
    def from_env(
        cls,
        name: str = "default",
        *,
        config: Config | None = None,
        environ: Mapping[str, str] | None = None,
        **options: Any,
    ) -> Robot:
        """The robot ``name`` of ``config`` (default: ``msgspec-dd.yaml`` here or above, if any).

        With no configuration this is the ``default`` robot: ``DINGTALK_WEBHOOK`` and
        ``DINGTALK_SECRET``.
        """
        return cls.from_config(config or load_config(), name, environ=environ, **options)

    def redact(self, text: str) -> str:
        """``text`` with this robot's credentials hidden (see :mod:`msgspec_dd.redaction`)."""
        return redact(text, self.transport.credentials)

    def close(self) -> None:
        """Close the kept-alive connections."""
        self.transport.close()

    def send(
        self,
        payload: Mapping[str, Any],
        *,
        max_wait: float | None = None,
        log: AttemptLog | None = None,
    ) -> SendResult:
        """Post ``payload`` (a DingTalk message body) and say how it went.

        A body DingTalk would refuse (not valid for its msgtype, or too large) is not posted:
        the result says why. A ``msgUuid`` is added unless the payload has one. ``max_wait``
        (default: the robot's) bounds the seconds this message may wait for pacing and a
        rate-limit lock; past it the message is reported as not sent (:class:`UsageError`
        unless it is finite and not negative). ``log`` hears about every POST (the ledger uses it).
        """
        message = dict(payload)
        invalid = _invalid(message)
        if invalid is not None:  # nothing invalid is ever posted, from Python either
            return failures.invalid(self.name, self._msg_uuid(message), invalid)
        return self.send_prepared(message, wire.encode(message), max_wait=max_wait, log=log)

    def send_prepared(
        self,
        payload: Mapping[str, Any],
        body: bytes,
        *,
        msg_uuid: str | None = None,
        max_wait: float | None = None,
        log: AttemptLog | None = None,
    ) -> SendResult:
        """:meth:`send` for a payload already validated and encoded (a prepared message).

        ``body`` is ``payload``'s encoding (:func:`~msgspec_dd.dingtalk.wire.encode`): it is
        not checked nor encoded again. The msgUuid is the payload's own, else ``msg_uuid`` (one
        the ledger recorded), else a new one; the transport adds it to ``body`` and checks only
        the size of what it will post (the msgUuid adds to what lint measured).
        """
        allowance = self.max_wait if max_wait is None else check_max_wait(max_wait)
        msg_uuid = self._msg_uuid(payload, msg_uuid)
        request = self.transport.encode(payload, body, msg_uuid)
        if isinstance(request, Refusal):
            return failures.invalid(self.name, msg_uuid, request.reason)
        with self.pacer.turn:
            return self._deliver(request, msg_uuid, allowance, log or _Unlogged())

    def _msg_uuid(self, payload: Mapping[str, Any], chosen: str | None = None) -> str:
        if "msgUuid" in payload:
            return str(payload["msgUuid"])
        return chosen or self._new_uuid()

    def _deliver(self, body: bytes, msg_uuid: str, allowance: float, log: AttemptLog) -> SendResult:
        state, left = RetryState(), allowance
        while True:
            turn = wait_for_turn(self.pacer, clock=self._clock, sleep=self._sleep,
                                 allowance=left, progress=self._report_wait)
            left -= turn.waited
            if turn.refused is not None:
                return failures.not_sent(self.name, msg_uuid, turn.refused, state,
                                         limit=allowance, rate=self.pacer.rate)
            reply = self._post(body, msg_uuid, log)
            state.record(reply)
            handler = self._handler(state, reply)
            log.outcome(_event(reply, handler), msg_uuid, reply)
            if reply.kind is Kind.OK:
                return SendResult(self.name, Status.SENT, msg_uuid, errcode=reply.errcode,
                                  errmsg=reply.errmsg, attempts=state.attempts,
                                  message_id=reply.message_id)
            if handler is None:
                return failures.failed(self.name, msg_uuid, state)
            handler.prepare_for_next_attempt(state, reply)

    def _handler(self, state: RetryState, reply: Reply) -> RetryHandler | None:
        """The first handler that would try again after ``reply``; None when it is final."""
        if reply.kind is Kind.OK:
            return None
        return next((h for h in self.handlers if h.can_retry(state, reply)), None)

    def _post(self, body: bytes, msg_uuid: str, log: AttemptLog) -> Reply:
        log.attempt(msg_uuid)
        reply = self.transport.post(body)
        # Counted even when no answer came, as the request may have reached DingTalk; only a
        # request that certainly never left (connection refused, invalid URL) is not.
        if reply.posted:
            self.pacer.record(reply.at)
        return reply

    def next_wait(self) -> Wait:
        """How long a message sent now would wait for this robot's rate or lock."""
        return self.pacer.wait(self._clock())

    def _report_wait(self, wait: Wait) -> None:
        if wait.locked:
            why = "DingTalk's rate-limit lock"
        else:
            why = f"its rate ({self.pacer.rate.count} per {self.pacer.rate.per_seconds:g}s)"
        self._progress(f"robot {self.name}: waiting {duration(wait.seconds)} for {why}")


def _event(reply: Reply, handler: RetryHandler | None) -> str:
    """What the ledger records for ``reply``: ``sent``, ``retry`` or ``failed``."""
    if reply.kind is Kind.OK:
        return "sent"
    return "failed" if handler is None else "retry"


def _transport_options(options: dict[str, Any]) -> dict[str, Any]:
    """Take the transport's options out of ``options``; the clock goes to both."""
    taken = {key: options.pop(key) for key in _TRANSPORT_OPTIONS if key in options}
    if "clock" in options:
        taken["clock"] = options["clock"]
    return taken


def _invalid(message: Mapping[str, Any]) -> str | None:
    """Why DingTalk would refuse ``message`` for its schema, or None (the size is checked later)."""
    from msgspec_dd.schemas import catalog
    from msgspec_dd.schemas.issues import schema_issues

    issues = schema_issues(catalog.payload_validator(), message)
    if issues:
        where = "/".join(str(part) for part in issues[0].path)
        return f"invalid body{' at ' + where if where else ''}: {issues[0].message}"
    return None

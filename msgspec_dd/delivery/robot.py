"""A DingTalk group robot you can send to: ``Robot.from_env().send(payload)``.

``send`` gives every message a ``msgUuid`` (DingTalk's idempotency key) and keeps it through
every retry, signs each request afresh, paces itself to the robot's rate, retries what is
transient and explains what is not. Every answer is a :class:`~msgspec_dd.delivery.results.SendResult`;
HTTP 200 with an errcode other than 0 is a failure.

Time, sleep, randomness, msgUuids and the HTTP session are injected, so tests run instantly
against a real local server.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import requests
from urllib3.exceptions import LocationValueError, NewConnectionError

from msgspec_dd.config import Config, Rate, load_config, read_env
from msgspec_dd.delivery.pacing import Pacer, Wait, check_max_wait, wait_for_turn
from msgspec_dd.delivery.results import UNCERTAIN_HINT, Reply, SendResult, Status, Transport, shorten
from msgspec_dd.delivery.retry import ExponentialBackoff, RetryStrategy
from msgspec_dd.dingtalk import signing, wire
from msgspec_dd.dingtalk.errcodes import TOO_FAST, Kind, hint, is_signature_refusal, unsigned_hint
from msgspec_dd.dingtalk.webhook_url import hide_credentials, redact, url_credentials, webhook_url, with_query
from msgspec_dd.errors import ConfigError

#: Seconds one message may wait for its robot (pacing and a rate-limit lock together).
DEFAULT_MAX_WAIT = 900.0
#: Seconds to wait for DingTalk's answer to one POST.
DEFAULT_TIMEOUT = 10.0
HEADERS = {"Content-Type": "application/json; charset=utf-8"}

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


@dataclass
class _Tries:
    """How far one message got: attempts made, the last reply, what is left of its wait."""

    allowance: float
    attempts: int = 0
    transient: int = 0
    resigned: bool = False
    maybe_arrived: bool = False
    last: Reply | None = None


def _new_uuid() -> str:
    return str(uuid.uuid4())


def _now_ms() -> int:
    return int(time.time() * 1000)


class Robot:
    """One DingTalk group robot: its webhook, optional signing secret and rate.

    ``webhook`` is the URL as DingTalk shows it, or only its 64-hex access token. With no
    ``secret`` requests go unsigned; ``secret_env`` names the environment variable that was to
    hold it, so that a robot which turns out to require a signature says that variable is not
    set. Everything after ``rate`` is optional and mostly for tests: ``clock``/``sleep`` drive
    pacing and backoff, ``timestamp_ms`` the signature, ``new_uuid`` the msgUuids, ``progress``
    hears about long waits (default: the ``msgspec_dd`` logger).
    """

    def __init__(
        self,
        name: str,
        webhook: str,
        *,
        secret: str | None = None,
        secret_env: str | None = None,
        rate: Rate | None = None,
        max_wait: float = DEFAULT_MAX_WAIT,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryStrategy | None = None,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        timestamp_ms: Callable[[], int] = _now_ms,
        new_uuid: Callable[[], str] = _new_uuid,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.name = name
        self.max_wait = check_max_wait(max_wait)
        self.pacer = Pacer(rate or Rate())
        self._url = webhook_url(webhook)
        self._secret = secret
        self._secret_env = secret_env
        self._secrets = (*url_credentials(self._url), *((secret,) if secret else ()))
        self._timeout = timeout
        self._retry = retry or ExponentialBackoff()
        self._session = session or _session_for(self._url)
        self._clock, self._sleep, self._timestamp_ms = clock, sleep, timestamp_ms
        self._new_uuid = new_uuid
        self._progress = progress or logger.info

    @classmethod
    def from_config(
        cls, config: Config, name: str, *, environ: Mapping[str, str] | None = None, **options: Any
    ) -> Robot:
        """The robot ``name`` of ``config``, its webhook and secret read from the environment.

        :class:`ConfigError` when the robot is unknown or its webhook variable is not set; the
        error names the variable, never its value. ``options`` go to :class:`Robot`.

        A ``secret_env`` that is not set (or empty) is not an error: the robot sends unsigned.
        Many robots have no 加签 at all, and every robot names ``DINGTALK_SECRET`` when there is
        no ``msgspec-dd.yaml``, so refusing would break them. If the robot does require a
        signature, DingTalk refuses the message (310000, permanent, nothing is sent) and its
        result's hint says that this variable is not set, not that the secret is wrong.
        """
        robot = config.robot(name)
        raw = read_env(robot.webhook_env, environ)
        if raw is None:
            raise ConfigError(
                f"robot {name!r}: environment variable {robot.webhook_env} is not set. Set it to "
                "the robot's webhook URL (or its access token), e.g. from your CI's secrets."
            )
        url = webhook_url(raw, source=f"environment variable {robot.webhook_env}")
        secret = read_env(robot.secret_env, environ)
        if secret is not None and not secret.startswith("SEC"):
            raise ConfigError(
                f"robot {name!r}: environment variable {robot.secret_env} does not hold a signing "
                "secret (DingTalk's start with SEC). Copy it from the robot's 加签 setting."
            )
        return cls(name, url, secret=secret, secret_env=robot.secret_env, rate=robot.rate,
                   **options)

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
        """``text`` with this robot's token and secret (and any other credential) hidden."""
        return redact(text, self._secrets)

    def hide_credentials(self, text: str) -> str:
        """``text`` with this robot's token and secret (and any ``SEC`` secret) hidden.

        For text users wrote, such as message bodies: nothing else that merely looks like a
        token (a 64-hex checksum) is hidden, unlike :meth:`redact`.
        """
        return hide_credentials(text, self._secrets)

    def close(self) -> None:
        """Close the kept-alive connections."""
        self._session.close()

    def send(
        self,
        payload: Mapping[str, Any],
        *,
        max_wait: float | None = None,
        log: AttemptLog | None = None,
    ) -> SendResult:
        """Post ``payload`` (a DingTalk message body) and say how it went.

        A body DingTalk would refuse (not valid for its msgtype, or over 20,000 bytes) is not
        posted: the result says why. A ``msgUuid`` is added unless the payload has one.
        ``max_wait`` (default: the robot's) bounds the seconds this message may wait for pacing
        and a rate-limit lock; past it the message is reported as not sent (:class:`UsageError`
        unless it is finite and not negative). ``log`` hears about every POST (the ledger uses it).
        """
        message = dict(payload)
        message.setdefault("msgUuid", self._new_uuid())
        msg_uuid = str(message["msgUuid"])
        invalid = _invalid(message)
        if invalid is not None:  # nothing invalid is ever posted, from Python either
            return SendResult(self.name, Status.FAILED, msg_uuid, detail=f"not sent: {invalid}",
                              hint="fix the body (msgspec-dd schema MSGTYPE prints what DingTalk accepts)")
        data = wire.encode(message)
        tries = _Tries(allowance=self.max_wait if max_wait is None else check_max_wait(max_wait))
        with self.pacer.turn:
            return self._deliver(data, msg_uuid, tries, log or _Unlogged())

    def _deliver(
        self, data: bytes, msg_uuid: str, tries: _Tries, log: AttemptLog
    ) -> SendResult:
        limit = tries.allowance
        while True:
            turn = wait_for_turn(self.pacer, clock=self._clock, sleep=self._sleep,
                                 allowance=tries.allowance, progress=self._report_wait)
            tries.allowance -= turn.waited
            if turn.refused is not None:
                return self._not_sent(msg_uuid, turn.refused, tries, limit)
            reply = self._post(data, msg_uuid, log)
            tries.attempts += 1
            tries.last = reply
            tries.maybe_arrived = tries.maybe_arrived or reply.uncertain
            event = self._next_step(reply, tries)
            log.outcome(event, msg_uuid, reply)
            if event == "sent":
                return SendResult(self.name, Status.SENT, msg_uuid, errcode=reply.errcode,
                                  errmsg=reply.errmsg, attempts=tries.attempts)
            if event == "failed":
                return self._failed(msg_uuid, reply, tries)
            self._before_retry(reply, tries)

    def _next_step(self, reply: Reply, tries: _Tries) -> str:
        """``sent``, ``failed`` or ``retry`` after ``reply``; counts the tries in ``tries``."""
        kind = reply.kind
        if kind is Kind.OK:
            return "sent"
        if kind is Kind.RATE_LIMITED:
            return "retry"
        if kind is Kind.RESIGN and not tries.resigned:
            tries.resigned = True
            return "retry"
        if kind is Kind.RETRYABLE:
            tries.transient += 1
            return "retry" if self._retry.can_retry(tries.transient) else "failed"
        return "failed"

    def _before_retry(self, reply: Reply, tries: _Tries) -> None:
        kind = reply.kind
        if kind is Kind.RATE_LIMITED:
            self.pacer.lock(reply.at)
        elif kind is Kind.RETRYABLE:
            self._sleep(self._retry.delay(tries.transient))

    def _post(self, data: bytes, msg_uuid: str, log: AttemptLog) -> Reply:
        log.attempt(msg_uuid)
        reply = self._exchange(data)
        # Counted even when no answer came, as the request may have reached DingTalk; only a
        # request that certainly never left (connection refused, invalid URL) is not.
        if reply.posted:
            self.pacer.record(reply.at)
        return reply

    def _exchange(self, data: bytes) -> Reply:
        url = self._url
        if self._secret:
            url = with_query(url, signing.signed_query(self._secret, self._timestamp_ms()))
        try:
            # DingTalk never redirects: a redirect means the webhook points elsewhere, and
            # following it would resend the body (and credentials) to wherever it leads.
            response = self._session.post(url, data=data, headers=HEADERS, timeout=self._timeout,
                                          allow_redirects=False)
        except (requests.RequestException, LocationValueError) as err:
            return self._no_answer(err)
        return self._reply(response)

    def _no_answer(self, err: requests.RequestException | LocationValueError) -> Reply:
        transport = transport_failure(err)
        if transport is Transport.INVALID_URL:
            error = f"invalid webhook URL: {_reason(err)}"
        elif isinstance(err, requests.Timeout) and transport is Transport.UNCERTAIN:
            error = f"no answer within {self._timeout:g}s (timeout)"
        else:
            error = f"network error: {_reason(err)}"
        return Reply(self._clock(), error=self.redact(error), transport=transport)

    def _reply(self, response: requests.Response) -> Reply:
        at = self._clock()
        try:
            answer = response.json()
        except ValueError:
            answer = None
        status = response.status_code
        if response.is_redirect or 300 <= status < 400:  # not DingTalk's answer, whatever it says
            return Reply(at, http_status=status, errmsg=self._errmsg(response.reason))
        if isinstance(answer, dict) and isinstance(answer.get("errcode"), int):
            errmsg = self._errmsg(str(answer.get("errmsg", "")))
            return Reply(at, errcode=answer["errcode"], errmsg=errmsg, http_status=status)
        return Reply(at, http_status=status, errmsg=self._errmsg(response.reason))

    def _errmsg(self, text: str | None) -> str:
        # Redacted before it is cut, so that no cut-off credential escapes the redaction.
        return shorten(self.redact(text or ""))

    def _failed(self, msg_uuid: str, reply: Reply, tries: _Tries) -> SendResult:
        detail = reply.describe()
        if tries.attempts > 1:
            detail += f" after {tries.attempts} attempts"
        advice = reply.hint
        if reply.failure is Transport.UNSENT and tries.maybe_arrived:
            advice = UNCERTAIN_HINT  # the last try never left, but an earlier one may have arrived
        elif not self._secret and is_signature_refusal(reply.errcode or 0, reply.errmsg):
            advice = unsigned_hint(self._secret_env)  # not a wrong secret: there was none
        return SendResult(
            self.name, Status.FAILED, msg_uuid, errcode=reply.errcode, errmsg=reply.errmsg,
            detail=detail, hint=advice, attempts=tries.attempts,
        )

    def _not_sent(
        self, msg_uuid: str, wait: Wait, tries: _Tries, limit: float
    ) -> SendResult:
        last = tries.last if tries.last and tries.last.kind is Kind.RATE_LIMITED else None
        if wait.locked:
            detail = (f"not sent: the robot is locked after a rate-limit answer for another "
                      f"{_duration(wait.seconds)}, longer than the maximum wait ({limit:g}s)")
            advice = hint(TOO_FAST, "")
        else:
            rate = self.pacer.rate
            detail = (f"not sent: pacing to {rate.count} per {rate.per_seconds:g}s would make it "
                      f"wait {_duration(wait.seconds)}, longer than the maximum wait ({limit:g}s)")
            advice = ("raise --max-wait, or send fewer messages at once (DingTalk suggests "
                      "merging many alerts into one markdown summary)")
        return SendResult(
            self.name, Status.FAILED, msg_uuid,
            errcode=last.errcode if last else None, errmsg=last.errmsg if last else "",
            detail=detail, hint=advice, attempts=tries.attempts,
        )

    def _report_wait(self, wait: Wait) -> None:
        if wait.locked:
            why = "DingTalk's rate-limit lock"
        else:
            why = f"its rate ({self.pacer.rate.count} per {self.pacer.rate.per_seconds:g}s)"
        self._progress(f"robot {self.name}: waiting {_duration(wait.seconds)} for {why}")


def transport_failure(err: BaseException) -> Transport:
    """What an exception from ``requests`` says about a POST that got no answer.

    An invalid URL (``InvalidURL`` and its kin, urllib3's ``LocationValueError``) is permanent.
    A connection that was never made (refused, a connect timeout, an unknown host) sent
    nothing: :attr:`Transport.UNSENT`. Anything else (a read timeout, a reset, a dropped reply)
    happened after the request may have been sent: :attr:`Transport.UNCERTAIN`.
    """
    invalid = (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
               requests.exceptions.MissingSchema, requests.exceptions.URLRequired,
               LocationValueError)
    if isinstance(err, invalid):
        return Transport.INVALID_URL
    if isinstance(err, requests.ConnectTimeout):
        return Transport.UNSENT
    if isinstance(err, requests.ConnectionError) and any(
        isinstance(cause, (NewConnectionError, ConnectionRefusedError)) for cause in _causes(err)
    ):
        return Transport.UNSENT
    return Transport.UNCERTAIN


def _causes(err: BaseException) -> list[BaseException]:
    """``err`` and every exception it was raised from or while handling."""
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [err]
    while pending:
        cause = pending.pop()
        if cause is None or any(cause is known for known in seen):
            continue
        seen.append(cause)
        pending.extend((cause.__cause__, cause.__context__))
    return seen


def _reason(err: BaseException) -> str:
    """The innermost cause of a requests error, without its URL-laden wrapper text."""
    cause: BaseException = err
    while cause.__context__ is not None and cause.__context__ is not cause:
        cause = cause.__context__
    return f"{type(err).__name__} ({type(cause).__name__}: {cause})"


def _duration(seconds: float) -> str:
    """``42s`` or ``9m58s``."""
    whole = max(1, round(seconds))
    minutes, rest = divmod(whole, 60)
    return f"{minutes}m{rest:02d}s" if minutes else f"{rest}s"


def _session_for(url: str) -> requests.Session:
    """A kept-alive session; a robot on this machine (the sandbox) is never reached via a proxy."""
    from urllib.parse import urlsplit

    session = requests.Session()
    if urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1"):
        session.trust_env = False
    return session


def _invalid(message: Mapping[str, Any]) -> str | None:
    """Why DingTalk would refuse ``message`` (schema or size), or None."""
    from msgspec_dd.schemas import catalog
    from msgspec_dd.schemas.issues import schema_issues

    issues = schema_issues(catalog.payload_validator(), message)
    if issues:
        where = "/".join(str(part) for part in issues[0].path)
        return f"invalid body{' at ' + where if where else ''}: {issues[0].message}"
    size = len(wire.encode(message))
    if size > wire.MAX_BODY_BYTES:
        return f"body is {size:,} bytes; DingTalk accepts at most {wire.MAX_BODY_BYTES:,}"
    return None

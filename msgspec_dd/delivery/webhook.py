"""The HTTP client of a custom group robot's webhook: a :class:`~msgspec_dd.delivery.transport.Transport`.

One :meth:`WebhookTransport.post` is one signed POST of an already encoded body to
``/robot/send``, and DingTalk's answer (or the lack of one) judged as a
:class:`~msgspec_dd.delivery.results.Reply`: its kind from the errcode table, its hint, every
text redacted before it is cut. No retries, no pacing: the robot does those.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import LocationValueError, NewConnectionError

from msgspec_dd.config import RobotConfig, read_env
from msgspec_dd.delivery.results import Reply, shorten
from msgspec_dd.delivery.transport import Refusal
from msgspec_dd.dingtalk import errcodes, signing, wire
from msgspec_dd.dingtalk.errcodes import Cause, Kind
from msgspec_dd.dingtalk.webhook_url import url_credentials, webhook_url, with_query
from msgspec_dd.errors import ConfigError
from msgspec_dd.redaction import redact

#: Seconds to wait for DingTalk's answer to one POST.
DEFAULT_TIMEOUT = 10.0


def _now_ms() -> int:
    return int(time.time() * 1000)


class WebhookTransport:
    """POSTs to one webhook URL, signing each request afresh when there is a ``secret``.

    ``secret_env`` names the variable that was to hold a missing secret, so a refused signature
    says that variable is not set. ``clock`` stamps replies, ``timestamp_ms`` the signatures.
    """

    def __init__(
        self,
        webhook: str,
        *,
        secret: str | None = None,
        secret_env: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        timestamp_ms: Callable[[], int] = _now_ms,
    ) -> None:
        self._url = webhook_url(webhook)
        self._secret, self._secret_env = secret, secret_env
        self._credentials = (*url_credentials(self._url), *((secret,) if secret else ()))
        self._timeout = timeout
        self._session = session or _session_for(self._url)
        self._clock, self._timestamp_ms = clock, timestamp_ms

    @classmethod
    def from_config(cls, robot: RobotConfig, environ: Mapping[str, str] | None = None,
                    **options: Any) -> WebhookTransport:
        """The webhook of ``robot``, its URL and secret read from the environment.

        :class:`ConfigError` naming the variable (never its value) when the webhook variable is
        not set or either value is malformed. An unset ``secret_env`` means unsigned: many robots
        have no 加签, and without ``msgspec-dd.yaml`` every robot names ``DINGTALK_SECRET``.
        """
        raw = read_env(robot.webhook_env, environ)
        if raw is None:
            raise ConfigError(
                f"robot {robot.name!r}: environment variable {robot.webhook_env} is not set. Set "
                "it to the robot's webhook URL (or its access token), e.g. from your CI's secrets."
            )
        url = webhook_url(raw, source=f"environment variable {robot.webhook_env}")
        secret = read_env(robot.secret_env, environ)
        if secret is not None and not secret.startswith("SEC"):
            raise ConfigError(
                f"robot {robot.name!r}: environment variable {robot.secret_env} does not hold a "
                "signing secret (DingTalk's start with SEC). Copy it from the robot's 加签 setting."
            )
        return cls(url, secret=secret, secret_env=robot.secret_env, **options)

    @property
    def credentials(self) -> tuple[str, ...]:
        """The token(s) and secret this transport holds (values to hide wherever they appear)."""
        return self._credentials

    def encode(self, payload: Mapping[str, Any], body: bytes, msg_uuid: str) -> bytes | Refusal:
        """The DingTalk message itself with its ``msgUuid``, added to ``body`` (unless it has
        one) rather than encoded again; a refusal when that is over DingTalk's 20,000 bytes."""
        request = body if "msgUuid" in payload else wire.add_field(body, "msgUuid", msg_uuid)
        if len(request) > wire.MAX_BODY_BYTES:
            return Refusal(f"body is {len(request):,} bytes; DingTalk accepts at most "
                           f"{wire.MAX_BODY_BYTES:,}")
        return request

    def redact(self, text: str) -> str:
        """``text`` with this webhook's token and secret hidden (and anything shaped like one)."""
        return redact(text, self._credentials)

    def close(self) -> None:
        """Close the kept-alive connections."""
        self._session.close()

    def post(self, body: bytes) -> Reply:
        """One POST of ``body``, signed now; DingTalk's answer, or why there was none."""
        url = self._url
        if self._secret:
            url = with_query(url, signing.signed_query(self._secret, self._timestamp_ms()))
        try:
            # DingTalk never redirects: a redirect means the webhook points elsewhere, and
            # following it would resend the body (and credentials) to wherever it leads.
            response = self._session.post(url, data=body, headers=wire.HEADERS,
                                          timeout=self._timeout, allow_redirects=False)
        except (requests.RequestException, LocationValueError) as err:
            return self._no_answer(err)
        return self._answer(response)

    def _no_answer(self, err: requests.RequestException | LocationValueError) -> Reply:
        reason = no_answer(err)
        if reason is Cause.INVALID_URL:
            error, kind = f"invalid webhook URL: {_reason(err)}", Kind.PERMANENT
        elif isinstance(err, requests.Timeout) and reason is Cause.UNCERTAIN:
            error, kind = f"no answer within {self._timeout:g}s (timeout)", Kind.RETRYABLE
        else:
            error, kind = f"network error: {_reason(err)}", Kind.RETRYABLE
        # requests quotes the whole URL, token and signature included.
        return Reply(self._clock(), kind, error=self.redact(error), no_answer=reason,
                     hint=errcodes.HINTS[reason])

    def _answer(self, response: requests.Response) -> Reply:
        at, status = self._clock(), response.status_code
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.is_redirect or 300 <= status < 400:  # not DingTalk's answer, whatever it says
            return Reply(at, Kind.PERMANENT, http_status=status, errmsg=self._errmsg(response.reason),
                         hint=errcodes.HINTS[Cause.REDIRECT])
        if isinstance(answer, dict) and isinstance(answer.get("errcode"), int):
            return self._dingtalk_answer(at, status, answer["errcode"], str(answer.get("errmsg", "")))
        if status >= 500:
            kind, hint = Kind.RETRYABLE, errcodes.HINTS[Cause.SERVER_ERROR]
        else:
            kind, hint = Kind.PERMANENT, errcodes.HINTS[Cause.NOT_DINGTALK].format(status=status)
        return Reply(at, kind, http_status=status, errmsg=self._errmsg(response.reason), hint=hint)

    def _dingtalk_answer(self, at: float, status: int, errcode: int, text: str) -> Reply:
        errmsg = self._errmsg(text)
        kind = errcodes.classify(errcode, errmsg)
        if status >= 500:  # whatever the body says, the server failed: worth another try
            kind = Kind.RETRYABLE
        if not self._secret and errcodes.is_signature_refusal(errcode, errmsg):
            hint = errcodes.unsigned_hint(self._secret_env)  # not a wrong secret: there was none
        else:
            hint = errcodes.hint(errcode, errmsg)
        return Reply(at, kind, errcode=errcode, errmsg=errmsg, http_status=status, hint=hint)

    def _errmsg(self, text: str | None) -> str:
        # Redacted before it is cut, so that no cut-off credential escapes the redaction.
        return shorten(self.redact(text or ""))


def no_answer(err: BaseException) -> Cause:
    """What an exception from ``requests`` says about a POST that got no answer.

    An invalid URL (``InvalidURL`` and its kin, urllib3's ``LocationValueError``) is permanent.
    A connection that was never made (refused, a connect timeout, an unknown host) sent
    nothing: :attr:`Cause.UNSENT`. Anything else (a read timeout, a reset, a dropped reply)
    happened after the request may have been sent: :attr:`Cause.UNCERTAIN`.
    """
    invalid = (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
               requests.exceptions.MissingSchema, requests.exceptions.URLRequired,
               LocationValueError)
    if isinstance(err, invalid):
        return Cause.INVALID_URL
    if isinstance(err, requests.ConnectTimeout):
        return Cause.UNSENT
    if isinstance(err, requests.ConnectionError) and any(
        isinstance(cause, (NewConnectionError, ConnectionRefusedError)) for cause in _causes(err)
    ):
        return Cause.UNSENT
    return Cause.UNCERTAIN


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


def _session_for(url: str) -> requests.Session:
    """A kept-alive session; a robot on this machine (the sandbox) is never reached via a proxy."""
    session = requests.Session()
    if urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1"):
        session.trust_env = False
    return session

"""An enterprise app robot as a :class:`~msgspec_dd.delivery.transport.Transport`.

The robot (pacing, retries, the ledger) sees what it sees of a webhook: bytes to post and a
:class:`~msgspec_dd.delivery.results.Reply`. Here those bytes are the
``groupMessages/send`` body (``msgKey``, ``msgParam``, ``openConversationId``, ``robotCode``,
mapped by :mod:`msgspec_dd.dingtalk.app_messages`), posted through
:class:`~msgspec_dd.delivery.app_client.AppClient`, and the answer is judged by
:mod:`msgspec_dd.dingtalk.app_errors`: the processQueryKey becomes :attr:`Reply.message_id`
(the ledger keeps it for ``recall`` and ``status``), rate answers come back as
``RATE_LIMITED`` (the robot locks its pacer and tries again), everything else final with its hint.

The body is encoded once, here, and posted as those bytes. Tokens are the client's alone: it
fetches a new one and retries once on ``InvalidAuthentication``, so an auth refusal that reaches
this transport has had its one retry: it is final, with the hint to check the key and secret.

The app API has no ``msgUuid``: a message whose answer was lost may arrive twice if retried.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests

from msgspec_dd.config import RobotConfig
from msgspec_dd.delivery.app_client import AppClient, AppCredentials, TokenCache, api_base
from msgspec_dd.delivery.results import Reply, shorten
from msgspec_dd.delivery.transport import Refusal
from msgspec_dd.delivery.webhook import DEFAULT_TIMEOUT, _session_for
from msgspec_dd.dingtalk import wire
from msgspec_dd.dingtalk.app_errors import REFRESH_TOKEN, AppError
from msgspec_dd.dingtalk.app_messages import app_message, send_body
from msgspec_dd.dingtalk.errcodes import Cause, Kind
from msgspec_dd.errors import DeliveryError
from msgspec_dd.redaction import redact

#: How long a rate answer keeps an app robot waiting. No quota is documented for app robots;
#: a minute outlasts both the per-second QPS limits and the per-minute ``send.too.fast``.
APP_LOCK_SECONDS = 60.0


def request_body(payload: Mapping[str, Any], robot: RobotConfig) -> Mapping[str, Any]:
    """What ``send`` posts to ``robot`` for ``payload`` (``render --robot``): the payload itself
    for a webhook robot, the ``groupMessages/send`` body for an app robot.

    :class:`DeliveryError` (exit 1) saying why an app robot cannot take the message.
    """
    if robot.app is None:
        return payload
    body = app_body(payload, robot_code=robot.app.robot_code, conversation=robot.app.conversation)
    if isinstance(body, tuple):
        raise DeliveryError(f"robot {robot.name!r} is an app robot and cannot send this message: "
                            + "; ".join(body))
    return body


def app_body(payload: Mapping[str, Any], *, robot_code: str,
             conversation: str) -> dict[str, str] | tuple[str, ...]:
    """The ``groupMessages/send`` body for ``payload``, or why an app robot cannot send it."""
    mapped = app_message(payload)
    if isinstance(mapped, tuple):
        return tuple(refusal.reason for refusal in mapped)
    return send_body(mapped, robot_code=robot_code, conversation=conversation)


class AppTransport:
    """Sends to one app robot's group through ``client``; ``clock`` stamps replies."""

    def __init__(self, client: AppClient, *, robot_code: str, conversation: str,
                 clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.robot_code, self.conversation = robot_code, conversation
        self._clock = clock

    @classmethod
    def from_config(cls, robot: RobotConfig, environ: Mapping[str, str] | None = None, *,
                    timeout: float = DEFAULT_TIMEOUT, session: requests.Session | None = None,
                    clock: Callable[[], float] = time.time, tokens: TokenCache | None = None,
                    **_webhook_only: Any) -> AppTransport:
        """The app robot ``robot``: key and secret from the environment, the API base from
        ``MSGSPEC_DD_API_BASE`` (else DingTalk's). :class:`ConfigError` naming an unset variable.

        ``tokens`` is the run's token cache, shared by every robot of the same app.
        """
        assert robot.app is not None, "from_config of a webhook robot"
        env = os.environ if environ is None else environ
        credentials = AppCredentials.from_env(robot.name, robot.app, env)
        base = api_base(env)
        client = AppClient(credentials, base_url=base, session=session or _session_for(base),
                           clock=clock, tokens=tokens, timeout=timeout)
        return cls(client, robot_code=robot.app.robot_code, conversation=robot.app.conversation,
                   clock=clock)

    @property
    def credentials(self) -> tuple[str, ...]:
        """The app key, the app secret and the access token in use (values to hide anywhere)."""
        held = self.client.credentials
        token = self.client.tokens.get(held.app_key, self.client.clock())
        return (held.app_key, held.app_secret, *((token,) if token else ()))

    def encode(self, payload: Mapping[str, Any], body: bytes, msg_uuid: str) -> bytes | Refusal:
        """The ``groupMessages/send`` body for ``payload``, or what the app API cannot show (a
        feedCard, ``@``, a ``msgParam`` over 15,000 bytes...). ``body`` and ``msg_uuid`` have no
        place there: the app API takes a template and its parameters, and has no msgUuid."""
        request = app_body(payload, robot_code=self.robot_code, conversation=self.conversation)
        if isinstance(request, tuple):
            return Refusal("; ".join(request))
        return wire.encode(request)

    def post(self, body: bytes) -> Reply:
        """One ``groupMessages/send`` of ``body`` as it is (with a token fetched or cached);
        never raises."""
        answer = self.client.send(body)
        if isinstance(answer, str):
            return Reply(self._clock(), Kind.OK, http_status=200, message_id=answer)
        return self._failure(answer)

    def close(self) -> None:
        """Close the kept-alive connections."""
        self.client.session.close()

    def _failure(self, error: AppError) -> Reply:
        at = self._clock()
        if error.code == "connection":  # the client got no answer at all
            return Reply(at, Kind.RETRYABLE, error=self._redact(error.message), hint=error.hint,
                         no_answer=Cause.UNCERTAIN)
        # The client has already fetched a new token and tried once more: final now.
        kind = Kind.PERMANENT if error.kind is REFRESH_TOKEN else error.kind
        text = f"{error.code} ({error.message})" if error.message else error.code
        return Reply(at, kind, errmsg=shorten(self._redact(text)), http_status=error.status,
                     hint=error.hint)

    def _redact(self, text: str) -> str:
        return redact(text, self.credentials)

"""The one interface between a :class:`~msgspec_dd.delivery.robot.Robot` and a kind of robot.

A transport turns a DingTalk message into the bytes its endpoint takes, posts them, and judges
what came back as a :class:`~msgspec_dd.delivery.results.Reply`. Everything above it (the batch,
pacing, retries, the ledger, result lines) sees only these calls and replies, so it never
cares which kind a robot is. Today there is one transport, the webhook's
(:class:`~msgspec_dd.delivery.webhook.WebhookTransport`); an enterprise app robot
(access token + ``/v1.0/robot/groupMessages/send``) is another implementation of this
Protocol, which puts its processQueryKey in :attr:`Reply.message_id` and maps its error codes
to a :class:`~msgspec_dd.dingtalk.errcodes.Kind` and a hint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from msgspec_dd.delivery.results import Reply


class Transport(Protocol):
    """Posts one encoded message to one robot and says what came back."""

    def encode(self, message: Mapping[str, Any]) -> bytes:
        """The request body for ``message`` (a DingTalk message body with its ``msgUuid``)."""
        ...

    def refuse(self, body: bytes) -> str | None:
        """Why this robot would refuse ``body`` before it is sent (its size), or None."""
        ...

    def post(self, body: bytes) -> Reply:
        """Send ``body`` once: authenticate afresh, never raise for the network or the answer."""
        ...

    def renew(self) -> None:
        """The robot refused our credentials as stale: make the next :meth:`post` use new ones."""
        ...

    @property
    def credentials(self) -> tuple[str, ...]:
        """Every credential this transport holds (tokens, secrets): values to hide in any text."""
        ...

    def close(self) -> None:
        """Let go of kept-alive connections."""
        ...
